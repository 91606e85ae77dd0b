// One run of the service: the engine as the CLI runs it, its events logged and its figures counted.
import { formatProblem } from '../cli/format.ts'
import { runEngine, type EngineInputs, type EngineOutcome } from '../engine.ts'
import { runResult, type RunResult, type SyncMetrics } from '../metrics/index.ts'
import type { Logger } from './logger.ts'
import type { RunReport } from './loop.ts'
import { hasInstances, runInstances, type InstancesOutcome } from '../instances.ts'
import type { RequestStats } from '../model.ts'
import type { Setting } from '../settings.ts'

export interface RunDeps {
  /** The engine's inputs without a signal; the config folder is read afresh by each run. */
  inputs: EngineInputs
  log: Logger
  metrics: SyncMetrics
  /** Set when the config declares `instances:`: each run plans and applies every instance. */
  instances?: { grafanaSettings: Setting[] }
}

/**
 * Each instance logged and counted with its name; the run's result is the worst of them. The shared
 * Okta's requests are counted once, with the first instance.
 */
function recordInstances(
  deps: RunDeps,
  outcome: InstancesOutcome,
  startedAt: Date,
  run: number,
): RunReport {
  const reports = outcome.instances.map(({ name, outcome: one }, i) =>
    finish(deps, one, startedAt, run, name, i === 0 ? one : withoutOkta(one)),
  )
  const failing = reports.find((r) => r.result !== 'success')
  const reason = reports
    .flatMap((r, i) => (r.reason ? [`${outcome.instances[i]!.name}: ${r.reason}`] : []))
    .join('; ')
  return { ...(failing ?? reports[0]!), ...(reason ? { reason } : {}) }
}

function withoutOkta(outcome: EngineOutcome): EngineOutcome {
  const grafanaOnly = (requests: RequestStats[]) => requests.filter((r) => r.service !== 'okta')
  switch (outcome.kind) {
    case 'failed':
      return { ...outcome, requests: grafanaOnly(outcome.requests) }
    case 'planned':
    case 'applied': {
      const plan = {
        ...outcome.plan,
        stats: { requests: grafanaOnly(outcome.plan.stats.requests) },
      }
      if (outcome.kind === 'planned') return { ...outcome, plan }
      return { ...outcome, plan, requests: outcome.requests && grafanaOnly(outcome.requests) }
    }
    default:
      return outcome
  }
}

export async function syncOnce(
  deps: RunDeps,
  signal: AbortSignal,
  run: number,
): Promise<RunReport> {
  const { inputs, log } = deps
  const startedAt = new Date()
  log.log('info', 'run started', { run, mode: inputs.mode, config: inputs.configPath })
  const given = {
    ...inputs,
    force: false,
    signal,
    onProgress: (message: string) => log.log('debug', message, { run }),
  }
  if (deps.instances) {
    const checked = await runEngine({ ...given, mode: 'validate' })
    if (checked.kind === 'validated' && hasInstances(checked.config)) {
      const outcome = await runInstances({ ...given, config: checked.config }, checked.config, {
        grafanaSettings: deps.instances.grafanaSettings,
      })
      if (outcome.kind === 'instances') return recordInstances(deps, outcome, startedAt, run)
      return finish(deps, outcome, startedAt, run)
    }
  }
  return finish(deps, await runEngine(given), startedAt, run)
}

/** Logs and counts one outcome: the run's, or one instance's (its fields then name the instance). */
function finish(
  deps: RunDeps,
  outcome: EngineOutcome,
  startedAt: Date,
  run: number,
  instance?: string,
  counted: EngineOutcome = outcome,
): RunReport {
  const { log, metrics } = deps
  const durationMs = Date.now() - startedAt.getTime()
  const result = runResult(outcome)
  metrics.record({ outcome: counted, result, startedAt, durationMs, instance })
  const fields = instance === undefined ? { run } : { run, instance }
  logOutcome(log, outcome, fields)
  const reason = result === 'success' ? undefined : reasonOf(outcome)
  log.log(result === 'success' ? 'info' : 'error', 'run finished', {
    ...fields,
    result,
    durationSeconds: Math.round(durationMs) / 1000,
    ...appliedCounts(outcome),
    reason,
  })
  return { result, startedAt, durationMs, reason }
}

function logOutcome(log: Logger, outcome: EngineOutcome, run: Record<string, unknown>): void {
  if (outcome.kind === 'invalid') {
    for (const p of outcome.problems)
      log.log('error', 'config problem', { ...run, problem: formatProblem(p) })
    return
  }
  if (outcome.kind !== 'planned' && outcome.kind !== 'applied') return
  const { plan } = outcome
  log.log('info', 'plan', {
    ...run,
    changes: plan.changes.length,
    pending: plan.pending.length,
    heldBackRemovals: plan.heldBack.reduce((n, h) => n + h.removals, 0),
    warnings: plan.warnings.length,
    errors: plan.errors.length,
    guards: plan.guards.length,
  })
  for (const w of plan.warnings) log.log('warn', w.message, { ...run, code: w.code })
  for (const e of plan.errors) log.log('error', e.message, { ...run, code: e.code })
  if (outcome.kind !== 'applied') return
  for (const r of outcome.result.results) {
    if (r.status === 'failed')
      log.log('error', 'change failed', { ...run, change: r.id, detail: r.detail })
  }
}

function appliedCounts(outcome: EngineOutcome): Record<string, number | boolean | undefined> {
  if (outcome.kind === 'planned') return { changes: outcome.plan.changes.length }
  if (outcome.kind !== 'applied') return {}
  const { applied, failed, skipped, cancelled } = outcome.result
  return { applied, failed, skipped, cancelled }
}

/** One sentence on why a run did not succeed: the readiness reason and the last log line. */
export function reasonOf(outcome: EngineOutcome): string {
  switch (outcome.kind) {
    case 'invalid': {
      const first = outcome.problems[0]
      const more = outcome.problems.length > 1 ? ` (and ${outcome.problems.length - 1} more)` : ''
      return `the config is invalid: ${first ? formatProblem(first) : 'no details'}${more}`
    }
    case 'refused':
      return outcome.problems.join('; ')
    case 'failed':
      return outcome.error
    case 'validated':
      return 'validated only'
    case 'planned':
    case 'applied':
      return planReason(outcome, runResult(outcome))
  }
}

function planReason(
  outcome: Extract<EngineOutcome, { kind: 'planned' | 'applied' }>,
  result: RunResult,
): string {
  const { plan } = outcome
  if (result === 'blocked') {
    const guards = plan.guards.map(
      (g) => `${g.guard} (${g.scope}: ${g.removals} removals, limit ${g.limit})`,
    )
    return `safety guard ${guards.join('; ')} tripped; nothing was written, the next run tries again`
  }
  const parts: string[] = []
  if (outcome.kind === 'applied' && outcome.result.cancelled) parts.push('cancelled')
  if (outcome.kind === 'applied' && outcome.result.failed) {
    parts.push(`${outcome.result.failed} change(s) failed`)
  }
  if (plan.errors.length)
    parts.push(`${plan.errors.length} plan error(s): ${plan.errors[0]!.message}`)
  return parts.join('; ') || result
}
