// The in-memory Grafana answers as the HTTP client over the HTTP fake does: the same calls, the same
// results and the same state. A rule that one of them changes alone fails here.
import { afterEach, describe, expect, it } from 'vitest'
import { createGrafanaClient } from '../../src/grafana/index.ts'
import type { GrafanaClient } from '../../src/grafana/types.ts'
import { startFakeGrafana, type FakeGrafana, type FakeGrafanaSnapshot } from '../fakes/grafana.ts'
import { MemoryGrafana } from './grafana.ts'

const ADMIN = { username: 'admin', password: 'admin-secret-pw' }
const fakes: FakeGrafana[] = []
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((g) => g.close()))
})

/** What both Grafanas offer to seed a test and to look at afterwards. */
interface Seeded {
  addOrg(name: string): number
  addUser: FakeGrafana['addUser']
  addTeam: FakeGrafana['addTeam']
  addServiceAccountToken(orgId: number): string
  snapshot(): FakeGrafanaSnapshot
  basic(): GrafanaClient
  token(value: string): GrafanaClient
}

async function overHttp(): Promise<Seeded> {
  const g = await startFakeGrafana({ adminLogin: ADMIN.username, adminPassword: ADMIN.password })
  fakes.push(g)
  return {
    addOrg: (name) => g.addOrg(name),
    addUser: (u) => g.addUser(u),
    addTeam: (...args) => g.addTeam(...args),
    addServiceAccountToken: (orgId) => g.addServiceAccountToken(orgId),
    snapshot: () => g.snapshot(),
    basic: () => createGrafanaClient({ url: g.url, ...ADMIN, retries: 0 }),
    token: (value) => createGrafanaClient({ url: g.url, token: value, retries: 0 }),
  }
}

function inMemory(): Promise<Seeded> {
  const g = new MemoryGrafana({ adminLogin: ADMIN.username, adminPassword: ADMIN.password })
  return Promise.resolve({
    addOrg: (name) => g.addOrg(name),
    addUser: (u) => g.addUser(u),
    addTeam: (...args) => g.addTeam(...args),
    addServiceAccountToken: (orgId) => g.addServiceAccountToken(orgId),
    snapshot: () => g.snapshot(),
    basic: () => g.client(ADMIN),
    token: (value) => g.client({ token: value }),
  })
}

/** A call's answer, or the status it failed with. */
async function answer<T>(call: Promise<T>): Promise<T | { status: unknown }> {
  return call.catch((error: unknown) => ({
    status: (error as { status?: unknown }).status ?? 'no status',
  }))
}

/** The same writes and reads against either Grafana; returns what each call answered. */
async function scenario(g: Seeded) {
  const ana = g.addUser({ login: 'ana', email: 'ana@acme.example', orgs: { 1: 'Viewer' } })
  const lab = g.addOrg('Lab')
  const guests = g.addTeam(lab, 'Guests')
  const admin = g.basic()
  const created = await admin.createTeam(1, 'Platform', 'p@acme.example')
  const teamId = created === 'already-done' ? 0 : created.teamId
  const token = g.token(g.addServiceAccountToken(1))
  const byToken = await token.createTeam(1, 'Robots')
  return {
    whoami: await admin.whoami(),
    createAgain: await admin.createTeam(1, 'Platform'),
    add: await admin.addTeamMember(1, teamId, ana),
    addAgain: await admin.addTeamMember(1, teamId, ana),
    permission: await answer(admin.setTeamPermission(1, teamId, ana, 'Admin')),
    removeCreator: await admin.removeTeamMember(1, teamId, 1),
    removeNonMember: await admin.removeTeamMember(1, teamId, 1),
    teamsOfNonMemberOrg: await answer(admin.listTeams(lab)),
    membersOfNonMemberOrg: await answer(admin.listTeamMembers(lab, guests)),
    lastAdminLeaves: await answer(admin.removeOrgUser(1, 1)),
    lastAdminDemoted: await answer(admin.setOrgRole(1, 1, 'Viewer')),
    orgAgain: await admin.createOrg('Lab'),
    addUnknown: await answer(admin.addOrgUser(lab, 'nobody@acme.example', 'Viewer')),
    addToLab: await admin.addOrgUser(lab, 'ana', 'Editor'),
    addToLabAgain: await admin.addOrgUser(lab, 'ana@acme.example', 'Viewer'),
    userAgain: await admin.createUser({ login: 'ana', email: '', name: '', password: 'pw-1234' }),
    byToken: byToken === 'already-done' ? byToken : 'created',
    tokenElsewhere: await answer(token.listTeams(lab)).then((a) => ('status' in a ? 'fails' : a)),
    deleteTwice: [await admin.deleteTeam(1, teamId), await admin.deleteTeam(1, teamId)],
    orgUsers: (await admin.listOrgUsers(lab)).map((u) => [u.login, u.role]),
  }
}

/** The state, without ids that only count (a token's service account is a user over HTTP). */
function state(s: FakeGrafanaSnapshot) {
  const login = new Map(s.users.map((u) => [u.id, u.login]))
  const team = new Map(s.teams.map((t) => [t.id, t.name]))
  return {
    orgs: s.orgs.map((o) => o.name),
    teams: s.teams.map((t) => [t.orgId, t.name, t.email]),
    teamMembers: s.teamMembers.map((m) => [team.get(m.teamId), login.get(m.userId), m.permission]),
    orgUsers: s.orgUsers
      .filter((m) => login.has(m.userId) && !login.get(m.userId)!.startsWith('sa-'))
      .map((m) => [m.orgId, login.get(m.userId), m.role])
      .sort(),
  }
}

describe('the in-memory Grafana', () => {
  it('answers and changes state as the HTTP client over the HTTP fake does', async () => {
    const http = await overHttp()
    const memory = await inMemory()
    const overHttpAnswers = await scenario(http)
    const inMemoryAnswers = await scenario(memory)
    expect(inMemoryAnswers).toEqual(overHttpAnswers)
    expect(state(memory.snapshot())).toEqual(state(http.snapshot()))
    // The points the logic tests rely on, spelled out.
    expect(overHttpAnswers).toMatchObject({
      addAgain: 'already-done',
      removeNonMember: 'already-done',
      teamsOfNonMemberOrg: { status: 403 },
      lastAdminLeaves: { status: 400 },
      tokenElsewhere: 'fails',
    })
  })
})
