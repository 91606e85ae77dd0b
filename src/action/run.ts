import * as core from '@actions/core'
import { runEngine, type EngineInputs, type EngineOutcome } from '../engine.ts'
import type { ConfigSummary } from '../config/index.ts'
import { failureMarkdown, report } from './outcome.ts'
import { readEvent, type GitHubEvent } from './event.ts'
import {
  hasGrafanaCredentials,
  InputError,
  parseInputs,
  secretsOf,
  type ActionInputs,
} from './inputs.ts'
import { isForkPullRequest, isPreMergeEvent, resolveMode, type Mode } from './mode.ts'
import * as publish from './publish.ts'

type Env = Record<string, string | undefined>

export interface ActionRun {
  env: Env
  inputs: ActionInputs
  event: GitHubEvent
  mode: Mode
  notice?: string
  summaryUrl: string
}

/** The action: inputs → mode → engine → job summary, annotations, outputs and PR comment. */
export async function runAction(env: Env = process.env): Promise<void> {
  try {
    await run(env)
  } catch (error) {
    const message = `grafana-team-sync failed: ${(error as Error).message}`
    core.debug((error as Error).stack ?? message)
    await publish.writeSummary(env, () => failureMarkdown('failed', [message]))
    core.setFailed(message)
  }
}

async function run(env: Env): Promise<void> {
  let inputs: ActionInputs
  try {
    inputs = parseInputs(env)
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return stop(env, 'Invalid input', error.message)
  }
  for (const secret of secretsOf(inputs)) publish.maskSecret(secret)
  const event = readEvent(env, core.warning)
  const decision = resolveMode({
    eventName: event.name,
    ref: event.ref,
    defaultBranch: event.payload.repository?.default_branch,
    payload: event.payload,
    inputs: { mode: inputs.mode, dryRun: inputs.dryRun },
    hasCredentials: hasGrafanaCredentials(inputs),
    isFork: isPreMergeEvent(event.name) && isForkPullRequest(event.payload, env.GITHUB_REPOSITORY),
  })
  if (decision.mode === 'refused') return stop(env, 'Refused', decision.reason)
  core.info(`grafana-team-sync ${decision.mode}: ${decision.reason}`)
  if (decision.notice) core.notice(decision.notice)
  const ctx: ActionRun = {
    env,
    inputs,
    event,
    mode: decision.mode,
    notice: decision.notice,
    summaryUrl: summaryUrl(env),
  }
  const branch = event.payload.repository?.default_branch ?? 'unknown'
  core.debug(`event ${event.name}, ref ${event.ref}, sha ${event.sha}, default branch ${branch}`)
  const outcome = await runPhases(ctx)
  await core.group('Report', () => report(ctx, outcome))
}

/** Validation first in its own log group, so config problems are not buried under the reads. */
async function runPhases(ctx: ActionRun): Promise<EngineOutcome> {
  const inputs = engineInputs(ctx)
  const validated = await core.group(`Validate ${ctx.inputs.configPath}`, async () => {
    const outcome = await runEngine({ ...inputs, mode: 'validate' })
    if (outcome.kind === 'validated') core.info(describeSummary(outcome.summary))
    return outcome
  })
  if (validated.kind !== 'validated' || ctx.mode === 'validate') return validated
  return core.group(phaseTitle(ctx.mode), () => runEngine(inputs))
}

function describeSummary(s: ConfigSummary): string {
  return `Valid: ${s.files} file(s), ${s.orgs.length} org(s), ${s.teams} team(s), ${s.oktaGroups.length} Okta group(s), ${s.people} people, ${s.users} local user(s).`
}

async function stop(env: Env, title: string, message: string): Promise<void> {
  publish.setOutputs(publish.emptyOutputs(''))
  await publish.writeSummary(env, () => failureMarkdown(title, [message]))
  core.setFailed(message)
}

function engineInputs({ env, inputs, mode }: ActionRun): EngineInputs {
  const { grafanaUrl, grafanaToken, grafanaUsername, grafanaPassword, oktaDomain, oktaApiToken } =
    inputs
  if (Boolean(oktaDomain) !== Boolean(oktaApiToken)) {
    core.warning('Okta is not used: set both okta-domain and okta-api-token.')
  }
  return {
    mode,
    configPath: inputs.configPath,
    cwd: env.GITHUB_WORKSPACE || process.cwd(),
    env,
    grafana: grafanaUrl
      ? {
          url: grafanaUrl,
          token: grafanaToken,
          username: grafanaUsername,
          password: grafanaPassword,
        }
      : undefined,
    okta: oktaDomain && oktaApiToken ? { domain: oktaDomain, token: oktaApiToken } : undefined,
    force: inputs.force,
    concurrency: inputs.concurrency,
    onProgress: (message) => core.info(message),
  }
}

function phaseTitle(mode: Mode): string {
  return mode === 'plan'
    ? 'Plan: read Okta and Grafana, compute the changes'
    : 'Apply: read Okta and Grafana, plan against the live state, apply'
}

function summaryUrl(env: Env): string {
  const server = env.GITHUB_SERVER_URL || 'https://github.com'
  return `${server}/${env.GITHUB_REPOSITORY ?? ''}/actions/runs/${env.GITHUB_RUN_ID ?? ''}`
}
