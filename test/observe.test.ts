import { afterEach, describe, expect, it } from 'vitest'
import { createGrafanaClient } from '../src/grafana/index.ts'
import type { DesiredConfig, DesiredOrg, DesiredTeam, Principals, SourceRef } from '../src/model.ts'
import { OKTA_NOT_CONFIGURED, observe, observeOrgsAgain } from '../src/observe/index.ts'
import { createOktaClient } from '../src/okta/index.ts'
import { batchNames } from '../src/okta/client.ts'
import { startFakeGrafana, type FakeGrafana } from './fakes/grafana.ts'
import { startFakeOkta, type FakeOkta } from './fakes/okta.ts'
import { MemoryGrafana, type MemoryCall } from './memory/grafana.ts'
import { MemoryOkta } from './memory/okta.ts'

const at: SourceRef = { file: 'teams/a.yaml', line: 1, col: 1 }
const principals = (users: string[] = [], oktaGroups: string[] = []): Principals => ({
  users: users.map((value) => ({ value, source: at })),
  oktaGroups: oktaGroups.map((value) => ({ value, source: at })),
})

function team(
  name: string,
  opts: Partial<Omit<DesiredTeam, 'members' | 'admins'>> & {
    members?: Principals
    admins?: Principals
  } = {},
): DesiredTeam {
  return {
    name,
    org: 'Main Org.',
    members: principals(),
    admins: principals(),
    source: at,
    ...opts,
  }
}

function org(name: string, opts: Partial<DesiredOrg> = {}): DesiredOrg {
  return {
    name,
    admins: principals(),
    editors: principals(),
    viewers: principals(),
    source: at,
    ...opts,
  }
}

function desired(parts: Partial<Pick<DesiredConfig, 'teams' | 'orgs' | 'users'>>): DesiredConfig {
  return {
    settings: {
      defaultOrg: 'Main Org.',
      identity: 'email',
      missingUsers: 'skip',
      prune: { teamMembers: true, teams: false, orgUsers: false },
      safety: {
        maxRemovals: { kind: 'percent', value: 25 },
        maxRemovalsPerTeam: { kind: 'percent', value: 50 },
        protectedUsers: [],
      },
      okta: { memberStatuses: ['ACTIVE'] },
    },
    orgs: parts.orgs ?? [],
    users: parts.users ?? [],
    teams: parts.teams ?? [],
    files: ['teams/a.yaml'],
  }
}

const fakes: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()))
})

async function grafanaFake(): Promise<FakeGrafana> {
  const g = await startFakeGrafana()
  fakes.push(g)
  return g
}
async function oktaFake(): Promise<FakeOkta> {
  const o = await startFakeOkta()
  fakes.push(o)
  return o
}

const basicClient = (g: FakeGrafana) =>
  createGrafanaClient({
    url: g.url,
    username: 'admin',
    password: 'admin',
    retryBaseMs: 1,
  })
const oktaClient = (o: FakeOkta) =>
  createOktaClient({ domain: o.url, token: o.token, retryBaseMs: 1 })

/** The in-memory Grafana's admin, as the HTTP fake's: admin/admin. */
const memoryAdmin = (g: MemoryGrafana) => g.client({ username: 'admin', password: 'admin' })
const callsOf = (g: MemoryGrafana, method: string): MemoryCall[] =>
  g.calls.filter((c) => c.method === method)

function countByEndpoint(requests: { method: string; path: string }[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const r of requests) {
    const key = `${r.method} ${r.path.replace(/\/\d+(?=\/|$)/g, '/:id')}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

describe('observe', () => {
  it('reads a generated org (300 declared teams, 5,000 users, basic auth) in the minimum number of requests', async () => {
    const g = await grafanaFake()
    // 4,999 generated users + the server admin the fake starts with = 5,000 users
    const userIds: number[] = []
    for (let i = 0; i < 4999; i++) {
      userIds.push(
        g.addUser({
          login: `user${i}`,
          email: `user${i}@acme.example`,
          name: `User ${i}`,
          orgs: { 1: 'Viewer' },
        }),
      )
    }
    const teams: DesiredTeam[] = []
    for (let t = 0; t < 350; t++) {
      const members = Array.from({ length: 5 }, (_, k): { userId: number; permission: 0 | 4 } => ({
        userId: userIds[(t * 7 + k) % 4999] ?? 2,
        permission: k === 0 ? 4 : 0,
      }))
      const id = g.addTeam(1, `team-${t}`, { email: `t${t}@acme.example`, members })
      if (t % 15 === 0)
        g.setTeamPreferences(id, {
          theme: 'dark',
          homeDashboardUID: `home-${t}`,
          language: 'en-US',
        })
      // 300 declared, 50 undeclared (listed for pruning only)
      if (t < 300) {
        teams.push(
          team(`team-${t}`, {
            members: principals([`user${t}@acme.example`]),
            ...(t % 15 === 0 ? { preferences: { theme: 'light' as const } } : {}),
          }),
        )
      }
    }
    g.clearRequests()
    const grafana = basicClient(g)
    const progress: string[] = []
    const observed = await observe(
      desired({ teams }),
      { grafana },
      { onProgress: (m) => progress.push(m) },
    )

    const prefsTeams = teams.filter((t) => t.preferences).length
    expect(prefsTeams).toBe(20)
    expect(countByEndpoint(g.requests)).toEqual({
      'GET /api/user': 1,
      'GET /api/orgs': 1,
      'GET /api/users/search': 5,
      'GET /api/orgs/:id/users': 1,
      'GET /api/teams/search': 1,
      'GET /api/teams/:id/members': 300,
      'GET /api/teams/:id/preferences': prefsTeams,
    })
    expect(g.requests).toHaveLength(1 + 1 + 5 + 1 + 1 + 300 + 20)
    expect(grafana.stats().reduce((n, s) => n + s.requests, 0)).toBe(g.requests.length)
    expect(grafana.stats().every((s) => s.retries === 0)).toBe(true)

    expect(observed.caller).toMatchObject({ auth: 'basic', isServerAdmin: true, orgId: 1 })
    expect(observed.users).toHaveLength(5000)
    expect(observed.orgs).toHaveLength(1)
    const main = observed.orgs[0]!
    expect(main.users).toHaveLength(5000)
    expect(main.teams).toHaveLength(350)
    const declared = main.teams.filter((t) => t.members !== undefined)
    expect(declared).toHaveLength(300)
    expect(main.teams.find((t) => t.name === 'team-320')?.members).toBeUndefined()
    const t0 = main.teams.find((t) => t.name === 'team-0')!
    expect(t0.members).toHaveLength(5)
    expect(t0.members?.filter((m) => m.permission === 'Admin')).toHaveLength(1)
    expect(t0.preferences).toEqual({ theme: 'dark', homeDashboardUid: 'home-0' })
    expect(main.teams.find((t) => t.name === 'team-1')?.preferences).toBeUndefined()
    expect(progress.at(-1)).toContain('read 300/300 teams')
  })

  it('reads each Okta group once however many teams and orgs use it', async () => {
    const g = await grafanaFake()
    const o = await oktaFake()
    const engineering = o.addGroup({ name: 'Engineering' })
    const leads = o.addGroup({ name: 'Leads' })
    for (let i = 0; i < 30; i++) {
      const u = o.addUser({
        login: `p${i}@acme.example`,
        email: `p${i}@acme.example`,
        status: i % 10 === 0 ? 'DEPROVISIONED' : 'ACTIVE',
      })
      o.addMember(engineering, u)
      if (i < 3) o.addMember(leads, u)
    }
    const teams = Array.from({ length: 10 }, (_, i) => {
      g.addTeam(1, `T${i}`)
      return team(`T${i}`, {
        members: principals([], ['Engineering', `id:${leads}`]),
        admins: principals([], ['Leads']),
      })
    })
    const orgs = [org('Main Org.', { viewers: principals([], ['Engineering', 'Missing Group']) })]
    o.clearRequests()
    const observed = await observe(desired({ teams, orgs }), {
      grafana: basicClient(g),
      okta: oktaClient(o),
    })

    const groupSearches = o.requests.filter((r) => r.path === '/api/v1/groups')
    const memberReads = o.requests.filter((r) => r.path.endsWith('/users'))
    expect(groupSearches).toHaveLength(1)
    expect(memberReads.map((r) => r.path).sort()).toEqual(
      [`/api/v1/groups/${engineering}/users`, `/api/v1/groups/${leads}/users`].sort(),
    )
    expect(Object.keys(observed.oktaGroups)).toEqual([
      'Engineering',
      `id:${leads}`,
      'Leads',
      'Missing Group',
    ])
    const eng = observed.oktaGroups.Engineering
    expect(eng).toMatchObject({ ok: true, id: engineering, name: 'Engineering' })
    // statuses are kept; filtering is the planner's job
    expect(eng?.ok && eng.members.filter((m) => m.status === 'DEPROVISIONED')).toHaveLength(3)
    expect(eng?.ok && eng.members).toHaveLength(30)
    expect(observed.oktaGroups[`id:${leads}`]).toMatchObject({ ok: true, id: leads, name: 'Leads' })
    expect(observed.oktaGroups['Missing Group']).toEqual({
      ref: 'Missing Group',
      ok: false,
      error: 'Okta group "Missing Group" not found',
    })
  })

  it('resolves 300 distinct Okta group names in a few batched searches plus one members read each', async () => {
    const g = await grafanaFake()
    const o = await oktaFake()
    const names = Array.from({ length: 300 }, (_, i) => `Grafana Team Group ${i}`)
    for (const name of names) {
      const id = o.addGroup({ name })
      o.addMember(id, o.addUser({ login: `${name.replace(/ /g, '.')}@acme.example` }))
    }
    const teams = names.map((name, i) => {
      g.addTeam(1, `T${i}`)
      return team(`T${i}`, { members: principals([], [name]) })
    })
    o.clearRequests()
    const observed = await observe(desired({ teams }), {
      grafana: basicClient(g),
      okta: oktaClient(o),
    })
    const searches = o.requests.filter((r) => r.path === '/api/v1/groups')
    expect(searches).toHaveLength(batchNames(o.url, names).length)
    expect(searches.length).toBeLessThanOrEqual(10)
    expect(o.requests.filter((r) => r.path.endsWith('/users'))).toHaveLength(300)
    expect(Object.values(observed.oktaGroups).every((r) => r.ok && r.members.length === 1)).toBe(
      true,
    )
  })

  it('reports an unreadable group as a failed read without failing the others', async () => {
    const g = new MemoryGrafana()
    const o = new MemoryOkta()
    const ok = o.addGroup({ name: 'Fine' })
    o.addMember(ok, o.addUser({ login: 'a@acme.example', email: 'a@acme.example' }))
    const teams = [team('A', { members: principals([], ['Fine', 'id:00gDoesNotExist0000']) })]
    const observed = await observe(desired({ teams }), {
      grafana: memoryAdmin(g),
      okta: o.client(),
    })
    expect(observed.oktaGroups.Fine).toMatchObject({ ok: true })
    const missing = observed.oktaGroups['id:00gDoesNotExist0000']
    expect(missing?.ok).toBe(false)
    expect(missing?.ok === false && missing.error).toMatch(
      /^Okta group id:00gDoesNotExist0000 not found/,
    )
  })

  it('marks every group unreadable when Okta is not configured', async () => {
    const g = new MemoryGrafana()
    const teams = [
      team('A', {
        members: principals([], ['Engineering']),
        admins: principals([], ['id:00gabc']),
      }),
    ]
    const observed = await observe(desired({ teams }), { grafana: memoryAdmin(g) })
    expect(observed.oktaGroups).toEqual({
      Engineering: { ref: 'Engineering', ok: false, error: OKTA_NOT_CONFIGURED },
      'id:00gabc': { ref: 'id:00gabc', ok: false, error: OKTA_NOT_CONFIGURED },
    })
  })

  it('with a token reads only its own org, without server-admin routes or org headers', async () => {
    const g = await grafanaFake()
    const other = g.addOrg('Other')
    const ana = g.addUser({
      login: 'ana',
      email: 'ana@acme.example',
      name: 'Ana',
      orgs: { [other]: 'Editor' },
    })
    g.addUser({ login: 'bo', email: 'bo@acme.example', name: 'Bo', orgs: { 1: 'Viewer' } })
    const tokenValue = g.addServiceAccountToken(other, 'Admin')
    g.addTeam(other, 'Platform', { members: [{ userId: ana, permission: 4 }] })
    g.addTeam(other, 'Undeclared')
    g.clearRequests()
    const grafana = createGrafanaClient({ url: g.url, token: tokenValue })
    const config = desired({ teams: [team('Platform', { org: 'Other' })] })
    const observed = await observe(config, { grafana })
    expect(countByEndpoint(g.requests)).toEqual({
      'GET /api/org': 1,
      'GET /api/org/users': 1,
      'GET /api/teams/search': 1,
      'GET /api/teams/:id/members': 1,
    })
    expect(g.requests.every((r) => r.headers['x-grafana-org-id'] === undefined)).toBe(true)
    expect(observed.caller).toEqual({ auth: 'token', isServerAdmin: false, orgId: other })
    expect(observed.orgs.map((o) => o.name)).toEqual(['Other'])
    expect(observed.users.map((u) => u.login)).toEqual(['ana'])
    expect(observed.users[0]).toMatchObject({ name: 'Ana' })
    expect(observed.orgs[0]?.teams.find((t) => t.name === 'Platform')?.members).toEqual([
      { userId: ana, login: 'ana', email: 'ana@acme.example', permission: 'Admin', labels: [] },
    ])
  })

  it('finds a renamed org by renamedFrom and reads only referenced orgs', async () => {
    const g = new MemoryGrafana()
    const old = g.addOrg('Old Name')
    g.addOrg('Unrelated')
    g.addTeam(old, 'T')
    // A server admin reads an org's teams only as a member of that org.
    await memoryAdmin(g).addOrgUser(old, 'admin', 'Admin')
    g.clearRequests()
    const config = desired({
      orgs: [org('New Name', { renamedFrom: 'Old Name' })],
      teams: [team('T', { org: 'New Name' })],
    })
    const observed = await observe(config, { grafana: memoryAdmin(g) })
    expect(observed.orgs.map((o) => [o.id, o.name])).toEqual([[old, 'Old Name']])
    expect(observed.orgs[0]?.teams.find((t) => t.name === 'T')?.members).toEqual([])
    expect(callsOf(g, 'listOrgUsers').map((c) => c.args[0])).toEqual([old])
  })

  it('leaves the teams unread when the server admin is only a Viewer there: Grafana lists them but refuses their members', async () => {
    const g = new MemoryGrafana()
    const lab = g.addOrg('Lab')
    const t = g.addTeam(lab, 'T')
    const grafana = memoryAdmin(g)
    await grafana.addOrgUser(lab, 'admin', 'Viewer')
    const observed = await observe(desired({ teams: [team('T', { org: 'Lab' })] }), { grafana })
    expect(observed.orgs[0]).toMatchObject({ name: 'Lab', teams: [], teamsUnread: true })
    expect(callsOf(g, 'listTeams').map((c) => c.args)).toEqual([[lab]])
    expect(callsOf(g, 'listTeamMembers').map((c) => c.args)).toEqual([[lab, t]])
    await expect(grafana.listTeamMembers(lab, t)).rejects.toMatchObject({ status: 403 })
  })

  it('leaves the teams of an org unread while the server admin is no Admin of it, and reads them once it is', async () => {
    const g = new MemoryGrafana()
    const elsewhere = g.addOrg('Elsewhere')
    const t = g.addTeam(elsewhere, 'T')
    const config = desired({ teams: [team('T', { org: 'Elsewhere' })] })
    const grafana = memoryAdmin(g)
    const first = await observe(config, { grafana })
    expect(first.orgs).toEqual([
      { id: elsewhere, name: 'Elsewhere', users: [], teams: [], teamsUnread: true },
    ])
    expect(callsOf(g, 'listTeamMembers')).toEqual([])

    await grafana.addOrgUser(elsewhere, 'admin', 'Admin')
    g.clearRequests()
    const again = await observeOrgsAgain(config, grafana, first, new Set([elsewhere]))
    expect(again.orgs[0]).toMatchObject({ id: elsewhere, teams: [{ name: 'T', members: [] }] })
    expect(again.orgs[0]).not.toHaveProperty('teamsUnread')
    expect(g.calls.map((c) => `${c.method} ${c.args.join(',')}`).sort()).toEqual([
      `listOrgUsers ${elsewhere}`,
      `listTeamMembers ${elsewhere},${t}`,
      `listTeams ${elsewhere}`,
    ])
  })
})
