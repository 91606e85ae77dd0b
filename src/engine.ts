// The one orchestration behind the Action and the CLI: config → capabilities → observe → plan → apply.
import { applyPlan } from './apply/index.ts'
import {
  describeConfig,
  loadConfig,
  type ConfigProblem,
  type ConfigSummary,
} from './config/index.ts'
import { createGrafanaClient } from './grafana/index.ts'
import type { GrafanaClient } from './grafana/types.ts'
import type {
  ApplyResult,
  Change,
  ChangeResult,
  DesiredConfig,
  Message,
  Observed,
  Plan,
  RequestStats,
} from './model.ts'
import { collectOktaRefs, observe, observeOrgsAgain } from './observe/index.ts'
import { createOktaClient } from './okta/index.ts'
import type { OktaClient } from './okta/types.ts'
import { accessChanges, buildPlan, checkCapabilities, withChangesFirst } from './plan/index.ts'

export interface EngineInputs {
  mode: 'validate' | 'plan' | 'apply'
  configPath: string
  cwd?: string
  env: Record<string, string | undefined>
  grafana?: { url: string; token?: string; username?: string; password?: string }
  okta?: { domain: string; token: string }
  force: boolean
  concurrency: number
  onProgress?: (msg: string) => void
}

export type EngineOutcome =
  | { kind: 'invalid'; problems: ConfigProblem[] }
  | { kind: 'validated'; config: DesiredConfig; summary: ConfigSummary }
  /** The credentials cannot do what the config asks: nothing was read or written. */
  | { kind: 'refused'; problems: string[] }
  /** A read failed (e.g. 401): nothing was written. */
  | { kind: 'failed'; error: string; requests: RequestStats[] }
  | { kind: 'planned'; config: DesiredConfig; plan: Plan }
  | { kind: 'applied'; config: DesiredConfig; plan: Plan; result: ApplyResult }

interface Clients {
  grafana: GrafanaClient
  okta?: OktaClient
}

const DEFAULT_CONCURRENCY = 8

export async function runEngine(given: EngineInputs): Promise<EngineOutcome> {
  const inputs = { ...given, concurrency: validConcurrency(given.concurrency) }
  const secrets = secretsOf(inputs)
  const loaded = await loadConfig(inputs.configPath, { env: inputs.env, cwd: inputs.cwd })
  if (!loaded.ok) return { kind: 'invalid', problems: loaded.problems }
  const { config } = loaded
  if (inputs.mode === 'validate') {
    return { kind: 'validated', config, summary: describeConfig(config) }
  }

  const problems = checkCapabilities(config, {
    token: Boolean(inputs.grafana?.token?.trim()),
    basic: hasBasicAuth(inputs.grafana),
    okta: Boolean(inputs.okta?.domain.trim() && inputs.okta.token.trim()),
  })
  if (problems.length > 0) return { kind: 'refused', problems }

  let clients: Clients
  try {
    clients = createClients(config, inputs)
  } catch (error) {
    return { kind: 'refused', problems: [scrub(messageOf(error), secrets)] }
  }

  let plan: Plan
  let observed: Observed
  try {
    observed = await observe(config, clients, { onProgress: inputs.onProgress })
    plan = planAgainst(config, observed, clients, inputs.env)
  } catch (error) {
    return {
      kind: 'failed',
      error: scrub(messageOf(error), secrets),
      requests: requestsOf(clients),
    }
  }
  if (inputs.mode === 'plan') return { kind: 'planned', config, plan }

  const access = accessChanges(plan, observed)
  const applied =
    access.length > 0 && (plan.guards.length === 0 || inputs.force)
      ? await joinThenApply(config, clients, observed, plan, access, inputs)
      : { plan, result: await applyChanges(plan, clients, observed, inputs) }
  for (const r of applied.result.results) if (r.detail) r.detail = scrub(r.detail, secrets)
  return { kind: 'applied', config, ...applied }
}

function applyChanges(
  plan: Plan,
  clients: Clients,
  observed: Observed,
  inputs: EngineInputs,
): Promise<ApplyResult> {
  return applyPlan(plan, clients.grafana, {
    caller: observed.caller,
    force: inputs.force,
    concurrency: inputs.concurrency,
    env: inputs.env,
    onProgress: inputs.onProgress,
  })
}

/**
 * Grafana shows an org's teams only to its members: the sync's user first becomes an Admin of the orgs
 * it could not read, then those orgs are read again and the plan is made afresh before the rest runs.
 * When joining fails, the rest of the first plan runs (it holds no team change in those orgs).
 */
async function joinThenApply(
  config: DesiredConfig,
  clients: Clients,
  observed: Observed,
  plan: Plan,
  access: Change[],
  inputs: EngineInputs,
): Promise<{ plan: Plan; result: ApplyResult }> {
  const joined = await applyChanges(
    { ...plan, changes: access, guards: [] },
    clients,
    observed,
    inputs,
  )
  const accessIds = new Set(access.map((c) => c.id))
  let rest: Plan = { ...plan, changes: plan.changes.filter((c) => !accessIds.has(c.id)) }
  let skipped: ChangeResult[] = []
  if (joined.applied === access.length) {
    try {
      const orgIds = new Set(access.map((c) => ('orgId' in c ? c.orgId : undefined) ?? 0))
      const again = await observeOrgsAgain(config, clients.grafana, observed, orgIds, {
        onProgress: inputs.onProgress,
      })
      rest = planAgainst(config, again, clients, inputs.env)
    } catch (error) {
      const detail = `reading the org(s) again after joining them failed: ${messageOf(error)}`
      rest = { ...rest, errors: [...rest.errors, { code: 'org-reread-failed', message: detail }] }
    }
  } else {
    // Changes waiting for a failed join (an org's last Admins leaving) do not run.
    const failed = joined.results.filter((r) => r.status === 'failed').map((r) => r.id)
    const waiting = rest.changes.filter((c) => c.dependsOn.some((id) => failed.includes(id)))
    skipped = waiting.map((c) => ({
      id: c.id,
      status: 'skipped',
      detail: `not run: ${c.dependsOn.find((id) => failed.includes(id))} failed`,
    }))
    rest = { ...rest, changes: rest.changes.filter((c) => !waiting.includes(c)) }
  }
  const result = await applyChanges(rest, clients, observed, inputs)
  // After a failed join the first plan is what ran; otherwise the joins, then the fresh plan.
  const merged = joined.applied === access.length ? withChangesFirst(rest, access) : plan
  const byId = new Map([...joined.results, ...skipped, ...result.results].map((r) => [r.id, r]))
  const results = merged.changes.flatMap((c) => byId.get(c.id) ?? [])
  return {
    plan: merged,
    result: {
      blocked: result.blocked,
      results,
      applied: joined.applied + result.applied,
      failed: joined.failed + result.failed,
      skipped: joined.skipped + skipped.length + result.skipped,
      extra: [...joined.extra, ...result.extra, ...(result.blocked ? [joinedNote(access)] : [])],
    },
  }
}

function joinedNote(access: Change[]): string {
  const orgs = access.map(
    (c) => `"${c.kind === 'add-org-user' || c.kind === 'set-org-role' ? c.org : ''}"`,
  )
  return `the sync's user was made an Admin of org ${orgs.join(', ')} before the safety guards could be checked (its teams are readable only to members); nothing else was written`
}

/** The plan for what was read, with the run's warnings and request statistics so far. */
function planAgainst(
  config: DesiredConfig,
  observed: Observed,
  clients: Clients,
  env: EngineInputs['env'],
): Plan {
  const plan = buildPlan(config, observed)
  plan.warnings.push(...unsetPasswords(config, plan, env))
  plan.stats.requests = requestsOf(clients)
  return plan
}

/** Users the plan creates whose password variable is unset: their create-user fails at apply. */
function unsetPasswords(config: DesiredConfig, plan: Plan, env: EngineInputs['env']): Message[] {
  const created = new Set(
    plan.changes.flatMap((c) => (c.kind === 'create-user' ? [c.user.login.toLowerCase()] : [])),
  )
  return config.users.flatMap((user): Message[] => {
    const name = user.passwordEnv
    if (!name || env[name] || !created.has(user.login.toLowerCase())) return []
    return [
      {
        code: 'user-password-unset',
        message: `user ${user.login} is to be created, but its password variable ${name} is not set or is empty: set it for the apply, e.g. from a secret`,
        source: user.source,
      },
    ]
  })
}

function createClients(config: DesiredConfig, inputs: EngineInputs): Clients {
  const { grafana, okta } = inputs
  if (!grafana?.url.trim()) {
    throw new Error('grafana-url is not set (CLI: GRAFANA_URL): it is needed to read Grafana')
  }
  const clients: Clients = {
    grafana: createGrafanaClient({
      url: grafana.url,
      token: grafana.token || undefined,
      username: grafana.username || undefined,
      password: grafana.password || undefined,
      concurrency: inputs.concurrency,
    }),
  }
  // Okta is asked only when the config names a group.
  if (okta && collectOktaRefs(config).length > 0) {
    clients.okta = createOktaClient({
      domain: okta.domain,
      token: okta.token,
      concurrency: inputs.concurrency,
    })
  }
  return clients
}

function validConcurrency(value: number): number {
  return Number.isFinite(value) && value >= 1 ? Math.floor(value) : DEFAULT_CONCURRENCY
}

function hasBasicAuth(grafana: EngineInputs['grafana']): boolean {
  if (!grafana) return false
  let url: URL | undefined
  try {
    url = new URL(grafana.url.trim())
  } catch {
    url = undefined
  }
  const username = grafana.username || url?.username
  const password = grafana.password || url?.password
  return Boolean(username && password)
}

function requestsOf(clients: Clients): RequestStats[] {
  return [...clients.grafana.stats(), ...(clients.okta?.stats() ?? [])]
}

function secretsOf(inputs: EngineInputs): string[] {
  const values = [inputs.grafana?.token, inputs.grafana?.password, inputs.okta?.token]
  return values.map((v) => v?.trim() ?? '').filter((v) => v.length >= 4)
}

function scrub(text: string, secrets: string[]): string {
  let clean = text
  for (const secret of secrets) clean = clean.split(secret).join('***')
  return clean
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error)
}
