import { createServer } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { HttpError } from '../http/index.ts'
import { createGrafanaClient } from './client.ts'
import { withScheme } from '../secrets/index.ts'
import { listenOnLoopback } from '../../test/fakes/http.ts'

// Route-table servers: each test states exactly what Grafana answers and asserts what was sent.

interface Seen {
  method: string
  path: string
  query: URLSearchParams
  headers: Record<string, string | string[] | undefined>
  body: unknown
}
type Answer = [number, unknown]
type Route = (req: Seen) => Answer

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()))
})

async function grafana(routes: Record<string, Route | Answer>) {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    let raw = ''
    req.on('data', (c: Buffer) => (raw += c.toString()))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const entry: Seen = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: raw ? JSON.parse(raw) : undefined,
      }
      seen.push(entry)
      const route = routes[`${entry.method} ${entry.path}`]
      const [status, body] =
        route === undefined
          ? [404, { message: 'Not found' }]
          : typeof route === 'function'
            ? route(entry)
            : route
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(body))
    })
  })
  const { url, close } = await listenOnLoopback(server)
  closers.push(close)
  return { url, seen }
}

const TOKEN = 'glsa_abcdefghijklmnopqrstuvwxyz012345_0a1b2c3d'
const PASSWORD = 'correct-horse-battery'
const basic = (url: string) =>
  createGrafanaClient({ url, username: 'sync-admin', password: PASSWORD, retries: 0 })
const token = (url: string) => createGrafanaClient({ url, token: TOKEN, retries: 0 })

describe('grafana client: identity and org context', () => {
  it('uses basic auth and sends X-Grafana-Org-Id only on org-scoped routes', async () => {
    const g = await grafana({
      'GET /api/user': [
        200,
        { id: 1, login: 'sync-admin', email: 'a@x', isGrafanaAdmin: true, orgId: 1 },
      ],
      'GET /api/orgs/3/users': [
        200,
        [{ userId: 2, login: 'ana', email: 'ana@x', name: 'Ana', role: 'Editor' }],
      ],
      'GET /api/teams/search': [200, { totalCount: 0, teams: [], page: 1, perPage: 1000 }],
    })
    const client = basic(g.url)
    expect(await client.whoami()).toEqual({
      auth: 'basic',
      userId: 1,
      login: 'sync-admin',
      email: 'a@x',
      isServerAdmin: true,
      orgId: 1,
    })
    expect(await client.listOrgUsers(3)).toEqual([
      { userId: 2, login: 'ana', email: 'ana@x', role: 'Editor', name: 'Ana', isDisabled: false },
    ])
    await client.listTeams(3)
    const auth = `Basic ${Buffer.from(`sync-admin:${PASSWORD}`).toString('base64')}`
    expect(
      g.seen.map((s) => [s.path, s.headers.authorization, s.headers['x-grafana-org-id']]),
    ).toEqual([
      ['/api/user', auth, undefined],
      ['/api/orgs/3/users', auth, undefined],
      ['/api/teams/search', auth, '3'],
    ])
  })

  it('with a token reads its org from /api/org, never sends an org header, refuses other orgs', async () => {
    const g = await grafana({
      'GET /api/org': [200, { id: 4, name: 'Team Org' }],
      'GET /api/org/users': [
        200,
        [{ userId: 9, login: 'bo', email: 'bo@x', name: 'Bo', role: 'Viewer' }],
      ],
      'GET /api/teams/search': [200, { totalCount: 0, teams: [], page: 1, perPage: 1000 }],
    })
    const client = token(g.url)
    expect(await client.whoami()).toEqual({ auth: 'token', isServerAdmin: false, orgId: 4 })
    expect(await client.listOrgs()).toEqual([{ id: 4, name: 'Team Org' }])
    expect(await client.listOrgUsers(4)).toHaveLength(1)
    await client.listTeams(4)
    await expect(client.listTeams(5)).rejects.toThrow(
      /token belongs to org 4 .*cannot act in org 5/,
    )
    expect(g.seen.map((s) => s.path)).toEqual(['/api/org', '/api/org/users', '/api/teams/search'])
    expect(g.seen.every((s) => s.headers.authorization === `Bearer ${TOKEN}`)).toBe(true)
    expect(g.seen.every((s) => s.headers['x-grafana-org-id'] === undefined)).toBe(true)
  })

  it('names grafana-token in a 401 and never shows the token', async () => {
    const g = await grafana({
      'GET /api/org': [
        401,
        { message: `Invalid API key ${TOKEN}`, messageId: 'api-key.invalid', statusCode: 401 },
      ],
    })
    const err = (await token(g.url)
      .whoami()
      .catch((e: unknown) => e)) as HttpError
    expect(err).toBeInstanceOf(HttpError)
    expect(err.status).toBe(401)
    expect(err.message).toMatch(
      /^Grafana rejected grafana-token \(CLI: GRAFANA_TOKEN\) with 401 Invalid API key \*\*\* on GET \/api\/org: /,
    )
    expect(err).toMatchObject({ reason: 'credential-rejected', credential: 'grafana-token' })
    for (const text of [err.message, err.stack ?? '', err.serviceMessage])
      expect(text).not.toContain(TOKEN)
    expect(g.seen).toHaveLength(1)
  })

  it('names grafana-username/grafana-password in a 401 and never shows the password or header', async () => {
    const g = await grafana({
      'GET /api/user': (s) => [
        401,
        { message: `Invalid username or password ${String(s.headers.authorization)}` },
      ],
    })
    const err = (await basic(g.url)
      .whoami()
      .catch((e: unknown) => e)) as HttpError
    expect(err.message).toContain('grafana-username/grafana-password')
    const encoded = Buffer.from(`sync-admin:${PASSWORD}`).toString('base64')
    for (const text of [err.message, err.stack ?? '']) {
      expect(text).not.toContain(PASSWORD)
      expect(text).not.toContain(encoded)
    }
  })

  it('explains a 403 for a token with the role and the server-admin alternative', async () => {
    const g = await grafana({
      'GET /api/org': [200, { id: 1, name: 'Main Org.' }],
      'POST /api/teams': [
        403,
        {
          title: 'Access denied',
          message:
            "You'll need additional permissions to perform this action. Permissions needed: teams:create",
        },
      ],
    })
    const err = (await token(g.url)
      .createTeam(1, 'A')
      .catch((e: unknown) => e)) as HttpError
    expect(err.message).toMatch(
      /^grafana POST \/api\/teams failed: 403 You'll need additional permissions/,
    )
    expect(err.message).toContain('Admin role in its org')
  })
})

describe('grafana client: listings', () => {
  it('pages /api/orgs from page 0 and stops at a short page', async () => {
    const full = Array.from({ length: 1000 }, (_, i) => ({ id: i + 1, name: `org ${i + 1}` }))
    const g = await grafana({
      'GET /api/user': [200, { id: 1, login: 'admin', email: '', isGrafanaAdmin: true, orgId: 1 }],
      'GET /api/orgs': (s) => [
        200,
        s.query.get('page') === '0' ? full : [{ id: 1001, name: 'last' }],
      ],
    })
    const orgs = await basic(g.url).listOrgs()
    expect(orgs).toHaveLength(1001)
    expect(g.seen.filter((s) => s.path === '/api/orgs').map((s) => s.query.toString())).toEqual([
      'perpage=1000&page=0',
      'perpage=1000&page=1',
    ])
  })

  it('pages users and teams from page 1 using totalCount', async () => {
    const users = Array.from({ length: 2500 }, (_, i) => ({
      id: i + 1,
      login: `u${i}`,
      email: `u${i}@x`,
      name: `U${i}`,
      isAdmin: i === 0,
    }))
    const g = await grafana({
      'GET /api/users/search': (s) => {
        const page = Number(s.query.get('page'))
        return [
          200,
          {
            totalCount: 2500,
            users: users.slice((page - 1) * 1000, page * 1000),
            page,
            perPage: 1000,
          },
        ]
      },
      'GET /api/teams/search': [
        200,
        {
          totalCount: 1,
          teams: [{ id: 5, name: 'A', email: 'a@x', memberCount: 2 }],
          page: 1,
          perPage: 1000,
        },
      ],
    })
    const client = basic(g.url)
    const listed = await client.listUsers()
    expect(listed).toHaveLength(2500)
    expect(listed[0]).toEqual({
      id: 1,
      login: 'u0',
      email: 'u0@x',
      name: 'U0',
      isGrafanaAdmin: true,
      isDisabled: false,
    })
    expect(await client.listTeams(1)).toEqual([{ id: 5, name: 'A', email: 'a@x', memberCount: 2 }])
    expect(g.seen.map((s) => `${s.path}?${s.query.toString()}`).sort()).toEqual([
      '/api/teams/search?perpage=1000&page=1',
      '/api/users/search?perpage=1000&page=1',
      '/api/users/search?perpage=1000&page=2',
      '/api/users/search?perpage=1000&page=3',
    ])
  })

  it('maps team member permissions and labels', async () => {
    const g = await grafana({
      'GET /api/teams/5/members': [
        200,
        [
          { userId: 2, login: 'ana', email: 'ana@x', permission: 4, labels: [] },
          { userId: 3, login: 'bo', email: 'bo@x', permission: 0, labels: ['LDAP'] },
          { userId: 4, login: 'cy', email: 'cy@x', permission: 0, labels: null },
        ],
      ],
    })
    expect(await basic(g.url).listTeamMembers(1, 5)).toEqual([
      { userId: 2, login: 'ana', email: 'ana@x', permission: 'Admin', labels: [] },
      { userId: 3, login: 'bo', email: 'bo@x', permission: 'Member', labels: ['LDAP'] },
      { userId: 4, login: 'cy', email: 'cy@x', permission: 'Member', labels: [] },
    ])
  })

  it('keeps one member object per user and permission across teams, and a renamed user fresh', async () => {
    let login = 'ana'
    const ana = (permission: number) => () =>
      [200, [{ userId: 2, login, email: 'ana@x', permission, labels: [] }]] as Answer
    const g = await grafana({
      'GET /api/teams/5/members': ana(0),
      'GET /api/teams/6/members': ana(0),
      'GET /api/teams/7/members': ana(4),
    })
    const client = basic(g.url)
    const [five] = await client.listTeamMembers(1, 5)
    const [six] = await client.listTeamMembers(1, 6)
    const [seven] = await client.listTeamMembers(1, 7)
    expect(six).toBe(five)
    expect(seven).not.toBe(five)
    expect(seven).toMatchObject({ userId: 2, permission: 'Admin' })
    login = 'ana.new'
    const [renamed] = await client.listTeamMembers(1, 5)
    expect(renamed).toEqual({
      userId: 2,
      login: 'ana.new',
      email: 'ana@x',
      permission: 'Member',
      labels: [],
    })
  })

  it('maps homeDashboardUID and keeps unmanaged preferences on the full-replace PUT', async () => {
    const g = await grafana({
      'GET /api/teams/5/preferences': [
        200,
        { theme: 'dark', homeDashboardUID: 'abc', language: 'de-DE' },
      ],
      'PUT /api/teams/5/preferences': [200, { message: 'Preferences updated' }],
    })
    const client = basic(g.url)
    expect(await client.getTeamPreferences(1, 5)).toEqual({
      theme: 'dark',
      homeDashboardUid: 'abc',
    })
    await client.setTeamPreferences(1, 5, {
      theme: 'light',
      homeDashboardUid: 'xyz',
      timezone: 'utc',
    })
    const put = g.seen.find((s) => s.method === 'PUT')
    expect(put?.body).toEqual({
      theme: 'light',
      homeDashboardUID: 'xyz',
      timezone: 'utc',
      language: 'de-DE',
    })
    expect(put?.headers['content-type']).toBe('application/json')
  })
})

describe('grafana client: writes that already took effect', () => {
  it('maps the "already done" answers and passes others on', async () => {
    const g = await grafana({
      'POST /api/teams': [409, { message: 'Team name taken' }],
      'POST /api/teams/5/members': (s) =>
        (s.body as { userId: number }).userId === 2
          ? [400, { message: 'User is already added to this team' }]
          : [400, { message: 'bad request data' }],
      'DELETE /api/teams/5/members/2': [404, { message: 'Team member not found' }],
      'DELETE /api/teams/5': [404, { message: 'Team not found' }],
      'POST /api/orgs/1/users': [
        409,
        { message: 'User is already member of this organization', userId: 2 },
      ],
      'POST /api/orgs': [409, { message: 'Organization name taken' }],
      'POST /api/admin/users': [
        412,
        { message: "User with email 'a@x' or username 'a' already exists" },
      ],
      'DELETE /api/orgs/1/users/2': [404, { message: 'User not found' }],
    })
    const client = basic(g.url)
    expect(await client.createTeam(1, 'A')).toBe('already-done')
    expect(await client.addTeamMember(1, 5, 2)).toBe('already-done')
    await expect(client.addTeamMember(1, 5, 3)).rejects.toThrow(
      'grafana POST /api/teams/:id/members failed: 400 bad request data',
    )
    expect(await client.removeTeamMember(1, 5, 2)).toBe('already-done')
    expect(await client.deleteTeam(1, 5)).toBe('already-done')
    expect(await client.addOrgUser(1, 'ana@x', 'Viewer')).toBe('already-done')
    expect(await client.createOrg('Main Org.')).toBe('already-done')
    expect(
      await client.createUser({ login: 'a', email: 'a@x', name: 'A', password: 'pw-pw-pw' }),
    ).toBe('already-done')
    expect(await client.removeOrgUser(1, 2)).toBe('already-done')
  })

  it('removes an org user via /api/orgs/:orgId/users/:userId, also with a token', async () => {
    const g = await grafana({
      'GET /api/org': [200, { id: 1, name: 'Main Org.' }],
      'DELETE /api/orgs/1/users/7': [200, { message: 'User removed from organization' }],
    })
    expect(await token(g.url).removeOrgUser(1, 7)).toBe('done')
    expect(await basic(g.url).removeOrgUser(1, 7)).toBe('done')
    expect(g.seen.filter((s) => s.method === 'DELETE').map((s) => s.path)).toEqual([
      '/api/orgs/1/users/7',
      '/api/orgs/1/users/7',
    ])
  })

  it('returns created ids and sends team permission numbers', async () => {
    const g = await grafana({
      'POST /api/teams': [200, { teamId: 12, uid: 'u', message: 'Team created' }],
      'PUT /api/teams/12/members/3': [200, { message: 'Team member updated' }],
      'POST /api/orgs': [200, { orgId: 4, message: 'Organization created' }],
      'POST /api/admin/users': [200, { id: 8, message: 'User created' }],
    })
    const client = basic(g.url)
    expect(await client.createTeam(2, 'A', 'a@x')).toEqual({ teamId: 12 })
    await client.setTeamPermission(2, 12, 3, 'Admin')
    expect(await client.createOrg('New')).toEqual({ orgId: 4 })
    expect(
      await client.createUser({
        login: 'tv',
        email: 'tv@x',
        name: 'TV',
        password: 'pw-pw-pw',
        orgId: 4,
      }),
    ).toEqual({ id: 8 })
    expect(g.seen.map((s) => [s.method, s.path, s.body, s.headers['x-grafana-org-id']])).toEqual([
      ['POST', '/api/teams', { name: 'A', email: 'a@x' }, '2'],
      ['PUT', '/api/teams/12/members/3', { permission: 4 }, '2'],
      ['POST', '/api/orgs', { name: 'New' }, undefined],
      [
        'POST',
        '/api/admin/users',
        { login: 'tv', email: 'tv@x', name: 'TV', password: 'pw-pw-pw', orgId: 4 },
        undefined,
      ],
    ])
  })
})

describe('grafana client: answers other than the usual', () => {
  it('looks a created team, org or user up by name when the answer carries no id', async () => {
    const g = await grafana({
      'POST /api/teams': [200, { message: 'Team created' }],
      'GET /api/teams/search': [
        200,
        { totalCount: 1, teams: [{ id: 12, name: 'A' }], page: 1, perPage: 1000 },
      ],
      'POST /api/orgs': [200, { message: 'Organization created' }],
      'GET /api/orgs/name/New': [200, { id: 4, name: 'New' }],
      'POST /api/admin/users': [200, { message: 'User created' }],
      'GET /api/users/lookup': [200, { id: 8, login: 'tv', email: 'tv@x', name: 'TV' }],
    })
    const client = basic(g.url)
    expect(await client.createTeam(2, 'A')).toEqual({ teamId: 12 })
    expect(await client.createOrg('New')).toEqual({ orgId: 4 })
    expect(
      await client.createUser({ login: 'tv', email: 'tv@x', name: 'TV', password: 'pw-pw-pw' }),
    ).toEqual({ id: 8 })
  })

  it('stops reading a listing whose pages repeat, and says it could not read it all', async () => {
    const teams = Array.from({ length: 3 }, (_, i) => ({ id: i + 1, name: `T${i}` }))
    // A server that ignores `page`: every page is the first one.
    const g = await grafana({
      'GET /api/teams/search': [200, { totalCount: 9, teams, page: 1, perPage: 3 }],
    })
    const err = (await basic(g.url)
      .listTeams(1)
      .catch((e: unknown) => e)) as HttpError
    expect(err.message).toBe(
      'grafana GET /api/teams/search failed: 200 reported 9 items but only 3 could be read page by page; run again',
    )
    expect(g.seen.map((s) => s.query.get('page'))).toEqual(['1', '2', '3', '4'])
  })

  it('reads orgs once when /api/orgs ignores page', async () => {
    const full = Array.from({ length: 1000 }, (_, i) => ({ id: i + 1, name: `org ${i + 1}` }))
    const g = await grafana({
      'GET /api/user': [200, { id: 1, login: 'admin', email: '', isGrafanaAdmin: true, orgId: 1 }],
      'GET /api/orgs': [200, full],
    })
    expect(await basic(g.url).listOrgs()).toHaveLength(1000)
    expect(g.seen.filter((s) => s.path === '/api/orgs')).toHaveLength(2)
  })

  it('treats an empty preferences body as no preferences', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200)
      res.end()
    })
    const { url, close } = await listenOnLoopback(server)
    closers.push(close)
    expect(await basic(url).getTeamPreferences(1, 5)).toEqual({})
  })
})

describe('grafana client: configuration', () => {
  it('names the Grafana URL when the first call finds no Grafana API there', async () => {
    const g = await grafana({})
    await expect(basic(`${g.url}/wrong`).whoami()).rejects.toThrow(
      'grafana GET /api/user failed: 404 Not found — the Grafana URL must be the address Grafana is served at, including any sub-path (e.g. https://example.com/grafana)',
    )
    await expect(token(g.url).whoami()).rejects.toThrow(
      /GET \/api\/org failed: 404 Not found — the Grafana URL/,
    )
  })

  it('assumes https for a grafana-url without a scheme and keeps its sub-path', async () => {
    expect(withScheme('grafana.acme.example/grafana/')).toBe(
      'https://grafana.acme.example/grafana/',
    )
    // A plain-HTTP server reached without a scheme proves https was assumed.
    const g = await grafana({})
    const err = (await token(g.url.replace('http://', ''))
      .whoami()
      .catch((e: unknown) => e)) as HttpError
    expect(err.message).toBe(
      'grafana GET /api/org failed: answered plain HTTP on an https:// URL: use http:// or the TLS port',
    )
    expect(g.seen).toHaveLength(0)
  })
})
