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

/** A fake Okta with one group "G" holding one person. */
async function oktaWithOneMember(): Promise<{ o: FakeOkta; group: string }> {
  const o = await oktaFake()
  const group = o.addGroup({ name: 'G' })
  o.addMember(group, o.addUser({ login: 'ana@acme.example' }))
  return { o, group }
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

  for (const linkStyle of ['lines', 'joined', 'unquoted'] as const) {
    it(`read every Okta page when Link relations come as ${linkStyle}`, async () => {
      const o = await oktaFake({ linkStyle })
      const group = o.addGroup({ name: 'Paged' })
      for (let i = 0; i < 2100; i++) o.addMember(group, o.addUser({ login: `u${i}@acme.example` }))
      const members = await createOktaClient({ domain: o.url, token: o.token }).listMembers(group)
      expect(new Set(members.map((m) => m.id)).size).toBe(2100)
      expect(o.requests).toHaveLength(3)
    })
  }

  it('ask a big Okta page again with limit 200 at once when Okta times it out with a 500', async () => {
    const o = await oktaFake({ timeoutAboveLimit: 200 })
    const group = o.addGroup({ name: 'Big' })
    for (let i = 0; i < 450; i++) o.addMember(group, o.addUser({ login: `u${i}@acme.example` }))
    const members = await createOktaClient({
      domain: o.url,
      token: o.token,
      retryBaseMs: 1,
    }).listMembers(group)
    expect(members).toHaveLength(450)
    expect(o.requests.map((r) => [r.query.limit, r.status])).toEqual([
      ['1000', 500],
      ['200', 200],
      ['200', 200],
      ['200', 200],
    ])
  })

  it('retry an Okta 503 on a big page at the same size', async () => {
    const { o, group } = await oktaWithOneMember()
    o.faults.inject({ status: 503, times: 1 })
    const okta = createOktaClient({ domain: o.url, token: o.token, retryBaseMs: 1 })
    expect(await okta.listMembers(group)).toHaveLength(1)
    expect(o.requests.map((r) => [r.query.limit, r.status])).toEqual([
      ['1000', 503],
      ['1000', 200],
    ])
  })

  it('wait and retry an Okta 429 that carries no rate-limit headers', async () => {
    const { o, group } = await oktaWithOneMember()
    o.faults.inject({
      status: 429,
      times: 1,
      headers: {
        'x-rate-limit-limit': null,
        'x-rate-limit-remaining': null,
        'x-rate-limit-reset': null,
      },
    })
    const members = await createOktaClient({
      domain: o.url,
      token: o.token,
      retryBaseMs: 1,
    }).listMembers(group)
    expect(members).toHaveLength(1)
    expect(o.requests.map((r) => r.status)).toEqual([429, 200])
  })

  it('never send the Okta token along a redirect to another host', async () => {
    const elsewhere = await oktaFake()
    const o = await oktaFake()
    const group = o.addGroup({ name: 'G' })
    o.faults.inject({
      status: 302,
      headers: { location: `${elsewhere.url}/api/v1/groups/${group}/users` },
    })
    const err = (await createOktaClient({ domain: o.url, token: o.token })
      .listMembers(group)
      .catch((e: unknown) => e)) as HttpError
    expect(err.status).toBe(302)
    expect(err.message).toContain(`redirected to ${elsewhere.url}/api/v1/groups/`)
    expect(err.message).not.toContain(o.token)
    expect(elsewhere.requests).toHaveLength(0)
  })

  it('say that an Okta group exists only under another case', async () => {
    const o = await oktaFake()
    o.addGroup({ name: 'platform-engineers' })
    const found = await createOktaClient({ domain: o.url, token: o.token }).findGroups([
      'Platform-Engineers',
    ])
    const result = found.get('Platform-Engineers')
    expect(result).toBeInstanceOf(Error)
    expect((result as Error).message).toBe(
      'Okta group "Platform-Engineers" not found; Okta has "platform-engineers": group names are matched exactly, including case',
    )
  })

  it('read members whose email Okta sends as null', async () => {
    const o = await oktaFake()
    const group = o.addGroup({ name: 'G' })
    o.addMember(group, o.addUser({ login: 'svc-robot', email: null, status: 'ACTIVE' }))
    const members = await createOktaClient({ domain: o.url, token: o.token }).listMembers(group)
    expect(members).toEqual([
      { id: expect.any(String) as string, login: 'svc-robot', email: '', status: 'ACTIVE' },
    ])
  })

  for (const suffix of ['', '/']) {
    it(`work with Grafana under a sub-path${suffix ? ' given with a trailing slash' : ''}`, async () => {
      const g = await startFakeGrafana({ basePath: '/grafana' })
      fakes.push(g)
      g.addTeam(1, 'Platform')
      const client = createGrafanaClient({
        url: `${g.url}${suffix}`,
        username: 'admin',
        password: 'admin',
      })
      expect((await client.whoami()).login).toBe('admin')
      expect((await client.listTeams(1)).map((t) => t.name)).toEqual(['Platform'])
      expect(g.requests.map((r) => r.path)).toEqual([
        '/grafana/api/user',
        '/grafana/api/teams/search',
      ])
      expect(client.stats().map((s) => s.endpoint)).toEqual([
        'GET /api/teams/search',
        'GET /api/user',
      ])
    })
  }

  it('read every Grafana user and team when the server caps perpage', async () => {
    const g = await startFakeGrafana({ maxPerPage: 7 })
    fakes.push(g)
    for (let i = 0; i < 20; i++) {
      g.addUser({ login: `u${i}`, orgs: { 1: 'Viewer' } })
      g.addTeam(1, `T${i}`)
    }
    const client = admin(g)
    expect(await client.listUsers()).toHaveLength(21)
    expect(await client.listTeams(1)).toHaveLength(20)
    const pages = (path: string) => g.requests.filter((r) => r.path === path).length
    expect(pages('/api/users/search')).toBe(3)
    expect(pages('/api/teams/search')).toBe(3)
  })

  it('read Grafana listings that report no totalCount until a page brings nothing new', async () => {
    const g = await startFakeGrafana({ omitTotalCount: true, maxPerPage: 4 })
    fakes.push(g)
    for (let i = 0; i < 9; i++) g.addTeam(1, `T${i}`)
    expect(await admin(g).listTeams(1)).toHaveLength(9)
    expect(g.requests.filter((r) => r.path === '/api/teams/search')).toHaveLength(4)
  })

  it('read Grafana JSON sent with a charset parameter', async () => {
    const g = await startFakeGrafana({ jsonContentType: 'application/json; charset=utf-8' })
    fakes.push(g)
    g.addTeam(1, 'Platform')
    expect((await admin(g).listTeams(1)).map((t) => t.name)).toEqual(['Platform'])
  })

  it('explain a web page where Grafana JSON belongs as a grafana-url problem', async () => {
    const g = await grafanaFake()
    g.faults.inject({ status: 200, body: '<!doctype html><title>Sign in</title>' })
    const err = (await admin(g)
      .whoami()
      .catch((e: unknown) => e)) as HttpError
    expect(err.message).toBe(
      'grafana GET /api/user failed: 200 answered with a non-JSON body (text/html) instead of JSON: ' +
        'the Grafana URL must be the address Grafana is served at, including any sub-path (e.g. https://example.com/grafana), ' +
        'and not a login page in front of it',
    )
  })

  it('report an email change that Grafana holds back for verification', async () => {
    const g = await startFakeGrafana({ verifyEmail: true })
    fakes.push(g)
    const id = g.addUser({ login: 'ana', email: 'ana@acme.example' })
    const err = (await admin(g)
      .updateUser(id, { login: 'ana', email: 'ana@new.example', name: 'Ana' })
      .catch((e: unknown) => e)) as HttpError
    expect(err).toBeInstanceOf(HttpError)
    expect(err.message).toContain('Email sent for verification: Grafana (verify_email_enabled)')
    expect(g.snapshot().users.find((u) => u.id === id)?.email).toBe('ana@acme.example')
  })

  it('accept tokens pasted with their scheme', async () => {
    const g = await grafanaFake()
    const o = await oktaFake()
    const grafanaToken = g.addServiceAccountToken(1)
    const group = o.addGroup({ name: 'G' })
    const grafana = createGrafanaClient({ url: g.url, token: `Bearer ${grafanaToken}` })
    const okta = createOktaClient({ domain: o.url, token: `SSWS ${o.token}` })
    expect((await grafana.whoami()).orgId).toBe(1)
    expect(await okta.listMembers(group)).toEqual([])
    expect(g.requests[0]?.headers.authorization).toBe(`Bearer ${grafanaToken}`)
    expect(o.requests[0]?.headers.authorization).toBe(`SSWS ${o.token}`)
  })

  it('never send a Grafana credential to Okta nor the Okta token to Grafana', async () => {
    const g = await grafanaFake()
    const { o, group } = await oktaWithOneMember()
    const grafanaToken = g.addServiceAccountToken(1)
    const grafana = createGrafanaClient({ url: g.url, token: grafanaToken })
    const okta = createOktaClient({ domain: o.url, token: o.token })
    await Promise.all([grafana.listTeams(1), okta.listMembers(group), okta.findGroups(['G'])])
    const seenByOkta = JSON.stringify(o.requests.map((r) => r.headers))
    const seenByGrafana = JSON.stringify(g.requests.map((r) => r.headers))
    expect(seenByOkta).not.toContain(grafanaToken)
    expect(seenByOkta).not.toMatch(/bearer|basic/i)
    expect(seenByGrafana).not.toContain(o.token)
    expect(seenByGrafana).not.toMatch(/ssws/i)
    expect(o.requests.every((r) => r.headers.authorization === `SSWS ${o.token}`)).toBe(true)
  })
})
