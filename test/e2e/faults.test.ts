// Faults of the services as a user meets them: the built bundle against the fakes.
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { commands, requireBuild, runAction, runCli, visibleLog } from './harness.ts'
import {
  GITHUB_TOKEN,
  OKTA_TOKEN,
  repoPayload,
  startWorld,
  teamMembers,
  type World,
} from './world.ts'

let world: World | undefined
beforeAll(requireBuild)
afterEach(async () => {
  await world?.close()
  world = undefined
})

const TIMEOUT_MS = 400

const credentials = (w: World) => ({
  GRAFANA_URL: w.grafana.url,
  GRAFANA_TOKEN: w.grafanaToken,
  OKTA_DOMAIN: w.okta.url,
  OKTA_API_TOKEN: OKTA_TOKEN,
  GRAFANA_TEAM_SYNC_HTTP_TIMEOUT_MS: String(TIMEOUT_MS),
})

const occurrences = (text: string, part: string) => text.split(part).length - 1

describe('a Grafana read that never answers', () => {
  it('fails after one retry of its timeout, naming the service, endpoint and team, with one retry line', async () => {
    world = await startWorld()
    const teamId = world.grafana.addTeam(1, 'Platform', {
      members: [{ userId: world.users.bob, permission: 4 }],
    })
    world.grafana.faults.inject({ path: `/api/teams/${teamId}/members`, delayMs: 10_000 })
    const started = Date.now()
    const ran = await runCli(['apply'], world.ws, credentials(world))
    const elapsed = Date.now() - started

    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain(
      `error: grafana GET /api/teams/:id/members (team Platform in org Main Org.) failed: timed out after ${TIMEOUT_MS} ms, twice`,
    )
    const retryLines = ran.stderr.split('\n').filter((line) => line.includes('retrying'))
    expect(retryLines).toEqual([
      `Grafana GET /api/teams/${teamId}/members: timed out after ${TIMEOUT_MS} ms, retrying once (team Platform in org Main Org.)`,
    ])
    // Two attempts and the bundle's start, nowhere near five.
    expect(elapsed).toBeGreaterThanOrEqual(2 * TIMEOUT_MS)
    expect(elapsed).toBeLessThan(5 * TIMEOUT_MS + 3_000)
    const membersReads = world.grafana.requests.filter((r) => r.path.endsWith('/members'))
    expect(membersReads).toHaveLength(2)
    expect(world.grafana.writes()).toEqual([])
  })
})

describe('a rejected credential', () => {
  it('Okta answering 401 to everything: one error naming the token, nothing written', async () => {
    world = await startWorld()
    world.okta.faults.inject({ status: 401 })
    const ran = await runCli(['apply'], world.ws, credentials(world))

    expect(ran.code).toBe(1)
    const output = ran.stdout + ran.stderr
    expect(occurrences(output, 'rejected okta-api-token (CLI: OKTA_API_TOKEN)')).toBe(1)
    expect(ran.stderr).toMatch(
      /^error: Okta rejected okta-api-token \(CLI: OKTA_API_TOKEN\) with 401 .*E0000011/m,
    )
    expect(world.grafana.writes()).toEqual([])
    for (const secret of world.secrets) expect(output).not.toContain(secret)
  })

  it('Okta 401 in the action on a push: the run fails once and writes nothing', async () => {
    world = await startWorld()
    world.okta.faults.inject({ status: 401 })
    const sha = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432'
    const ran = await runAction(world.ws, {
      event: 'push',
      ref: 'refs/heads/main',
      sha,
      payload: { ref: 'refs/heads/main', after: sha, repository: repoPayload },
      inputs: { ...world.credentials, mode: 'apply' },
      githubToken: GITHUB_TOKEN,
      apiUrl: world.github.url,
    })

    expect(ran.code).toBe(1)
    const errors = commands(ran.stdout, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('Okta rejected okta-api-token (CLI: OKTA_API_TOKEN)')
    expect(occurrences(visibleLog(ran.stdout), 'rejected okta-api-token')).toBe(1)
    expect(world.grafana.writes()).toEqual([])
    expect(ran.outputs).toMatchObject({ applied: '0', failed: '0' })
  })

  it('Grafana answering 401 to everything: one error naming the token, one request, nothing written', async () => {
    world = await startWorld()
    world.grafana.faults.inject({ status: 401 })
    const ran = await runCli(['apply'], world.ws, credentials(world))

    expect(ran.code).toBe(1)
    const output = ran.stdout + ran.stderr
    expect(occurrences(output, 'rejected grafana-token (CLI: GRAFANA_TOKEN)')).toBe(1)
    expect(ran.stderr).toMatch(
      /^error: Grafana rejected grafana-token \(CLI: GRAFANA_TOKEN\) with 401 /m,
    )
    expect(world.grafana.requests).toHaveLength(1)
    expect(world.grafana.writes()).toEqual([])
  })

  it('a token revoked during apply: the first 401 stops every later write', async () => {
    world = await startWorld()
    world.grafana.addTeam(1, 'Platform', { email: 'platform@acme.example' })
    // The first write is refused; a write sent after it would succeed.
    world.grafana.faults.inject({ method: 'POST', status: 401, times: 1 })
    const ran = await runCli(
      ['apply', '--json', '--concurrency', '1'],
      world.ws,
      credentials(world),
    )

    expect(ran.code).toBe(1)
    const writes = world.grafana.requests.filter((r) => r.method !== 'GET')
    expect(writes.map((r) => r.status)).toEqual([401])
    expect(teamMembers(world.grafana, 'Platform')).toEqual([])
    const { result } = JSON.parse(ran.stdout) as {
      result: { results: { status: string; detail: string }[] }
    }
    const details = result.results.map((r) => `${r.status}: ${r.detail}`)
    expect(details).toHaveLength(4)
    // The hint once; the changes after it say why they were not sent.
    expect(
      details.filter((d) => d.includes('rejected grafana-token (CLI: GRAFANA_TOKEN)')),
    ).toHaveLength(1)
    expect(
      details.filter((d) => d.includes('not sent: Grafana rejected the credential')),
    ).toHaveLength(3)
  })

  it('Grafana refusing a basic-auth login: names both variables and tries the password once', async () => {
    world = await startWorld()
    const ran = await runCli(['apply'], world.ws, {
      ...credentials(world),
      GRAFANA_TOKEN: '',
      GRAFANA_USERNAME: 'admin',
      GRAFANA_PASSWORD: 'wrong-password',
    })

    expect(ran.code).toBe(1)
    expect(
      occurrences(
        ran.stderr,
        'rejected grafana-username/grafana-password (CLI: GRAFANA_USERNAME/GRAFANA_PASSWORD)',
      ),
    ).toBe(1)
    expect(world.grafana.requests).toHaveLength(1)
    expect(world.grafana.writes()).toEqual([])
  })
})
