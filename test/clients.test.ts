import { afterEach, describe, expect, it } from 'vitest'
import { createGrafanaClient } from '../src/grafana/index.ts'
import { HttpError } from '../src/http/index.ts'
import { createOktaClient } from '../src/okta/index.ts'
import { startFakeGrafana, type FakeGrafana } from './fakes/grafana.ts'
import { startFakeOkta, type FakeOkta, type FakeOktaOptions } from './fakes/okta.ts'

const fakes: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()))
})

async function grafanaFake(): Promise<FakeGrafana> {
  const g = await startFakeGrafana()
  fakes.push(g)
  return g
}
async function oktaFake(opts?: FakeOktaOptions): Promise<FakeOkta> {
  const o = await startFakeOkta(opts)
  fakes.push(o)
  return o
}

function recordingSleep() {
  const waits: number[] = []
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) }
}

const admin = (g: FakeGrafana, extra: { retries?: number } = {}) =>
  createGrafanaClient({
    url: g.url,
    username: 'admin',
    password: 'admin',
    retryBaseMs: 1,
    ...extra,
  })

describe('clients against the fakes', () => {
  it('recover from Grafana 5xx answers and count the retries', async () => {
    const g = await grafanaFake()
    const team = g.addTeam(1, 'Platform')
    g.faults.inject({ method: 'GET', path: `/api/teams/${team}/members`, status: 502, times: 2 })
    const client = admin(g)
    expect(await client.listTeamMembers(1, team)).toEqual([])
    expect(
      g.requests.filter((r) => r.path === `/api/teams/${team}/members`).map((r) => r.status),
    ).toEqual([502, 502, 200])
    expect(client.stats()).toContainEqual(
      expect.objectContaining({ endpoint: 'GET /api/teams/:id/members', requests: 3, retries: 2 }),
    )
  })

  it('recover from dropped connections', async () => {
    const g = await grafanaFake()
    g.faults.inject({ path: '/api/teams/search', drop: true, times: 1 })
    const teams = await admin(g).listTeams(1)
    expect(teams).toEqual([])
    expect(g.requests.filter((r) => r.path === '/api/teams/search')).toHaveLength(2)
  })

  it('wait for the Okta rate-limit reset on a 429 before retrying', async () => {
    const o = await oktaFake()
    const group = o.addGroup({ name: 'Engineering' })
    o.addMember(group, o.addUser({ login: 'a@acme.example', email: 'a@acme.example' }))
    o.faults.inject({
      path: `/api/v1/groups/${group}/users`,
      status: 429,
      rateLimitResetSeconds: 1,
      times: 1,
    })
    const { waits, sleep } = recordingSleep()
    const client = createOktaClient({ domain: o.url, token: o.token, retryBaseMs: 1, sleep })
    const members = await client.listMembers(group)
    expect(members.map((m) => m.email)).toEqual(['a@acme.example'])
    expect(o.requests.filter((r) => r.path.endsWith('/users')).map((r) => r.status)).toEqual([
      429, 200,
    ])
    expect(waits.length).toBeGreaterThanOrEqual(1)
    expect(Math.max(...waits)).toBeGreaterThanOrEqual(900)
    expect(Math.max(...waits)).toBeLessThanOrEqual(3_000)
  })

  it('fail a non-retryable 4xx after one request with the service message', async () => {
    const g = await grafanaFake()
    const team = g.addTeam(1, 'Platform')
    const client = admin(g)
    const err = (await client
      .setTeamPermission(1, team, 999, 'Admin')
      .catch((e: unknown) => e)) as HttpError
    expect(err).toBeInstanceOf(HttpError)
    expect(err.message).toBe(
      'grafana PUT /api/teams/:id/members/:id failed: 404 Team member not found.',
    )
    expect(g.requests).toHaveLength(1)
  })

  it('never show a Grafana token or password in errors', async () => {
    const g = await grafanaFake()
    const badToken = 'glsa_notARealToken_0123456789abcdef_12345678'
    const err = (await createGrafanaClient({ url: g.url, token: badToken })
      .whoami()
      .catch((e: unknown) => e)) as Error
    expect(err.message).toContain('grafana-token')
    const badPassword = 'wrong-password-value'
    const err2 = (await createGrafanaClient({
      url: g.url,
      username: 'admin',
      password: badPassword,
    })
      .whoami()
      .catch((e: unknown) => e)) as Error
    expect(err2.message).toContain('grafana-username/grafana-password')
    const encoded = Buffer.from(`admin:${badPassword}`).toString('base64')
    for (const text of [err.message, err.stack ?? '', err2.message, err2.stack ?? '']) {
      expect(text).not.toContain(badToken)
      expect(text).not.toContain(badPassword)
      expect(text).not.toContain(encoded)
    }
  })

  it('never send Okta credentials to a next link on another origin', async () => {
    const elsewhere = await oktaFake()
    const o = await oktaFake({ nextLinkOrigin: elsewhere.url })
    const group = o.addGroup({ name: 'Big' })
    for (let i = 0; i < 1001; i++) o.addMember(group, o.addUser({ login: `u${i}@acme.example` }))
    const err = (await createOktaClient({ domain: o.url, token: o.token })
      .listMembers(group)
      .catch((e: unknown) => e)) as Error
    expect(err.message).toContain('next-page link on another host')
    expect(err.message).not.toContain(o.token)
    expect(o.requests).toHaveLength(1)
    expect(elsewhere.requests).toHaveLength(0)
  })

  it('read a 2,500-member Okta group in 3 requests', async () => {
    const o = await oktaFake()
    const group = o.addGroup({ name: 'Everyone-ish' })
    for (let i = 0; i < 2500; i++) {
      o.addMember(
        group,
        o.addUser({ login: `u${i}@acme.example`, status: i % 2 ? 'ACTIVE' : 'SUSPENDED' }),
      )
    }
    const members = await createOktaClient({ domain: o.url, token: o.token }).listMembers(group)
    expect(members).toHaveLength(2500)
    expect(members.filter((m) => m.status === 'SUSPENDED')).toHaveLength(1250)
    expect(o.requests).toHaveLength(3)
    expect(o.requests.every((r) => r.query.limit === '1000')).toBe(true)
  })
})
