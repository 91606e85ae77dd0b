/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- the tests inspect JSON answers loosely */
import { afterEach, describe, expect, it } from 'vitest'
import { startFakeGrafana, type FakeGrafana, type FakeGrafanaOptions } from './grafana.ts'

const running: FakeGrafana[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((g) => g.close()))
})

async function fake(opts?: FakeGrafanaOptions): Promise<FakeGrafana> {
  const g = await startFakeGrafana(opts)
  running.push(g)
  return g
}

const basic = (login: string, password: string) =>
  `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`
const ADMIN = basic('admin', 'admin')

interface CallOptions {
  auth?: string | null
  body?: unknown
  /** Default application/json when there is a body; null sends none. */
  contentType?: string | null
  headers?: Record<string, string>
}

async function call(g: FakeGrafana, method: string, path: string, o: CallOptions = {}) {
  const headers: Record<string, string> = { ...o.headers }
  const auth = o.auth === undefined ? ADMIN : o.auth
  if (auth !== null) headers.authorization = auth
  let body: string | undefined
  if (o.body !== undefined) {
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body)
    const contentType = o.contentType === undefined ? 'application/json' : o.contentType
    if (contentType !== null) headers['content-type'] = contentType
  }
  const res = await fetch(`${g.url}${path}`, { method, headers, body })
  const text = await res.text()
  let json: any
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    json = text
  }
  return { status: res.status, body: json, headers: res.headers }
}

describe('fake Grafana authentication', () => {
  it('answers 401 Unauthorized without credentials, with the errutil body and extra: null', async () => {
    const g = await fake()
    const res = await call(g, 'GET', '/api/teams/search', { auth: null })
    expect(res.status).toBe(401)
    expect(res.body).toEqual({
      extra: null,
      message: 'Unauthorized',
      messageId: 'auth.unauthorized',
      statusCode: 401,
      traceID: '',
    })
  })

  it('rejects a wrong password with "Invalid username or password"', async () => {
    const g = await fake()
    const res = await call(g, 'GET', '/api/user', { auth: basic('admin', 'nope') })
    expect(res.status).toBe(401)
    expect(res.body).toEqual({
      extra: null,
      message: 'Invalid username or password',
      messageId: 'basic-auth.invalid-credentials',
      statusCode: 401,
      traceID: '',
    })
  })

  it('accepts login or email in any case for basic auth', async () => {
    const g = await fake()
    g.addUser({
      login: 'Ana',
      email: 'Ana@Acme.Example',
      password: 'pw-ana',
      orgs: { 1: 'Viewer' },
    })
    for (const login of ['ana', 'ANA', 'ana@acme.example', 'ANA@ACME.EXAMPLE']) {
      const res = await call(g, 'GET', '/api/user', { auth: basic(login, 'pw-ana') })
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ login: 'ana', email: 'ana@acme.example' })
    }
  })

  it('answers "Invalid API key" to an unknown service-account token', async () => {
    const g = await fake()
    const res = await call(g, 'GET', '/api/teams/search', { auth: 'Bearer glsa_unknown_0000' })
    expect(res.status).toBe(401)
    expect(res.body).toMatchObject({ message: 'Invalid API key', messageId: 'api-key.invalid' })
  })

  it('accepts a token through basic auth as api_key:<token>', async () => {
    const g = await fake()
    const token = g.addServiceAccountToken(1, 'Admin')
    const res = await call(g, 'GET', '/api/teams/search', { auth: basic('api_key', token) })
    expect(res.status).toBe(200)
  })

  it('answers a disabled user with 401 identity.disabled', async () => {
    const g = await fake()
    g.addUser({ login: 'gone', password: 'pw-gone', disabled: true, orgs: { 1: 'Viewer' } })
    const res = await call(g, 'GET', '/api/user', { auth: basic('gone', 'pw-gone') })
    expect(res.status).toBe(401)
    expect(res.body).toMatchObject({ message: 'Unauthorized', messageId: 'identity.disabled' })
    expect(g.checkPassword('gone', 'pw-gone')).toBe(false)
  })

  it('answers a malformed basic header with 400 Invalid Basic Auth Header', async () => {
    const g = await fake()
    const res = await call(g, 'GET', '/api/user', {
      auth: `Basic ${Buffer.from('no-colon').toString('base64')}`,
    })
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ message: 'Invalid Basic Auth Header', statusCode: 400 })
  })

  it('locks a login after 5 failed attempts, even with the right password', async () => {
    const g = await fake()
    for (let i = 0; i < 5; i++) await call(g, 'GET', '/api/user', { auth: basic('admin', 'x') })
    expect((await call(g, 'GET', '/api/user')).status).toBe(401)
    expect(g.checkPassword('admin', 'admin')).toBe(false)
  })
})

describe('fake Grafana org resolution', () => {
  it('refuses a token asked to act in another org with 401 organization-mismatch', async () => {
    const g = await fake()
    const other = g.addOrg('Other')
    const token = g.addServiceAccountToken(other)
    const viaHeader = await call(g, 'GET', '/api/teams/search', {
      auth: `Bearer ${token}`,
      headers: { 'x-grafana-org-id': '1' },
    })
    expect(viaHeader.status).toBe(401)
    expect(viaHeader.body).toMatchObject({
      message: 'API key does not belong to the requested organization',
      messageId: 'api-key.organization-mismatch',
    })
    const viaQuery = await call(g, 'GET', '/api/teams/search?targetOrgId=1', {
      auth: `Bearer ${token}`,
    })
    expect(viaQuery.status).toBe(401)
    const ownOrg = await call(g, 'GET', `/api/org`, {
      auth: `Bearer ${token}`,
      headers: { 'x-grafana-org-id': String(other) },
    })
    expect(ownOrg.body).toEqual(expect.objectContaining({ id: other, name: 'Other' }))
  })

  it('prefers targetOrgId over X-Grafana-Org-Id over the active org', async () => {
    const g = await fake()
    const two = g.addOrg('Two')
    const three = g.addOrg('Three')
    g.addUser({
      login: 'ops',
      password: 'pw-ops',
      orgs: { 1: 'Admin', [two]: 'Admin', [three]: 'Admin' },
    })
    g.addTeam(1, 'in-one')
    g.addTeam(two, 'in-two')
    g.addTeam(three, 'in-three')
    const auth = basic('ops', 'pw-ops')
    const names = async (path: string, headers?: Record<string, string>) =>
      (await call(g, 'GET', path, { auth, headers })).body.teams.map((t: any) => t.name)
    expect(await names('/api/teams/search')).toEqual(['in-one'])
    expect(await names('/api/teams/search', { 'x-grafana-org-id': String(two) })).toEqual([
      'in-two',
    ])
    expect(
      await names(`/api/teams/search?targetOrgId=${three}`, { 'x-grafana-org-id': String(two) }),
    ).toEqual(['in-three'])
  })

  it('forbids org-scoped calls in an org the basic-auth user is not a member of, server admin included', async () => {
    const g = await fake()
    const other = g.addOrg('Other')
    const res = await call(g, 'GET', '/api/teams/search', {
      headers: { 'x-grafana-org-id': String(other) },
    })
    expect(res.status).toBe(403)
    expect(res.body.title).toBe('Access denied')
    // …but the path-scoped org routes work for a server admin.
    expect((await call(g, 'GET', `/api/orgs/${other}/users`)).status).toBe(200)
  })
})

describe('fake Grafana RBAC', () => {
  const adminRoutes: [string, string, string, unknown?][] = [
    ['POST', '/api/admin/users', 'users:create', { login: 'x', password: 'secret' }],
    ['GET', '/api/users/lookup?loginOrEmail=admin', 'users:read'],
    ['GET', '/api/users/search', 'users:read'],
    ['GET', '/api/orgs', 'orgs:read'],
    ['POST', '/api/orgs', 'orgs:create', { name: 'New' }],
    ['GET', '/api/orgs/name/Main%20Org.', 'orgs:read'],
    ['PUT', '/api/admin/users/1/permissions', 'users.permissions:write', { isGrafanaAdmin: true }],
  ]

  it('refuses server-admin routes to an Admin service-account token, naming the action', async () => {
    const g = await fake()
    const token = g.addServiceAccountToken(1, 'Admin')
    for (const [method, path, action, body] of adminRoutes) {
      const res = await call(g, method, path, { auth: `Bearer ${token}`, body })
      expect({ route: `${method} ${path}`, status: res.status }).toEqual({
        route: `${method} ${path}`,
        status: 403,
      })
      expect(res.body).toEqual({
        title: 'Access denied',
        message: `You'll need additional permissions to perform this action. Permissions needed: ${action}`,
        accessErrorId: expect.stringMatching(/^ACE\d{10}$/),
      })
    }
  })

  it('refuses server-admin routes to a user who is only an org Admin', async () => {
    const g = await fake()
    g.addUser({ login: 'orgadmin', password: 'pw-orgadmin', orgs: { 1: 'Admin' } })
    for (const [method, path, , body] of adminRoutes) {
      const res = await call(g, method, path, { auth: basic('orgadmin', 'pw-orgadmin'), body })
      expect({ route: `${method} ${path}`, status: res.status }).toEqual({
        route: `${method} ${path}`,
        status: 403,
      })
    }
    const teams = await call(g, 'POST', '/api/teams', {
      auth: basic('orgadmin', 'pw-orgadmin'),
      body: { name: 'Mine' },
    })
    expect(teams.status).toBe(200)
  })

  it('lets a Viewer token search teams but not create or change them', async () => {
    const g = await fake()
    const team = g.addTeam(1, 'Platform')
    const auth = `Bearer ${g.addServiceAccountToken(1, 'Viewer')}`
    expect((await call(g, 'GET', '/api/teams/search', { auth })).body.totalCount).toBe(1)
    const create = await call(g, 'POST', '/api/teams', { auth, body: { name: 'X' } })
    expect(create.status).toBe(403)
    expect(create.body.message).toContain('Permissions needed: teams:create')
    const add = await call(g, 'POST', `/api/teams/${team}/members`, { auth, body: { userId: 1 } })
    expect(add.status).toBe(403)
    expect(add.body.message).toContain('Permissions needed: teams.permissions:write')
  })

  it('lets a team admin who is an org Viewer manage that team only', async () => {
    const g = await fake()
    const lead = g.addUser({ login: 'lead', password: 'pw-lead', orgs: { 1: 'Viewer' } })
    const mine = g.addTeam(1, 'Mine', { members: [{ userId: lead, permission: 4 }] })
    const other = g.addTeam(1, 'Other')
    const auth = basic('lead', 'pw-lead')
    expect((await call(g, 'GET', `/api/teams/${mine}/members`, { auth })).status).toBe(200)
    expect((await call(g, 'GET', `/api/teams/${other}/members`, { auth })).status).toBe(403)
  })

  it('shows a None-role user only the teams they belong to', async () => {
    const g = await fake()
    const nobody = g.addUser({ login: 'nobody', password: 'pw-nobody', orgs: { 1: 'None' } })
    g.addTeam(1, 'Theirs', { members: [{ userId: nobody }] })
    g.addTeam(1, 'Others')
    const auth = basic('nobody', 'pw-nobody')
    const res = await call(g, 'GET', '/api/teams/search', { auth })
    expect(res.body.teams.map((t: any) => t.name)).toEqual(['Theirs'])
    g.addUser({ login: 'lonely', password: 'pw-lonely', orgs: { 1: 'None' } })
    const lonely = await call(g, 'GET', '/api/teams/search', { auth: basic('lonely', 'pw-lonely') })
    expect(lonely.status).toBe(403)
  })

  it('refuses org-user management to an Editor token', async () => {
    const g = await fake()
    g.addUser({ login: 'bo', orgs: {} })
    const auth = `Bearer ${g.addServiceAccountToken(1, 'Editor')}`
    const res = await call(g, 'POST', '/api/org/users', {
      auth,
      body: { loginOrEmail: 'bo', role: 'Viewer' },
    })
    expect(res.status).toBe(403)
    expect(res.body.message).toContain('Permissions needed: org.users:add')
  })
})

describe('fake Grafana request binding', () => {
  it('requires Content-Type: application/json on a body', async () => {
    const g = await fake()
    for (const contentType of [null, 'text/plain']) {
      const res = await call(g, 'POST', '/api/teams', { body: { name: 'T' }, contentType })
      expect(res.status).toBe(400)
      expect(res.body).toEqual({ message: 'bad request data', traceID: '' })
    }
    const withCharset = await call(g, 'POST', '/api/teams', {
      body: { name: 'T' },
      contentType: 'application/json; charset=utf-8',
    })
    expect(withCharset.status).toBe(200)
  })

  it('matches JSON field names case-insensitively and ignores unknown ones', async () => {
    const g = await fake()
    const res = await call(g, 'POST', '/api/teams', {
      body: { NAME: 'Loud', Email: 'loud@acme.example', colour: 'red' },
    })
    expect(res.status).toBe(200)
    expect(g.snapshot().teams).toContainEqual({
      id: res.body.teamId,
      orgId: 1,
      name: 'Loud',
      email: 'loud@acme.example',
    })
  })

  it('rejects missing required fields, wrong JSON types and broken JSON', async () => {
    const g = await fake()
    const team = g.addTeam(1, 'T', { members: [{ userId: 1 }] })
    const bad = [
      call(g, 'POST', '/api/teams', { body: {} }),
      call(g, 'POST', '/api/teams', { body: { name: '' } }),
      call(g, 'POST', '/api/teams', { body: { name: 5 } }),
      call(g, 'POST', '/api/teams', { body: '{"name":' }),
      call(g, 'PUT', `/api/teams/${team}/members/1`, { body: { permission: 'Admin' } }),
      call(g, 'POST', `/api/teams/${team}/members`, { body: { userId: '1' } }),
    ]
    for (const res of await Promise.all(bad)) {
      expect(res.status).toBe(400)
      expect(res.body.message).toBe('bad request data')
    }
  })

  it('answers an unknown route with 404 Not found', async () => {
    const g = await fake()
    const res = await call(g, 'GET', '/api/nothing/here')
    expect(res).toMatchObject({ status: 404, body: { message: 'Not found' } })
  })
})

describe('fake Grafana teams', () => {
  it('adds a basic-auth creator as team Admin but not a service account', async () => {
    const g = await fake()
    const byUser = await call(g, 'POST', '/api/teams', { body: { name: 'By user' } })
    expect(byUser.body).toEqual({
      teamId: expect.any(Number),
      uid: expect.any(String),
      message: 'Team created',
    })
    const members = await call(g, 'GET', `/api/teams/${byUser.body.teamId}/members`)
    expect(members.body).toEqual([
      expect.objectContaining({
        userId: 1,
        login: 'admin',
        permission: 4,
        labels: [],
        auth_module: '',
      }),
    ])
    const token = g.addServiceAccountToken(1)
    const byToken = await call(g, 'POST', '/api/teams', {
      auth: `Bearer ${token}`,
      body: { name: 'By token' },
    })
    expect((await call(g, 'GET', `/api/teams/${byToken.body.teamId}/members`)).body).toEqual([])
  })

  it('answers a duplicate name with 409 on create and 400 on update', async () => {
    const g = await fake()
    g.addTeam(1, 'A')
    const b = g.addTeam(1, 'B')
    const create = await call(g, 'POST', '/api/teams', { body: { name: 'A' } })
    expect(create).toMatchObject({ status: 409, body: { message: 'Team name taken' } })
    const update = await call(g, 'PUT', `/api/teams/${b}`, { body: { name: 'A' } })
    expect(update).toMatchObject({ status: 400, body: { message: 'Team name taken' } })
  })

  it('clears the email when an update omits it and keeps the name when it is empty', async () => {
    const g = await fake()
    const t = g.addTeam(1, 'Keep', { email: 'keep@acme.example' })
    const res = await call(g, 'PUT', `/api/teams/${t}`, { body: { name: '' } })
    expect(res.body).toEqual({ message: 'Team updated' })
    expect(g.snapshot().teams.find((x) => x.id === t)).toMatchObject({ name: 'Keep', email: '' })
  })

  it('answers unknown teams as each version does', async () => {
    const g12 = await fake()
    expect(await call(g12, 'PUT', '/api/teams/999', { body: { name: 'x' } })).toMatchObject({
      status: 404,
      body: { message: 'Team not found', traceID: '' },
    })
    expect(await call(g12, 'DELETE', '/api/teams/999')).toMatchObject({
      status: 404,
      body: { message: 'Team not found' },
    })
    expect((await call(g12, 'GET', '/api/teams/999/members')).body).toEqual([])
    const g11 = await fake({ version: '11.1' })
    expect(await call(g11, 'PUT', '/api/teams/999', { body: { name: 'x' } })).toMatchObject({
      status: 500,
      body: { message: 'Failed to update Team' },
    })
    expect(await call(g11, 'DELETE', '/api/teams/999')).toMatchObject({
      status: 404,
      body: { message: 'Failed to delete Team. ID not found' },
    })
  })

  it('searches by substring, exact name and pages from 1 with a total count', async () => {
    const g = await fake()
    for (const name of ['alpha', 'beta', 'Gamma', 'delta', 'epsilon']) g.addTeam(1, name)
    const search = async (q: string) => (await call(g, 'GET', `/api/teams/search?${q}`)).body
    expect((await search('query=TA')).teams.map((t: any) => t.name)).toEqual(['beta', 'delta'])
    expect(await search('name=gamma')).toEqual({ totalCount: 0, teams: [], page: 1, perPage: 1000 })
    expect((await search('name=Gamma')).teams).toHaveLength(1)
    const first = await search('perpage=2&page=1')
    expect(first).toMatchObject({ totalCount: 5, page: 1, perPage: 2 })
    expect(first.teams.map((t: any) => t.name)).toEqual(['Gamma', 'alpha'])
    expect((await search('perpage=2&page=0')).teams).toEqual(first.teams)
    expect((await search('perpage=2&page=3')).teams.map((t: any) => t.name)).toEqual(['epsilon'])
    expect(first.teams[0]).toEqual({
      id: expect.any(Number),
      uid: expect.any(String),
      orgId: 1,
      name: 'Gamma',
      email: '',
      externalUID: '',
      isProvisioned: false,
      avatarUrl: expect.stringMatching(/^\/avatar\/[0-9a-f]{32}$/),
      memberCount: 0,
      permission: 0,
      accessControl: null,
    })
  })
})

describe('fake Grafana team members', () => {
  it('lists members ordered by login with labels and 0/4 permissions', async () => {
    const g = await fake()
    const zed = g.addUser({
      login: 'zed',
      email: 'zed@acme.example',
      name: 'Zed',
      orgs: { 1: 'Viewer' },
    })
    const amy = g.addUser({
      login: 'amy',
      email: 'amy@acme.example',
      name: 'Amy',
      orgs: { 1: 'Viewer' },
    })
    const t = g.addTeam(1, 'T', {
      members: [
        { userId: zed, permission: 4 },
        { userId: amy, labels: ['LDAP'] },
      ],
    })
    const res = await call(g, 'GET', `/api/teams/${t}/members`)
    expect(res.body.map((m: any) => [m.login, m.permission, m.labels])).toEqual([
      ['amy', 0, ['LDAP']],
      ['zed', 4, []],
    ])
    expect(Object.keys(res.body[0]).sort()).toEqual(
      [
        'orgId',
        'teamId',
        'teamUID',
        'userId',
        'userUID',
        'auth_module',
        'email',
        'name',
        'login',
        'avatarUrl',
        'labels',
        'permission',
      ].sort(),
    )
  })

  it('lists members, user hits and org users as they are after changes to what was listed', async () => {
    const g = await fake()
    const [bea, kit, dan] = ['bea', 'kit', 'dan'].map((login) =>
      g.addUser({ login, email: `${login}@acme.example`, name: login, orgs: { 1: 'Viewer' } }),
    )
    const t = g.addTeam(1, 'T', { members: [{ userId: bea! }, { userId: kit! }] })
    const members = async () =>
      (await call(g, 'GET', `/api/teams/${t}/members`)).body.map((m: any) => [
        m.login,
        m.name,
        m.permission,
      ])
    const orgUser = async (userId: number) =>
      (await call(g, 'GET', '/api/orgs/1/users')).body.find((u: any) => u.userId === userId)
    const hit = async (login: string) =>
      (await call(g, 'GET', `/api/users/search?query=${login}`)).body.users[0]
    g.serialiseListings()
    expect(await members()).toEqual([
      ['bea', 'bea', 0],
      ['kit', 'kit', 0],
    ])
    expect(await orgUser(bea!)).toMatchObject({ login: 'bea', isDisabled: false })
    expect(await hit('kit')).toMatchObject({ login: 'kit', isDisabled: false })

    const renamed = { login: 'zoe', email: 'zoe@acme.example', name: 'Zoe' }
    await call(g, 'PUT', `/api/users/${bea}`, { body: renamed })
    await call(g, 'PUT', `/api/teams/${t}/members/${kit}`, { body: { permission: 4 } })
    await call(g, 'POST', `/api/teams/${t}/members`, { body: { userId: dan } })
    await call(g, 'POST', `/api/admin/users/${kit}/disable`)
    expect(await members()).toEqual([
      ['dan', 'dan', 0],
      ['kit', 'kit', 4],
      ['zoe', 'Zoe', 0],
    ])
    expect(await orgUser(bea!)).toMatchObject({ ...renamed, role: 'Viewer' })
    expect(await hit('kit')).toMatchObject({ login: 'kit', isDisabled: true })

    await call(g, 'DELETE', `/api/org/users/${dan}`)
    await call(g, 'DELETE', `/api/teams/${t}/members/${kit}`)
    expect(await members()).toEqual([['zoe', 'Zoe', 0]])
  })

  it('answers add, permission change and removal with the exact statuses and messages', async () => {
    const g = await fake()
    const bo = g.addUser({ login: 'bo', orgs: { 1: 'Viewer' } })
    const t = g.addTeam(1, 'T')
    expect(
      await call(g, 'POST', `/api/teams/${t}/members`, { body: { userId: bo, permission: 4 } }),
    ).toMatchObject({ status: 200, body: { message: 'Member added to Team' } })
    expect(g.snapshot().teamMembers).toContainEqual({
      teamId: t,
      userId: bo,
      permission: 0,
      labels: [],
    })
    expect(await call(g, 'POST', `/api/teams/${t}/members`, { body: { userId: bo } })).toEqual(
      expect.objectContaining({
        status: 400,
        body: { message: 'User is already added to this team' },
      }),
    )
    expect(
      await call(g, 'POST', `/api/teams/${t}/members`, { body: { userId: 999 } }),
    ).toMatchObject({
      status: 500,
      body: { message: 'Failed to add Member to Team' },
    })
    expect(
      await call(g, 'PUT', `/api/teams/${t}/members/${bo}`, { body: { permission: 4 } }),
    ).toMatchObject({ status: 200, body: { message: 'Team member updated' } })
    expect(
      await call(g, 'PUT', `/api/teams/${t}/members/1`, { body: { permission: 4 } }),
    ).toMatchObject({
      status: 404,
      body: { message: 'Team member not found.' },
    })
    expect(await call(g, 'DELETE', `/api/teams/${t}/members/${bo}`)).toMatchObject({
      status: 200,
      body: { message: 'Team Member removed' },
    })
    expect(await call(g, 'DELETE', `/api/teams/${t}/members/${bo}`)).toMatchObject({
      status: 404,
      body: { message: 'Team member not found' },
    })
    expect(await call(g, 'POST', '/api/teams/999/members', { body: { userId: bo } })).toMatchObject(
      {
        status: 404,
        body: { message: 'Team not found' },
      },
    )
  })
})

describe('fake Grafana team preferences', () => {
  it('returns only the keys that are set and replaces them all on PUT', async () => {
    const g = await fake()
    const t = g.addTeam(1, 'T')
    expect((await call(g, 'GET', `/api/teams/${t}/preferences`)).body).toEqual({})
    await call(g, 'PUT', `/api/teams/${t}/preferences`, {
      body: { theme: 'dark', timezone: 'utc', weekStart: 'monday', homeDashboardUID: 'abc' },
    })
    expect((await call(g, 'GET', `/api/teams/${t}/preferences`)).body).toEqual({
      theme: 'dark',
      timezone: 'utc',
      weekStart: 'monday',
      homeDashboardUID: 'abc',
    })
    const res = await call(g, 'PUT', `/api/teams/${t}/preferences`, {
      body: { timezone: 'browser' },
    })
    expect(res.body).toEqual({ message: 'Preferences updated' })
    expect((await call(g, 'GET', `/api/teams/${t}/preferences`)).body).toEqual({
      timezone: 'browser',
    })
  })

  it('rejects an unknown theme and, when asked to, an unknown home dashboard', async () => {
    const g = await fake({ validateDashboards: true })
    const t = g.addTeam(1, 'T')
    expect(
      await call(g, 'PUT', `/api/teams/${t}/preferences`, { body: { theme: 'pink' } }),
    ).toMatchObject({
      status: 400,
      body: { message: 'Invalid theme' },
    })
    expect(
      await call(g, 'PUT', `/api/teams/${t}/preferences`, { body: { homeDashboardUID: 'nope' } }),
    ).toMatchObject({ status: 404, body: { message: 'Dashboard not found' } })
    g.addDashboard(1, 'home')
    expect(
      (await call(g, 'PUT', `/api/teams/${t}/preferences`, { body: { homeDashboardUID: 'home' } }))
        .status,
    ).toBe(200)
  })
})

describe('fake Grafana users', () => {
  it('creates users lower-cased, in org 1 as Viewer, and refuses duplicates with 412', async () => {
    const g = await fake()
    const res = await call(g, 'POST', '/api/admin/users', {
      body: { login: 'Carol', email: 'Carol@Acme.Example', name: 'Carol C', password: 'pw-carol' },
    })
    expect(res.body).toEqual({
      id: expect.any(Number),
      uid: expect.any(String),
      message: 'User created',
    })
    const snap = g.snapshot()
    expect(snap.users.find((u) => u.id === res.body.id)).toMatchObject({
      login: 'carol',
      email: 'carol@acme.example',
      name: 'Carol C',
    })
    expect(snap.orgUsers).toContainEqual({ orgId: 1, userId: res.body.id, role: 'Viewer' })
    expect(g.checkPassword('CAROL@acme.example', 'pw-carol')).toBe(true)
    const dup = await call(g, 'POST', '/api/admin/users', {
      body: { login: 'other', email: 'CAROL@acme.example', password: 'pw-other' },
    })
    expect(dup).toMatchObject({
      status: 412,
      body: {
        message: "User with email 'CAROL@acme.example' or username 'other' already exists",
        traceID: '',
      },
    })
  })

  it('validates the password and the login/email of a new user', async () => {
    const g = await fake()
    expect(
      await call(g, 'POST', '/api/admin/users', { body: { login: 'x', password: 'abc' } }),
    ).toMatchObject({
      status: 400,
      body: {
        statusCode: 400,
        messageId: 'password.password-policy-too-short',
        message: 'New password is too short',
      },
    })
    expect(await call(g, 'POST', '/api/admin/users', { body: { login: 'x' } })).toMatchObject({
      status: 400,
      body: { message: 'bad request data' },
    })
    expect(
      await call(g, 'POST', '/api/admin/users', { body: { password: 'longenough' } }),
    ).toMatchObject({
      status: 400,
      body: { messageId: 'user.empty-username-and-email' },
    })
  })

  it('creates a personal org when auto_assign_org is off', async () => {
    const g = await fake({ autoAssignOrg: false })
    const res = await call(g, 'POST', '/api/admin/users', {
      body: { login: 'dan', email: 'dan@acme.example', password: 'pw-dan' },
    })
    const snap = g.snapshot()
    const org = snap.orgs.find((o) => o.name === 'dan@acme.example')!
    expect(snap.orgUsers).toContainEqual({ orgId: org.id, userId: res.body.id, role: 'Admin' })
  })

  it('looks users up case-insensitively and answers 404 "user not found"', async () => {
    const g = await fake()
    const ana = g.addUser({ login: 'ana', email: 'ana@acme.example', orgs: { 1: 'Viewer' } })
    const found = await call(g, 'GET', '/api/users/lookup?loginOrEmail=ANA%40Acme.example')
    expect(found.body).toMatchObject({ id: ana, login: 'ana', authLabels: null })
    expect(await call(g, 'GET', '/api/users/lookup?loginOrEmail=nobody')).toMatchObject({
      status: 404,
      body: { message: 'user not found' },
    })
  })

  it('pages user search from 1 with totalCount, ordered by login', async () => {
    const g = await fake()
    for (const login of ['d', 'b', 'c', 'e']) g.addUser({ login })
    const page = async (q: string) => (await call(g, 'GET', `/api/users/search?${q}`)).body
    const first = await page('perpage=2&page=1')
    expect(first.totalCount).toBe(5)
    expect(first.users.map((u: any) => u.login)).toEqual(['admin', 'b'])
    expect((await page('perpage=2&page=3')).users.map((u: any) => u.login)).toEqual(['e'])
    expect((await page('perpage=2&page=0')).users).toEqual(first.users)
  })

  it('updates users, refusing login conflicts with 409', async () => {
    const g = await fake()
    const ana = g.addUser({ login: 'ana', email: 'ana@acme.example' })
    g.addUser({ login: 'bo', email: 'bo@acme.example' })
    const ok = await call(g, 'PUT', `/api/users/${ana}`, {
      body: { login: 'Ana2', email: 'ANA2@acme.example', name: 'Ana Two' },
    })
    expect(ok.body).toEqual({ message: 'User updated' })
    expect(g.snapshot().users.find((u) => u.id === ana)).toMatchObject({
      login: 'ana2',
      email: 'ana2@acme.example',
      name: 'Ana Two',
    })
    expect(await call(g, 'PUT', `/api/users/${ana}`, { body: { login: 'BO' } })).toMatchObject({
      status: 409,
      body: { message: 'Update would result in user login conflict' },
    })
  })

  it('keeps the last server admin, disables and re-enables users', async () => {
    const g = await fake()
    expect(
      await call(g, 'PUT', '/api/admin/users/1/permissions', { body: { isGrafanaAdmin: false } }),
    ).toMatchObject({ status: 400, body: { message: 'cannot remove last grafana admin' } })
    const u = g.addUser({ login: 'eve', password: 'pw-eve', orgs: { 1: 'Viewer' } })
    expect((await call(g, 'POST', `/api/admin/users/${u}/disable`)).body).toEqual({
      message: 'User disabled',
    })
    expect((await call(g, 'GET', '/api/user', { auth: basic('eve', 'pw-eve') })).status).toBe(401)
    expect((await call(g, 'POST', `/api/admin/users/${u}/enable`)).body).toEqual({
      message: 'User enabled',
    })
    expect(g.checkPassword('eve', 'pw-eve')).toBe(true)
  })

  it('describes the caller: a user with its org, a service account minimally', async () => {
    const g = await fake()
    const me = await call(g, 'GET', '/api/user')
    expect(me.body).toMatchObject({ id: 1, login: 'admin', isGrafanaAdmin: true, orgId: 1 })
    const other = g.addOrg('Other')
    const sa = await call(g, 'GET', '/api/user', {
      auth: `Bearer ${g.addServiceAccountToken(other)}`,
    })
    expect(sa.body).toMatchObject({ isGrafanaAdmin: false, orgId: other, email: '' })
    expect((await call(g, 'GET', '/api/org')).body).toEqual(
      expect.objectContaining({ id: 1, name: 'Main Org.' }),
    )
  })
})

describe('fake Grafana signed-in user orgs', () => {
  it('lists a user’s orgs by name and answers service accounts 304', async () => {
    const g = await fake()
    const zeta = g.addOrg('Zeta')
    const alpha = g.addOrg('Alpha')
    g.addUser({ login: 'mo', password: 'pw-mo', orgs: { [zeta]: 'Editor', [alpha]: 'Viewer' } })
    const res = await call(g, 'GET', '/api/user/orgs', { auth: basic('mo', 'pw-mo') })
    expect(res.body).toEqual([
      { orgId: alpha, name: 'Alpha', role: 'Viewer' },
      { orgId: zeta, name: 'Zeta', role: 'Editor' },
    ])
    const sa = await call(g, 'GET', '/api/user/orgs', {
      auth: `Bearer ${g.addServiceAccountToken(1)}`,
    })
    expect(sa.status).toBe(304)
  })
})

describe('fake Grafana orgs', () => {
  it('pages GET /api/orgs from 0 and filters by prefix query and exact name', async () => {
    const g = await fake()
    for (const name of ['Acme', 'Acme Labs', 'Beta', 'acme-lower']) g.addOrg(name)
    const names = async (q: string) =>
      (await call(g, 'GET', `/api/orgs?${q}`)).body.map((o: any) => o.name)
    expect(await names('perpage=2&page=0')).toEqual(['Main Org.', 'Acme'])
    expect(await names('perpage=2&page=1')).toEqual(['Acme Labs', 'Beta'])
    expect(await names('perpage=2&page=2')).toEqual(['acme-lower'])
    expect(await names('perpage=2&page=3')).toEqual([])
    expect(await names('query=acme')).toEqual(['Acme', 'Acme Labs', 'acme-lower'])
    expect(await names('query=Labs')).toEqual([])
    expect(await names('name=Acme')).toEqual(['Acme'])
    expect((await call(g, 'GET', '/api/orgs')).body[0]).toEqual({ id: 1, name: 'Main Org.' })
  })

  it('creates an org with the caller as Admin and refuses a taken name with 409', async () => {
    const g = await fake()
    const res = await call(g, 'POST', '/api/orgs', { body: { name: 'Team Org' } })
    expect(res.body).toEqual({ orgId: expect.any(Number), message: 'Organization created' })
    expect(g.snapshot().orgUsers).toContainEqual({
      orgId: res.body.orgId,
      userId: 1,
      role: 'Admin',
    })
    expect(await call(g, 'POST', '/api/orgs', { body: { name: 'Team Org' } })).toMatchObject({
      status: 409,
      body: { message: 'Organization name taken' },
    })
    const byName = await call(g, 'GET', '/api/orgs/name/Team%20Org')
    expect(byName.body).toMatchObject({
      id: res.body.orgId,
      name: 'Team Org',
      address: { city: '' },
    })
    expect(await call(g, 'GET', '/api/orgs/name/Nope')).toMatchObject({
      status: 404,
      body: { message: 'Organization not found' },
    })
  })

  it('renames with 400 on a taken name and 500 for an unknown org', async () => {
    const g = await fake()
    const a = g.addOrg('A')
    g.addOrg('B')
    expect(await call(g, 'PUT', `/api/orgs/${a}`, { body: { name: 'B' } })).toMatchObject({
      status: 400,
      body: { message: 'Organization name taken' },
    })
    expect((await call(g, 'PUT', `/api/orgs/${a}`, { body: { name: 'A2' } })).body).toEqual({
      message: 'Organization updated',
    })
    expect(await call(g, 'PUT', '/api/orgs/999', { body: { name: 'Z' } })).toMatchObject({
      status: 500,
      body: { message: 'Failed to update organization' },
    })
  })
})

describe('fake Grafana org users', () => {
  it('adds users by login or email with 404 and 409 answers', async () => {
    const g = await fake()
    const org = g.addOrg('O')
    const bo = g.addUser({ login: 'bo', email: 'bo@acme.example' })
    const add = (loginOrEmail: string, role = 'Editor') =>
      call(g, 'POST', `/api/orgs/${org}/users`, { body: { loginOrEmail, role } })
    expect((await add('BO@acme.example')).body).toEqual({
      message: 'User added to organization',
      userId: bo,
    })
    expect(await add('bo')).toEqual(
      expect.objectContaining({
        status: 409,
        body: { message: 'User is already member of this organization', userId: bo },
      }),
    )
    expect(await add('nobody')).toMatchObject({ status: 404, body: { message: 'User not found' } })
    expect((await add('bo', 'Boss')).status).toBe(400)
    expect((await call(g, 'GET', `/api/orgs/${org}/users`)).body).toEqual([
      expect.objectContaining({
        orgId: org,
        userId: bo,
        login: 'bo',
        role: 'Editor',
        authLabels: null,
      }),
    ])
  })

  it('keeps an org admin on PATCH and DELETE and answers 500 for a non-member', async () => {
    const g = await fake()
    const bo = g.addUser({ login: 'bo', orgs: { 1: 'Viewer' } })
    const only = await call(g, 'PATCH', '/api/org/users/1', { body: { role: 'Viewer' } })
    expect(only).toMatchObject({
      status: 400,
      body: { message: 'Cannot change role so that there is no organization admin left' },
    })
    expect(await call(g, 'DELETE', '/api/orgs/1/users/1')).toMatchObject({
      status: 400,
      body: { message: 'Cannot remove last organization admin' },
    })
    const other = g.addOrg('Other')
    expect(
      await call(g, 'PATCH', `/api/orgs/${other}/users/${bo}`, { body: { role: 'Editor' } }),
    ).toMatchObject({ status: 500, body: { message: 'Failed update org user' } })
    expect(
      (await call(g, 'PATCH', `/api/org/users/${bo}`, { body: { role: 'editor' } })).body,
    ).toEqual({
      message: 'Organization user updated',
    })
    expect(g.snapshot().orgUsers).toContainEqual({ orgId: 1, userId: bo, role: 'Editor' })
  })

  it('drops team memberships in that org on removal and deletes orphans via /api/org/users', async () => {
    const g = await fake()
    const other = g.addOrg('Other')
    const bo = g.addUser({ login: 'bo', orgs: { 1: 'Viewer', [other]: 'Viewer' } })
    const cy = g.addUser({ login: 'cy', orgs: { 1: 'Viewer' } })
    const here = g.addTeam(1, 'Here', { members: [{ userId: bo }, { userId: cy }] })
    const there = g.addTeam(other, 'There', { members: [{ userId: bo }] })
    expect((await call(g, 'DELETE', `/api/orgs/1/users/${bo}`)).body).toEqual({
      message: 'User removed from organization',
    })
    let snap = g.snapshot()
    expect(snap.teamMembers.filter((m) => m.userId === bo).map((m) => m.teamId)).toEqual([there])
    expect(snap.users.some((u) => u.id === bo)).toBe(true)
    expect((await call(g, 'DELETE', `/api/org/users/${cy}`)).body).toEqual({
      message: 'User deleted',
    })
    snap = g.snapshot()
    expect(snap.users.some((u) => u.id === cy)).toBe(false)
    expect(snap.teamMembers.some((m) => m.teamId === here)).toBe(false)
  })

  it('lists org users by login, with a limit', async () => {
    const g = await fake()
    for (const login of ['zoe', 'yan', 'xia']) g.addUser({ login, orgs: { 1: 'Viewer' } })
    const bare = await call(g, 'GET', '/api/org/users')
    expect(bare.body.map((u: any) => u.login)).toEqual(['admin', 'xia', 'yan', 'zoe'])
    expect((await call(g, 'GET', '/api/org/users?limit=2')).body).toHaveLength(2)
  })
})

describe('fake Grafana knobs', () => {
  it('records requests with query, headers and parsed body, and lists writes', async () => {
    const g = await fake()
    await call(g, 'GET', '/api/teams/search?query=a+b&perpage=5')
    await call(g, 'POST', '/api/teams', { body: { name: 'T' } })
    expect(g.requests[0]).toMatchObject({
      method: 'GET',
      path: '/api/teams/search',
      query: { query: 'a b', perpage: '5' },
      headers: { authorization: ADMIN },
      status: 200,
    })
    expect(g.writes()).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/api/teams',
        body: { name: 'T' },
        status: 200,
      }),
    ])
    g.clearRequests()
    expect(g.requests).toEqual([])
  })

  it('applies a fault to every Nth matching request', async () => {
    const g = await fake()
    g.faults.inject({ path: '/api/teams/search', status: 500, every: 3 })
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) statuses.push((await call(g, 'GET', '/api/teams/search')).status)
    expect((await call(g, 'GET', '/api/user')).status).toBe(200)
    expect(statuses).toEqual([200, 200, 500, 200, 200, 500, 200])
  })

  it('applies a fault to the next N matching requests only, and records them', async () => {
    const g = await fake()
    g.faults.inject({ method: 'POST', path: /^\/api\/teams$/, status: 503, times: 2 })
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) {
      statuses.push((await call(g, 'POST', '/api/teams', { body: { name: `T${i}` } })).status)
    }
    expect(statuses).toEqual([503, 503, 200])
    expect(g.requests.map((r) => r.status)).toEqual([503, 503, 200])
    expect(g.snapshot().teams.map((t) => t.name)).toEqual(['T2'])
  })

  it('answers a 429 fault with Retry-After', async () => {
    const g = await fake()
    g.faults.inject({ rateLimitResetSeconds: 7, times: 1 })
    const res = await call(g, 'GET', '/api/user')
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('7')
  })

  it('drops the connection for a drop fault and records status 0', async () => {
    const g = await fake()
    g.faults.inject({ drop: true, times: 1 })
    await expect(call(g, 'GET', '/api/user')).rejects.toThrow()
    expect(g.requests[0]).toMatchObject({ path: '/api/user', status: 0 })
    expect((await call(g, 'GET', '/api/user')).status).toBe(200)
    g.faults.inject({ drop: true })
    g.faults.clear()
    expect((await call(g, 'GET', '/api/user')).status).toBe(200)
  })

  it('adds latencyMs to every answer', async () => {
    const g = await fake({ latencyMs: 2_000 })
    await expect(
      fetch(`${g.url}/api/user`, {
        headers: { authorization: ADMIN },
        signal: AbortSignal.timeout(50),
      }),
    ).rejects.toThrow()
  })

  it('delays an answer past a client timeout', async () => {
    const g = await fake()
    g.faults.inject({ delayMs: 2_000, times: 1 })
    await expect(
      fetch(`${g.url}/api/user`, {
        headers: { authorization: ADMIN },
        signal: AbortSignal.timeout(50),
      }),
    ).rejects.toThrow()
  })

  it('holds 20,000 users and 1,000 teams and lists them all through paging', async () => {
    const g = await fake()
    for (let i = 0; i < 20_000; i++)
      g.addUser({ login: `u${String(i).padStart(5, '0')}`, orgs: { 1: 'Viewer' } })
    for (let t = 0; t < 1000; t++) {
      g.addTeam(1, `team-${t}`, {
        members: [{ userId: 2 + t * 20 }, { userId: 3 + t * 20, permission: 4 }],
      })
    }
    const pages = await Promise.all(
      Array.from({ length: 21 }, (_, i) =>
        call(g, 'GET', `/api/users/search?perpage=1000&page=${i + 1}`),
      ),
    )
    expect(pages.flatMap((p) => p.body.users).length).toBe(20_001)
    expect(pages[0]!.body.totalCount).toBe(20_001)
    const orgUsers = await call(g, 'GET', '/api/orgs/1/users')
    expect(orgUsers.body).toHaveLength(20_001)
    const teams = await call(g, 'GET', '/api/teams/search?perpage=1000')
    expect(teams.body.totalCount).toBe(1000)
    expect(teams.body.teams.every((t: any) => t.memberCount === 2)).toBe(true)
  })
})

describe('fake Grafana variants', () => {
  it('serves the API under a sub-path only', async () => {
    const g = await fake({ basePath: '/grafana/' })
    expect(g.url).toMatch(/\/grafana$/)
    expect((await call(g, 'GET', '/api/user')).body.login).toBe('admin')
    const root = await fetch(`${g.url.replace(/\/grafana$/, '')}/api/user`, {
      headers: { authorization: ADMIN },
    })
    expect(root.status).toBe(404)
    expect(await root.json()).toEqual({ message: 'Not found' })
  })

  it('caps perpage of every paged listing at maxPerPage and reports the size used', async () => {
    const g = await fake({ maxPerPage: 2 })
    for (let i = 0; i < 4; i++) {
      g.addUser({ login: `u${i}`, orgs: { 1: 'Viewer' } })
      g.addTeam(1, `T${i}`)
      g.addOrg(`O${i}`)
    }
    const teams = await call(g, 'GET', '/api/teams/search?perpage=1000&page=2')
    expect(teams.body).toMatchObject({ totalCount: 4, page: 2, perPage: 2 })
    expect(teams.body.teams.map((t: any) => t.name)).toEqual(['T2', 'T3'])
    const users = await call(g, 'GET', '/api/users/search?perpage=1000')
    expect(users.body).toMatchObject({ totalCount: 5, perPage: 2 })
    expect(users.body.users).toHaveLength(2)
    const orgs = await call(g, 'GET', '/api/orgs?perpage=1000&page=1')
    expect(orgs.body.map((o: any) => o.name)).toEqual(['O1', 'O2'])
  })

  it('leaves totalCount out of the search envelopes when asked', async () => {
    const g = await fake({ omitTotalCount: true })
    const res = await call(g, 'GET', '/api/teams/search')
    expect(res.body).toEqual({ teams: [], page: 1, perPage: 1000 })
  })

  it('answers an email change with "Email sent for verification" and changes nothing when verification is on', async () => {
    const g = await fake({ verifyEmail: true })
    const id = g.addUser({ login: 'ana', email: 'ana@acme.example', name: 'Ana' })
    const changed = await call(g, 'PUT', `/api/users/${id}`, {
      body: { login: 'ana', email: 'ana@new.example', name: 'Ana B' },
    })
    expect(changed).toMatchObject({ status: 200, body: { message: 'Email sent for verification' } })
    expect(g.snapshot().users.find((u) => u.id === id)).toMatchObject({
      email: 'ana@acme.example',
      name: 'Ana',
    })
    const same = await call(g, 'PUT', `/api/users/${id}`, {
      body: { login: 'ana', email: 'ana@acme.example', name: 'Ana B' },
    })
    expect(same.body).toEqual({ message: 'User updated' })
  })

  it('enforces the strict password policy on create when enabled', async () => {
    const g = await fake({ passwordPolicy: true })
    const create = (password: string) =>
      call(g, 'POST', '/api/admin/users', { body: { login: `u${password.length}`, password } })
    expect((await create('Short1!')).body).toEqual({
      statusCode: 400,
      messageId: 'password.password-policy-too-short',
      message: 'New password is too short',
      traceID: '',
    })
    expect((await create('alllowercase-long')).body).toEqual({
      statusCode: 400,
      messageId: 'password.password-policy-infringe',
      message: "New password doesn't comply with the password policy",
      traceID: '',
    })
    expect((await create('Str0ng-enough!')).body.message).toBe('User created')
  })

  it('sends JSON with the configured Content-Type', async () => {
    const g = await fake({ jsonContentType: 'application/json; charset=utf-8' })
    const res = await call(g, 'GET', '/api/user')
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
  })
})
