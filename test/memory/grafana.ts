// An in-memory Grafana behind the GrafanaClient interface, for tests of the engine's logic (observe,
// plan, apply) without HTTP. It keeps the semantics test/fakes/grafana.ts serves over HTTP and the HTTP
// client maps: ids, the org a call acts in, who may do what, "already done" answers, the last Admin.
// The HTTP fake and the client contract tests stay the proof of the wire; this is the model of it.
import type { GrafanaClient, GrafanaTeamSummary } from '../../src/grafana/types.ts'
import { HttpError } from '../../src/http/index.ts'
import type {
  Caller,
  GrafanaUser,
  OrgMember,
  OrgRole,
  RequestStats,
  TeamMember,
  TeamPreferences,
} from '../../src/model.ts'
import type { FakeGrafanaSnapshot, OrgRole as LiveRole } from '../fakes/grafana.ts'

interface User {
  id: number
  login: string
  email: string
  name: string
  password: string | undefined
  isGrafanaAdmin: boolean
  isDisabled: boolean
  activeOrgId: number
}

interface Team {
  id: number
  orgId: number
  name: string
  email: string
  /** userId → permission (4 = Admin) and labels. */
  members: Map<number, { permission: 0 | 4; labels: string[] }>
  prefs: Record<string, string>
}

/** Who a client acts as: a user's basic auth or a service-account token. */
export type MemoryAuth = { username: string; password: string } | { token: string }

/** One call a client made, e.g. `{ method: 'addTeamMember', args: [1, 3, 7] }`. */
export interface MemoryCall {
  method: string
  args: unknown[]
}

const READS = new Set([
  'whoami',
  'listOrgs',
  'listUsers',
  'listOrgUsers',
  'listTeams',
  'listTeamMembers',
  'getTeamPreferences',
  'findOrg',
  'findUser',
  'findTeam',
])

/** Lets a test make one call fail, e.g. `(call) => call.method === 'addTeamMember' ? error : undefined`. */
export type MemoryFault = (call: MemoryCall) => Error | undefined

export interface MemoryGrafanaOptions {
  adminLogin?: string
  adminPassword?: string
}

export class MemoryGrafana {
  readonly #orgs = new Map<number, { id: number; name: string }>()
  readonly #users = new Map<number, User>()
  /** orgId → userId → role */
  readonly #orgUsers = new Map<number, Map<number, LiveRole>>()
  readonly #teams = new Map<number, Team>()
  readonly #tokens = new Map<string, { orgId: number; role: LiveRole }>()
  readonly #ids = { org: 0, user: 0, team: 0, token: 0 }
  /** Every call of every client, in order. */
  readonly calls: MemoryCall[] = []
  faults: MemoryFault[] = []

  constructor(opts: MemoryGrafanaOptions = {}) {
    const main = this.addOrg('Main Org.')
    const admin = this.#createUser({
      login: opts.adminLogin ?? 'admin',
      email: 'admin@localhost',
      password: opts.adminPassword ?? 'admin',
      isGrafanaAdmin: true,
    })
    this.#orgUsers.get(main)!.set(admin.id, 'Admin')
    admin.activeOrgId = main
  }

  // ------------------------------------------------------------ seeding, as the HTTP fake offers it

  addOrg(name: string): number {
    const id = ++this.#ids.org
    this.#orgs.set(id, { id, name })
    this.#orgUsers.set(id, new Map())
    return id
  }

  /** Login and email are stored lower-cased (email defaults to the login); no `orgs` = no membership. */
  addUser(u: {
    login: string
    email?: string
    name?: string
    password?: string
    isGrafanaAdmin?: boolean
    disabled?: boolean
    orgs?: Record<number, LiveRole>
  }): number {
    const user = this.#createUser({ ...u, isDisabled: u.disabled })
    for (const [orgId, role] of Object.entries(u.orgs ?? {})) {
      this.#orgUsers.get(Number(orgId))?.set(user.id, role)
      if (user.activeOrgId === 0) user.activeOrgId = Number(orgId)
    }
    return user.id
  }

  addTeam(
    orgId: number,
    name: string,
    opts: {
      email?: string
      members?: { userId: number; permission?: 0 | 4; labels?: string[] }[]
    } = {},
  ): number {
    const team = this.#createTeam(orgId, name, opts.email ?? '')
    for (const m of opts.members ?? []) {
      team.members.set(m.userId, { permission: m.permission ?? 0, labels: m.labels ?? [] })
    }
    return team.id
  }

  setTeamPreferences(teamId: number, prefs: Record<string, string>): void {
    const team = this.#teams.get(teamId)
    if (team) team.prefs = { ...prefs }
  }

  /** A token bound to the org with the role (default Admin). */
  addServiceAccountToken(orgId: number, role: LiveRole = 'Admin'): string {
    const token = `glsa_memory${++this.#ids.token}_0000000000000000`
    this.#tokens.set(token, { orgId, role })
    return token
  }

  snapshot(): FakeGrafanaSnapshot {
    const byId = <T extends { id: number }>(items: Iterable<T>) =>
      [...items].sort((a, b) => a.id - b.id)
    const teams = byId(this.#teams.values())
    return {
      orgs: byId(this.#orgs.values()).map(({ id, name }) => ({ id, name })),
      users: byId(this.#users.values()).map((u) => ({
        id: u.id,
        login: u.login,
        email: u.email,
        name: u.name,
        isGrafanaAdmin: u.isGrafanaAdmin,
        isDisabled: u.isDisabled,
      })),
      orgUsers: [...this.#orgUsers].flatMap(([orgId, members]) =>
        [...members].map(([userId, role]) => ({ orgId, userId, role })),
      ),
      teams: teams.map(({ id, orgId, name, email }) => ({ id, orgId, name, email })),
      teamMembers: teams.flatMap((t) =>
        [...t.members].map(([userId, m]) => ({ teamId: t.id, userId, ...m })),
      ),
      teamPreferences: Object.fromEntries(teams.map((t) => [t.id, { ...t.prefs }])),
    }
  }

  checkPassword(login: string, password: string): boolean {
    const user = this.#findUser(login)
    return user !== undefined && user.password === password
  }

  clearRequests(): void {
    this.calls.length = 0
  }

  /** The calls that changed (or tried to change) something. */
  writes(): MemoryCall[] {
    return this.calls.filter((c) => !READS.has(c.method))
  }

  client(auth: MemoryAuth): GrafanaClient {
    return new MemoryGrafanaClient(this, auth)
  }

  // ------------------------------------------------------------ the service's rules, for the client

  /** @internal */
  record(method: string, args: unknown[]): void {
    const call = { method, args }
    this.calls.push(call)
    for (const fault of this.faults) {
      const error = fault(call)
      if (error) throw error
    }
  }

  /** @internal */
  signIn(auth: MemoryAuth): Session {
    if ('token' in auth) {
      const token = this.#tokens.get(auth.token)
      if (!token) throw httpError('GET', '/api/org', 401, 'Invalid API key', 'credential-rejected')
      return { auth: 'token', orgId: token.orgId, role: () => token.role }
    }
    const user = this.#findUser(auth.username)
    if (!user || user.password !== auth.password || user.isDisabled) {
      throw httpError(
        'GET',
        '/api/user',
        401,
        'Invalid username or password',
        'credential-rejected',
      )
    }
    return {
      auth: 'basic',
      user,
      orgId: user.activeOrgId,
      role: (orgId) => this.#orgUsers.get(orgId)?.get(user.id),
    }
  }

  /** @internal */
  get store() {
    return {
      orgs: this.#orgs,
      users: this.#users,
      orgUsers: this.#orgUsers,
      teams: this.#teams,
      findUser: (loginOrEmail: string) => this.#findUser(loginOrEmail),
      createUser: (u: Parameters<MemoryGrafana['addUser']>[0]) => this.#createUser(u),
      createTeam: (orgId: number, name: string, email: string) =>
        this.#createTeam(orgId, name, email),
      addOrg: (name: string) => this.addOrg(name),
    }
  }

  #findUser(loginOrEmail: string): User | undefined {
    const wanted = loginOrEmail.toLowerCase()
    for (const u of this.#users.values()) if (u.login === wanted || u.email === wanted) return u
    return undefined
  }

  #createUser(u: {
    login: string
    email?: string
    name?: string
    password?: string
    isGrafanaAdmin?: boolean
    isDisabled?: boolean
  }): User {
    const login = u.login.toLowerCase()
    const user: User = {
      id: ++this.#ids.user,
      login,
      email: (u.email ?? login).toLowerCase(),
      name: u.name ?? '',
      password: u.password,
      isGrafanaAdmin: u.isGrafanaAdmin ?? false,
      isDisabled: u.isDisabled ?? false,
      activeOrgId: 0,
    }
    this.#users.set(user.id, user)
    return user
  }

  #createTeam(orgId: number, name: string, email: string): Team {
    const team: Team = { id: ++this.#ids.team, orgId, name, email, members: new Map(), prefs: {} }
    this.#teams.set(team.id, team)
    return team
  }
}

interface Session {
  auth: 'token' | 'basic'
  user?: User
  /** The org a token belongs to, or the user's active org. */
  orgId: number
  role(orgId: number): LiveRole | undefined
}

const RANK: Record<LiveRole, number> = { None: 0, Viewer: 1, Editor: 2, Admin: 3 }

function httpError(
  method: string,
  endpoint: string,
  status: number,
  message: string,
  reason?: 'credential-rejected',
): HttpError {
  return new HttpError({
    service: 'grafana',
    method,
    endpoint,
    status,
    serviceMessage: message,
    ...(reason ? { reason } : {}),
  })
}

const denied = (method: string, endpoint: string) =>
  httpError(method, endpoint, 403, 'You do not have permission to perform this action')

class MemoryGrafanaClient implements GrafanaClient {
  readonly auth: 'token' | 'basic'
  readonly #grafana: MemoryGrafana
  readonly #credentials: MemoryAuth
  #requests = 0

  constructor(grafana: MemoryGrafana, auth: MemoryAuth) {
    this.#grafana = grafana
    this.#credentials = auth
    this.auth = 'token' in auth ? 'token' : 'basic'
  }

  get #store() {
    return this.#grafana.store
  }

  /**
   * Records the call, applies the test's faults, and signs in as the service would per request; after
   * a turn of the event loop, as calls in flight interleave with a real service.
   */
  async #begin(method: string, args: unknown[]): Promise<Session> {
    await Promise.resolve()
    this.#requests++
    this.#grafana.record(method, args)
    return this.#grafana.signIn(this.#credentials)
  }

  /** The caller's standing in an org: a token acts in its own org only (the client refuses others). */
  #inOrg(session: Session, orgId: number): { role: LiveRole | undefined; admin: boolean } {
    if (session.auth === 'token' && session.orgId !== orgId) {
      throw new Error(`the token belongs to org ${session.orgId} and cannot act in org ${orgId}`)
    }
    return { role: session.role(orgId), admin: session.user?.isGrafanaAdmin === true }
  }

  #serverAdmin(session: Session, method: string, endpoint: string): void {
    if (!session.user?.isGrafanaAdmin) throw denied(method, endpoint)
  }

  /** Org users routes: a server admin or an Admin of the org. */
  #orgAdmin(session: Session, orgId: number, method: string, endpoint: string): void {
    const { role, admin } = this.#inOrg(session, orgId)
    if (!admin && role !== 'Admin') throw denied(method, endpoint)
  }

  /** Team routes act in the org given by header: a user must be a member of it. */
  #team(
    session: Session,
    orgId: number,
    teamId: number,
    need: 'read' | 'write' | 'members-read',
    method: string,
    endpoint: string,
  ): Team | undefined {
    const { role } = this.#inOrg(session, orgId)
    if (role === undefined) throw denied(method, endpoint)
    const found = this.#store.teams.get(teamId)
    const team = found?.orgId === orgId ? found : undefined
    if (role === 'Admin') return team
    if (!team) throw denied(method, endpoint)
    if (need === 'read' && role !== 'None') return team
    const member = session.user ? team.members.get(session.user.id) : undefined
    if (member && (need === 'read' || member.permission === 4)) return team
    throw denied(method, endpoint)
  }

  async whoami(): Promise<Caller> {
    const s = await this.#begin('whoami', [])
    if (s.auth === 'token') return { auth: 'token', isServerAdmin: false, orgId: s.orgId }
    const user = s.user!
    return {
      auth: 'basic',
      userId: user.id,
      login: user.login,
      email: user.email,
      isServerAdmin: user.isGrafanaAdmin,
      orgId: user.activeOrgId,
    }
  }

  async listOrgs(): Promise<{ id: number; name: string }[]> {
    const s = await this.#begin('listOrgs', [])
    const orgs = [...this.#store.orgs.values()].map(({ id, name }) => ({ id, name }))
    if (s.user?.isGrafanaAdmin) return orgs
    if (s.auth === 'token') return orgs.filter((o) => o.id === s.orgId)
    return orgs.filter((o) => s.role(o.id) !== undefined)
  }

  async listUsers(): Promise<GrafanaUser[]> {
    const s = await this.#begin('listUsers', [])
    this.#serverAdmin(s, 'GET', '/api/users/search')
    return [...this.#store.users.values()].map((u) => ({
      id: u.id,
      login: u.login,
      email: u.email,
      name: u.name,
      isGrafanaAdmin: u.isGrafanaAdmin,
      isDisabled: u.isDisabled,
    }))
  }

  async listOrgUsers(orgId: number): Promise<OrgMember[]> {
    const s = await this.#begin('listOrgUsers', [orgId])
    this.#orgAdmin(s, orgId, 'GET', '/api/orgs/:id/users')
    const members = this.#store.orgUsers.get(orgId) ?? new Map<number, LiveRole>()
    return [...members].flatMap(([userId, role]) => {
      const u = this.#store.users.get(userId)
      if (!u) return []
      const member = { userId, login: u.login, email: u.email, role, name: u.name }
      return [{ ...member, isDisabled: u.isDisabled } as OrgMember]
    })
  }

  async listTeams(orgId: number): Promise<GrafanaTeamSummary[]> {
    const s = await this.#begin('listTeams', [orgId])
    const { role } = this.#inOrg(s, orgId)
    const inOrg = [...this.#store.teams.values()].filter((t) => t.orgId === orgId)
    const mine = inOrg.filter((t) => s.user && t.members.has(s.user.id))
    const visible = role !== undefined && role !== 'None' ? inOrg : mine
    if (visible.length === 0 && (role === undefined || role === 'None')) {
      throw denied('GET', '/api/teams/search')
    }
    return visible.map(summary)
  }

  async listTeamMembers(orgId: number, teamId: number): Promise<TeamMember[]> {
    const s = await this.#begin('listTeamMembers', [orgId, teamId])
    const team = this.#team(s, orgId, teamId, 'members-read', 'GET', '/api/teams/:id/members')
    return [...(team?.members ?? [])].flatMap(([userId, m]): TeamMember[] => {
      const u = this.#store.users.get(userId)
      if (!u) return []
      const permission = m.permission === 4 ? 'Admin' : 'Member'
      return [{ userId, login: u.login, email: u.email, permission, labels: [...m.labels] }]
    })
  }

  async getTeamPreferences(orgId: number, teamId: number): Promise<TeamPreferences> {
    const s = await this.#begin('getTeamPreferences', [orgId, teamId])
    const team = this.#team(s, orgId, teamId, 'read', 'GET', '/api/teams/:id/preferences')
    const prefs: Record<string, string> = {}
    for (const [key, value] of Object.entries(team?.prefs ?? {})) {
      prefs[key === 'homeDashboardUID' ? 'homeDashboardUid' : key] = value
    }
    return prefs
  }

  async createOrg(name: string): Promise<{ orgId: number } | 'already-done'> {
    const s = await this.#begin('createOrg', [name])
    this.#serverAdmin(s, 'POST', '/api/orgs')
    if ([...this.#store.orgs.values()].some((o) => o.name === name)) return 'already-done'
    const orgId = this.#store.addOrg(name)
    if (s.user) this.#store.orgUsers.get(orgId)!.set(s.user.id, 'Admin')
    return { orgId }
  }

  async renameOrg(orgId: number, name: string): Promise<void> {
    const s = await this.#begin('renameOrg', [orgId, name])
    this.#orgAdmin(s, orgId, 'PUT', '/api/orgs/:id')
    const org = this.#store.orgs.get(orgId)
    if (!org) throw httpError('PUT', '/api/orgs/:id', 500, 'Failed to update organization')
    const other = [...this.#store.orgs.values()].find((o) => o.name === name)
    if (other && other !== org) {
      throw httpError('PUT', '/api/orgs/:id', 400, 'Organization name taken')
    }
    org.name = name
  }

  async findOrg(name: string): Promise<{ id: number; name: string } | undefined> {
    const s = await this.#begin('findOrg', [name])
    const orgs = [...this.#store.orgs.values()].filter(
      (o) => s.auth !== 'token' || o.id === s.orgId,
    )
    const org = orgs.find((o) => o.name === name)
    return org && { id: org.id, name: org.name }
  }

  async createUser(user: {
    login: string
    email: string
    name: string
    password: string
    orgId?: number
  }): Promise<{ id: number } | 'already-done'> {
    const s = await this.#begin('createUser', [user.login])
    this.#serverAdmin(s, 'POST', '/api/admin/users')
    const login = user.login || user.email
    if (this.#store.findUser(login) || (user.email && this.#store.findUser(user.email))) {
      return 'already-done'
    }
    if (user.password.length < 4) {
      throw httpError('POST', '/api/admin/users', 400, 'New password is too short')
    }
    const orgId = user.orgId ?? 1
    if (!this.#store.orgs.has(orgId)) {
      throw httpError('POST', '/api/admin/users', 400, 'organization not found')
    }
    const created = this.#store.createUser({ ...user, login, email: user.email || login })
    this.#store.orgUsers.get(orgId)!.set(created.id, 'Viewer')
    created.activeOrgId = orgId
    return { id: created.id }
  }

  async findUser(loginOrEmail: string): Promise<GrafanaUser | undefined> {
    const s = await this.#begin('findUser', [loginOrEmail])
    const u = this.#store.findUser(loginOrEmail)
    if (!u) return undefined
    if (s.auth === 'token' && s.role(s.orgId) !== undefined) {
      if (!this.#store.orgUsers.get(s.orgId)?.has(u.id)) return undefined
      return { id: u.id, login: u.login, email: u.email, name: u.name }
    }
    this.#serverAdmin(s, 'GET', '/api/users/lookup')
    const { id, login, email, name, isGrafanaAdmin, isDisabled } = u
    return { id, login, email, name, isGrafanaAdmin, isDisabled }
  }

  async updateUser(userId: number, fields: { login: string; email: string; name: string }) {
    const s = await this.#begin('updateUser', [userId, fields])
    this.#serverAdmin(s, 'PUT', '/api/users/:id')
    const u = this.#user(userId, 'PUT', '/api/users/:id', 500)
    const email = fields.email.trim().toLowerCase()
    const login = (fields.login.trim() || email).toLowerCase()
    const name = fields.name.trim()
    const byLogin = this.#store.findUser(login)
    const byEmail = email === '' ? undefined : this.#store.findUser(email)
    if ((byLogin && byLogin !== u) || (byEmail && byEmail !== u)) {
      throw httpError('PUT', '/api/users/:id', 409, 'Update would result in user login conflict')
    }
    // Grafana keeps the email and name when the update leaves them empty.
    u.login = login
    if (email !== '') u.email = email
    if (name !== '') u.name = name
  }

  async setServerAdmin(userId: number, isGrafanaAdmin: boolean): Promise<void> {
    const s = await this.#begin('setServerAdmin', [userId, isGrafanaAdmin])
    const endpoint = '/api/admin/users/:id/permissions'
    this.#serverAdmin(s, 'PUT', endpoint)
    const u = this.#user(userId, 'PUT', endpoint)
    const admins = [...this.#store.users.values()].filter((x) => x.isGrafanaAdmin).length
    if (u.isGrafanaAdmin && !isGrafanaAdmin && admins <= 1) {
      throw httpError('PUT', endpoint, 400, 'cannot remove last grafana admin')
    }
    u.isGrafanaAdmin = isGrafanaAdmin
  }

  async setDisabled(userId: number, disabled: boolean): Promise<void> {
    const s = await this.#begin('setDisabled', [userId, disabled])
    const endpoint = `/api/admin/users/:id/${disabled ? 'disable' : 'enable'}`
    this.#serverAdmin(s, 'POST', endpoint)
    this.#user(userId, 'POST', endpoint).isDisabled = disabled
  }

  async addOrgUser(orgId: number, loginOrEmail: string, role: OrgRole) {
    const s = await this.#begin('addOrgUser', [orgId, loginOrEmail, role])
    const endpoint = '/api/orgs/:id/users'
    this.#orgAdmin(s, orgId, 'POST', endpoint)
    this.#mayGive(s, orgId, role, 'POST', endpoint)
    const u = this.#store.findUser(loginOrEmail)
    if (!u) throw httpError('POST', endpoint, 404, 'User not found')
    const members = this.#store.orgUsers.get(orgId)
    if (!members) throw httpError('POST', endpoint, 500, 'Could not add user to organization')
    if (members.has(u.id)) return 'already-done' as const
    members.set(u.id, role)
    return 'done' as const
  }

  async setOrgRole(orgId: number, userId: number, role: OrgRole): Promise<void> {
    const s = await this.#begin('setOrgRole', [orgId, userId, role])
    const endpoint = '/api/orgs/:id/users/:id'
    this.#orgAdmin(s, orgId, 'PATCH', endpoint)
    this.#mayGive(s, orgId, role, 'PATCH', endpoint)
    const members = this.#store.orgUsers.get(orgId)
    const current = members?.get(userId)
    if (!members || current === undefined) {
      throw httpError('PATCH', endpoint, 500, 'Failed update org user')
    }
    if (current === 'Admin' && role !== 'Admin' && adminCount(members) <= 1) {
      throw httpError(
        'PATCH',
        endpoint,
        400,
        'Cannot change role so that there is no organization admin left',
      )
    }
    members.set(userId, role)
  }

  async removeOrgUser(orgId: number, userId: number) {
    const s = await this.#begin('removeOrgUser', [orgId, userId])
    const endpoint = '/api/orgs/:id/users/:id'
    this.#orgAdmin(s, orgId, 'DELETE', endpoint)
    this.#user(userId, 'DELETE', endpoint, 500)
    const members = this.#store.orgUsers.get(orgId)
    if (members?.get(userId) === 'Admin' && adminCount(members) <= 1) {
      throw httpError('DELETE', endpoint, 400, 'Cannot remove last organization admin')
    }
    // Grafana answers 200 for a user that is no member: done all the same.
    members?.delete(userId)
    return 'done' as const
  }

  async createTeam(orgId: number, name: string, email?: string) {
    const s = await this.#begin('createTeam', [orgId, name, email])
    const { role } = this.#inOrg(s, orgId)
    if (role !== 'Admin') throw denied('POST', '/api/teams')
    const taken = [...this.#store.teams.values()].some((t) => t.orgId === orgId && t.name === name)
    if (taken) return 'already-done' as const
    const team = this.#store.createTeam(orgId, name, email ?? '')
    // Since Grafana 9 a user (never a service account) creating a team becomes its admin.
    if (s.user) team.members.set(s.user.id, { permission: 4, labels: [] })
    return { teamId: team.id }
  }

  async findTeam(orgId: number, name: string): Promise<GrafanaTeamSummary | undefined> {
    const s = await this.#begin('findTeam', [orgId, name])
    const { role } = this.#inOrg(s, orgId)
    if (role === undefined) throw denied('GET', '/api/teams/search')
    const team = [...this.#store.teams.values()].find((t) => t.orgId === orgId && t.name === name)
    return team && summary(team)
  }

  async updateTeam(orgId: number, teamId: number, fields: { name: string; email: string }) {
    const s = await this.#begin('updateTeam', [orgId, teamId, fields])
    const endpoint = '/api/teams/:id'
    const team = this.#team(s, orgId, teamId, 'write', 'PUT', endpoint)
    if (!team) throw httpError('PUT', endpoint, 404, 'Team not found')
    const other = [...this.#store.teams.values()].find(
      (t) => t.orgId === orgId && t.name === fields.name && t !== team,
    )
    if (other) throw httpError('PUT', endpoint, 400, 'Team name taken')
    team.name = fields.name || team.name
    team.email = fields.email
  }

  async deleteTeam(orgId: number, teamId: number) {
    const s = await this.#begin('deleteTeam', [orgId, teamId])
    const team = this.#team(s, orgId, teamId, 'write', 'DELETE', '/api/teams/:id')
    if (!team) return 'already-done' as const
    this.#store.teams.delete(team.id)
    return 'done' as const
  }

  async setTeamPreferences(orgId: number, teamId: number, prefs: TeamPreferences) {
    const s = await this.#begin('setTeamPreferences', [orgId, teamId, prefs])
    const endpoint = '/api/teams/:id/preferences'
    const team = this.#team(s, orgId, teamId, 'write', 'PUT', endpoint)
    if (!team) throw httpError('PUT', endpoint, 404, 'Team not found')
    for (const [key, value] of Object.entries(prefs)) {
      if (value !== undefined)
        team.prefs[key === 'homeDashboardUid' ? 'homeDashboardUID' : key] = value
    }
  }

  async addTeamMember(orgId: number, teamId: number, userId: number) {
    const s = await this.#begin('addTeamMember', [orgId, teamId, userId])
    const endpoint = '/api/teams/:id/members'
    const team = this.#team(s, orgId, teamId, 'write', 'POST', endpoint)
    if (!team) throw httpError('POST', endpoint, 404, 'Team not found')
    this.#user(userId, 'POST', endpoint, 500)
    if (team.members.has(userId)) return 'already-done' as const
    team.members.set(userId, { permission: 0, labels: [] })
    return 'done' as const
  }

  async setTeamPermission(orgId: number, teamId: number, userId: number, permission: string) {
    const s = await this.#begin('setTeamPermission', [orgId, teamId, userId, permission])
    const endpoint = '/api/teams/:id/members/:id'
    const team = this.#team(s, orgId, teamId, 'write', 'PUT', endpoint)
    const member = team?.members.get(userId)
    if (!member) throw httpError('PUT', endpoint, 404, 'Team member not found.')
    member.permission = permission === 'Admin' ? 4 : 0
  }

  async removeTeamMember(orgId: number, teamId: number, userId: number) {
    const s = await this.#begin('removeTeamMember', [orgId, teamId, userId])
    const endpoint = '/api/teams/:id/members/:id'
    const team = this.#team(s, orgId, teamId, 'write', 'DELETE', endpoint)
    if (!team) throw httpError('DELETE', endpoint, 404, 'Team not found')
    // Not a member (any more): Grafana's 404, which the client counts as already done.
    if (!team.members.delete(userId)) return 'already-done' as const
    return 'done' as const
  }

  stats(): RequestStats[] {
    if (this.#requests === 0) return []
    return [
      { service: 'grafana', endpoint: '(memory)', requests: this.#requests, retries: 0, bytes: 0 },
    ]
  }

  #user(userId: number, method: string, endpoint: string, status = 404): User {
    const u = this.#store.users.get(userId)
    if (!u) throw httpError(method, endpoint, status, 'user not found')
    return u
  }

  /** No role above the caller's own. */
  #mayGive(s: Session, orgId: number, role: OrgRole, method: string, endpoint: string): void {
    const own: LiveRole = s.user?.isGrafanaAdmin ? 'Admin' : (s.role(orgId) ?? 'None')
    if (RANK[role] > RANK[own]) {
      throw httpError(method, endpoint, 403, "Cannot assign a role higher than user's role")
    }
  }
}

function summary(t: Team): GrafanaTeamSummary {
  return { id: t.id, name: t.name, email: t.email, memberCount: t.members.size }
}

function adminCount(members: Map<number, LiveRole>): number {
  return [...members.values()].filter((r) => r === 'Admin').length
}
