// `serve` as the container starts it: ENTRYPOINT and CMD are read from the Dockerfile, only the config
// folder and the listen address are pointed at the test's, and the service runs against the fakes.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { requireBuild, runCli } from './harness.ts'
import { execForm } from './image.ts'
import { metricsOf, parsePrometheus, startServe, value, type Service } from './service.ts'
import { OKTA_TOKEN, PLATFORM_YAML, startWorld, teamMembers, type World } from './world.ts'

let world: World | undefined
let service: Service | undefined
beforeAll(requireBuild)
afterEach(async () => {
  await service?.kill()
  await world?.close()
  service = undefined
  world = undefined
})

const credentials = (w: World) => ({
  GRAFANA_URL: w.grafana.url,
  GRAFANA_TOKEN: w.grafanaToken,
  OKTA_DOMAIN: w.okta.url,
  OKTA_API_TOKEN: OKTA_TOKEN,
})

function startService(w: World, extra: string[], env: Record<string, string> = {}) {
  return startServe(w.ws.dir, { ...credentials(w), ...env }, extra)
}

/** Runs the Dockerfile's HEALTHCHECK command against `url`; resolves with its exit status. */
function healthCheck(url: string): Promise<number | null> {
  const [node, ...args] = execForm('HEALTHCHECK')
  expect(node).toBe('node')
  const child = spawn(process.execPath, args, { env: { HEALTHCHECK_URL: url } })
  return new Promise((resolve) => child.once('exit', resolve))
}

async function readiness(s: Service) {
  const res = await s.get('/readyz')
  return { status: res.status, body: JSON.parse(res.text) as { ready: boolean; reason?: string } }
}

async function removeMember(w: World, team: string, userId: number): Promise<void> {
  const t = w.grafana.snapshot().teams.find((x) => x.name === team)!
  const res = await fetch(`${w.grafana.url}/api/teams/${t.id}/members/${userId}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${w.grafanaToken}` },
  })
  expect(res.status).toBe(200)
}

describe('serve, started as the image starts it', () => {
  it('applies at start and every interval, reads the config afresh, corrects drift; /metrics matches the fakes', async () => {
    world = await startWorld()
    service = await startService(world, ['--interval', '2s'])
    const first = await service.finished(1)
    expect(first).toMatchObject({ result: 'success', applied: 5, failed: 0 })
    expect(teamMembers(world.grafana, 'Platform')).toEqual(['bob:A', 'carol', 'dave', 'erin'])

    // Between runs: a new team in the config, and someone removes carol in Grafana by hand.
    world.ws.write(
      'teams/data.yaml',
      'teams:\n  - name: Data\n    members:\n      users: [mallory@acme.example]\n',
    )
    await removeMember(world, 'Platform', world.users.carol)
    const second = await service.finished(2, 10_000)
    expect(second).toMatchObject({ result: 'success', applied: 3 })
    expect(Date.parse(second.time) - Date.parse(first.time)).toBeGreaterThanOrEqual(1500)
    expect(teamMembers(world.grafana, 'Data')).toEqual(['mallory'])
    expect(teamMembers(world.grafana, 'Platform')).toEqual(['bob:A', 'carol', 'dave', 'erin'])

    expect(await service.get('/healthz')).toMatchObject({ status: 200 })
    expect(await readiness(service)).toMatchObject({ status: 200, body: { ready: true } })
    expect((await service.get('/nope')).status).toBe(404)
    expect((await service.get('/metrics/')).status).toBe(404)

    const { samples, types, text } = await metricsOf(service)
    const runs = (result: string) => value(samples, 'grafana_team_sync_runs_total', { result })
    expect(runs('success')).toBeGreaterThanOrEqual(2)
    expect([runs('failed'), runs('blocked'), runs('invalid')]).toEqual([0, 0, 0])
    expect(
      value(samples, 'grafana_team_sync_changes_applied_total', { kind: 'add-team-member' }),
    ).toBe(6)
    expect(value(samples, 'grafana_team_sync_changes_applied_total', { kind: 'create-team' })).toBe(
      2,
    )
    expect(types).toMatchObject({
      grafana_team_sync_runs_total: 'counter',
      grafana_team_sync_run_duration_seconds: 'histogram',
      grafana_team_sync_last_run_timestamp_seconds: 'gauge',
      grafana_team_sync_last_success_timestamp_seconds: 'gauge',
      grafana_team_sync_changes_applied_total: 'counter',
      grafana_team_sync_changes_failed_total: 'counter',
      grafana_team_sync_planned_changes: 'gauge',
      grafana_team_sync_pending_people: 'gauge',
      grafana_team_sync_held_back_removals: 'gauge',
      grafana_team_sync_requests_total: 'counter',
      grafana_team_sync_request_retries_total: 'counter',
      grafana_team_sync_request_failures_total: 'counter',
      process_resident_memory_bytes: 'gauge',
    })
    expect(value(samples, 'grafana_team_sync_last_success_timestamp_seconds')).toBeCloseTo(
      Date.parse(
        service
          .events()
          .filter((e) => e.msg === 'run started')
          .at(-1)!.time,
      ) / 1000,
      0,
    )
    // Labels: closed sets and endpoint templates; no person, team or secret.
    const labelValues = samples.flatMap((s) => Object.values(s.labels)).join('\n')
    for (const name of ['Platform', 'Data', 'carol', 'mallory', 'acme.example'])
      expect(labelValues).not.toContain(name)
    for (const secret of world.secrets) {
      expect(text).not.toContain(secret)
      expect(service.stderr()).not.toContain(secret)
    }
  })

  it('fails single runs on an invalid config and a 500 storm, stays alive, and recovers; SIGHUP runs now', async () => {
    world = await startWorld()
    service = await startService(world, ['--interval', '1h'])
    await service.finished(1)
    expect(await readiness(service)).toMatchObject({ status: 200 })

    world.ws.write('teams/bad.yaml', 'teams:\n  - name: T\n    colour: red\n')
    service.child.kill('SIGHUP')
    expect(await service.finished(2)).toMatchObject({ result: 'invalid' })
    expect((await service.get('/healthz')).status).toBe(200)
    const invalid = await readiness(service)
    expect(invalid.status).toBe(503)
    expect(invalid.body.reason).toMatch(
      /^last run invalid: the config is invalid: teams\/bad\.yaml:3:5: unknown key `colour`/,
    )

    world.ws.write('teams/bad.yaml', '')
    world.grafana.faults.inject({ status: 500 })
    const writesBefore = world.grafana.writes().length
    service.child.kill('SIGHUP')
    expect(await service.finished(3, 25_000)).toMatchObject({ result: 'failed' })
    expect((await service.get('/healthz')).status).toBe(200)
    const storm = await readiness(service)
    expect(storm.status).toBe(503)
    expect(storm.body.reason).toMatch(/^last run failed: .*500/)
    expect(world.grafana.writes().length).toBe(writesBefore)

    world.grafana.faults.clear()
    service.child.kill('SIGHUP')
    expect(await service.finished(4)).toMatchObject({ result: 'success' })
    expect(await readiness(service)).toMatchObject({ status: 200, body: { ready: true } })

    const { samples } = await metricsOf(service)
    const runs = (result: string) => value(samples, 'grafana_team_sync_runs_total', { result })
    expect([runs('success'), runs('failed'), runs('blocked'), runs('invalid')]).toEqual([
      2, 1, 0, 1,
    ])
    // Every request the fakes saw, counted once: a 500 storm's attempts, retries and failures too.
    const sent = (svc: string) =>
      value(samples, 'grafana_team_sync_requests_total', { service: svc })
    expect(sent('grafana')).toBe(world.grafana.requests.length)
    expect(sent('okta')).toBe(world.okta.requests.length)
    const failures = value(samples, 'grafana_team_sync_request_failures_total', {
      service: 'grafana',
    })
    const retries = value(samples, 'grafana_team_sync_request_retries_total', {
      service: 'grafana',
    })
    const answered500 = world.grafana.requests.filter((r) => r.status === 500).length
    expect(failures).toBeGreaterThanOrEqual(1)
    expect(retries + failures).toBe(answered500)
    // One hour between runs: only the SIGHUPs ran it again.
    expect(service.events().filter((e) => e.msg === 'run started')).toHaveLength(4)
    for (const secret of world.secrets) expect(service.stderr()).not.toContain(secret)
  })

  it('counts a tripped safety guard as blocked and writes nothing', async () => {
    world = await startWorld()
    const { bob, carol, dave, erin, mallory } = world.users
    world.grafana.addTeam(1, 'Platform', {
      email: 'platform@acme.example',
      members: [bob, carol, dave, erin, mallory].map((userId) => ({ userId })),
    })
    world.ws.write(
      'teams/platform.yaml',
      'teams:\n  - name: Platform\n    email: platform@acme.example\n    members:\n      users: [bob@acme.example]\n',
    )
    service = await startService(world, ['--interval', '1h'])
    expect(await service.finished(1)).toMatchObject({ result: 'blocked' })
    expect(world.grafana.writes()).toEqual([])
    const blocked = await readiness(service)
    expect(blocked.status).toBe(503)
    expect(blocked.body.reason).toMatch(
      /^last run blocked: safety guard maxRemovals .*maxRemovalsPerTeam \(Main Org\. \/ Platform: 4 removals, limit 50%\) tripped; nothing was written/,
    )
    const { samples } = await metricsOf(service)
    expect(value(samples, 'grafana_team_sync_runs_total', { result: 'blocked' })).toBe(1)
    expect(
      value(samples, 'grafana_team_sync_planned_changes', { kind: 'remove-team-member' }),
    ).toBe(4)
  })

  it('stops on SIGTERM during a run of many writes: exit 0 within 5 s, and the next apply finishes the work', async () => {
    const teams = Array.from(
      { length: 40 },
      (_, i) =>
        `  - name: Team-${i}\n    members:\n      users: [bob@acme.example, carol@acme.example]\n`,
    ).join('')
    world = await startWorld({ 'teams/many.yaml': `teams:\n${teams}` })
    world.grafana.faults.inject({ method: 'POST', delayMs: 250 })
    service = await startService(world, ['--interval', '1h'])
    await service.waitFor((e) => e.msg === 'run started')
    while (world.grafana.writes().length === 0) await new Promise((r) => setTimeout(r, 20))
    const stoppedAt = Date.now()
    service.child.kill('SIGTERM')
    const code = await service.exited
    expect(Date.now() - stoppedAt).toBeLessThan(5000)
    expect(code).toBe(0)
    expect(service.events().find((e) => e.msg === 'run finished')).toMatchObject({
      result: 'failed',
      cancelled: true,
    })
    const created = world.grafana.snapshot().teams.length
    expect(created).toBeGreaterThan(0)
    expect(created).toBeLessThan(40)

    world.grafana.faults.clear()
    const env = credentials(world)
    expect((await runCli(['apply'], world.ws, env)).code).toBe(0)
    const again = await runCli(['plan', '--detailed-exitcode'], world.ws, env)
    expect(again.code).toBe(0)
    expect(world.grafana.snapshot().teams).toHaveLength(40)
  })

  it('plans only with --dry-run (DRY_RUN) and refuses --force', async () => {
    world = await startWorld({ 'teams/platform.yaml': PLATFORM_YAML })
    service = await startService(world, [], { DRY_RUN: 'true', SYNC_INTERVAL: '1h' })
    expect(await service.finished(1)).toMatchObject({ result: 'success', changes: 5 })
    expect(world.grafana.writes()).toEqual([])
    expect(await healthCheck(`${service.url}/healthz`)).toBe(0)
    expect(await healthCheck(`${service.url}/nope`)).toBe(1)
    const forced = await runCli(['serve', '--force'], world.ws, credentials(world))
    expect(forced.code).toBe(1)
    expect(forced.stderr).toContain('serve has no --force')
  })

  it('exits 1 at start, naming the fix, without credentials or when the address is taken', async () => {
    world = await startWorld()
    const bare = await runCli(['serve'], world.ws, {})
    expect(bare.code).toBe(1)
    expect(bare.stderr).toContain('serve reads Grafana: set GRAFANA_URL and GRAFANA_TOKEN')
    service = await startService(world, ['--interval', '1h'])
    const port = new URL(service.url).port
    const taken = await runCli(
      ['serve', '--listen', `127.0.0.1:${port}`],
      world.ws,
      credentials(world),
    )
    expect(taken.code).toBe(1)
    expect(taken.stderr).toMatch(
      /cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE.* fix="choose another --listen address/,
    )
  })
})

describe('plan and apply --metrics-file', () => {
  it("writes the run's metrics once, whole, without the process metrics", async () => {
    world = await startWorld()
    const env = credentials(world)
    const ran = await runCli(['plan', '--metrics-file', 'metrics/sync.prom'], world.ws, env)
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain('cannot write --metrics-file metrics/sync.prom (ENOENT)')
    world.ws.write('metrics/.keep', '')
    world.grafana.clearRequests()
    const applied = await runCli(['apply', '--metrics-file', 'metrics/sync.prom'], world.ws, env)
    expect(applied.code).toBe(0)
    const text = readFileSync(join(world.ws.dir, 'metrics/sync.prom'), 'utf8')
    const { samples } = parsePrometheus(text)
    expect(value(samples, 'grafana_team_sync_runs_total', { result: 'success' })).toBe(1)
    expect(value(samples, 'grafana_team_sync_requests_total', { service: 'grafana' })).toBe(
      world.grafana.requests.length,
    )
    expect(value(samples, 'grafana_team_sync_changes_applied_total')).toBe(5)
    expect(text).not.toMatch(/^process_/m)
    expect(readdirSync(join(world.ws.dir, 'metrics')).sort()).toEqual(['.keep', 'sync.prom'])
    for (const secret of world.secrets) expect(text).not.toContain(secret)
  })
})
