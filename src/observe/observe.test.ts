import { createServer } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createGrafanaClient } from '../grafana/index.ts'
import { isCredentialRejected, type HttpError } from '../http/index.ts'
import type { DesiredConfig, DesiredTeam, SourceRef } from '../model.ts'
import { createOktaClient } from '../okta/index.ts'
import { collectOktaRefs, matchOrgs, observe } from './index.ts'
import { startProgress } from './progress.ts'
import { listenOnLoopback } from '../../test/fakes/http.ts'

// Small route-table servers: enough Grafana and Okta to check what observe asks for and how it
// assembles the answers. The full-size request counts run against test/fakes (test/observe.test.ts).

const at: SourceRef = { file: 'teams/a.yaml', line: 3, col: 5 }
const none = () => ({ users: [], oktaGroups: [] })
const groups = (...refs: string[]) => ({
  users: [],
  oktaGroups: refs.map((value) => ({ value, source: at })),
})

function team(name: string, org: string, extra: Partial<DesiredTeam> = {}): DesiredTeam {
  return { name, org, members: none(), admins: none(), source: at, ...extra }
}

function config(parts: Partial<DesiredConfig>): DesiredConfig {
  return {
    settings: {
      defaultOrg: 'Main Org.',
      identity: 'email',
      missingUsers: 'skip',
      prune: { teamMembers: true, teams: false, orgUsers: false },
      safety: {
        maxRemovals: { kind: 'count', value: 10 },
        maxRemovalsPerTeam: { kind: 'count', value: 10 },
        protectedUsers: [],
      },
      okta: { memberStatuses: ['ACTIVE'] },
    },
    orgs: [],
    users: [],
    teams: [],
    files: [],
    ...parts,
  }
}

type Handler = (path: string, query: URLSearchParams) => [number, unknown] | undefined
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()))
})

async function serve(handler: Handler) {
  const seen: string[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    seen.push(`${req.method} ${url.pathname}`)
    const [status, body] = handler(url.pathname, url.searchParams) ?? [
      404,
      { message: 'Not found' },
    ]
    res.writeHead(status, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify(body))
  })
  const { url, close } = await listenOnLoopback(server)
  closers.push(close)
  return { url, seen }
}

const orgsLive = [
  { id: 1, name: 'Main Org.' },
  { id: 2, name: 'Old Name' },
  { id: 3, name: 'Unrelated' },
]
const teamsByOrg: Record<
  string,
  { id: number; name: string; email: string; memberCount: number }[]
> = {
  '1': [
    { id: 10, name: 'Platform', email: 'p@x', memberCount: 1 },
    { id: 11, name: 'Legacy', email: '', memberCount: 0 },
  ],
  '2': [{ id: 20, name: 'Renamed Team', email: '', memberCount: 0 }],
  '3': [{ id: 30, name: 'Other', email: '', memberCount: 0 }],
}

function grafanaRoutes(orgHeader: () => string | undefined, adminRole = 'Admin'): Handler {
  return (path, query) => {
    if (path === '/api/user')
      return [200, { id: 1, login: 'admin', email: 'admin@x', isGrafanaAdmin: true, orgId: 1 }]
    if (path === '/api/orgs') return [200, query.get('page') === '0' ? orgsLive : []]
    if (path === '/api/users/search') {
      return [
        200,
        {
          totalCount: 2,
          users: [
            { id: 1, login: 'admin', email: 'admin@x', name: 'Admin', isAdmin: true },
            { id: 2, login: 'ana', email: 'ana@x', name: 'Ana' },
          ],
        },
      ]
    }
    const orgUsers = /^\/api\/orgs\/(\d+)\/users$/.exec(path)
    // The server admin is an Admin of each org: Grafana shows an org's teams only to its members.
    if (orgUsers)
      return [
        200,
        [
          { userId: 1, login: 'admin', email: 'admin@x', name: 'Admin', role: adminRole },
          { userId: 2, login: 'ana', email: 'ana@x', name: 'Ana', role: 'Editor' },
        ],
      ]
    if (path === '/api/teams/search') {
      const teams = teamsByOrg[orgHeader() ?? ''] ?? []
      return [200, { totalCount: teams.length, teams, page: 1, perPage: 1000 }]
    }
    if (path === '/api/teams/10/members')
      return [200, [{ userId: 2, login: 'ana', email: 'ana@x', permission: 4, labels: [] }]]
    if (/^\/api\/teams\/\d+\/members$/.test(path)) return [200, []]
    if (path === '/api/teams/10/preferences') return [200, { theme: 'dark' }]
    return undefined
  }
}

/** `holdOrgUsersUntil`: org-user listings are answered only once this path has been requested. */
async function grafanaServer(adminRole = 'Admin', holdOrgUsersUntil?: string) {
  let currentOrg: string | undefined
  const seen: string[] = []
  let held: (() => void)[] | undefined = holdOrgUsersUntil === undefined ? undefined : []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    seen.push(
      `${req.method} ${url.pathname}${req.headers['x-grafana-org-id'] ? ` [org ${String(req.headers['x-grafana-org-id'])}]` : ''}`,
    )
    currentOrg = req.headers['x-grafana-org-id'] as string | undefined
    const [status, body] = grafanaRoutes(() => currentOrg, adminRole)(
      url.pathname,
      url.searchParams,
    ) ?? [404, { message: 'Not found' }]
    const answer = () => {
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (held && /^\/api\/orgs\/\d+\/users$/.test(url.pathname)) {
      held.push(answer)
      return
    }
    answer()
    if (held && url.pathname === holdOrgUsersUntil) {
      for (const release of held) release()
      held = undefined
    }
  })
  const { url, close } = await listenOnLoopback(server)
  closers.push(close)
  return { url, seen }
}

describe('observe (small servers)', () => {
  it('uses the teams a server that answers them shows a non-Admin server admin (the plan still makes it an Admin)', async () => {
    const g = await grafanaServer('Viewer')
    const grafana = createGrafanaClient({
      url: g.url,
      username: 'admin',
      password: 'pw',
      retries: 0,
    })
    const cfg = config({ teams: [team('Platform', 'Main Org.')] })
    const observed = await observe(cfg, { grafana })
    const platform = observed.orgs[0]?.teams.find((t) => t.name === 'Platform')
    expect(platform?.members).toMatchObject([{ login: 'ana', permission: 'Admin' }])
    expect(observed.orgs[0]).not.toHaveProperty('teamsUnread')
  })

  it('reads referenced orgs, declared teams’ members and declared preferences only', async () => {
    const g = await grafanaServer()
    const grafana = createGrafanaClient({
      url: g.url,
      username: 'admin',
      password: 'pw',
      retries: 0,
    })
    const cfg = config({
      orgs: [
        {
          name: 'New Name',
          renamedFrom: 'Old Name',
          admins: none(),
          editors: none(),
          viewers: none(),
          source: at,
        },
      ],
      teams: [
        team('Platform', 'Main Org.', { preferences: { theme: 'light' } }),
        team('Renamed Team', 'New Name'),
        team('Not Yet Created', 'Main Org.'),
      ],
    })
    const observed = await observe(cfg, { grafana })
    expect(g.seen.sort()).toEqual(
      [
        'GET /api/user',
        'GET /api/orgs',
        'GET /api/users/search',
        'GET /api/orgs/1/users',
        'GET /api/orgs/2/users',
        'GET /api/teams/search [org 1]',
        'GET /api/teams/search [org 2]',
        'GET /api/teams/10/members [org 1]',
        'GET /api/teams/10/preferences [org 1]',
        'GET /api/teams/20/members [org 2]',
      ].sort(),
    )
    expect(observed.caller).toMatchObject({ auth: 'basic', isServerAdmin: true })
    expect(observed.users.map((u) => u.login)).toEqual(['admin', 'ana'])
    expect(observed.orgs.map((o) => o.name)).toEqual(['Main Org.', 'Old Name'])
    const main = observed.orgs[0]!
    expect(main.users).toEqual([
      { userId: 1, login: 'admin', email: 'admin@x', role: 'Admin' },
      { userId: 2, login: 'ana', email: 'ana@x', role: 'Editor' },
    ])
    expect(main.teams).toEqual([
      {
        id: 10,
        name: 'Platform',
        email: 'p@x',
        memberCount: 1,
        members: [{ userId: 2, login: 'ana', email: 'ana@x', permission: 'Admin', labels: [] }],
        preferences: { theme: 'dark' },
      },
      { id: 11, name: 'Legacy', email: '', memberCount: 0 },
    ])
    expect(observed.oktaGroups).toEqual({})
  })

  it('reads the declared teams’ members without waiting for the org’s user listing', async () => {
    const g = await grafanaServer('Admin', '/api/teams/10/members')
    const grafana = createGrafanaClient({
      url: g.url,
      username: 'admin',
      password: 'pw',
      retries: 0,
    })
    const observed = await observe(config({ teams: [team('Platform', 'Main Org.')] }), {
      grafana,
    })
    expect(observed.orgs[0]?.users.map((u) => u.login)).toEqual(['admin', 'ana'])
    expect(observed.orgs[0]?.teams.find((t) => t.id === 10)?.members).toMatchObject([
      { login: 'ana', permission: 'Admin' },
    ])
  })

  it('reads Okta and keeps one unreadable group from failing the rest', async () => {
    const g = await grafanaServer()
    const members = [{ id: '00u1', status: 'ACTIVE', profile: { login: 'ana@x', email: 'ana@x' } }]
    const searches: (string | null)[] = []
    const okta = await serve((path, query) => {
      if (path === '/api/v1/groups') {
        searches.push(query.get('search'))
        return [200, [{ id: '00gEng0000000000000', type: 'OKTA_GROUP', profile: { name: 'Eng' } }]]
      }
      if (path === '/api/v1/groups/00gEng0000000000000/users') return [200, members]
      return [
        404,
        {
          errorCode: 'E0000007',
          errorSummary: `Not found: Resource not found: ${path} (UserGroup)`,
        },
      ]
    })
    const cfg = config({
      teams: [
        team('Platform', 'Main Org.', {
          members: groups('Eng', 'Gone'),
          admins: groups('id:00gMissing00000000'),
        }),
        team('Legacy', 'Main Org.', { members: groups('Eng') }),
      ],
    })
    const observed = await observe(cfg, {
      grafana: createGrafanaClient({ url: g.url, username: 'admin', password: 'pw', retries: 0 }),
      okta: createOktaClient({ domain: okta.url, token: 'tok', retries: 0 }),
    })
    expect(okta.seen.sort()).toEqual(
      [
        'GET /api/v1/groups',
        'GET /api/v1/groups/00gEng0000000000000/users',
        'GET /api/v1/groups/00gMissing00000000/users',
      ].sort(),
    )
    expect(searches).toEqual(['profile.name eq "Eng" or profile.name eq "Gone"'])
    expect(observed.oktaGroups).toEqual({
      Eng: {
        ref: 'Eng',
        ok: true,
        id: '00gEng0000000000000',
        name: 'Eng',
        members: [{ id: '00u1', login: 'ana@x', email: 'ana@x', status: 'ACTIVE' }],
      },
      Gone: { ref: 'Gone', ok: false, error: 'Okta group "Gone" not found' },
      'id:00gMissing00000000': {
        ref: 'id:00gMissing00000000',
        ok: false,
        error: expect.stringMatching(/^Okta group id:00gMissing00000000 not found/),
      },
    })
  })

  it('rejects with one error when Okta rejects the token, instead of an unread group', async () => {
    const g = await grafanaServer()
    const okta = await serve((path) => {
      if (path === '/api/v1/groups') {
        return [200, [{ id: '00gEng0000000000000', type: 'OKTA_GROUP', profile: { name: 'Eng' } }]]
      }
      return [401, { errorCode: 'E0000011', errorSummary: 'Invalid token provided' }]
    })
    const cfg = config({
      teams: [team('Platform', 'Main Org.', { members: groups('Eng', 'id:00gOther0000000000') })],
    })
    const err = (await observe(cfg, {
      grafana: createGrafanaClient({ url: g.url, username: 'admin', password: 'pw', retries: 0 }),
      okta: createOktaClient({ domain: okta.url, token: 'tok', retries: 0 }),
    }).catch((e: unknown) => e)) as HttpError
    expect(isCredentialRejected(err)).toBe(true)
    expect(err).toMatchObject({ service: 'okta', credential: 'okta-api-token' })
    expect(err.message).toMatch(/^Okta rejected okta-api-token \(CLI: OKTA_API_TOKEN\) with 401/)
  })

  it('names the team and org in a failed members read', async () => {
    const routes = grafanaRoutes(() => '1')
    const g = await serve((path, query) =>
      path === '/api/teams/10/members' ? [400, { message: 'bad team' }] : routes(path, query),
    )
    const grafana = createGrafanaClient({
      url: g.url,
      username: 'admin',
      password: 'pw',
      retries: 0,
    })
    const err = (await observe(config({ teams: [team('Platform', 'Main Org.')] }), {
      grafana,
    }).catch((e: unknown) => e)) as HttpError
    expect(err.message).toBe(
      'grafana GET /api/teams/:id/members (team Platform in org Main Org.) failed: 400 bad team',
    )
  })

  it('repeats no progress line while the counts stand still', async () => {
    const lines: string[] = []
    const progress = startProgress((line) => lines.push(line), 5)
    await new Promise((resolve) => setTimeout(resolve, 40))
    progress.teams.total = 2
    await new Promise((resolve) => setTimeout(resolve, 40))
    progress.stop()
    expect(lines).toEqual(['read 0/0 teams, 0/0 Okta groups', 'read 0/2 teams, 0/0 Okta groups'])
  })

  it('reports progress and a final summary', async () => {
    const g = await grafanaServer()
    const messages: string[] = []
    await observe(
      config({ teams: [team('Platform', 'Main Org.')] }),
      {
        grafana: createGrafanaClient({ url: g.url, username: 'admin', password: 'pw', retries: 0 }),
      },
      { onProgress: (m) => messages.push(m) },
    )
    expect(messages[0]).toBe('reading Grafana')
    expect(messages.at(-1)).toBe('read 1/1 teams, 0/0 Okta groups; 1 org(s), 2 user(s)')
  })
})

describe('observe helpers', () => {
  it('collects each Okta reference once from teams and org roles', () => {
    const cfg = config({
      teams: [team('A', 'Main Org.', { members: groups('X', 'Y'), admins: groups('X') })],
      orgs: [
        {
          name: 'Main Org.',
          admins: groups('Z'),
          editors: groups('Y'),
          viewers: none(),
          source: at,
        },
      ],
    })
    expect(collectOktaRefs(cfg)).toEqual(['X', 'Y', 'Z'])
  })

  it('matches an org by name before renamedFrom', () => {
    const cfg = config({
      orgs: [
        {
          name: 'B',
          renamedFrom: 'A',
          admins: none(),
          editors: none(),
          viewers: none(),
          source: at,
        },
      ],
    })
    expect(matchOrgs(cfg, [{ id: 1, name: 'A' }]).get('B')).toEqual([{ id: 1, name: 'A' }])
    expect(
      matchOrgs(cfg, [
        { id: 1, name: 'A' },
        { id: 2, name: 'B' },
      ]).get('B'),
    ).toEqual([{ id: 2, name: 'B' }])
  })
})
