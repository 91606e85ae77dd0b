// A cancelled workflow (SPEC §7): GitHub sends SIGINT, then SIGTERM. The built bundle, as the runner and
// a terminal run it, must start no new write, wait for the ones in flight, report how far it got and
// exit non-zero within 5 seconds; a re-run converges.
import type { ChildProcess } from 'node:child_process'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFakeGrafana, type FakeGrafana } from '../fakes/grafana.ts'
import { makeWorkspace, requireBuild, runAction, runCli, type Workspace } from './harness.ts'
import { repoPayload } from './world.ts'

const TEAMS = 40
const CONCURRENCY = 4
const WRITE_LATENCY_MS = 400
const DEADLINE_MS = 5000

let closers: (() => Promise<void>)[] = []
beforeAll(requireBuild)
afterEach(async () => {
  await Promise.all(closers.map((close) => close()))
  closers = []
})

interface World {
  grafana: FakeGrafana
  ws: Workspace
  token: string
}

async function world(): Promise<World> {
  const grafana = await startFakeGrafana()
  const teams = Array.from({ length: TEAMS }, (_, i) => `  - name: Team ${i}\n`).join('')
  const ws = makeWorkspace({ 'teams/teams.yaml': `teams:\n${teams}` })
  closers.push(
    () => grafana.close(),
    () => Promise.resolve(ws.remove()),
  )
  return { grafana, ws, token: grafana.addServiceAccountToken(1, 'Admin') }
}

/** Slows every team creation, so that a batch of writes is in flight when the signal comes. */
function slowWrites(grafana: FakeGrafana, delayMs = WRITE_LATENCY_MS): void {
  grafana.faults.inject({ method: 'POST', path: '/api/teams', delayMs })
}

interface Signalled {
  /** When the signal was sent (ms since epoch). */
  at: number
  /** Writes the fake had received when the signal was sent. */
  writesAtSignal: number
}

/**
 * Sends `signal` to the child once the fake has received `afterWrites` writes (or, without it, its
 * first request), and a second one like GitHub does (SIGINT, then SIGTERM).
 */
function signalWhen(
  grafana: FakeGrafana,
  opts: { afterWrites?: number; signal: NodeJS.Signals },
): { onSpawn: (child: ChildProcess) => void; sent: Promise<Signalled> } {
  let resolveSent: (s: Signalled) => void = () => {}
  const sent = new Promise<Signalled>((resolve) => (resolveSent = resolve))
  const onSpawn = (child: ChildProcess) => {
    const poll = setInterval(() => {
      const writes = grafana.writes().length
      const due =
        opts.afterWrites !== undefined ? writes >= opts.afterWrites : grafana.requests.length > 0
      if (!due) return
      clearInterval(poll)
      child.kill(opts.signal)
      resolveSent({ at: Date.now(), writesAtSignal: writes })
      // GitHub follows up with SIGTERM; a second signal must not cut the orderly end short.
      setTimeout(() => child.exitCode === null && child.kill('SIGTERM'), 100).unref()
    }, 2)
    child.on('exit', () => clearInterval(poll))
  }
  return { onSpawn, sent }
}

const CANCELLED_LINE = new RegExp(
  `Cancelled after ${CONCURRENCY} of ${TEAMS} changes \\(${CONCURRENCY} applied\\); ${TEAMS - CONCURRENCY} not started`,
)

describe('cancelling the Action', () => {
  const push = { event: 'push', payload: { ref: 'refs/heads/main', repository: repoPayload } }
  const inputs = (w: World) => ({
    'grafana-url': w.grafana.url,
    'grafana-token': w.token,
    comment: 'false',
    concurrency: String(CONCURRENCY),
  })

  it('on SIGINT mid-apply starts no new write, writes summary and outputs, exits non-zero within 5 s; a re-run converges', async () => {
    const w = await world()
    slowWrites(w.grafana)
    const signal = signalWhen(w.grafana, { afterWrites: CONCURRENCY, signal: 'SIGINT' })
    const ran = await runAction(w.ws, { ...push, inputs: inputs(w), onSpawn: signal.onSpawn })
    const ended = Date.now()
    const sent = await signal.sent

    expect(ran.code).not.toBe(0)
    expect(ended - sent.at).toBeLessThan(DEADLINE_MS)
    // The writes in flight finished; none started after the signal.
    expect(sent.writesAtSignal).toBe(CONCURRENCY)
    expect(w.grafana.writes()).toHaveLength(CONCURRENCY)
    expect(w.grafana.writes().every((r) => r.status === 200)).toBe(true)
    expect(ran.summary).toMatch(CANCELLED_LINE)
    expect(ran.stdout).toMatch(new RegExp(`::error::${CANCELLED_LINE.source}`))
    expect(ran.stdout).toContain('::warning::Received SIGINT: the run is cancelled.')
    expect(ran.outputs).toMatchObject({
      mode: 'apply',
      'change-count': String(TEAMS),
      applied: String(CONCURRENCY),
      failed: '0',
    })

    w.grafana.faults.clear()
    const rerun = await runAction(w.ws, { ...push, inputs: inputs(w) })
    expect(rerun.code).toBe(0)
    expect(rerun.outputs).toMatchObject({
      'change-count': String(TEAMS - CONCURRENCY),
      applied: String(TEAMS - CONCURRENCY),
    })
    w.grafana.clearRequests()
    const again = await runAction(w.ws, { ...push, inputs: inputs(w) })
    expect(again.outputs).toMatchObject({ 'has-changes': 'false', 'change-count': '0' })
    expect(w.grafana.writes()).toEqual([])
  })

  it('ends within 5 s with a cancelled summary when a write in flight never answers', async () => {
    const w = await world()
    slowWrites(w.grafana, 60_000)
    const signal = signalWhen(w.grafana, { afterWrites: 1, signal: 'SIGTERM' })
    const ran = await runAction(w.ws, { ...push, inputs: inputs(w), onSpawn: signal.onSpawn })
    const sent = await signal.sent
    expect(ran.code).not.toBe(0)
    expect(Date.now() - sent.at).toBeLessThan(DEADLINE_MS)
    expect(ran.summary).toContain('grafana-team-sync: cancelled')
    expect(ran.summary).toContain('did not finish within 5 seconds')
    expect(ran.outputs).toMatchObject({ mode: 'apply', applied: '0' })
    expect(w.grafana.writes().length).toBeLessThanOrEqual(CONCURRENCY)
  })

  it('ends a run cancelled while reading promptly, as cancelled, with nothing written', async () => {
    const w = await world()
    w.grafana.faults.inject({ method: 'GET', path: /^\/api\//, delayMs: 60_000 })
    const signal = signalWhen(w.grafana, { signal: 'SIGTERM' })
    const ran = await runAction(w.ws, { ...push, inputs: inputs(w), onSpawn: signal.onSpawn })
    const sent = await signal.sent
    expect(ran.code).not.toBe(0)
    expect(Date.now() - sent.at).toBeLessThan(2000)
    expect(ran.summary).toContain('apply cancelled')
    expect(ran.summary).toContain('cancelled (SIGTERM) while reading Grafana: nothing was written')
    expect(ran.outputs).toMatchObject({ mode: 'apply', applied: '0' })
    expect(w.grafana.writes()).toEqual([])
  })
})

describe('cancelling the CLI', () => {
  const env = (w: World) => ({ GRAFANA_URL: w.grafana.url, GRAFANA_TOKEN: w.token })

  it('on SIGTERM mid-apply starts no new write, reports how far it got, exits 1 within 5 s; a re-run converges', async () => {
    const w = await world()
    slowWrites(w.grafana)
    const signal = signalWhen(w.grafana, { afterWrites: CONCURRENCY, signal: 'SIGTERM' })
    const args = ['apply', '--concurrency', String(CONCURRENCY)]
    const ran = await runCli(args, w.ws, env(w), signal.onSpawn)
    const sent = await signal.sent

    expect(ran.code).toBe(1)
    expect(Date.now() - sent.at).toBeLessThan(DEADLINE_MS)
    expect(sent.writesAtSignal).toBe(CONCURRENCY)
    expect(w.grafana.writes()).toHaveLength(CONCURRENCY)
    expect(ran.stderr).toContain('received SIGTERM: cancelling')
    expect(ran.stdout).toMatch(CANCELLED_LINE)
    expect(ran.stderr).toMatch(CANCELLED_LINE)

    w.grafana.faults.clear()
    const rerun = await runCli(['apply'], w.ws, env(w))
    expect(rerun.code).toBe(0)
    w.grafana.clearRequests()
    const plan = await runCli(['plan', '--detailed-exitcode'], w.ws, env(w))
    expect(plan.code).toBe(0)
    expect(plan.stdout).toContain('No changes. Grafana matches the config.')
  })

  it('with --json still prints one JSON document whose result says cancelled', async () => {
    const w = await world()
    slowWrites(w.grafana)
    const signal = signalWhen(w.grafana, { afterWrites: CONCURRENCY, signal: 'SIGINT' })
    const args = ['apply', '--json', '--concurrency', String(CONCURRENCY)]
    const ran = await runCli(args, w.ws, env(w), signal.onSpawn)
    expect(ran.code).toBe(1)
    const doc = JSON.parse(ran.stdout) as { result: { cancelled?: boolean; applied: number } }
    expect(doc.result).toMatchObject({ cancelled: true, applied: CONCURRENCY })
  })
})
