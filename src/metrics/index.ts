// Prometheus metrics of sync runs (SPEC §8), on a registry of their own: nothing global, so a process
// (or a test) can hold several. Labels are closed sets (result, change kind, service) or endpoint
// templates whose ids are already `:id`: never a person, a team name or a secret.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { EngineOutcome } from '../engine.ts'
import { APPLY_ORDER, type ChangeKind, type RequestStats } from '../model.ts'

export const RUN_RESULTS = ['success', 'failed', 'blocked', 'invalid'] as const
export type RunResult = (typeof RUN_RESULTS)[number]

const PREFIX = 'grafana_team_sync_'

export interface RunRecord {
  outcome: EngineOutcome
  result: RunResult
  startedAt: Date
  durationMs: number
  /** The instance of `instances:` the outcome is of: an `instance` label (a name from the config). */
  instance?: string
}

export interface SyncMetrics {
  readonly registry: Registry
  record(run: RunRecord): void
  /** The exposition text, passed through `scrub` like every text that leaves the process. */
  text(): Promise<string>
  readonly contentType: string
}

export interface MetricsOptions {
  /** The process's CPU, memory, event-loop and GC metrics (not for a textfile collector). */
  processMetrics: boolean
  scrub?: (text: string) => string
}

/** What a run's outcome counts as: a blocked guard and an invalid config are results of their own. */
export function runResult(outcome: EngineOutcome): RunResult {
  switch (outcome.kind) {
    case 'invalid':
      return 'invalid'
    case 'refused':
    case 'failed':
      return 'failed'
    case 'validated':
      return 'success'
    case 'planned':
      if (outcome.plan.errors.length > 0) return 'failed'
      return outcome.plan.guards.length > 0 ? 'blocked' : 'success'
    case 'applied': {
      const { result, plan } = outcome
      if (result.blocked) return 'blocked'
      return result.failed > 0 || result.cancelled || plan.errors.length > 0 ? 'failed' : 'success'
    }
  }
}

export function createMetrics(options: MetricsOptions): SyncMetrics {
  const registry = new Registry()
  if (options.processMetrics) collectDefaultMetrics({ register: registry })
  const m = defineMetrics(registry)
  for (const result of RUN_RESULTS) m.runs.inc({ result }, 0)
  for (const kind of APPLY_ORDER) {
    m.applied.inc({ kind }, 0)
    m.failed.inc({ kind }, 0)
  }
  const scrub = options.scrub ?? ((text: string) => text)
  return {
    registry,
    contentType: registry.contentType,
    record: (run) => record(m, run),
    text: async () => scrub(await registry.metrics()),
  }
}

type Defined = ReturnType<typeof defineMetrics>

function defineMetrics(registry: Registry) {
  const registers = [registry]
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Counter<L>({ name: PREFIX + name, help, labelNames, registers })
  const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Gauge<L>({ name: PREFIX + name, help, labelNames, registers })
  return {
    runs: counter('runs_total', 'Sync runs by result: success, failed, blocked, invalid.', [
      'result',
      'instance',
    ]),
    duration: new Histogram({
      name: `${PREFIX}run_duration_seconds`,
      help: 'Duration of sync runs.',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
    lastRun: gauge('last_run_timestamp_seconds', 'When the last run started (Unix time).'),
    lastSuccess: gauge(
      'last_success_timestamp_seconds',
      'When the last successful run started (Unix time); 0 until one succeeds.',
    ),
    lastDuration: gauge('last_run_duration_seconds', 'Duration of the last run.'),
    applied: counter('changes_applied_total', 'Changes applied (or found already done), by kind.', [
      'kind',
      'instance',
    ]),
    failed: counter('changes_failed_total', 'Changes that failed, by kind.', ['kind', 'instance']),
    planned: gauge('planned_changes', 'Changes in the last run’s plan, by kind.', [
      'kind',
      'instance',
    ]),
    pending: gauge(
      'pending_people',
      'People the config wants who have no Grafana account yet (last run).',
      ['instance'],
    ),
    heldBack: gauge(
      'held_back_removals',
      'Removals held back because an Okta group was empty or unreadable (last run).',
      ['instance'],
    ),
    requests: counter('requests_total', 'HTTP requests sent, by service and endpoint.', [
      'service',
      'endpoint',
      'instance',
    ]),
    retries: counter('request_retries_total', 'HTTP requests retried, by service and endpoint.', [
      'service',
      'endpoint',
      'instance',
    ]),
    requestFailures: counter(
      'request_failures_total',
      'HTTP requests that failed after their retries, by service and endpoint.',
      ['service', 'endpoint', 'instance'],
    ),
  }
}

type InstanceLabel = { instance?: string }

function record(m: Defined, run: RunRecord): void {
  const { outcome, result } = run
  // One run on several instances is recorded once per instance, each with its `instance` label.
  const on: InstanceLabel = run.instance === undefined ? {} : { instance: run.instance }
  const seconds = run.durationMs / 1000
  const startedAt = run.startedAt.getTime() / 1000
  m.runs.inc({ result, ...on })
  m.duration.observe(seconds)
  m.lastDuration.set(seconds)
  m.lastRun.set(startedAt)
  if (result === 'success') m.lastSuccess.set(startedAt)
  recordRequests(m, requestsOf(outcome), on)
  if (outcome.kind !== 'planned' && outcome.kind !== 'applied') return
  const { plan } = outcome
  if (run.instance === undefined) m.planned.reset()
  for (const kind of APPLY_ORDER) m.planned.set({ kind, ...on }, plan.counts[kind] ?? 0)
  m.pending.set(on, plan.pending.length)
  m.heldBack.set(
    on,
    plan.heldBack.reduce((sum, h) => sum + h.removals, 0),
  )
  if (outcome.kind === 'applied') recordResults(m, outcome, on)
}

function recordResults(
  m: Defined,
  outcome: Extract<EngineOutcome, { kind: 'applied' }>,
  on: InstanceLabel,
): void {
  const kindOf = new Map<string, ChangeKind>(outcome.plan.changes.map((c) => [c.id, c.kind]))
  for (const r of outcome.result.results) {
    const kind = kindOf.get(r.id)
    if (!kind) continue
    if (r.status === 'applied' || r.status === 'already-done') m.applied.inc({ kind, ...on })
    if (r.status === 'failed') m.failed.inc({ kind, ...on })
  }
}

function recordRequests(m: Defined, stats: RequestStats[], on: InstanceLabel): void {
  for (const s of stats) {
    const labels = { service: s.service, endpoint: s.endpoint, ...on }
    m.requests.inc(labels, s.requests)
    m.retries.inc(labels, s.retries)
    m.requestFailures.inc(labels, s.failures ?? 0)
  }
}

/** Every request of the run: an apply's include its writes. */
function requestsOf(outcome: EngineOutcome): RequestStats[] {
  switch (outcome.kind) {
    case 'failed':
      return outcome.requests
    case 'planned':
      return outcome.plan.stats.requests
    case 'applied':
      return outcome.requests ?? outcome.plan.stats.requests
    default:
      return []
  }
}
