// Cancellation (SPEC §7): once the signal aborts, no change starts; the ones in flight finish and
// keep their real outcome; every other change is reported as not run; a re-run converges.
import { afterEach, describe, expect, it } from 'vitest'
import { runEngine } from '../engine.ts'
import type { Change } from '../model.ts'
import { TestBed, applied, inputs } from '../../test/apply-support.ts'
import { CANCELLED_DETAIL, runScheduled, type Outcome } from './schedule.ts'

const at = { file: 'teams/a.yaml', line: 1, col: 1 }

function createTeam(name: string, dependsOn: string[] = []): Change {
  return {
    kind: 'create-team',
    id: `create-team:${name}`,
    dependsOn,
    org: 'O',
    team: name,
    source: at,
  }
}

function deleteTeam(name: string): Change {
  return {
    kind: 'delete-team',
    id: `delete-team:${name}`,
    dependsOn: [],
    org: 'O',
    orgId: 1,
    team: name,
    teamId: 1,
    memberCount: 0,
  }
}

/** A run whose changes settle only when the test says so. */
function heldRun() {
  const started: string[] = []
  const release = new Map<string, (o: Outcome) => void>()
  const run = (change: Change) => {
    started.push(change.id)
    return new Promise<Outcome>((resolve) => release.set(change.id, resolve))
  }
  return { started, release, run }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('runScheduled with an abort signal', () => {
  it('starts nothing after the abort, waits for the changes in flight and keeps their outcome', async () => {
    const controller = new AbortController()
    const { started, release, run } = heldRun()
    const changes = [...['a', 'b', 'c', 'd', 'e'].map((n) => createTeam(n)), deleteTeam('old')]
    const done = runScheduled(changes, 2, run, undefined, controller.signal)
    await tick()
    expect(started).toEqual(['create-team:a', 'create-team:b'])

    controller.abort('SIGTERM')
    let settled = false
    void done.then(() => (settled = true))
    await tick()
    expect(settled).toBe(false) // still waiting for a and b
    release.get('create-team:a')!({ status: 'applied' })
    await tick()
    expect(started).toEqual(['create-team:a', 'create-team:b']) // a's slot is not refilled
    release.get('create-team:b')!({ status: 'failed', detail: 'Grafana 500' })

    const results = await done
    expect(started).toHaveLength(2)
    expect(results.get('create-team:a')).toEqual({ id: 'create-team:a', status: 'applied' })
    expect(results.get('create-team:b')).toMatchObject({ status: 'failed', detail: 'Grafana 500' })
    for (const id of ['create-team:c', 'create-team:d', 'create-team:e', 'delete-team:old']) {
      expect(results.get(id)).toEqual({ id, status: 'skipped', detail: CANCELLED_DETAIL })
    }
  })

  it('runs nothing when aborted before it starts', async () => {
    const controller = new AbortController()
    controller.abort('SIGINT')
    const { started, run } = heldRun()
    const results = await runScheduled([createTeam('a')], 4, run, undefined, controller.signal)
    expect(started).toEqual([])
    expect(results.get('create-team:a')?.detail).toBe(CANCELLED_DETAIL)
  })
})

describe('applyPlan cancelled mid-apply against the fake Grafana', () => {
  const bed = new TestBed()
  afterEach(() => bed.cleanUp())

  it('returns cancelled: true with the writes made so far; no write starts after the abort; a re-run converges', async () => {
    const g = await bed.grafana()
    const token = g.addServiceAccountToken(1, 'Admin')
    const teams = Array.from({ length: 12 }, (_, i) => `  - name: Team ${i}\n`).join('')
    const cwd = await bed.config({ 'a.yaml': `teams:\n${teams}` })
    g.faults.inject({ method: 'POST', path: '/api/teams', delayMs: 150 })
    const controller = new AbortController()
    let writesAtAbort = -1
    const poll = setInterval(() => {
      if (g.writes().length >= 2 && writesAtAbort < 0) {
        writesAtAbort = g.writes().length
        controller.abort('SIGTERM')
      }
    }, 2)
    const progress: string[] = []
    const out = applied(
      await runEngine({
        ...inputs(g, cwd, { auth: { token }, concurrency: 2 }),
        signal: controller.signal,
        onProgress: (m) => progress.push(m),
      }),
    ).result
    clearInterval(poll)

    expect(out.cancelled).toBe(true)
    expect(writesAtAbort).toBe(2)
    // The two in flight finished; none started after the abort.
    expect(g.writes()).toHaveLength(2)
    expect(out.applied).toBe(2)
    expect(out.skipped).toBe(10)
    expect(out.results.filter((r) => r.detail === CANCELLED_DETAIL)).toHaveLength(10)
    expect(progress).toContain(
      'cancelled: starting no new change, waiting for 2 change(s) in flight',
    )

    g.faults.clear()
    const rerun = applied(await runEngine(inputs(g, cwd, { auth: { token } })))
    expect(rerun.plan.changes).toHaveLength(10)
    expect(rerun.result).toMatchObject({ applied: 10, failed: 0, skipped: 0 })
    expect(rerun.result.cancelled).toBeUndefined()
    g.clearRequests()
    const again = applied(await runEngine(inputs(g, cwd, { auth: { token } })))
    expect(again.plan.changes).toEqual([])
    expect(g.writes()).toEqual([])
  })

  it('ends a run cancelled while reading as cancelled, with nothing written', async () => {
    const g = await bed.grafana()
    const cwd = await bed.config({ 'a.yaml': 'teams:\n  - name: Platform\n' })
    g.faults.inject({ method: 'GET', path: /^\/api\//, delayMs: 10_000 })
    const controller = new AbortController()
    setTimeout(() => controller.abort('SIGINT'), 50)
    const started = Date.now()
    const out = await runEngine({ ...inputs(g, cwd), signal: controller.signal })
    expect(Date.now() - started).toBeLessThan(2000)
    expect(out).toMatchObject({
      kind: 'failed',
      cancelled: true,
      error: 'cancelled (SIGINT) while reading Grafana: nothing was written',
    })
    expect(g.writes()).toEqual([])
  })
})
