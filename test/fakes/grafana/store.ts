// The fake's state and its invariants: every change goes through the Store, which keeps the
// indexes (by login, email, uid, org and name) and the derived, cached views consistent.
import { createHash } from 'node:crypto'
import { randomChars } from '../http.ts'
import type { OrgRole, TeamPermission } from './types.ts'

export interface User {
  id: number
  uid: string
  login: string
  email: string
  name: string
  password: string | undefined
  isAdmin: boolean
  isDisabled: boolean
  activeOrgId: number
  avatarUrl: string
  created: string
  updated: string
  /** Never seen: Grafana reports a time 10 years back. */
  lastSeenAt: string
  /** The user's parts of listing entries, serialised once until the user changes. */
  json: UserJson
  /** Position in `usersSorted()`, valid while that list is (it sets it). */
  rank: number
}

/** Always all fields (a fixed shape keeps the million reads of a listing fast). */
export interface UserJson {
  /** In a team member entry, between the team's fields and the membership's. */
  member: Buffer | undefined
  /** The same followed by an unlabelled membership's fields, by permission. */
  member0: Buffer | undefined
  member4: Buffer | undefined
  /** A whole user search hit. */
  hit: Buffer | undefined
  /** An org user entry around its role: after `orgId`, and after `role`. */
  orgHead: Buffer | undefined
  orgTail: Buffer | undefined
}

const noUserJson = (): UserJson => ({
  member: undefined,
  member0: undefined,
  member4: undefined,
  hit: undefined,
  orgHead: undefined,
  orgTail: undefined,
})

export interface Org {
  id: number
  name: string
}

export interface Member {
  permission: TeamPermission
  labels: string[]
}

export interface Team {
  id: number
  uid: string
  orgId: number
  name: string
  email: string
  avatarUrl: string
  members: Map<number, Member>
  prefs: Record<string, unknown>
  /** Members sorted as the member listing sends them, until the members or their logins change. */
  sortedMembers: User[] | undefined
  membersJson: MembersJson | undefined
  /** The team's fields that open each of its member entries (they never change). */
  memberPrefix: Buffer | undefined
}

/**
 * The member listing's body, until a member, a membership or a member's fields change; its
 * buffer is rewritten for the next one when no answer is still sending it (fresh memory for a
 * thousand listings costs more in page faults than writing them).
 */
export interface MembersJson {
  buffer: Buffer
  json: Buffer | undefined
  sending: number
}

export interface Token {
  orgId: number
  role: OrgRole
  saId: number
  uid: string
  login: string
  name: string
}

export const ROLE_RANK: Record<OrgRole, number> = { None: 0, Viewer: 1, Editor: 2, Admin: 3 }
export const ROLES = new Set<string>(['Viewer', 'Editor', 'Admin', 'None'])
export const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const byLoginThenEmail = (a: User, b: User) =>
  compare(a.login, b.login) || compare(a.email, b.email)
const md5 = (text: string) => createHash('md5').update(text).digest('hex')
export const avatarOf = (email: string, fallback: string) =>
  `/avatar/${md5((email || fallback).trim().toLowerCase())}`
export const newUid = () => randomChars(14, 'abcdefghijklmnopqrstuvwxyz0123456789')
const TEN_YEARS_MS = 10 * 365 * 86_400_000
const now = () => new Date().toISOString()

export class Store {
  users = new Map<number, User>()
  usersByLogin = new Map<string, User>()
  usersByEmail = new Map<string, User>()
  orgs = new Map<number, Org>()
  /** Org and team names match exactly, as with SQLite or Postgres (§0.4). */
  orgsByName = new Map<string, Org>()
  orgMembers = new Map<number, Map<number, OrgRole>>()
  userOrgs = new Map<number, Map<number, OrgRole>>()
  teams = new Map<number, Team>()
  teamsByOrgName = new Map<number, Map<string, Team>>()
  userTeams = new Map<number, Set<Team>>()
  tokens = new Map<string, Token>()
  dashboards = new Map<number, Map<string, number>>()
  #nextUserId = 1
  #nextOrgId = 1
  #nextTeamId = 1
  #version = 0
  #cache = new Map<string, { version: number; value: unknown }>()

  changed(): void {
    this.#version++
  }

  /** Derived views (sorted lists) are recomputed only after a change. */
  cached<T>(key: string, compute: () => T): T {
    const hit = this.#cache.get(key)
    if (hit && hit.version === this.#version) return hit.value as T
    const value = compute()
    this.#cache.set(key, { version: this.#version, value })
    return value
  }

  // orgs
  createOrg(name: string): Org {
    const org = { id: this.#nextOrgId++, name }
    this.orgs.set(org.id, org)
    this.orgsByName.set(name, org)
    this.orgMembers.set(org.id, new Map())
    this.teamsByOrgName.set(org.id, new Map())
    this.changed()
    return org
  }
  orgByName(name: string): Org | undefined {
    return this.orgsByName.get(name)
  }
  renameOrg(org: Org, name: string): void {
    this.orgsByName.delete(org.name)
    org.name = name
    this.orgsByName.set(name, org)
    this.changed()
  }
  adminCount(orgId: number): number {
    let n = 0
    for (const role of this.orgMembers.get(orgId)?.values() ?? []) if (role === 'Admin') n++
    return n
  }

  // users
  nextUserId(): number {
    return this.#nextUserId++
  }
  createUser(u: {
    login: string
    email: string
    name: string
    password: string | undefined
    isAdmin: boolean
    isDisabled: boolean
  }): User {
    const at = now()
    const login = u.login.toLowerCase()
    const email = (u.email || u.login).toLowerCase()
    const user: User = {
      id: this.nextUserId(),
      uid: newUid(),
      login,
      email,
      name: u.name,
      password: u.password,
      isAdmin: u.isAdmin,
      isDisabled: u.isDisabled,
      activeOrgId: 0,
      avatarUrl: avatarOf(email, login),
      created: at,
      updated: at,
      lastSeenAt: new Date(Date.parse(at) - TEN_YEARS_MS).toISOString(),
      json: noUserJson(),
      rank: 0,
    }
    this.users.set(user.id, user)
    this.usersByLogin.set(login, user)
    this.usersByEmail.set(email, user)
    this.userOrgs.set(user.id, new Map())
    this.userTeams.set(user.id, new Set())
    this.changed()
    return user
  }
  /** Grafana's GetByLogin: lower-cased; with an `@`, email first, then login. */
  findByLoginOrEmail(value: string): User | undefined {
    const key = value.toLowerCase()
    if (key.includes('@')) return this.usersByEmail.get(key) ?? this.usersByLogin.get(key)
    return this.usersByLogin.get(key) ?? this.usersByEmail.get(key)
  }
  updateUser(user: User, fields: { login?: string; email?: string; name?: string }): void {
    if (fields.login !== undefined) {
      this.usersByLogin.delete(user.login)
      user.login = fields.login.toLowerCase()
      this.usersByLogin.set(user.login, user)
    }
    if (fields.email !== undefined) {
      this.usersByEmail.delete(user.email)
      user.email = fields.email.toLowerCase()
      this.usersByEmail.set(user.email, user)
    }
    if (fields.name !== undefined) user.name = fields.name
    user.avatarUrl = avatarOf(user.email, user.login)
    user.updated = now()
    for (const team of this.userTeams.get(user.id) ?? []) this.membersChanged(team)
    this.userChanged(user)
  }
  /** After any change to a user's fields: drops the JSON serialised from them. */
  userChanged(user: User): void {
    user.json = noUserJson()
    this.changed()
  }
  deleteUser(user: User): void {
    for (const orgId of [...(this.userOrgs.get(user.id)?.keys() ?? [])]) {
      this.removeOrgMember(orgId, user.id)
    }
    for (const team of [...(this.userTeams.get(user.id) ?? [])]) {
      team.members.delete(user.id)
      this.membersChanged(team)
    }
    this.users.delete(user.id)
    this.usersByLogin.delete(user.login)
    this.usersByEmail.delete(user.email)
    this.userOrgs.delete(user.id)
    this.userTeams.delete(user.id)
    this.changed()
  }
  serverAdminCount(): number {
    let n = 0
    for (const u of this.users.values()) if (u.isAdmin) n++
    return n
  }

  // org membership
  roleOf(orgId: number, userId: number): OrgRole | undefined {
    return this.userOrgs.get(userId)?.get(orgId)
  }
  setOrgMember(orgId: number, userId: number, role: OrgRole): void {
    this.orgMembers.get(orgId)?.set(userId, role)
    const mine = this.userOrgs.get(userId)
    mine?.set(orgId, role)
    const user = this.users.get(userId)
    if (user && (user.activeOrgId === 0 || !mine?.has(user.activeOrgId))) user.activeOrgId = orgId
    this.changed()
  }
  /** Drops the membership and the user's team memberships in that org; moves the active org. */
  removeOrgMember(orgId: number, userId: number): void {
    this.orgMembers.get(orgId)?.delete(userId)
    const mine = this.userOrgs.get(userId)
    mine?.delete(orgId)
    for (const team of [...(this.userTeams.get(userId) ?? [])]) {
      if (team.orgId === orgId) this.removeTeamMember(team, userId)
    }
    const user = this.users.get(userId)
    if (user && user.activeOrgId === orgId) {
      user.activeOrgId = mine && mine.size > 0 ? Math.min(...mine.keys()) : 0
    }
    this.changed()
  }

  // teams
  createTeam(orgId: number, name: string, email: string): Team {
    const team: Team = {
      id: this.#nextTeamId++,
      uid: newUid(),
      orgId,
      name,
      email,
      avatarUrl: avatarOf(email, name),
      members: new Map(),
      prefs: {},
      sortedMembers: undefined,
      membersJson: undefined,
      memberPrefix: undefined,
    }
    this.teams.set(team.id, team)
    this.teamsByOrgName.get(orgId)?.set(name, team)
    this.changed()
    return team
  }
  teamByName(orgId: number, name: string): Team | undefined {
    return this.teamsByOrgName.get(orgId)?.get(name)
  }
  renameTeam(team: Team, name: string): void {
    const byName = this.teamsByOrgName.get(team.orgId)
    byName?.delete(team.name)
    team.name = name
    team.avatarUrl = avatarOf(team.email, name)
    byName?.set(name, team)
    this.changed()
  }
  deleteTeam(team: Team): void {
    for (const userId of team.members.keys()) this.userTeams.get(userId)?.delete(team)
    this.teams.delete(team.id)
    this.teamsByOrgName.get(team.orgId)?.delete(team.name)
    this.changed()
  }
  setTeamMember(team: Team, userId: number, permission: TeamPermission, labels?: string[]): void {
    const existing = team.members.get(userId)
    if (!existing) this.membersChanged(team)
    else if (team.membersJson) team.membersJson.json = undefined
    team.members.set(userId, { permission, labels: labels ?? existing?.labels ?? [] })
    this.userTeams.get(userId)?.add(team)
    this.changed()
  }
  removeTeamMember(team: Team, userId: number): void {
    team.members.delete(userId)
    this.membersChanged(team)
    this.userTeams.get(userId)?.delete(team)
    this.changed()
  }
  orgTeamsSorted(orgId: number): Team[] {
    return this.cached(`teams:${orgId}`, () =>
      [...(this.teamsByOrgName.get(orgId)?.values() ?? [])].sort(
        (a, b) => compare(a.name, b.name) || a.id - b.id,
      ),
    )
  }
  /** Who the members are, or their logins or emails, changed: their order and listing with them. */
  membersChanged(team: Team): void {
    team.sortedMembers = undefined
    if (team.membersJson) team.membersJson.json = undefined
  }
  /** Sorted by their ranks among all users: numbers sort far faster than pairs of strings. */
  teamMembersSorted(team: Team): User[] {
    if (team.sortedMembers) return team.sortedMembers
    const all = this.usersSorted()
    const ranks = new Int32Array(team.members.size)
    let n = 0
    for (const userId of team.members.keys()) {
      const user = this.users.get(userId)
      if (user) ranks[n++] = user.rank
    }
    return (team.sortedMembers = Array.from(ranks.subarray(0, n).sort(), (r) => all[r]!))
  }
  usersSorted(): User[] {
    return this.cached('users', () => {
      const sorted = [...this.users.values()].sort(byLoginThenEmail)
      sorted.forEach((u, i) => (u.rank = i))
      return sorted
    })
  }
  orgUsersSorted(orgId: number): { user: User; role: OrgRole }[] {
    this.usersSorted() // ranks
    return this.cached(`orgUsers:${orgId}`, () =>
      [...(this.orgMembers.get(orgId) ?? [])]
        .map(([userId, role]) => ({ user: this.users.get(userId)!, role }))
        .filter((m) => m.user !== undefined)
        .sort((a, b) => a.user.rank - b.user.rank),
    )
  }
}
