import * as core from '@actions/core'
import { failureMarkdown, report } from './outcome.ts'
import { readEvent, type GitHubEvent } from './event.ts'
import { hasGrafanaCredentials, InputError, parseInputs, type ActionInputs } from './inputs.ts'
import { outputForms, secretInputs } from './secrets.ts'
import { isForkPullRequest, isPreMergeEvent, resolveMode, type Mode } from './mode.ts'
import { runPhases } from './phases.ts'
import { instancesReadable } from './instances.ts'
import type { MarkerTarget } from './comment-target.ts'
import * as publish from './publish.ts'
import { cancelOnSignals, exitCancelled } from '../signals.ts'
import { createScrubber, type Scrubber } from '../secrets/index.ts'

type Env = Record<string, string | undefined>

export interface ActionRun {
  env: Env
  inputs: ActionInputs
  event: GitHubEvent
  mode: Mode
  notice?: string
  summaryUrl: string
  /** Aborts when the workflow is cancelled (SIGINT/SIGTERM). */
  signal?: AbortSignal
  /** Knows every secret of the run; learns more (local users' passwords) as the engine reads them. */
  scrubber: Scrubber
  /** What the comment is about when the config declares `instances:` (set once it is validated). */
  commentTarget?: MarkerTarget
}

/** The action: inputs → mode → engine → job summary, annotations, outputs and PR comment. */
export async function runAction(env: Env = process.env): Promise<void> {
  const scrubber = createScrubber(secretInputs(env), {
    onAdd: publish.maskSecret,
    forms: outputForms,
  })
  publish.guardOutputs(scrubber)
  const state: RunState = { mode: '', reported: false }
  const cancellation = cancelOnSignals({
    onSignal: (name) =>
      core.warning(
        `Received ${name}: the run is cancelled. No new write starts; the ones in flight finish, then the summary and outputs are written.`,
      ),
    onDeadline: (name) => (state.reported ? undefined : reportUnfinished(env, state, name)),
  })
  try {
    await run(env, state, cancellation.signal, scrubber)
  } catch (error) {
    const message = `grafana-team-sync failed: ${(error as Error).message}`
    core.debug((error as Error).stack ?? message)
    publish.setOutputs(publish.emptyOutputs(state.mode))
    await publish.writeSummary(env, () => failureMarkdown('failed', [message]))
    core.setFailed(message)
  }
  state.reported = true
  cancellation.dispose()
  if (cancellation.signal.aborted) exitCancelled(Number(process.exitCode ?? 0))
}

interface RunState {
  mode: string
  /** The summary and outputs are written: the cancellation fallback has nothing left to write. */
  reported: boolean
}

/** The fallback when a cancelled run did not end in time: what is known, nothing more. */
async function reportUnfinished(env: Env, state: RunState, name: string): Promise<void> {
  state.reported = true
  const message = `Cancelled (${name}): the writes in flight did not finish within 5 seconds, so whether they took effect is unknown. A re-run plans against what Grafana then holds and converges.`
  publish.setOutputs(publish.emptyOutputs(state.mode))
  await publish.writeSummary(env, () => failureMarkdown('cancelled', [message]))
  core.setFailed(message)
}

async function run(
  env: Env,
  state: RunState,
  signal: AbortSignal,
  scrubber: Scrubber,
): Promise<void> {
  let inputs: ActionInputs
  try {
    inputs = parseInputs(env)
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return stop(env, 'Invalid input', error.message)
  }
  const event = readEvent(env, core.warning)
  const decision = resolveMode({
    eventName: event.name,
    ref: event.ref,
    defaultBranch: event.payload.repository?.default_branch,
    payload: event.payload,
    inputs: { mode: inputs.mode, dryRun: inputs.dryRun },
    hasCredentials:
      hasGrafanaCredentials(inputs) ||
      (await instancesReadable(inputs.configPath, env, env.GITHUB_WORKSPACE || process.cwd())),
    isFork: isPreMergeEvent(event.name) && isForkPullRequest(event.payload, env.GITHUB_REPOSITORY),
    actor: env.GITHUB_ACTOR,
  })
  if (decision.mode === 'refused') return stop(env, 'Refused', decision.reason)
  state.mode = decision.mode
  core.info(`grafana-team-sync ${decision.mode}: ${decision.reason}`)
  if (decision.notice) core.notice(decision.notice)
  const ctx: ActionRun = {
    env,
    inputs,
    event,
    mode: decision.mode,
    notice: decision.notice,
    summaryUrl: summaryUrl(env),
    signal,
    scrubber,
  }
  const branch = event.payload.repository?.default_branch ?? 'unknown'
  core.debug(`event ${event.name}, ref ${event.ref}, sha ${event.sha}, default branch ${branch}`)
  const outcome = await runPhases(ctx)
  await core.group('Report', () => report(ctx, outcome))
}

async function stop(env: Env, title: string, message: string): Promise<void> {
  publish.setOutputs(publish.emptyOutputs(''))
  await publish.writeSummary(env, () => failureMarkdown(title, [message]))
  core.setFailed(message)
}

function summaryUrl(env: Env): string {
  const server = env.GITHUB_SERVER_URL || 'https://github.com'
  return `${server}/${env.GITHUB_REPOSITORY ?? ''}/actions/runs/${env.GITHUB_RUN_ID ?? ''}`
}
