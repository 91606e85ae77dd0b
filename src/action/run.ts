import { failureMarkdown, report } from './outcome.ts'
import { coreIO, scrubbedIO, type ActionIO } from './io.ts'
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
  /** Where everything the run reports goes; every text passes `scrubber` on its way. */
  io: ActionIO
  /** The pull request this push merged, once looked up (null: none found). */
  mergedPullRequest?: number | null
  /** What the comment is about when the config declares `instances:` (set once it is validated). */
  commentTarget?: MarkerTarget
}

/** The action: inputs → mode → engine → job summary, annotations, outputs and PR comment. */
export async function runAction(env: Env = process.env, given: ActionIO = coreIO()): Promise<void> {
  const scrubber = createScrubber(secretInputs(env), {
    onAdd: (secret) => publish.maskSecret(given, secret),
    forms: outputForms,
  })
  publish.guardOutputs(scrubber)
  const io = scrubbedIO(given, scrubber)
  const state: RunState = { mode: '', reported: false }
  const cancellation = cancelOnSignals({
    onSignal: (name) =>
      io.warning(
        `Received ${name}: the run is cancelled. No new write starts; the ones in flight finish, then the summary and outputs are written.`,
      ),
    onDeadline: (name) => (state.reported ? undefined : reportUnfinished(env, io, state, name)),
  })
  try {
    await run({ env, io, scrubber, signal: cancellation.signal }, state)
  } catch (error) {
    const message = `grafana-team-sync failed: ${(error as Error).message}`
    io.debug((error as Error).stack ?? message)
    publish.setOutputs(io, publish.emptyOutputs(state.mode))
    await publish.writeSummary(io, env, () => failureMarkdown('failed', [message]))
    io.setFailed(message)
  }
  state.reported = true
  cancellation.dispose()
  if (cancellation.signal.aborted) exitCancelled(io.exitCode())
}

interface RunState {
  mode: string
  /** The summary and outputs are written: the cancellation fallback has nothing left to write. */
  reported: boolean
}

/** The fallback when a cancelled run did not end in time: what is known, nothing more. */
async function reportUnfinished(
  env: Env,
  io: ActionIO,
  state: RunState,
  name: string,
): Promise<void> {
  state.reported = true
  const message = `Cancelled (${name}): the writes in flight did not finish within 5 seconds, so whether they took effect is unknown. A re-run plans against what Grafana then holds and converges.`
  publish.setOutputs(io, publish.emptyOutputs(state.mode))
  await publish.writeSummary(io, env, () => failureMarkdown('cancelled', [message]))
  io.setFailed(message)
}

/** What a run has before its inputs are read. */
type Start = Pick<ActionRun, 'env' | 'io' | 'scrubber' | 'signal'>

async function run(start: Start, state: RunState): Promise<void> {
  const { env, io } = start
  let inputs: ActionInputs
  try {
    inputs = parseInputs(env)
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return stop(start, 'Invalid input', error.message)
  }
  const event = readEvent(env, io.warning)
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
  if (decision.mode === 'refused') return stop(start, 'Refused', decision.reason)
  state.mode = decision.mode
  io.info(`grafana-team-sync ${decision.mode}: ${decision.reason}`)
  if (decision.notice) io.notice(decision.notice)
  const ctx: ActionRun = {
    ...start,
    inputs,
    event,
    mode: decision.mode,
    notice: decision.notice,
    summaryUrl: summaryUrl(env),
  }
  const branch = event.payload.repository?.default_branch ?? 'unknown'
  io.debug(`event ${event.name}, ref ${event.ref}, sha ${event.sha}, default branch ${branch}`)
  const outcome = await runPhases(ctx)
  await io.group('Report', () => report(ctx, outcome))
}

async function stop({ env, io }: Start, title: string, message: string): Promise<void> {
  publish.setOutputs(io, publish.emptyOutputs(''))
  await publish.writeSummary(io, env, () => failureMarkdown(title, [message]))
  io.setFailed(message)
}

function summaryUrl(env: Env): string {
  const server = env.GITHUB_SERVER_URL || 'https://github.com'
  return `${server}/${env.GITHUB_REPOSITORY ?? ''}/actions/runs/${env.GITHUB_RUN_ID ?? ''}`
}
