// A stateful fake of Grafana's HTTP API (orgs, users, org roles, teams, team members, team
// preferences) on 127.0.0.1, faithful to shared/reference/grafana-api.md: its auth, RBAC, body
// binding, paging bases, odd statuses and exact messages.
import { createHash, randomInt } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { FaultControl, FaultRule } from './faults.ts'
import {
  intParam,
  JsonArrayBytes,
  pathSegments,
  randomChars,
  Router,
  startFakeServer,
  type FakeRequest,
  type RecordedRequest,
  type Reply,
} from './http.ts'

export type { FaultControl, FaultRule } from './faults.ts'
export type { RecordedRequest } from './http.ts'

export type OrgRole = 'Viewer' | 'Editor' | 'Admin' | 'None'
export type GrafanaVersion = '11.0' | '11.1' | '12.0'
export type TeamPermission = 0 | 4

export interface FakeGrafanaOptions {
  /** Default '12.0'. 11.0 lacks the bulk `PUT /api/teams/:id/members` route (404 Not found). */
  version?: GrafanaVersion
  /** Added to every response. */
  latencyMs?: number
  /** Server admin, user id 1, Admin of org 1; default admin/admin. */
  adminLogin?: string
  adminPassword?: string
  /** `[users] auto_assign_org` (default true), `auto_assign_org_id` (1), `auto_assign_org_role` (Viewer). */
  autoAssignOrg?: boolean
  autoAssignOrgId?: number
  autoAssignOrgRole?: OrgRole
  /** Failed basic-auth attempts per login before it is locked for 5 minutes; default 5, 0 = off. */
  bruteForceMaxAttempts?: number
  /** Team and org names compared case-insensitively (MySQL collation); default false (SQLite). */
  caseInsensitiveNames?: boolean
  /** Check `homeDashboardUID`/`homeDashboardId` against `addDashboard` (404 Dashboard not found); default false. */
  validateDashboards?: boolean
  /** Keep `requests` (default true). */
  recordRequests?: boolean
  /** Serve the API under a sub-path such as `/grafana` (`root_url` + `serve_from_sub_path`); default none. */
  basePath?: string
  /**
   * Lower `perpage` of the paged searches to this (not Grafana's own behaviour, which enforces no
   * maximum, but what a proxy or another build may do); default none.
   */
  maxPerPage?: number
  /** Leave `totalCount` out of the search envelopes (a variant for client robustness); default false. */
  omitTotalCount?: boolean
  /**
   * SMTP with `verify_email_enabled`: `PUT /api/users/:id` that changes the email answers
   * `Email sent for verification` and changes nothing (§3.5); default false.
   */
  verifyEmail?: boolean
  /** `[auth.basic] password_policy`: ≥ 12 characters with upper, lower, digit and symbol; default false. */
  passwordPolicy?: boolean
  /** `Content-Type` of JSON answers; default `application/json`. */
  jsonContentType?: string
}

export interface FakeGrafanaSnapshot {
  orgs: { id: number; name: string }[]
  users: {
    id: number
    login: string
    email: string
    name: string
    isGrafanaAdmin: boolean
    isDisabled: boolean
  }[]
  orgUsers: { orgId: number; userId: number; role: OrgRole }[]
  teams: { id: number; orgId: number; name: string; email: string }[]
  teamMembers: { teamId: number; userId: number; permission: TeamPermission; labels: string[] }[]
  teamPreferences: Record<number, Record<string, unknown>>
}

export interface FakeGrafana {
  url: string
  version: GrafanaVersion
  addOrg(name: string): number
  /** Login and email are stored lower-cased (email defaults to the login); no `orgs` = no membership. */
  addUser(u: {
    login: string
    email?: string
    name?: string
    password?: string
    isGrafanaAdmin?: boolean
    disabled?: boolean
    orgs?: Record<number, OrgRole>
  }): number
  addTeam(
    orgId: number,
    name: string,
    opts?: {
      email?: string
      members?: { userId: number; permission?: TeamPermission; labels?: string[] }[]
    },
  ): number
  setTeamPreferences(teamId: number, prefs: Record<string, unknown>): void
  /** Returns a `glsa_…` token bound to the org with the role (default Admin). */
  addServiceAccountToken(orgId: number, role?: OrgRole): string
  /** A dashboard that team preferences may point at (checked only with `validateDashboards`). */
  addDashboard(orgId: number, uid: string): number
  snapshot(): FakeGrafanaSnapshot
  /** Whether this login (or email) and password would pass basic auth now. */
  checkPassword(login: string, password: string): boolean
  requests: RecordedRequest[]
  clearRequests(): void
  /**
   * Serialises every member listing now rather than on its first read (answers are the same): a
   * benchmark seeds, then calls this, so the runs it measures are not billed for it.
   */
  serialiseListings(): void
  writes(): RecordedRequest[]
  faults: FaultControl
  close(): Promise<void>
}

// ------------------------------------------------------------------ state

interface User {
  id: number
  uid: string
  login: string
  email: string
  name: string
  password: string | undefined
  isAdmin: boolean
  isDisabled: boolean
  activeOrgId: number
  theme: string
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
interface UserJson {
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

interface Org {
  id: number
  name: string
}

interface Member {
  permission: TeamPermission
  labels: string[]
}

interface Team {
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
interface MembersJson {
  buffer: Buffer
  json: Buffer | undefined
  sending: number
}

interface Token {
  orgId: number
  role: OrgRole
  saId: number
  uid: string
  login: string
  name: string
}

const ROLE_RANK: Record<OrgRole, number> = { None: 0, Viewer: 1, Editor: 2, Admin: 3 }
const ROLES = new Set<string>(['Viewer', 'Editor', 'Admin', 'None'])
const THEMES = new Set(['', 'light', 'dark', 'system'])
const DEFAULT_PERPAGE = 1000
const VERSION_RANK: Record<GrafanaVersion, number> = { '11.0': 110, '11.1': 111, '12.0': 120 }

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const byLoginThenEmail = (a: User, b: User) =>
  compare(a.login, b.login) || compare(a.email, b.email)
const md5 = (text: string) => createHash('md5').update(text).digest('hex')
const avatarOf = (email: string, fallback: string) =>
  `/avatar/${md5((email || fallback).trim().toLowerCase())}`
const newUid = () => randomChars(14, 'abcdefghijklmnopqrstuvwxyz0123456789')
const UNLABELLED = {
  0: Buffer.from(',"labels":[],"permission":0}'),
  4: Buffer.from(',"labels":[],"permission":4}'),
}
const ORG_SLOT = '{"orgId":0,'
/** Where the role sits in an OrgUserDTO: string values escape quotes, so only the key matches. */
const ROLE_SLOT = ',"role":"Viewer",'
const ROLE_JSON = Object.fromEntries(
  [...ROLES].map((role) => [role, Buffer.from(`,"role":"${role}",`)]),
) as Record<OrgRole, Buffer>
const TEN_YEARS_MS = 10 * 365 * 86_400_000
const now = () => new Date().toISOString()

class Store {
  users = new Map<number, User>()
  usersByLogin = new Map<string, User>()
  usersByEmail = new Map<string, User>()
  usersByUid = new Map<string, User>()
  orgs = new Map<number, Org>()
  orgsByName = new Map<string, Org>()
  orgMembers = new Map<number, Map<number, OrgRole>>()
  userOrgs = new Map<number, Map<number, OrgRole>>()
  teams = new Map<number, Team>()
  teamsByUid = new Map<string, Team>()
  teamsByOrgName = new Map<number, Map<string, Team>>()
  userTeams = new Map<number, Set<Team>>()
  tokens = new Map<string, Token>()
  dashboards = new Map<number, Map<string, number>>()
  #nextUserId = 1
  #nextOrgId = 1
  #nextTeamId = 1
  #version = 0
  #cache = new Map<string, { version: number; value: unknown }>()
  readonly nameKey: (name: string) => string

  constructor(caseInsensitiveNames: boolean) {
    this.nameKey = caseInsensitiveNames ? (n) => n.toLowerCase() : (n) => n
  }

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
    this.orgsByName.set(this.nameKey(name), org)
    this.orgMembers.set(org.id, new Map())
    this.teamsByOrgName.set(org.id, new Map())
    this.changed()
    return org
  }
  orgByName(name: string): Org | undefined {
    return this.orgsByName.get(this.nameKey(name))
  }
  renameOrg(org: Org, name: string): void {
    this.orgsByName.delete(this.nameKey(org.name))
    org.name = name
    this.orgsByName.set(this.nameKey(name), org)
    this.changed()
  }
  deleteOrg(org: Org): void {
    for (const userId of [...(this.orgMembers.get(org.id)?.keys() ?? [])]) {
      this.removeOrgMember(org.id, userId)
    }
    for (const team of [...(this.teamsByOrgName.get(org.id)?.values() ?? [])]) this.deleteTeam(team)
    for (const [token, t] of this.tokens) if (t.orgId === org.id) this.tokens.delete(token)
    this.orgs.delete(org.id)
    this.orgsByName.delete(this.nameKey(org.name))
    this.orgMembers.delete(org.id)
    this.teamsByOrgName.delete(org.id)
    this.dashboards.delete(org.id)
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
      theme: '',
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
    this.usersByUid.set(user.uid, user)
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
    this.usersByUid.delete(user.uid)
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
    this.teamsByUid.set(team.uid, team)
    this.teamsByOrgName.get(orgId)?.set(this.nameKey(name), team)
    this.changed()
    return team
  }
  teamByName(orgId: number, name: string): Team | undefined {
    return this.teamsByOrgName.get(orgId)?.get(this.nameKey(name))
  }
  renameTeam(team: Team, name: string): void {
    const byName = this.teamsByOrgName.get(team.orgId)
    byName?.delete(this.nameKey(team.name))
    team.name = name
    team.avatarUrl = avatarOf(team.email, name)
    byName?.set(this.nameKey(name), team)
    this.changed()
  }
  deleteTeam(team: Team): void {
    for (const userId of team.members.keys()) this.userTeams.get(userId)?.delete(team)
    this.teams.delete(team.id)
    this.teamsByUid.delete(team.uid)
    this.teamsByOrgName.get(team.orgId)?.delete(this.nameKey(team.name))
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

// ------------------------------------------------------------------ replies

const plain = (status: number, message: string): Reply => ({ status, body: { message } })
/** A handler error that carried an internal error: the body gains `traceID` (empty, no tracing). */
const traced = (status: number, message: string): Reply => ({
  status,
  body: { message, traceID: '' },
})
const structured = (status: number, messageId: string, message: string): Reply => ({
  status,
  body: { statusCode: status, messageId, message, traceID: '' },
})
const authFailure = (message: string, messageId: string, status = 401): Reply => ({
  status,
  body: { extra: null, message, messageId, statusCode: status, traceID: '' },
})
const denied = (action: string): Reply => ({
  status: 403,
  body: {
    title: 'Access denied',
    message: `You'll need additional permissions to perform this action. Permissions needed: ${action}`,
    accessErrorId: `ACE${String(randomInt(0, 10_000_000_000)).padStart(10, '0')}`,
  },
})
const ok = (body: unknown): Reply => ({ status: 200, body })
const notFoundRoute = (): Reply => plain(404, 'Not found')
const badRequestData = (): Reply => traced(400, 'bad request data')

// ------------------------------------------------------------------ request binding

type FieldType = 'string' | 'int' | 'bool' | 'strings' | 'object'
type Schema = Record<string, { type: FieldType; required?: boolean }>
type Bound = Record<string, unknown>

function isJsonContentType(value: string | undefined): boolean {
  return value?.split(';')[0]?.trim().toLowerCase() === 'application/json'
}

function typeMatches(type: FieldType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string'
    case 'int':
      return Number.isInteger(value)
    case 'bool':
      return typeof value === 'boolean'
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' || v === null)
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
  }
}

function isZero(value: unknown): boolean {
  return (
    value === undefined ||
    value === '' ||
    value === 0 ||
    value === false ||
    (Array.isArray(value) && value.length === 0)
  )
}

/**
 * Grafana's `web.Bind`: `Content-Type: application/json` required, Go `encoding/json` semantics
 * (field names case-insensitive, unknown fields ignored, null leaves the zero value, empty body
 * accepted, wrong types rejected), then `binding:"Required"` fields must be non-zero.
 */
function bindJson(req: FakeRequest, schema: Schema): Bound | undefined {
  if (!isJsonContentType(req.headers['content-type'])) return undefined
  let raw: unknown = {}
  if (req.rawBody.trim() !== '') {
    try {
      raw = JSON.parse(req.rawBody)
    } catch {
      return undefined
    }
  }
  if (raw === null) raw = {}
  if (typeof raw !== 'object' || Array.isArray(raw)) return undefined
  const fields = new Map(Object.keys(schema).map((k) => [k.toLowerCase(), k]))
  const out: Bound = {}
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const field = fields.get(key.toLowerCase())
    if (field === undefined || value === null) continue
    if (!typeMatches(schema[field]!.type, value)) return undefined
    out[field] = value
  }
  for (const [field, spec] of Object.entries(schema)) {
    if (spec.required && isZero(out[field])) return undefined
  }
  return out
}

const str = (b: Bound, key: string): string => (typeof b[key] === 'string' ? b[key] : '')
const int = (b: Bound, key: string): number => (typeof b[key] === 'number' ? b[key] : 0)

/** Grafana's RoleType.UnmarshalText: first letter upper-cased, then one of the four roles. */
function parseRole(value: string): OrgRole | undefined {
  const titled = value.charAt(0).toUpperCase() + value.slice(1)
  return ROLES.has(titled) ? (titled as OrgRole) : undefined
}

// ------------------------------------------------------------------ callers and permissions

interface Caller {
  kind: 'user' | 'serviceAccount'
  user?: User
  token?: Token
  /** The org the request acts in; -1 when a user asked for an org they are not a member of. */
  orgId: number
  isServerAdmin: boolean
}

type OrgAction =
  | 'orgs:read'
  | 'orgs:write'
  | 'org.users:read'
  | 'org.users:add'
  | 'org.users:write'
  | 'org.users:remove'
  | 'teams:create'
  | 'teams:read'

type TeamAction =
  | 'teams:read'
  | 'teams:write'
  | 'teams:delete'
  | 'teams.permissions:read'
  | 'teams.permissions:write'

interface Ctx {
  req: FakeRequest
  caller: Caller
  params: Record<string, string>
  body: Bound
  /** The path's team, when it is a team of the current org. */
  team?: Team
}

type Handler = (ctx: Ctx) => Reply
type Authorize = (ctx: Ctx) => Reply | undefined

interface RouteDef {
  authorize: Authorize
  bind?: Schema
  minVersion?: GrafanaVersion
  handler: Handler
}

// ------------------------------------------------------------------ the fake

export async function startFakeGrafana(opts: FakeGrafanaOptions = {}): Promise<FakeGrafana> {
  const version = opts.version ?? '12.0'
  const atLeast = (v: GrafanaVersion) => VERSION_RANK[version] >= VERSION_RANK[v]
  const autoAssignOrg = opts.autoAssignOrg ?? true
  const autoAssignOrgId = opts.autoAssignOrgId ?? 1
  const autoAssignOrgRole = opts.autoAssignOrgRole ?? 'Viewer'
  const maxAttempts = opts.bruteForceMaxAttempts ?? 5
  const store = new Store(opts.caseInsensitiveNames ?? false)
  const failedLogins = new Map<string, number[]>()

  const mainOrg = store.createOrg('Main Org.')
  const admin = store.createUser({
    login: opts.adminLogin ?? 'admin',
    email: 'admin@localhost',
    name: '',
    password: opts.adminPassword ?? 'admin',
    isAdmin: true,
    isDisabled: false,
  })
  store.setOrgMember(mainOrg.id, admin.id, 'Admin')

  // ---------------------------------------------------------------- authentication

  const LOCK_MS = 5 * 60_000
  function lockedOut(login: string): boolean {
    if (maxAttempts <= 0) return false
    const recent = (failedLogins.get(login) ?? []).filter((t) => Date.now() - t < LOCK_MS)
    failedLogins.set(login, recent)
    return recent.length >= maxAttempts
  }
  function passwordMatches(loginOrEmail: string, password: string): User | undefined {
    const user = store.findByLoginOrEmail(loginOrEmail)
    if (!user || user.password === undefined || user.password !== password) return undefined
    return user
  }

  function requestedOrg(req: FakeRequest): number | undefined {
    const fromQuery = intParam(req.query, 'targetOrgId')
    if (fromQuery !== undefined && fromQuery > 0) return fromQuery
    const header = req.headers['x-grafana-org-id']
    const n = Number(Array.isArray(header) ? header[0] : header)
    return Number.isInteger(n) && n > 0 ? n : undefined
  }

  function tokenCaller(value: string, req: FakeRequest): Caller | Reply {
    const token = store.tokens.get(value)
    if (!token) return authFailure('Invalid API key', 'api-key.invalid')
    const asked = requestedOrg(req)
    if (asked !== undefined && asked !== token.orgId) {
      return authFailure(
        'API key does not belong to the requested organization',
        'api-key.organization-mismatch',
      )
    }
    return { kind: 'serviceAccount', token, orgId: token.orgId, isServerAdmin: false }
  }

  function authenticate(req: FakeRequest): Caller | Reply {
    const header = req.headers.authorization
    if (!header) return authFailure('Unauthorized', 'auth.unauthorized')
    const [scheme = '', ...rest] = header.trim().split(/\s+/)
    const credential = rest.join(' ')
    if (scheme.toLowerCase() === 'bearer') return tokenCaller(credential, req)
    if (scheme.toLowerCase() !== 'basic') return authFailure('Unauthorized', 'auth.unauthorized')
    const decoded = Buffer.from(credential, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) {
      return authFailure('Invalid Basic Auth Header', 'basic-auth.invalid-header', 400)
    }
    const username = decoded.slice(0, colon)
    const password = decoded.slice(colon + 1)
    if (username === 'api_key') return tokenCaller(password, req)
    const invalid = () =>
      authFailure('Invalid username or password', 'basic-auth.invalid-credentials')
    const attemptKey = username.toLowerCase()
    if (lockedOut(attemptKey)) return invalid()
    const user = passwordMatches(username, password)
    if (!user) {
      // Grafana counts wrong passwords of existing users only.
      if (store.findByLoginOrEmail(username)) {
        failedLogins.set(attemptKey, [...(failedLogins.get(attemptKey) ?? []), Date.now()])
      }
      return invalid()
    }
    if (user.isDisabled) return authFailure('Unauthorized', 'identity.disabled')
    const asked = requestedOrg(req)
    let orgId = user.activeOrgId
    if (asked !== undefined) orgId = store.roleOf(asked, user.id) !== undefined ? asked : -1
    else if (store.roleOf(orgId, user.id) === undefined) orgId = -1
    return { kind: 'user', user, orgId, isServerAdmin: user.isAdmin }
  }

  // ---------------------------------------------------------------- authorization

  function roleIn(c: Caller, orgId: number): OrgRole | undefined {
    if (c.token) return orgId === c.token.orgId ? c.token.role : undefined
    return c.user ? store.roleOf(orgId, c.user.id) : undefined
  }

  /** OSS fixed-role grants (§1.4): what the caller's basic role allows in one org. */
  function orgAllows(c: Caller, orgId: number, action: OrgAction): boolean {
    if (!store.orgs.has(orgId)) return c.isServerAdmin && action !== 'teams:create'
    const role = roleIn(c, orgId)
    switch (action) {
      case 'orgs:read':
        return c.isServerAdmin || (role !== undefined && role !== 'None')
      case 'orgs:write':
      case 'org.users:read':
      case 'org.users:add':
      case 'org.users:write':
      case 'org.users:remove':
        return c.isServerAdmin || role === 'Admin'
      case 'teams:create':
        return role === 'Admin'
      case 'teams:read':
        return role === 'Admin' || role === 'Editor' || role === 'Viewer'
    }
  }

  /** Org role grants plus the managed team permissions of team members and team admins. */
  function teamAllows(c: Caller, team: Team, action: TeamAction): boolean {
    const role = roleIn(c, team.orgId)
    if (role === 'Admin') return true
    if (action === 'teams:read' && (role === 'Editor' || role === 'Viewer')) return true
    const member = c.user ? team.members.get(c.user.id) : undefined
    if (!member) return false
    return action === 'teams:read' || member.permission === 4
  }

  const signedIn: Authorize = () => undefined
  const global =
    (action: string): Authorize =>
    ({ caller }) =>
      caller.isServerAdmin ? undefined : denied(action)
  const inOrg =
    (action: OrgAction): Authorize =>
    ({ caller }) =>
      caller.orgId > 0 && orgAllows(caller, caller.orgId, action) ? undefined : denied(action)
  const inPathOrg =
    (action: OrgAction): Authorize =>
    ({ caller, params }) => {
      const orgId = Number(params.orgId)
      if (!Number.isInteger(orgId)) return traced(400, 'id is invalid')
      return orgAllows(caller, orgId, action) ? undefined : denied(action)
    }
  /** `teams:read` on any team: an org role, or membership of some team of the current org. */
  const anyTeamReadable: Authorize = ({ caller }) => {
    if (caller.orgId > 0 && orgAllows(caller, caller.orgId, 'teams:read')) return undefined
    const mine = caller.user ? store.userTeams.get(caller.user.id) : undefined
    for (const team of mine ?? []) if (team.orgId === caller.orgId) return undefined
    return denied('teams:read')
  }
  const onTeam =
    (action: TeamAction): Authorize =>
    (ctx) => {
      const ref = ctx.params.teamId ?? ''
      const numeric = /^\d+$/.test(ref)
      const found = numeric ? store.teams.get(Number(ref)) : store.teamsByUid.get(ref)
      if (!numeric && !found) return notFoundRoute()
      const team = found && found.orgId === ctx.caller.orgId ? found : undefined
      if (team) {
        ctx.team = team
        return teamAllows(ctx.caller, team, action) ? undefined : denied(action)
      }
      // No such team here: only a caller allowed on every team (`teams:*`) reaches the handler's 404.
      const { caller } = ctx
      const allowed =
        caller.orgId > 0 &&
        (action === 'teams:read'
          ? orgAllows(caller, caller.orgId, 'teams:read')
          : roleIn(caller, caller.orgId) === 'Admin')
      return allowed ? undefined : denied(action)
    }

  // ---------------------------------------------------------------- DTOs

  const teamDto = (t: Team) => ({
    id: t.id,
    uid: t.uid,
    orgId: t.orgId,
    name: t.name,
    email: t.email,
    ...(atLeast('12.0') ? { externalUID: '', isProvisioned: false } : {}),
    avatarUrl: t.avatarUrl,
    memberCount: t.members.size,
    permission: 0,
    accessControl: null,
  })
  /**
   * A TeamMemberDTO (orgId, teamId, teamUID, userId, userUID, auth_module, email, name, login,
   * avatarUrl, labels, permission) from cached fragments: the team's fields, then the user's with
   * the membership's (cached per permission when unlabelled).
   */
  function addMemberEntry(body: JsonArrayBytes, t: Team, u: User, m: Member): void {
    const teamPart = (t.memberPrefix ??= Buffer.from(
      `{"orgId":${t.orgId},"teamId":${t.id},"teamUID":${JSON.stringify(t.uid)},`,
    ))
    if (m.labels.length === 0 && m.permission === 0) {
      body.item(teamPart, (u.json.member0 ??= Buffer.concat([userMemberPart(u), UNLABELLED[0]])))
    } else if (m.labels.length === 0 && m.permission === 4) {
      body.item(teamPart, (u.json.member4 ??= Buffer.concat([userMemberPart(u), UNLABELLED[4]])))
    } else {
      const membership = `,"labels":${JSON.stringify(m.labels)},"permission":${m.permission}}`
      body.item(teamPart, userMemberPart(u), Buffer.from(membership))
    }
  }
  const userMemberPart = (u: User): Buffer =>
    (u.json.member ??= Buffer.from(
      [
        `"userId":${u.id}`,
        `"userUID":${JSON.stringify(u.uid)}`,
        '"auth_module":""',
        `"email":${JSON.stringify(u.email)}`,
        `"name":${JSON.stringify(u.name)}`,
        `"login":${JSON.stringify(u.login)}`,
        `"avatarUrl":${JSON.stringify(u.avatarUrl)}`,
      ].join(','),
    ))
  const lastSeen = (u: User) => ({
    lastSeenAt: u.lastSeenAt,
    lastSeenAtAge: '10 years',
  })
  const userProfile = (u: User) => ({
    id: u.id,
    uid: u.uid,
    email: u.email,
    name: u.name,
    login: u.login,
    theme: u.theme,
    orgId: u.activeOrgId,
    isGrafanaAdmin: u.isAdmin,
    isDisabled: u.isDisabled,
    isExternal: false,
    isExternallySynced: false,
    isGrafanaAdminExternallySynced: false,
    isProvisioned: false,
    authLabels: [],
    updatedAt: u.updated,
    createdAt: u.created,
    avatarUrl: u.avatarUrl,
  })
  const userHit = (u: User) => ({
    id: u.id,
    uid: u.uid,
    name: u.name,
    login: u.login,
    email: u.email,
    avatarUrl: u.avatarUrl,
    isAdmin: u.isAdmin,
    isDisabled: u.isDisabled,
    ...lastSeen(u),
    authLabels: [],
    isProvisioned: false,
  })
  const orgUserDto = (orgId: number, u: User, role: OrgRole) => ({
    orgId,
    userId: u.id,
    uid: u.uid,
    email: u.email,
    name: u.name,
    avatarUrl: u.avatarUrl,
    login: u.login,
    role,
    ...lastSeen(u),
    isDisabled: u.isDisabled,
    authLabels: null,
    isExternallySynced: false,
    isProvisioned: false,
  })
  /** OrgUserDTOs from each user's cached parts around the role (the DTO's own serialisation, cut). */
  function orgUsersJson(
    orgId: number,
    rows: { user: User; role: OrgRole }[],
    body: JsonArrayBytes,
  ): JsonArrayBytes {
    const open = Buffer.from(`{"orgId":${orgId},`)
    for (const { user, role } of rows) {
      const [head, tail] = orgUserParts(user)
      body.item(open, head, ROLE_JSON[role], tail)
    }
    return body
  }
  function orgUserParts(user: User): [Buffer, Buffer] {
    if (!user.json.orgHead || !user.json.orgTail) {
      const text = JSON.stringify(orgUserDto(0, user, 'Viewer'))
      const at = text.indexOf(ROLE_SLOT)
      user.json.orgHead = Buffer.from(text.slice(ORG_SLOT.length, at))
      user.json.orgTail = Buffer.from(text.slice(at + ROLE_SLOT.length))
    }
    return [user.json.orgHead, user.json.orgTail]
  }
  const hitJson = (u: User) => (u.json.hit ??= Buffer.from(JSON.stringify(userHit(u))))
  const orgDetails = (o: Org) => ({
    id: o.id,
    name: o.name,
    address: { address1: '', address2: '', city: '', zipCode: '', state: '', country: '' },
  })

  // ---------------------------------------------------------------- helpers

  /** 1-based paging (teams, users, org users): page < 1 → 1, perpage ≤ 0 → 1000. */
  function page1(query: URLSearchParams): { page: number; perPage: number; offset: number } {
    const perpage = intParam(query, 'perpage') ?? 0
    const perPage = capped(perpage > 0 ? perpage : DEFAULT_PERPAGE)
    const page = Math.max(1, intParam(query, 'page') ?? 1)
    return { page, perPage, offset: (page - 1) * perPage }
  }
  const capped = (perPage: number) =>
    opts.maxPerPage !== undefined ? Math.min(perPage, opts.maxPerPage) : perPage
  /** The search envelope, `totalCount` first as Grafana writes it (unless the variant drops it). */
  const envelope = (totalCount: number, rest: Record<string, unknown>) =>
    opts.omitTotalCount ? rest : { totalCount, ...rest }
  const matchesUserQuery = (u: User, q: string) =>
    q === '' || u.login.includes(q) || u.email.includes(q) || u.name.toLowerCase().includes(q)

  /** `:id` path parameters that accept a numeric id or a user UID. */
  function userParam(value: string | undefined): { user?: User; uidMissing?: boolean } {
    const ref = value ?? ''
    if (/^\d+$/.test(ref)) return { user: store.users.get(Number(ref)) }
    const user = store.usersByUid.get(ref)
    return user ? { user } : { uidMissing: true }
  }
  function withUser(ctx: Ctx, key: string, missing: () => Reply, then: (u: User) => Reply): Reply {
    const { user, uidMissing } = userParam(ctx.params[key])
    if (uidMissing) return plain(404, 'User not found')
    return user ? then(user) : missing()
  }
  const callerRank = (c: Caller, orgId: number) =>
    c.isServerAdmin ? ROLE_RANK.Admin : ROLE_RANK[roleIn(c, orgId) ?? 'None']

  // ---------------------------------------------------------------- teams

  function searchTeams(ctx: Ctx): Reply {
    const { caller, req } = ctx
    const q = (req.query.get('query') ?? '').toLowerCase()
    const exact = req.query.get('name')
    const ids = new Set(req.query.getAll('teamId').map(Number))
    const sorts = (req.query.get('sort') ?? '').split(',').filter((s) => s !== '')
    const sorters: ((a: Team, b: Team) => number)[] = []
    for (const s of sorts) {
      const m = /^(name|email|memberCount)-(asc|desc)$/.exec(s)
      if (!m) return structured(400, 'sortopts.invalid', `invalid sort option: ${s}`)
      const dir = m[2] === 'desc' ? -1 : 1
      if (m[1] === 'memberCount') sorters.push((a, b) => dir * (a.members.size - b.members.size))
      else if (m[1] === 'email') sorters.push((a, b) => dir * compare(a.email, b.email))
      else sorters.push((a, b) => dir * compare(a.name, b.name))
    }
    const seesAll = orgAllows(caller, caller.orgId, 'teams:read')
    let teams = store
      .orgTeamsSorted(caller.orgId)
      .filter(
        (t) =>
          (seesAll || teamAllows(caller, t, 'teams:read')) &&
          (q === '' || t.name.toLowerCase().includes(q)) &&
          (exact === null || store.nameKey(t.name) === store.nameKey(exact)) &&
          (ids.size === 0 || ids.has(t.id)),
      )
    if (sorters.length > 0) {
      teams = [...teams].sort((a, b) => {
        for (const s of sorters) {
          const d = s(a, b)
          if (d !== 0) return d
        }
        return a.id - b.id
      })
    }
    const { page, perPage, offset } = page1(req.query)
    return ok(
      envelope(teams.length, {
        teams: teams.slice(offset, offset + perPage).map(teamDto),
        page,
        perPage,
      }),
    )
  }

  function createTeam({ caller, body }: Ctx): Reply {
    const name = str(body, 'name')
    if (store.teamByName(caller.orgId, name)) return traced(409, 'Team name taken')
    const team = store.createTeam(caller.orgId, name, str(body, 'email'))
    // Since Grafana 9 a user (never a service account) creating a team becomes its admin.
    if (caller.kind === 'user' && caller.user) store.setTeamMember(team, caller.user.id, 4)
    return ok({ teamId: team.id, uid: team.uid, message: 'Team created' })
  }

  const teamNotFound = () => traced(404, 'Team not found')

  function updateTeam({ team, body }: Ctx): Reply {
    if (!team) return atLeast('12.0') ? teamNotFound() : traced(500, 'Failed to update Team')
    const name = str(body, 'name')
    if (name !== '') {
      const other = store.teamByName(team.orgId, name)
      if (other && other !== team) return traced(400, 'Team name taken')
      if (name !== team.name) store.renameTeam(team, name)
    }
    team.email = str(body, 'email')
    team.avatarUrl = avatarOf(team.email, team.name)
    store.changed()
    return ok({ message: 'Team updated' })
  }

  function deleteTeam({ team }: Ctx): Reply {
    if (!team) {
      return atLeast('12.0') ? teamNotFound() : plain(404, 'Failed to delete Team. ID not found')
    }
    store.deleteTeam(team)
    return ok({ message: 'Team deleted' })
  }

  function listMembers({ team }: Ctx): Reply {
    if (!team) return ok([])
    const body = membersJsonOf(team)
    body.sending++
    return { status: 200, json: body.json, onSent: () => body.sending-- }
  }

  function membersJsonOf(team: Team): MembersJson & { json: Buffer } {
    const cached = team.membersJson
    if (cached?.json) return cached as MembersJson & { json: Buffer }
    const entries = new JsonArrayBytes()
    for (const user of store.teamMembersSorted(team)) {
      addMemberEntry(entries, team, user, team.members.get(user.id)!)
    }
    const size = entries.byteLength
    const reusable = cached && cached.sending === 0 && cached.buffer.length >= size
    // Room to grow, so the listing after a few added members still fits.
    const body = reusable
      ? cached
      : { buffer: Buffer.allocUnsafeSlow(Math.ceil(size * 1.1)), json: undefined, sending: 0 }
    team.membersJson = body
    return Object.assign(body, { json: entries.writeInto(body.buffer) })
  }

  function addMember({ team, body }: Ctx): Reply {
    if (!team) return teamNotFound()
    const user = store.users.get(int(body, 'userId'))
    if (!user) return traced(500, 'Failed to add Member to Team')
    if (team.members.has(user.id)) return plain(400, 'User is already added to this team')
    store.setTeamMember(team, user.id, 0)
    return ok({ message: 'Member added to Team' })
  }

  function updateMember({ team, params, body }: Ctx): Reply {
    const userId = Number(params.userId)
    if (!team || !team.members.has(userId)) return plain(404, 'Team member not found.')
    store.setTeamMember(team, userId, int(body, 'permission') === 4 ? 4 : 0)
    return ok({ message: 'Team member updated' })
  }

  function removeMember({ team, params }: Ctx): Reply {
    if (!team) return teamNotFound()
    const userId = Number(params.userId)
    if (!team.members.has(userId)) return plain(404, 'Team member not found')
    store.removeTeamMember(team, userId)
    return ok({ message: 'Team Member removed' })
  }

  /** §2.10: the lists replace all members; unknown emails abort before any change. */
  function setMembers({ team, body }: Ctx): Reply {
    if (!team) return teamNotFound()
    const admins = ((body.admins as (string | null)[] | undefined) ?? []).map((e) => e ?? '')
    const members = ((body.members as (string | null)[] | undefined) ?? []).map((e) => e ?? '')
    const wanted = new Map<number, TeamPermission>()
    const unchanged = new Set<number>()
    for (const [userId, m] of team.members) {
      const email = store.users.get(userId)?.email ?? ''
      const want = admins.includes(email) ? 4 : members.includes(email) ? 0 : undefined
      if (want === undefined) continue
      wanted.set(userId, want)
      if (want === m.permission) unchanged.add(userId)
    }
    const listed: [string, TeamPermission][] = [
      ...members.map((e): [string, TeamPermission] => [e, 0]),
      ...admins.map((e): [string, TeamPermission] => [e, 4]),
    ]
    for (const [email, permission] of listed) {
      const user = store.usersByEmail.get(email.toLowerCase())
      if (!user) return plain(404, 'user not found')
      if (unchanged.has(user.id)) continue
      const current = wanted.get(user.id)
      wanted.set(user.id, current === 4 ? 4 : permission)
    }
    for (const userId of [...team.members.keys()]) {
      if (!wanted.has(userId)) store.removeTeamMember(team, userId)
    }
    for (const [userId, permission] of wanted) {
      if (team.members.get(userId)?.permission !== permission) {
        store.setTeamMember(team, userId, permission)
      }
    }
    return ok({ message: 'Team memberships have been updated' })
  }

  const PREFERENCE_SCHEMA: Schema = {
    theme: { type: 'string' },
    homeDashboardUID: { type: 'string' },
    homeDashboardId: { type: 'int' },
    timezone: { type: 'string' },
    weekStart: { type: 'string' },
    language: { type: 'string' },
    regionalFormat: { type: 'string' },
    queryHistory: { type: 'object' },
    navbar: { type: 'object' },
    cookies: { type: 'strings' },
  }

  function getPreferences({ team }: Ctx): Reply {
    return ok(team ? { ...team.prefs } : {})
  }

  /** Full replace: keys the body omits go back to their defaults (unset). */
  function putPreferences({ team, caller, body }: Ctx): Reply {
    const theme = str(body, 'theme')
    if (!THEMES.has(theme)) return plain(400, 'Invalid theme')
    const orgId = team?.orgId ?? caller.orgId
    const boards = store.dashboards.get(orgId)
    let homeDashboardUID = str(body, 'homeDashboardUID')
    const homeDashboardId = int(body, 'homeDashboardId')
    if (opts.validateDashboards) {
      if (homeDashboardUID !== '' && !boards?.has(homeDashboardUID)) {
        return plain(404, 'Dashboard not found')
      }
      if (homeDashboardId !== 0 && homeDashboardUID === '') {
        const uid = [...(boards ?? [])].find(([, id]) => id === homeDashboardId)?.[0]
        if (uid === undefined && atLeast('12.0')) return plain(404, 'Dashboard not found')
        homeDashboardUID = uid ?? ''
      }
    }
    if (!team) return ok({ message: 'Preferences updated' })
    const prefs: Record<string, unknown> = {}
    const keep = (key: string, value: unknown) => {
      if (!isZero(value)) prefs[key] = value
    }
    keep('theme', theme)
    keep('homeDashboardUID', homeDashboardUID)
    keep('timezone', str(body, 'timezone'))
    keep('weekStart', str(body, 'weekStart'))
    keep('language', str(body, 'language'))
    keep('regionalFormat', str(body, 'regionalFormat'))
    const history = body.queryHistory as { homeTab?: unknown } | undefined
    if (typeof history?.homeTab === 'string' && history.homeTab !== '') {
      prefs.queryHistory = { homeTab: history.homeTab }
    }
    const navbar = body.navbar as { bookmarkUrls?: unknown } | undefined
    if (Array.isArray(navbar?.bookmarkUrls) && navbar.bookmarkUrls.length > 0) {
      prefs.navbar = { bookmarkUrls: navbar.bookmarkUrls as unknown[] }
    }
    team.prefs = prefs
    store.changed()
    return ok({ message: 'Preferences updated' })
  }

  // ---------------------------------------------------------------- users

  function lookupUser({ req }: Ctx): Reply {
    const value = req.query.get('loginOrEmail') ?? ''
    const u = value === '' ? undefined : store.findByLoginOrEmail(value)
    if (!u) return plain(404, 'user not found')
    return ok({ ...userProfile(u), authLabels: null, avatarUrl: '' })
  }

  function getUser(ctx: Ctx): Reply {
    return withUser(
      ctx,
      'id',
      () => plain(404, 'user not found'),
      (u) => ok(userProfile(u)),
    )
  }

  function searchUsers(withEnvelope: boolean): Handler {
    return ({ req }) => {
      const q = (req.query.get('query') ?? '').toLowerCase()
      const all = store.usersSorted()
      const hits = q === '' ? all : all.filter((u) => matchesUserQuery(u, q))
      const { page, perPage, offset } = page1(req.query)
      const total = opts.omitTotalCount ? '' : `"totalCount":${hits.length},`
      const body = withEnvelope
        ? new JsonArrayBytes(`{${total}"users":`, `,"page":${page},"perPage":${perPage}}`)
        : new JsonArrayBytes()
      for (const u of hits.slice(offset, offset + perPage)) {
        body.item(hitJson(u))
      }
      return { status: 200, json: body }
    }
  }

  function createUser({ body }: Ctx): Reply {
    let login = str(body, 'login')
    let email = str(body, 'email')
    const password = str(body, 'password')
    if (login === '') login = email
    if (login === '') {
      return structured(
        400,
        'user.empty-username-and-email',
        'Need to specify either username or email',
      )
    }
    let orgId = 0
    const requested = int(body, 'orgId')
    if (autoAssignOrg) {
      orgId = requested !== 0 ? requested : autoAssignOrgId
      if (!store.orgs.has(orgId)) return traced(400, 'organization not found')
    }
    if (email === '') email = login
    if (
      store.usersByEmail.has(email.toLowerCase()) ||
      store.usersByLogin.has(login.toLowerCase())
    ) {
      return traced(412, `User with email '${email}' or username '${login}' already exists`)
    }
    const weak = passwordWeakness(password)
    if (weak) return weak
    let role: OrgRole = autoAssignOrgRole
    if (!autoAssignOrg) {
      const personal = email || login
      orgId = (store.orgByName(personal) ?? store.createOrg(personal)).id
      role = 'Admin'
    }
    const user = store.createUser({
      login,
      email,
      name: str(body, 'name'),
      password,
      isAdmin: false,
      isDisabled: false,
    })
    store.setOrgMember(orgId, user.id, role)
    return ok({ id: user.id, uid: user.uid, message: 'User created' })
  }

  /** The service's password check on create (§3.4 step 6): default minimum 4, or the strict policy. */
  function passwordWeakness(password: string): Reply | undefined {
    const tooShort = () =>
      structured(400, 'password.password-policy-too-short', 'New password is too short')
    if (!opts.passwordPolicy) return password.length < 4 ? tooShort() : undefined
    if (password.length < 12) return tooShort()
    const classes = [/[A-Z]/, /[a-z]/, /\d/, /[^A-Za-z0-9]/]
    if (classes.every((c) => c.test(password))) return undefined
    return structured(
      400,
      'password.password-policy-infringe',
      "New password doesn't comply with the password policy",
    )
  }

  function updateUser(ctx: Ctx): Reply {
    const { body } = ctx
    const email = str(body, 'email').trim()
    let login = str(body, 'login').trim()
    const name = str(body, 'name').trim()
    if (login === '') login = email
    if (login === '') {
      return structured(
        400,
        'user.empty-username-and-email',
        'Need to specify either username or email',
      )
    }
    return withUser(
      ctx,
      'id',
      () => traced(500, 'Failed to update user'),
      (u) => {
        const byLogin = store.usersByLogin.get(login.toLowerCase())
        const byEmail = email === '' ? undefined : store.usersByEmail.get(email.toLowerCase())
        if ((byLogin && byLogin !== u) || (byEmail && byEmail !== u)) {
          return traced(409, 'Update would result in user login conflict')
        }
        if (opts.verifyEmail && email !== '' && email.toLowerCase() !== u.email) {
          return ok({ message: 'Email sent for verification' })
        }
        store.updateUser(u, {
          login,
          ...(email !== '' ? { email } : {}),
          ...(name !== '' ? { name } : {}),
        })
        const theme = str(body, 'theme').trim()
        if (theme !== '') u.theme = theme
        return ok({ message: 'User updated' })
      },
    )
  }

  const userNotFound = () => plain(404, 'user not found')

  function setServerAdmin(ctx: Ctx): Reply {
    return withUser(ctx, 'id', userNotFound, (u) => {
      const isAdmin = ctx.body.isGrafanaAdmin === true
      if (u.isAdmin && !isAdmin && store.serverAdminCount() <= 1) {
        return plain(400, 'cannot remove last grafana admin')
      }
      u.isAdmin = isAdmin
      store.userChanged(u)
      return ok({ message: 'User permissions updated' })
    })
  }

  function setDisabled(disabled: boolean): Handler {
    return (ctx) =>
      withUser(ctx, 'id', userNotFound, (u) => {
        u.isDisabled = disabled
        store.userChanged(u)
        return ok({ message: disabled ? 'User disabled' : 'User enabled' })
      })
  }

  function setPassword(ctx: Ctx): Reply {
    return withUser(ctx, 'id', userNotFound, (u) => {
      const password = str(ctx.body, 'password')
      if (password.length < 4) return traced(500, 'Failed to update user password')
      u.password = password
      failedLogins.delete(u.login)
      failedLogins.delete(u.email)
      return ok({ message: 'User password updated' })
    })
  }

  function deleteUser(ctx: Ctx): Reply {
    return withUser(ctx, 'id', userNotFound, (u) => {
      store.deleteUser(u)
      return ok({ message: 'User deleted' })
    })
  }

  function userOrgList(u: User) {
    return [...(store.userOrgs.get(u.id) ?? [])]
      .map(([orgId, role]) => ({ orgId, name: store.orgs.get(orgId)?.name ?? '', role }))
      .sort((a, b) => compare(a.name, b.name))
  }

  function userOrgs(ctx: Ctx): Reply {
    return withUser(ctx, 'id', userNotFound, (u) => ok(userOrgList(u)))
  }

  function userTeams(ctx: Ctx): Reply {
    return withUser(ctx, 'id', userNotFound, (u) =>
      ok(
        [...(store.userTeams.get(u.id) ?? [])]
          .filter((t) => t.orgId === ctx.caller.orgId)
          .sort((a, b) => compare(a.name, b.name))
          .map(teamDto),
      ),
    )
  }

  // ---------------------------------------------------------------- signed-in user

  function currentUser({ caller }: Ctx): Reply {
    if (caller.user) return ok({ ...userProfile(caller.user), orgId: caller.orgId })
    const t = caller.token!
    return ok({
      id: t.saId,
      uid: t.uid,
      email: '',
      name: t.name,
      login: t.login,
      theme: '',
      orgId: t.orgId,
      isGrafanaAdmin: false,
      isDisabled: false,
      isExternal: false,
      isExternallySynced: false,
      isGrafanaAdminExternallySynced: false,
      isProvisioned: false,
      authLabels: null,
      updatedAt: '0001-01-01T00:00:00Z',
      createdAt: '0001-01-01T00:00:00Z',
      avatarUrl: '',
    })
  }

  /** /api/user/* endpoints answer service accounts with 304 in current Grafana (§1.4). */
  const usersOnly = (then: (u: User) => Reply): Handler => {
    return ({ caller }) =>
      caller.user ? then(caller.user) : plain(304, 'Endpoint only available for users')
  }

  function switchOrg(ctx: Ctx): Reply {
    return usersOnly((u) => {
      const orgId = Number(ctx.params.orgId)
      if (!Number.isInteger(orgId)) return plain(400, 'id is invalid')
      if (store.roleOf(orgId, u.id) === undefined) return plain(401, 'Not a valid organization')
      u.activeOrgId = orgId
      store.changed()
      return ok({ message: 'Active organization changed' })
    })(ctx)
  }

  // ---------------------------------------------------------------- orgs

  function listOrgs({ req }: Ctx): Reply {
    const q = (req.query.get('query') ?? '').toLowerCase()
    const name = req.query.get('name')
    const perpage = intParam(req.query, 'perpage') ?? 0
    const perPage = capped(perpage > 0 ? perpage : DEFAULT_PERPAGE)
    const page = Math.max(0, intParam(req.query, 'page') ?? 0)
    const orgs = store
      .cached('orgs', () => [...store.orgs.values()].sort((a, b) => a.id - b.id))
      .filter(
        (o) =>
          (q === '' || o.name.toLowerCase().startsWith(q)) &&
          (name === null || store.nameKey(o.name) === store.nameKey(name)),
      )
    const offset = perPage * page
    return ok(orgs.slice(offset, offset + perPage).map((o) => ({ id: o.id, name: o.name })))
  }

  const orgNotFound = () => traced(404, 'Organization not found')

  function getOrg({ params }: Ctx): Reply {
    const org = store.orgs.get(Number(params.orgId))
    return org ? ok(orgDetails(org)) : orgNotFound()
  }

  function getOrgByName({ params }: Ctx): Reply {
    const org = store.orgByName(params.name ?? '')
    return org ? ok(orgDetails(org)) : orgNotFound()
  }

  function createOrg({ caller, body }: Ctx): Reply {
    const name = str(body, 'name')
    if (store.orgByName(name)) return traced(409, 'Organization name taken')
    const org = store.createOrg(name)
    if (caller.user) store.setOrgMember(org.id, caller.user.id, 'Admin')
    return ok({ orgId: org.id, message: 'Organization created' })
  }

  function renameOrg(orgId: number, name: string): Reply {
    const org = store.orgs.get(orgId)
    if (!org) return traced(500, 'Failed to update organization')
    const other = store.orgByName(name)
    if (other && other !== org) return traced(400, 'Organization name taken')
    store.renameOrg(org, name)
    return ok({ message: 'Organization updated' })
  }

  function deleteOrg({ caller, params }: Ctx): Reply {
    const org = store.orgs.get(Number(params.orgId))
    if (!org) return plain(404, 'Failed to delete organization. ID not found')
    if (org.id === caller.orgId) {
      return plain(
        400,
        atLeast('12.0')
          ? 'Cannot delete your active organization'
          : 'Can not delete org for current user',
      )
    }
    store.deleteOrg(org)
    return ok({ message: 'Organization deleted' })
  }

  // ---------------------------------------------------------------- org users

  function orgUsers(orgId: number, q: string) {
    const all = store.orgUsersSorted(orgId)
    return q === '' ? all : all.filter((m) => matchesUserQuery(m.user, q))
  }

  function listOrgUsersBare(orgIdOf: (ctx: Ctx) => number, withParams: boolean): Handler {
    return (ctx) => {
      const orgId = orgIdOf(ctx)
      const q = withParams ? (ctx.req.query.get('query') ?? '').toLowerCase() : ''
      const limit = withParams ? (intParam(ctx.req.query, 'limit') ?? 0) : 0
      const rows = orgUsers(orgId, q)
      const slice = limit > 0 ? rows.slice(0, limit) : rows
      return { status: 200, json: orgUsersJson(orgId, slice, new JsonArrayBytes()) }
    }
  }

  function searchOrgUsers(orgIdOf: (ctx: Ctx) => number): Handler {
    return (ctx) => {
      const orgId = orgIdOf(ctx)
      const rows = orgUsers(orgId, (ctx.req.query.get('query') ?? '').toLowerCase())
      const { page, perPage, offset } = page1(ctx.req.query)
      const total = opts.omitTotalCount ? '' : `"totalCount":${rows.length},`
      const body = new JsonArrayBytes(
        `{${total}"orgUsers":`,
        `,"page":${page},"perPage":${perPage}}`,
      )
      return { status: 200, json: orgUsersJson(orgId, rows.slice(offset, offset + perPage), body) }
    }
  }

  function lookupOrgUsers(ctx: Ctx): Reply {
    const limit = intParam(ctx.req.query, 'limit') ?? 0
    const rows = orgUsers(ctx.caller.orgId, (ctx.req.query.get('query') ?? '').toLowerCase())
    return ok(
      (limit > 0 ? rows.slice(0, limit) : rows).map((m) => ({
        userId: m.user.id,
        uid: m.user.uid,
        login: m.user.login,
        avatarUrl: m.user.avatarUrl,
      })),
    )
  }

  function addOrgUser(orgIdOf: (ctx: Ctx) => number): Handler {
    return (ctx) => {
      const orgId = orgIdOf(ctx)
      const role = parseRole(str(ctx.body, 'role'))
      if (!role) return badRequestData()
      if (ROLE_RANK[role] > callerRank(ctx.caller, orgId)) {
        return plain(403, "Cannot assign a role higher than user's role")
      }
      const user = store.findByLoginOrEmail(str(ctx.body, 'loginOrEmail'))
      if (!user) return plain(404, 'User not found')
      if (!store.orgs.has(orgId)) return traced(500, 'Could not add user to organization')
      if (store.roleOf(orgId, user.id) !== undefined) {
        return {
          status: 409,
          body: { message: 'User is already member of this organization', userId: user.id },
        }
      }
      store.setOrgMember(orgId, user.id, role)
      return ok({ message: 'User added to organization', userId: user.id })
    }
  }

  function updateOrgUser(orgIdOf: (ctx: Ctx) => number): Handler {
    return (ctx) => {
      const orgId = orgIdOf(ctx)
      const role = parseRole(str(ctx.body, 'role'))
      if (!role) return badRequestData()
      if (ROLE_RANK[role] > callerRank(ctx.caller, orgId)) {
        return plain(403, "Cannot assign a role higher than user's role")
      }
      const { user } = userParam(ctx.params.userId)
      const current = user ? store.roleOf(orgId, user.id) : undefined
      if (!user || current === undefined) return traced(500, 'Failed update org user')
      if (current === 'Admin' && role !== 'Admin' && store.adminCount(orgId) <= 1) {
        return plain(400, 'Cannot change role so that there is no organization admin left')
      }
      store.setOrgMember(orgId, user.id, role)
      return ok({ message: 'Organization user updated' })
    }
  }

  function removeOrgUser(orgIdOf: (ctx: Ctx) => number, deleteOrphan: boolean): Handler {
    return (ctx) => {
      const orgId = orgIdOf(ctx)
      const { user, uidMissing } = userParam(ctx.params.userId)
      if (uidMissing) return plain(404, 'User not found')
      if (!user) return traced(500, 'Failed to remove user from organization')
      const role = store.roleOf(orgId, user.id)
      if (role === 'Admin' && store.adminCount(orgId) <= 1) {
        return plain(400, 'Cannot remove last organization admin')
      }
      if (role !== undefined) store.removeOrgMember(orgId, user.id)
      if (deleteOrphan && (store.userOrgs.get(user.id)?.size ?? 0) === 0) {
        store.deleteUser(user)
        return ok({ message: 'User deleted' })
      }
      return ok({ message: 'User removed from organization' })
    }
  }

  const currentOrg = (ctx: Ctx) => ctx.caller.orgId
  const pathOrg = (ctx: Ctx) => Number(ctx.params.orgId)

  // ---------------------------------------------------------------- routes

  const router = new Router<RouteDef>()
  const route = (
    method: string,
    pattern: string,
    authorize: Authorize,
    handler: Handler,
    extra: { bind?: Schema; minVersion?: GrafanaVersion } = {},
  ) => router.add(method, pattern, { authorize, handler, ...extra })

  const TEAM_SCHEMA: Schema = { name: { type: 'string' }, email: { type: 'string' } }
  const ORG_ROLE_SCHEMA: Schema = { role: { type: 'string', required: true } }
  const ADD_ORG_USER_SCHEMA: Schema = {
    loginOrEmail: { type: 'string', required: true },
    role: { type: 'string', required: true },
  }
  const ORG_NAME_SCHEMA: Schema = { name: { type: 'string', required: true } }

  // teams
  route('GET', '/api/teams/search', anyTeamReadable, searchTeams)
  route('POST', '/api/teams', inOrg('teams:create'), createTeam, {
    bind: { name: { type: 'string', required: true }, email: { type: 'string' } },
  })
  route('GET', '/api/teams/:teamId', onTeam('teams:read'), ({ team }) =>
    team ? ok(teamDto(team)) : teamNotFound(),
  )
  route('PUT', '/api/teams/:teamId', onTeam('teams:write'), updateTeam, { bind: TEAM_SCHEMA })
  route('DELETE', '/api/teams/:teamId', onTeam('teams:delete'), deleteTeam)
  route('GET', '/api/teams/:teamId/members', onTeam('teams.permissions:read'), listMembers)
  route('POST', '/api/teams/:teamId/members', onTeam('teams.permissions:write'), addMember, {
    bind: { userId: { type: 'int', required: true } },
  })
  route('PUT', '/api/teams/:teamId/members', onTeam('teams.permissions:write'), setMembers, {
    bind: { members: { type: 'strings' }, admins: { type: 'strings' } },
    minVersion: '11.1',
  })
  route(
    'PUT',
    '/api/teams/:teamId/members/:userId',
    onTeam('teams.permissions:write'),
    updateMember,
    { bind: { permission: { type: 'int' } } },
  )
  route(
    'DELETE',
    '/api/teams/:teamId/members/:userId',
    onTeam('teams.permissions:write'),
    removeMember,
  )
  route('GET', '/api/teams/:teamId/preferences', onTeam('teams:read'), getPreferences)
  route('PUT', '/api/teams/:teamId/preferences', onTeam('teams:write'), putPreferences, {
    bind: PREFERENCE_SCHEMA,
  })

  // users (server admin)
  route('GET', '/api/users/lookup', global('users:read'), lookupUser)
  route('GET', '/api/users/search', global('users:read'), searchUsers(true))
  route('GET', '/api/users', global('users:read'), searchUsers(false))
  route('GET', '/api/users/:id', global('users:read'), getUser)
  route('PUT', '/api/users/:id', global('users:write'), updateUser, {
    bind: {
      email: { type: 'string' },
      login: { type: 'string' },
      name: { type: 'string' },
      theme: { type: 'string' },
    },
  })
  route('GET', '/api/users/:id/orgs', global('users:read'), userOrgs)
  route('GET', '/api/users/:id/teams', global('users:read'), userTeams)
  route('POST', '/api/admin/users', global('users:create'), createUser, {
    bind: {
      login: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string', required: true },
      orgId: { type: 'int' },
    },
  })
  route(
    'PUT',
    '/api/admin/users/:id/permissions',
    global('users.permissions:write'),
    setServerAdmin,
    { bind: { isGrafanaAdmin: { type: 'bool' } } },
  )
  route('POST', '/api/admin/users/:id/disable', global('users:disable'), setDisabled(true))
  route('POST', '/api/admin/users/:id/enable', global('users:enable'), setDisabled(false))
  route('PUT', '/api/admin/users/:id/password', global('users.password:write'), setPassword, {
    bind: { password: { type: 'string', required: true } },
  })
  route('DELETE', '/api/admin/users/:id', global('users:delete'), deleteUser)

  // signed-in user and current org
  route('GET', '/api/user', signedIn, currentUser)
  route(
    'GET',
    '/api/user/orgs',
    signedIn,
    usersOnly((u) => ok(userOrgList(u))),
  )
  route('POST', '/api/user/using/:orgId', signedIn, switchOrg)
  route('GET', '/api/org', inOrg('orgs:read'), ({ caller }) =>
    ok(orgDetails(store.orgs.get(caller.orgId)!)),
  )
  route(
    'PUT',
    '/api/org',
    inOrg('orgs:write'),
    ({ caller, body }) => renameOrg(caller.orgId, str(body, 'name')),
    { bind: ORG_NAME_SCHEMA },
  )
  route('GET', '/api/org/users', inOrg('org.users:read'), listOrgUsersBare(currentOrg, true))
  route('GET', '/api/org/users/search', inOrg('org.users:read'), searchOrgUsers(currentOrg))
  route('GET', '/api/org/users/lookup', inOrg('org.users:read'), lookupOrgUsers)
  route('POST', '/api/org/users', inOrg('org.users:add'), addOrgUser(currentOrg), {
    bind: ADD_ORG_USER_SCHEMA,
  })
  route('PATCH', '/api/org/users/:userId', inOrg('org.users:write'), updateOrgUser(currentOrg), {
    bind: ORG_ROLE_SCHEMA,
  })
  route(
    'DELETE',
    '/api/org/users/:userId',
    inOrg('org.users:remove'),
    removeOrgUser(currentOrg, true),
  )

  // orgs
  route('GET', '/api/orgs', global('orgs:read'), listOrgs)
  route('POST', '/api/orgs', global('orgs:create'), createOrg, { bind: ORG_NAME_SCHEMA })
  route('GET', '/api/orgs/name/:name', global('orgs:read'), getOrgByName)
  route('GET', '/api/orgs/:orgId', inPathOrg('orgs:read'), getOrg)
  route(
    'PUT',
    '/api/orgs/:orgId',
    inPathOrg('orgs:write'),
    ({ params, body }) => renameOrg(Number(params.orgId), str(body, 'name')),
    { bind: ORG_NAME_SCHEMA },
  )
  route('DELETE', '/api/orgs/:orgId', global('orgs:delete'), deleteOrg)
  route(
    'GET',
    '/api/orgs/:orgId/users',
    inPathOrg('org.users:read'),
    listOrgUsersBare(pathOrg, false),
  )
  route(
    'GET',
    '/api/orgs/:orgId/users/search',
    inPathOrg('org.users:read'),
    searchOrgUsers(pathOrg),
  )
  route('POST', '/api/orgs/:orgId/users', inPathOrg('org.users:add'), addOrgUser(pathOrg), {
    bind: ADD_ORG_USER_SCHEMA,
  })
  route(
    'PATCH',
    '/api/orgs/:orgId/users/:userId',
    inPathOrg('org.users:write'),
    updateOrgUser(pathOrg),
    { bind: ORG_ROLE_SCHEMA },
  )
  route(
    'DELETE',
    '/api/orgs/:orgId/users/:userId',
    inPathOrg('org.users:remove'),
    removeOrgUser(pathOrg, false),
  )

  // ---------------------------------------------------------------- dispatch

  const basePath = (opts.basePath ?? '').replace(/\/+$/, '')

  function handle(req: FakeRequest): Reply {
    if (basePath !== '') {
      if (!req.path.startsWith(`${basePath}/`)) return notFoundRoute()
      req = { ...req, path: req.path.slice(basePath.length) }
    }
    const segments = pathSegments(req.path)
    const found = segments && router.match(req.method, segments)
    if (!found || (found.handler.minVersion && !atLeast(found.handler.minVersion))) {
      return notFoundRoute()
    }
    const caller = authenticate(req)
    if ('status' in caller) return caller
    const ctx: Ctx = { req, caller, params: found.params, body: {} }
    const refusal = found.handler.authorize(ctx)
    if (refusal) return refusal
    if (found.handler.bind) {
      const body = bindJson(req, found.handler.bind)
      if (!body) return badRequestData()
      ctx.body = body
    }
    return found.handler.handler(ctx)
  }

  function faultReply(rule: FaultRule, status: number): Reply {
    if (status >= 300 && status < 400) return { status } // a redirect: `headers` gives the Location
    if (rule.body !== undefined) return { status, text: rule.body, contentType: 'text/html' }
    const message = STATUS_CODES[status] ?? 'Error'
    if (status === 429) {
      return {
        status,
        body: { message },
        headers: { 'retry-after': String(rule.rateLimitResetSeconds ?? 1) },
      }
    }
    return status >= 500 ? traced(status, message) : plain(status, message)
  }

  const server = await startFakeServer({
    latencyMs: opts.latencyMs,
    record: opts.recordRequests,
    jsonContentType: opts.jsonContentType,
    handle,
    faultReply,
  })

  // ---------------------------------------------------------------- seeding API

  const requireOrg = (orgId: number) => {
    if (!store.orgs.has(orgId)) throw new Error(`fake Grafana: no org ${orgId}`)
  }

  return {
    url: `${server.url}${basePath}`,
    version,
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
      const user = passwordMatches(login, password)
      return user !== undefined && !user.isDisabled && !lockedOut(login.toLowerCase())
    },
    requests: server.requests,
    serialiseListings() {
      for (const team of store.teams.values()) membersJsonOf(team)
      for (const user of store.users.values()) {
        hitJson(user)
        orgUserParts(user)
      }
    },
    clearRequests: () => void server.requests.splice(0),
    writes: () => server.requests.filter((r) => r.method !== 'GET'),
    faults: server.faults,
    close: () => server.close(),
  }
}
