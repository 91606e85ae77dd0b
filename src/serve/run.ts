// One run of the service: the engine as the CLI runs it, its events logged and its figures counted.
import { formatProblem } from '../cli/format.ts'
import { runEngine, type EngineInputs, type EngineOutcome } from '../engine.ts'
import { runResult, type RunResult, type SyncMetrics } from '../metrics/index.ts'
import type { Logger } from './logger.ts'
import type { RunReport } from './loop.ts'

export interface RunDeps {
  /** The engine's inputs without a signal; the config folder is read afresh by each run. */
  inputs: EngineInputs
  log: Logger
  metrics: SyncMetrics
}

export async function syncOnce(
  deps: RunDeps,
  signal: AbortSignal,
  run: number,
): Promise<RunReport> {
  const { inputs, log, metrics } = deps
  const startedAt = new Date()
  log.log('info', 'run started', { run, mode: inputs.mode, config: inputs.configPath })
  const outcome = await runEngine({
    ...inputs,
    force: false,
    signal,
    onProgress: (message) => log.log('debug', message, { run }),
  })
  const durationMs = Date.now() - startedAt.getTime()
  const result = runResult(outcome)
  metrics.record({ outcome, result, startedAt, durationMs })
  logOutcome(log, outcome, run)
  const reason = result === 'success' ? undefined : reasonOf(outcome)
  log.log(result === 'success' ? 'info' : 'error', 'run finished', {
    run,
    result,
    durationSeconds: Math.round(durationMs) / 1000,
    ...appliedCounts(outcome),
    reason,
  })
  return { result, startedAt, durationMs, reason }
}

function logOutcome(log: Logger, outcome: EngineOutcome, run: number): void {
  if (outcome.kind === 'invalid') {
    for (const p of outcome.problems)
      log.log('error', 'config problem', { run, problem: formatProblem(p) })
    return
  }
  if (outcome.kind !== 'planned' && outcome.kind !== 'applied') return
  const { plan } = outcome
  log.log('info', 'plan', {
    run,
    changes: plan.changes.length,
    pending: plan.pending.length,
    heldBackRemovals: plan.heldBack.reduce((n, h) => n + h.removals, 0),
    warnings: plan.warnings.length,
    errors: plan.errors.length,
    guards: plan.guards.length,
  })
  for (const w of plan.warnings) log.log('warn', w.message, { run, code: w.code })
  for (const e of plan.errors) log.log('error', e.message, { run, code: e.code })
  if (outcome.kind !== 'applied') return
  for (const r of outcome.result.results) {
    if (r.status === 'failed')
      log.log('error', 'change failed', { run, change: r.id, detail: r.detail })
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
