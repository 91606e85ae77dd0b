// Several Grafana instances from one config (SPEC §9): each instance is observed, planned, guarded and
// applied by its own engine run, while one Okta client answers every run, so each group is read once.
import {
  createClients,
  requestTimeoutMs,
  type Clients,
  type GrafanaCredentials,
} from './clients.ts'
import type { ConfigProblem } from './config/index.ts'
import {
  loadBase,
  runEngine,
  type BaseConfig,
  type EngineInputs,
  type EngineOutcome,
  type LoadedBase,
} from './engine.ts'
import type {
  DesiredConfig,
  DesiredInstance,
  InstanceRefs,
  Setting,
  SettingProblem,
} from './model.ts'
import { messageOf } from './model.ts'
import { collectOktaRefs } from './observe/index.ts'
import { withSharedReads } from './okta/index.ts'
import { checkCapabilities, hasOktaCredentials, oktaCredentialProblem } from './plan/index.ts'
import { observationConfig } from './plan/review.ts'
import { createScrubber, grafanaSecrets, type Scrubber } from './secrets/index.ts'

export interface InstanceOutcome {
  name: string
  url: string
  outcome: EngineOutcome
}

/** One outcome per declared instance, in the order they are declared. */
export interface InstancesOutcome {
  kind: 'instances'
  config: DesiredConfig
  instances: InstanceOutcome[]
}

export interface InstancesOptions {
  /** The Grafana settings the adapter was given (inputs, variables): must be none with `instances:`. */
  grafanaSettings: Setting[]
}

/** Whether the config declares `instances:`. */
export function hasInstances(config: DesiredConfig): boolean {
  return (config.instances?.length ?? 0) > 0
}

/** Runs `config` (validated, with `instances:`) on each instance; refused or invalid before any request. */
export async function runInstances(
  inputs: EngineInputs,
  config: DesiredConfig,
  options: InstancesOptions,
): Promise<EngineOutcome | InstancesOutcome> {
  const instances = config.instances ?? []
  const scrubber = inputs.scrubber ?? createScrubber()
  if (options.grafanaSettings.length > 0) {
    const problem: SettingProblem = {
      code: 'grafana-settings-with-instances',
      settings: options.grafanaSettings,
      where: `${instances[0]!.source.file}:${instances[0]!.source.line}`,
    }
    return { kind: 'refused', problems: [], setting: problem, settings: [problem] }
  }
  const unset = instances.flatMap((instance) => unsetVariables(instance, inputs.env))
  if (unset.length > 0) return { kind: 'invalid', problems: unset }
  for (const instance of instances) {
    for (const secret of grafanaSecrets(credentialsOf(instance, inputs.env))) scrubber.add(secret)
  }
  const refused = capabilityProblems(config, inputs)
  if (refused) return refused

  // The base commit's config is loaded once; each instance's run gets its part, as of the PR's config.
  const base = inputs.base && (await loadBase(inputs.base, inputs))
  const baseConfig = base?.config && hasInstances(base.config) ? base.config : undefined
  let clients: Clients[]
  try {
    clients = clientsFor(config, inputs, scrubber, baseConfig)
  } catch (error) {
    return { kind: 'refused', problems: [scrubber.scrub(messageOf(error))] }
  }
  const outcomes = await byHost(instances, (instance, i) =>
    runOne(
      instance,
      clients[i]!,
      { ...inputs, scrubber, base: base && baseForInstance(base, instance.name) },
      config,
    ),
  )
  return {
    kind: 'instances',
    config,
    instances: instances.map((instance, i) => ({
      name: instance.name,
      url: instance.url,
      outcome: outcomes[i]!,
    })),
  }
}

/** The part of the config one instance manages: the orgs, teams and users that name it or none. */
export function configForInstance(config: DesiredConfig, name: string): DesiredConfig {
  const on = (entry: { instances?: InstanceRefs }) =>
    !entry.instances ||
    entry.instances.some((ref) => ref.value.toLowerCase() === name.toLowerCase())
  const part: DesiredConfig = {
    ...config,
    orgs: config.orgs.filter(on),
    teams: config.teams.filter(on),
    users: config.users.filter(on),
  }
  delete part.instances
  return part
}

/**
 * One instance's part of the base commit's config. A base without `instances:` cannot be split the
 * same way: its instance's list is then one, with the reason. An instance the base does not declare
 * is new in the PR: the base manages nothing on it, so each of its changes is the PR's.
 */
export function baseForInstance(base: LoadedBase, name: string): BaseConfig {
  if (!base.config) return { ref: base.ref, unreadable: base.unreadable ?? '' }
  if (!hasInstances(base.config))
    return { ref: base.ref, unreadable: 'the base config declares no instances' }
  const declared = base.config.instances!.some((i) => i.name.toLowerCase() === name.toLowerCase())
  const part = configForInstance(base.config, name)
  return { ref: base.ref, config: declared ? part : managingNothing(part) }
}

/** A config that plans no change on any Grafana: no entries, nothing pruned. */
function managingNothing(config: DesiredConfig): DesiredConfig {
  const prune = { teamMembers: false, teams: false, orgUsers: false }
  return { ...config, orgs: [], teams: [], users: [], settings: { ...config.settings, prune } }
}

async function runOne(
  instance: DesiredInstance,
  clients: Clients,
  inputs: EngineInputs,
  config: DesiredConfig,
): Promise<EngineOutcome> {
  const prefix = (message: string) => `[${instance.name}] ${message}`
  try {
    return await runEngine({
      ...inputs,
      grafana: undefined,
      okta: undefined,
      config: configForInstance(config, instance.name),
      clients,
      onProgress: inputs.onProgress && ((message) => inputs.onProgress!(prefix(message))),
    })
  } catch (error) {
    return { kind: 'failed', error: inputs.scrubber!.scrub(messageOf(error)), requests: [] }
  }
}

/**
 * Instances on different hosts run in parallel; those on one host one after the other, so the
 * concurrency limit of each client is also the limit of its host.
 */
async function byHost<T>(
  instances: readonly DesiredInstance[],
  run: (instance: DesiredInstance, index: number) => Promise<T>,
): Promise<T[]> {
  const hosts = new Map<string, number[]>()
  instances.forEach((instance, i) => {
    const host = hostOf(instance.url)
    hosts.set(host, [...(hosts.get(host) ?? []), i])
  })
  const results: T[] = []
  await Promise.all(
    [...hosts.values()].map(async (indexes) => {
      for (const i of indexes) results[i] = await run(instances[i]!, i)
    }),
  )
  return results
}

function hostOf(url: string): string {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`).host.toLowerCase()
  } catch {
    return url.toLowerCase()
  }
}

function credentialsOf(
  instance: DesiredInstance,
  env: Record<string, string | undefined>,
): GrafanaCredentials {
  const value = (ref: DesiredInstance['token']) => (ref ? env[ref.env] || undefined : undefined)
  return {
    url: instance.url,
    token: value(instance.token)?.trim(),
    username: value(instance.username),
    password: value(instance.password),
  }
}

/** Each `{ env: NAME }` of an instance whose variable is unset or empty, at its place in the YAML. */
function unsetVariables(
  instance: DesiredInstance,
  env: Record<string, string | undefined>,
): ConfigProblem[] {
  return [instance.token, instance.username, instance.password].flatMap((ref) =>
    ref && !env[ref.env]?.trim()
      ? [
          {
            ...ref.source,
            message: `instance "${instance.name}": environment variable ${ref.env} is not set or is empty`,
            hint: `Set ${ref.env} in the environment of the run, e.g. \`${ref.env}: \${{ secrets.${ref.env} }}\` in the \`env:\` of the workflow step.`,
          },
        ]
      : [],
  )
}

/**
 * What each instance's credentials cannot do for its part of the config: a problem at the instance
 * in the YAML. Okta problems are the adapter's settings, reported once.
 */
function capabilityProblems(
  config: DesiredConfig,
  inputs: EngineInputs,
): EngineOutcome | undefined {
  const problems: ConfigProblem[] = []
  let okta: SettingProblem[] = []
  for (const instance of config.instances ?? []) {
    const credentials = credentialsOf(instance, inputs.env)
    const unmet = checkCapabilities(configForInstance(config, instance.name), {
      token: Boolean(credentials.token),
      basic: Boolean(credentials.username && credentials.password),
      okta: hasOktaCredentials(inputs.okta),
      oktaProblem: oktaCredentialProblem(inputs.okta),
    })
    for (const problem of unmet) {
      if (problem.code === 'basic-auth-needed') {
        problems.push({
          ...instance.source,
          message: `instance "${instance.name}" has a token only: ${problem.because}`,
          hint: 'Give the instance `username: { env: NAME }` and `password: { env: NAME }` of a Grafana server admin, or name other instances on these entries with `instances: [..]`.',
        })
      } else if (okta.length === 0 && problem.code !== 'grafana-credentials-missing') {
        okta = [problem]
      }
    }
  }
  if (problems.length > 0) return { kind: 'invalid', problems }
  if (okta.length > 0) return { kind: 'refused', problems: [], setting: okta[0], settings: okta }
  return undefined
}

/**
 * One Grafana client per instance; one Okta client shared by all, when the config (or the base
 * config read with it) names a group.
 */
function clientsFor(
  config: DesiredConfig,
  inputs: EngineInputs,
  scrubber: Scrubber,
  base?: DesiredConfig,
): Clients[] {
  const concurrency =
    Number.isFinite(inputs.concurrency) && inputs.concurrency >= 1
      ? Math.floor(inputs.concurrency)
      : 8
  const options = {
    concurrency,
    timeoutMs: requestTimeoutMs(inputs.env),
    onRetry: inputs.onProgress,
    onSecret: (secret: string) => {
      scrubber.add(secret)
      inputs.onSecret?.(secret)
    },
  }
  const observing = base ? observationConfig(config, base) : config
  const readsOkta = collectOktaRefs(observing).length > 0 && inputs.okta
  const instances = config.instances ?? []
  const all = instances.map((instance, i) =>
    createClients(
      {
        grafana: credentialsOf(instance, inputs.env),
        okta: i === 0 && readsOkta ? inputs.okta : undefined,
      },
      options,
    ),
  )
  const okta = all[0]?.okta && withSharedReads(all[0].okta)
  return okta ? all.map((clients) => ({ ...clients, okta })) : all
}
