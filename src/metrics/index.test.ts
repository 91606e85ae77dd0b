import { describe, expect, it } from 'vitest'
import type { EngineOutcome } from '../engine.ts'
import type { DesiredConfig } from '../model.ts'
import { planOf, typicalPlan, typicalResult } from '../../test/fixtures/report.ts'
import { createMetrics, runResult } from './index.ts'

const config = {} as DesiredConfig
const startedAt = new Date('2026-01-02T03:04:05Z')

function applied(): Extract<EngineOutcome, { kind: 'applied' }> {
  const plan = typicalPlan()
  return { kind: 'applied', config, plan, result: typicalResult(plan) }
}

/** name{labels} → value, from the exposition text. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    map.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return map
}

describe('runResult', () => {
  const clean = planOf([])
  const guarded = planOf([], {
    guards: [{ guard: 'maxRemovals', scope: 'run', limit: '25%', allowed: 1, removals: 9 }],
  })
  const blockedResult = { blocked: true, results: [], applied: 0, failed: 0, skipped: 0, extra: [] }
  it.each<[string, EngineOutcome, string]>([
    ['invalid config', { kind: 'invalid', problems: [] }, 'invalid'],
    ['refused credentials', { kind: 'refused', problems: ['x'] }, 'failed'],
    ['failed read', { kind: 'failed', error: 'x', requests: [] }, 'failed'],
    ['clean plan', { kind: 'planned', config, plan: clean }, 'success'],
    ['plan that would be blocked', { kind: 'planned', config, plan: guarded }, 'blocked'],
    ['blocked apply', { kind: 'applied', config, plan: guarded, result: blockedResult }, 'blocked'],
    ['apply with a failed change', applied(), 'failed'],
    [
      'cancelled apply',
      {
        kind: 'applied',
        config,
        plan: clean,
        result: { ...blockedResult, blocked: false, cancelled: true },
      },
      'failed',
    ],
  ])('%s → %s', (_, outcome, result) => {
    expect(runResult(outcome)).toBe(result)
  })
})

describe('createMetrics', () => {
  it('counts a run by result, kind, service and endpoint, with no person or team in a label', async () => {
    const metrics = createMetrics({ processMetrics: false })
    const outcome = applied()
    metrics.record({ outcome, result: runResult(outcome), startedAt, durationMs: 2500 })
    const text = await metrics.text()
    const s = samples(text)
    expect(s.get('grafana_team_sync_runs_total{result="failed"}')).toBe(1)
    expect(s.get('grafana_team_sync_runs_total{result="success"}')).toBe(0)
    expect(s.get('grafana_team_sync_last_run_timestamp_seconds')).toBe(startedAt.getTime() / 1000)
    expect(s.get('grafana_team_sync_last_success_timestamp_seconds')).toBe(0)
    expect(s.get('grafana_team_sync_last_run_duration_seconds')).toBe(2.5)
    expect(s.get('grafana_team_sync_run_duration_seconds_count')).toBe(1)
    expect(s.get('grafana_team_sync_changes_failed_total{kind="create-team"}')).toBe(1)
    expect(s.get('grafana_team_sync_held_back_removals')).toBe(3)
    expect(s.get('grafana_team_sync_pending_people')).toBe(outcome.plan.pending.length)
    const planned = [...s].filter(([k]) => k.startsWith('grafana_team_sync_planned_changes{'))
    expect(planned.reduce((n, [, v]) => n + v, 0)).toBe(outcome.plan.changes.length)
    const done = outcome.result.results.filter(
      (r) => r.status !== 'failed' && r.status !== 'skipped',
    )
    const appliedTotal = [...s]
      .filter(([k]) => k.startsWith('grafana_team_sync_changes_applied_total{'))
      .reduce((n, [, v]) => n + v, 0)
    expect(appliedTotal).toBe(done.length)
    expect(
      s.get(
        'grafana_team_sync_request_retries_total{service="grafana",endpoint="GET /api/teams/:id/members"}',
      ),
    ).toBe(1)
    expect(
      s.get(
        'grafana_team_sync_requests_total{service="okta",endpoint="GET /api/v1/groups/:id/users"}',
      ),
    ).toBe(4)
    const labels = [...text.matchAll(/="([^"]*)"/g)].map((m) => m[1]!)
    const names = outcome.plan.changes.flatMap((c) => [
      ...('team' in c ? [c.team] : []),
      ...('user' in c ? [c.user.email, c.user.login] : []),
    ])
    expect(labels.filter((l) => names.includes(l))).toEqual([])
    expect(text).not.toMatch(/^process_/m)
  })

  it('adds up runs, keeps the last success, and sets the planned gauges to the last plan only', async () => {
    const metrics = createMetrics({ processMetrics: false })
    metrics.record({ outcome: applied(), result: 'failed', startedAt, durationMs: 1 })
    const later = new Date(startedAt.getTime() + 60_000)
    const clean: EngineOutcome = { kind: 'planned', config, plan: planOf([]) }
    metrics.record({ outcome: clean, result: 'success', startedAt: later, durationMs: 1 })
    const s = samples(await metrics.text())
    expect(s.get('grafana_team_sync_last_success_timestamp_seconds')).toBe(later.getTime() / 1000)
    expect(s.get('grafana_team_sync_planned_changes{kind="create-team"}')).toBe(0)
    expect(
      s.get('grafana_team_sync_requests_total{service="grafana",endpoint="GET /api/teams/search"}'),
    ).toBe(2)
  })

  it('has a registry of its own per instance, with the process metrics when asked', async () => {
    const a = createMetrics({ processMetrics: true })
    const b = createMetrics({ processMetrics: true })
    a.record({
      outcome: { kind: 'invalid', problems: [] },
      result: 'invalid',
      startedAt,
      durationMs: 1,
    })
    expect(samples(await a.text()).get('grafana_team_sync_runs_total{result="invalid"}')).toBe(1)
    const textB = await b.text()
    expect(samples(textB).get('grafana_team_sync_runs_total{result="invalid"}')).toBe(0)
    expect(textB).toMatch(/^process_resident_memory_bytes \d+/m)
  })

  it('passes the text through the scrubber', async () => {
    const metrics = createMetrics({
      processMetrics: false,
      scrub: (t) => t.replaceAll('runs', 'R'),
    })
    expect(await metrics.text()).not.toContain('runs_total')
  })
})
