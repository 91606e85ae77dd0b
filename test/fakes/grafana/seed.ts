// What tests do to the fake directly, outside the HTTP API: seed orgs, users, teams, tokens and
// dashboards, and read the whole state back.
import { randomInt } from 'node:crypto'
import { randomChars } from '../http.ts'
import { passwordMatches } from './auth.ts'
import type { Fake } from './context.ts'
import { hitJson, membersJsonOf, orgUserParts } from './listings.ts'
import { newUid } from './store.ts'
import type { FakeGrafana } from './types.ts'

export type Seeding = Pick<
  FakeGrafana,
  | 'addOrg'
  | 'addUser'
  | 'addTeam'
  | 'setTeamPreferences'
  | 'addServiceAccountToken'
  | 'addDashboard'
  | 'snapshot'
  | 'checkPassword'
  | 'serialiseListings'
>

export function seeding({ store, logins }: Fake): Seeding {
  const requireOrg = (orgId: number) => {
    if (!store.orgs.has(orgId)) throw new Error(`fake Grafana: no org ${orgId}`)
  }
  return {
    addOrg(name) {
      if (store.orgByName(name)) throw new Error(`fake Grafana: org "${name}" exists`)
      return store.createOrg(name).id
    },
    addUser(u) {
      const login = u.login.toLowerCase()
      const email = (u.email ?? u.login).toLowerCase()
      if (store.usersByLogin.has(login) || store.usersByEmail.has(email)) {
        throw new Error(`fake Grafana: user "${u.login}" exists`)
      }
      const user = store.createUser({
        login,
        email,
        name: u.name ?? '',
        password: u.password,
        isAdmin: u.isGrafanaAdmin ?? false,
        isDisabled: u.disabled ?? false,
      })
      for (const [orgId, role] of Object.entries(u.orgs ?? {})) {
        requireOrg(Number(orgId))
        store.setOrgMember(Number(orgId), user.id, role)
      }
      return user.id
    },
    addTeam(orgId, name, teamOpts = {}) {
      requireOrg(orgId)
      if (store.teamByName(orgId, name)) throw new Error(`fake Grafana: team "${name}" exists`)
      const team = store.createTeam(orgId, name, teamOpts.email ?? '')
      for (const m of teamOpts.members ?? []) {
        if (!store.users.has(m.userId)) throw new Error(`fake Grafana: no user ${m.userId}`)
        store.setTeamMember(team, m.userId, m.permission ?? 0, [...(m.labels ?? [])])
      }
      return team.id
    },
    setTeamPreferences(teamId, prefs) {
      const team = store.teams.get(teamId)
      if (!team) throw new Error(`fake Grafana: no team ${teamId}`)
      team.prefs = structuredClone(prefs)
      store.changed()
    },
    addServiceAccountToken(orgId, role = 'Admin') {
      requireOrg(orgId)
      const saId = store.nextUserId()
      const token = `glsa_${randomChars(32)}_${randomChars(8, '0123456789abcdef')}`
      store.tokens.set(token, {
        orgId,
        role,
        saId,
        uid: newUid(),
        login: `sa-${orgId}-reconciler-${saId}`,
        name: `reconciler-${saId}`,
      })
      return token
    },
    addDashboard(orgId, uid) {
      requireOrg(orgId)
      let boards = store.dashboards.get(orgId)
      if (!boards) store.dashboards.set(orgId, (boards = new Map<string, number>()))
      const id = boards.get(uid) ?? randomInt(1000, 1_000_000)
      boards.set(uid, id)
      return id
    },
    snapshot() {
      const orgs = [...store.orgs.values()].sort((a, b) => a.id - b.id)
      const users = [...store.users.values()].sort((a, b) => a.id - b.id)
      const teams = [...store.teams.values()].sort((a, b) => a.id - b.id)
      return {
        orgs: orgs.map((o) => ({ id: o.id, name: o.name })),
        users: users.map((u) => ({
          id: u.id,
          login: u.login,
          email: u.email,
          name: u.name,
          isGrafanaAdmin: u.isAdmin,
          isDisabled: u.isDisabled,
        })),
        orgUsers: orgs.flatMap((o) =>
          [...(store.orgMembers.get(o.id) ?? [])]
            .sort(([a], [b]) => a - b)
            .map(([userId, role]) => ({ orgId: o.id, userId, role })),
        ),
        teams: teams.map((t) => ({ id: t.id, orgId: t.orgId, name: t.name, email: t.email })),
        teamMembers: teams.flatMap((t) =>
          [...t.members]
            .sort(([a], [b]) => a - b)
            .map(([userId, m]) => ({
              teamId: t.id,
              userId,
              permission: m.permission,
              labels: [...m.labels],
            })),
        ),
        teamPreferences: Object.fromEntries(teams.map((t) => [t.id, structuredClone(t.prefs)])),
      }
    },
    checkPassword(login, password) {
      const user = passwordMatches(store, login, password)
      return user !== undefined && !user.isDisabled && !logins.lockedOut(login.toLowerCase())
    },
    serialiseListings() {
      for (const team of store.teams.values()) membersJsonOf(store, team)
      for (const user of store.users.values()) {
        hitJson(user)
        orgUserParts(user)
      }
    },
  }
}
