import {
  HttpError,
  createHttpService,
  endpointOf,
  type HttpResponse,
  type HttpService,
  type RequestOptions,
} from '../http/index.ts'
import type {
  Caller,
  GrafanaUser,
  OrgMember,
  OrgRole,
  TeamMember,
  TeamPermission,
  TeamPreferences,
} from '../model.ts'
import { rejectedCredentialMessage } from '../rejected-credential.ts'
import { basicAuthHeader, grafanaAuth, grafanaSecrets, type GrafanaAuth } from '../secrets/index.ts'
import type { GrafanaClient, GrafanaTeamSummary } from './types.ts'
import { SettingError } from '../settings.ts'

export interface GrafanaClientOptions {
  url: string
  /** Service-account token (`glsa_…`), bound to one org. */
  token?: string
  /** Basic auth of a Grafana server admin; preferred over the token when both are given. */
  username?: string
  password?: string
  concurrency?: number
  timeoutMs?: number
  retries?: number
  retryBaseMs?: number
  sleep?: (ms: number) => Promise<void>
  /** Told once per retry what is retried and why (a progress line). */
  onRetry?: (line: string) => void
}

const PAGE = 1000
/** Shared by every member Grafana lists without labels (frozen: a planner must not add any). */
const NO_LABELS = Object.freeze([]) as unknown as string[]
const USER_AGENT = 'grafana-team-sync'
const ADMIN_PERMISSION = 4

// ---------------------------------------------------------------- wire shapes

interface WireOrg {
  id: number
  name: string
}
interface WireSignedInUser {
  id: number
  login: string
  email: string
  isGrafanaAdmin?: boolean
  orgId: number
}
interface WireUserHit {
  id: number
  login: string
  email: string
  name: string
  isAdmin?: boolean
  isGrafanaAdmin?: boolean
  isDisabled?: boolean
}
interface WireOrgUser {
  userId: number
  login: string
  email: string
  name?: string
  role: string
  isDisabled?: boolean
}
interface WireTeam {
  id: number
  name: string
  email?: string
  memberCount?: number
}
interface WireTeamMember {
  userId: number
  login: string
  email: string
  permission: number
  labels?: string[] | null
}
type WirePreferences = Record<string, unknown>

/** The fields read from listings (a member entry also carries avatar, name, uids…). */
const TEAM_MEMBER_FIELDS = {
  userId: true,
  login: true,
  email: true,
  permission: true,
  labels: true,
} as const
const ORG_USER_FIELDS = {
  userId: true,
  login: true,
  email: true,
  name: true,
  role: true,
  isDisabled: true,
} as const

/** An org user as Grafana lists it; `name` is extra to the model's OrgMember. */
export type GrafanaOrgUser = OrgMember & { name: string; isDisabled: boolean }

// ---------------------------------------------------------------- auth

interface Auth {
  kind: 'token' | 'basic'
  header: string
  secrets: string[]
  username?: string
}

function resolveAuth(opts: GrafanaClientOptions, auth: GrafanaAuth): Auth {
  if (auth.basic) {
    return {
      kind: 'basic',
      header: basicAuthHeader(auth.basic),
      secrets: grafanaSecrets(opts),
      username: auth.basic.username,
    }
  }
  if (auth.token)
    return { kind: 'token', header: `Bearer ${auth.token}`, secrets: grafanaSecrets(opts) }
  throw new SettingError({ code: 'grafana-credentials-missing' })
}

// ---------------------------------------------------------------- mapping

const ORG_ROLES: readonly string[] = ['Viewer', 'Editor', 'Admin', 'None']

function orgRole(role: string): OrgRole | 'None' {
  return ORG_ROLES.includes(role) ? (role as OrgRole | 'None') : 'None'
}

/** A positive integer id from a response field, else undefined. */
function idOf(value: unknown): number | undefined {
  const id = typeof value === 'string' ? Number(value) : value
  return typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : undefined
}

function permissionOf(value: number): TeamPermission {
  return value === ADMIN_PERMISSION ? 'Admin' : 'Member'
}

function teamSummary(t: WireTeam): GrafanaTeamSummary {
  return { id: t.id, name: t.name, email: t.email ?? '', memberCount: t.memberCount ?? 0 }
}

function userOf(u: WireUserHit): GrafanaUser {
  return {
    id: u.id,
    login: u.login,
    email: u.email,
    name: u.name,
    isGrafanaAdmin: u.isGrafanaAdmin ?? u.isAdmin ?? false,
    isDisabled: u.isDisabled ?? false,
  }
}

function orgUserOf(u: WireOrgUser): GrafanaOrgUser {
  return {
    userId: u.userId,
    login: u.login,
    email: u.email,
    role: orgRole(u.role),
    name: u.name ?? '',
    isDisabled: u.isDisabled ?? false,
  }
}

const PREFERENCE_KEYS = [
  ['theme', 'theme'],
  ['timezone', 'timezone'],
  ['weekStart', 'weekStart'],
  ['homeDashboardUid', 'homeDashboardUID'],
] as const

function preferencesFromWire(raw: WirePreferences): TeamPreferences {
  const prefs: Record<string, string> = {}
  for (const [model, wire] of PREFERENCE_KEYS) {
    const value = raw[wire]
    if (typeof value === 'string') prefs[model] = value
  }
  return prefs
}

function preferencesToWire(prefs: TeamPreferences): WirePreferences {
  const body: WirePreferences = {}
  for (const [model, wire] of PREFERENCE_KEYS) {
    const value = prefs[model]
    if (value !== undefined) body[wire] = value
  }
  return body
}

// ---------------------------------------------------------------- client

export function createGrafanaClient(opts: GrafanaClientOptions): GrafanaClient {
  const parsed = grafanaAuth(opts)
  if (!parsed) {
    throw new SettingError({
      code: 'setting-invalid',
      setting: 'grafanaUrl',
      expected: 'https://grafana.example.com',
    })
  }
  const auth = resolveAuth(opts, parsed)
  const http = createHttpService({
    service: 'grafana',
    baseUrl: parsed.url,
    headers: { Authorization: auth.header, Accept: 'application/json', 'User-Agent': USER_AGENT },
    secrets: auth.secrets,
    rateLimitStyle: 'retry-after',
    concurrency: opts.concurrency,
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    retryBaseMs: opts.retryBaseMs,
    sleep: opts.sleep,
    onRetry: opts.onRetry,
  })
  return new Client(http, auth)
}

const isOrgScoped = (path: string) => /^\/api\/(teams|org)(\/|$|\?)/.test(path)

class Client implements GrafanaClient {
  readonly auth: 'token' | 'basic'
  readonly #http: HttpService
  readonly #authInfo: Auth
  #whoami: Promise<Caller> | undefined
  #tokenOrg: Promise<WireOrg> | undefined
  /** Last preferences read per team: PUT replaces them all, so keys we do not manage are sent back. */
  readonly #rawPreferences = new Map<number, WirePreferences>()
  /** Label-free team members, shared by every team that lists the user with that permission. */
  readonly #members = new Map<number, Partial<Record<TeamPermission, TeamMember>>>()

  constructor(http: HttpService, auth: Auth) {
    this.#http = http
    this.#authInfo = auth
    this.auth = auth.kind
  }

  // ------------------------------------------------------------ plumbing

  /** One call; org-scoped routes get the org context; failures explain which input to fix. */
  async #call<T>(
    method: string,
    path: string,
    opts: RequestOptions & { orgId?: number } = {},
  ): Promise<HttpResponse<T>> {
    const { orgId, ...req } = opts
    if (orgId !== undefined) {
      if (this.auth === 'token') await this.#assertTokenOrg(orgId)
      else if (isOrgScoped(path))
        req.headers = { ...req.headers, 'X-Grafana-Org-Id': String(orgId) }
    }
    try {
      return await this.#http.request<T>(method, path, req)
    } catch (err) {
      throw this.#explain(err)
    }
  }

  /** A GET whose answer must be a JSON object or array. */
  async #get<T>(path: string, opts: RequestOptions & { orgId?: number } = {}): Promise<T> {
    const res = await this.#call<T>('GET', path, opts)
    if (typeof res.body !== 'object' || res.body === null) throw this.#notJson(path, res)
    return res.body
  }

  /** A web page or an empty answer where JSON belongs: the URL leads somewhere other than Grafana's API. */
  #notJson(path: string, res: HttpResponse<unknown>): HttpError {
    const type = res.headers.get('content-type')?.split(';')[0] ?? 'no content type'
    const what = res.body === undefined ? 'an empty body' : `a non-JSON body (${type})`
    return new HttpError({
      service: 'grafana',
      method: 'GET',
      endpoint: endpointOf(path),
      status: res.status,
      serviceMessage:
        `answered with ${what} instead of JSON: the Grafana URL must be the address Grafana is served at, ` +
        'including any sub-path (e.g. https://example.com/grafana), and not a login page in front of it',
    })
  }

  /** Maps an "already done" answer to 'already-done'; any other non-2xx becomes an HttpError. */
  async #write(
    method: string,
    path: string,
    opts: RequestOptions & { orgId?: number; alreadyDone: { status: number; message?: RegExp } },
  ): Promise<'done' | 'already-done'> {
    const { alreadyDone, ...req } = opts
    const res = await this.#call<{ message?: string } | undefined>(method, path, {
      ...req,
      okStatuses: [alreadyDone.status],
    })
    if (res.status >= 200 && res.status < 300) return 'done'
    const message = typeof res.body?.message === 'string' ? res.body.message : ''
    if (!alreadyDone.message || alreadyDone.message.test(message)) return 'already-done'
    throw this.#explain(
      new HttpError({
        service: 'grafana',
        method,
        endpoint: endpointOf(path.split('?')[0] ?? path),
        status: res.status,
        serviceMessage: this.#http.scrub(message || 'no message'),
      }),
    )
  }

  #explain(err: unknown): unknown {
    if (!(err instanceof HttpError)) return err
    // Every run starts with one of these two; a 404 there means the URL does not lead to Grafana's API.
    if (
      err.status === 404 &&
      err.method === 'GET' &&
      ['/api/user', '/api/org'].includes(err.endpoint)
    ) {
      return new HttpError(
        err,
        this.#http.scrub(
          `${err.message} — the Grafana URL must be the address Grafana is served at, including any sub-path (e.g. https://example.com/grafana)`,
        ),
      )
    }
    if (err.unsent) return err
    if (err.status === 401) {
      const credential = this.auth === 'token' ? 'grafana-token' : 'grafana-basic'
      return new HttpError({ ...err, credential }, rejectedCredentialMessage(err, credential))
    }
    if (err.status !== 403) return err
    const hint =
      this.auth === 'token'
        ? 'the service account behind the token lacks permission: give it the Admin role in its org; organizations and users need the basic auth of a Grafana server admin instead'
        : `the user "${this.#authInfo.username ?? ''}" lacks permission: it must be a Grafana server admin and an Admin of every org it manages`
    return new HttpError(err, this.#http.scrub(`${err.message} — ${hint}`))
  }

  #missingId(method: string, path: string, what: string): HttpError {
    return new HttpError({
      service: 'grafana',
      method,
      endpoint: endpointOf(path),
      status: 200,
      serviceMessage: `answered success without an id, and ${what} was not found afterwards`,
    })
  }

  #tokenOrgInfo(): Promise<WireOrg> {
    this.#tokenOrg ??= this.#get<WireOrg>('/api/org')
    return this.#tokenOrg
  }

  async #assertTokenOrg(orgId: number): Promise<void> {
    const own = await this.#tokenOrgInfo()
    if (own.id !== orgId) {
      throw new Error(
        `the service-account token belongs to org ${own.id} ("${own.name}") and cannot act in org ${orgId}; ` +
          'use the basic auth of a Grafana server admin to manage several orgs',
      )
    }
  }

  /**
   * Every item of a 1-based search listing. Pages are sized by what the server actually returned (a
   * proxy or another Grafana build may cap `perpage`); once `totalCount` is known the remaining pages
   * are read at once. A listing that cannot be read completely is an error, never a silent partial read.
   */
  async #paged<T extends { id: number }>(
    path: string,
    key: string,
    orgId?: number,
    about?: string,
  ): Promise<T[]> {
    type Envelope = { totalCount?: unknown } & Record<string, unknown>
    const pageOf = async (page: number) => {
      const query = { perpage: PAGE, page }
      const body = await this.#get<Envelope>(path, { query, orgId, about })
      const items = body[key]
      const total = typeof body.totalCount === 'number' ? body.totalCount : undefined
      return { total, items: Array.isArray(items) ? (items as T[]) : [] }
    }
    const byId = new Map<number, T>()
    const add = (items: T[]) => {
      const before = byId.size
      for (const item of items) if (!byId.has(item.id)) byId.set(item.id, item)
      return byId.size - before
    }
    const first = await pageOf(1)
    add(first.items)
    const size = first.items.length
    const total = first.total
    if (size === 0 || (total !== undefined && byId.size >= total)) return [...byId.values()]
    let next = 2
    if (total !== undefined) {
      const pages = Math.ceil(total / size)
      const rest = await Promise.all(
        Array.from({ length: Math.max(0, pages - 1) }, (_, i) => pageOf(i + 2)),
      )
      for (const page of rest) add(page.items)
      next = pages + 1
    }
    // No total, or items moved between pages while they were read: go on until nothing new arrives.
    while (total === undefined || byId.size < total) {
      const page = await pageOf(next++)
      if (add(page.items) === 0) break
    }
    if (total !== undefined && byId.size < total) {
      throw new HttpError({
        service: 'grafana',
        method: 'GET',
        endpoint: endpointOf(path),
        status: 200,
        serviceMessage: `reported ${total} items but only ${byId.size} could be read page by page; run again`,
      })
    }
    return [...byId.values()]
  }

  // ------------------------------------------------------------ identity

  whoami(): Promise<Caller> {
    this.#whoami ??= this.#readCaller()
    return this.#whoami
  }

  async #readCaller(): Promise<Caller> {
    if (this.auth === 'token') {
      const org = await this.#tokenOrgInfo()
      return { auth: 'token', isServerAdmin: false, orgId: org.id }
    }
    const user = await this.#get<WireSignedInUser>('/api/user')
    return {
      auth: 'basic',
      userId: user.id,
      login: user.login,
      email: user.email,
      isServerAdmin: user.isGrafanaAdmin === true,
      orgId: user.orgId,
    }
  }

  // ------------------------------------------------------------ reads

  async listOrgs(): Promise<{ id: number; name: string }[]> {
    if (this.auth === 'token') {
      const org = await this.#tokenOrgInfo()
      return [{ id: org.id, name: org.name }]
    }
    const caller = await this.whoami()
    if (!caller.isServerAdmin) {
      const mine = await this.#get<{ orgId: number; name: string }[]>('/api/user/orgs')
      return mine.map((o) => ({ id: o.orgId, name: o.name }))
    }
    const orgs = new Map<number, { id: number; name: string }>()
    // `/api/orgs` pages from 0 and reports no total (and no perpage maximum): a short page is the last.
    for (let page = 0; ; page++) {
      const batch = await this.#get<WireOrg[]>('/api/orgs', { query: { perpage: PAGE, page } })
      const before = orgs.size
      for (const o of batch) if (!orgs.has(o.id)) orgs.set(o.id, { id: o.id, name: o.name })
      // A server that ignores `page` would repeat itself forever.
      if (batch.length < PAGE || orgs.size === before) return [...orgs.values()]
    }
  }

  async listUsers(): Promise<GrafanaUser[]> {
    const hits = await this.#paged<WireUserHit>('/api/users/search', 'users')
    return hits.map(userOf)
  }

  async listOrgUsers(orgId: number, about?: string): Promise<GrafanaOrgUser[]> {
    const req = { pick: ORG_USER_FIELDS, about }
    const users =
      this.auth === 'token'
        ? await this.#get<WireOrgUser[]>('/api/org/users', { ...req, orgId })
        : await this.#get<WireOrgUser[]>(`/api/orgs/${orgId}/users`, req)
    return users.map(orgUserOf)
  }

  async listTeams(orgId: number, about?: string): Promise<GrafanaTeamSummary[]> {
    const teams = await this.#paged<WireTeam>('/api/teams/search', 'teams', orgId, about)
    return teams.map(teamSummary)
  }

  async listTeamMembers(orgId: number, teamId: number, about?: string): Promise<TeamMember[]> {
    const members = await this.#get<WireTeamMember[]>(`/api/teams/${teamId}/members`, {
      orgId,
      pick: TEAM_MEMBER_FIELDS,
      about,
    })
    return members.map((m) => {
      const permission = permissionOf(m.permission)
      if (m.labels && m.labels.length > 0) {
        return { userId: m.userId, login: m.login, email: m.email, permission, labels: m.labels }
      }
      return this.#plainMember(m.userId, m.login, m.email, permission)
    })
  }

  /** One frozen object per user and permission: a person in forty teams is one member, not forty. */
  #plainMember(
    userId: number,
    login: string,
    email: string,
    permission: TeamPermission,
  ): TeamMember {
    let byPermission = this.#members.get(userId)
    if (byPermission === undefined) {
      byPermission = {}
      this.#members.set(userId, byPermission)
    }
    const known = byPermission[permission]
    if (known && known.login === login && known.email === email) return known
    const member: TeamMember = Object.freeze({
      userId,
      login,
      email,
      permission,
      labels: NO_LABELS,
    })
    byPermission[permission] = member
    return member
  }

  async getTeamPreferences(
    orgId: number,
    teamId: number,
    about?: string,
  ): Promise<TeamPreferences> {
    // Grafana answers `{}` for a team without preferences; an empty body means the same.
    const res = await this.#call<WirePreferences | undefined>(
      'GET',
      `/api/teams/${teamId}/preferences`,
      { orgId, about },
    )
    if (res.body !== undefined && (typeof res.body !== 'object' || res.body === null)) {
      throw this.#notJson(`/api/teams/${teamId}/preferences`, res)
    }
    const raw = res.body ?? {}
    this.#rawPreferences.set(teamId, raw)
    return preferencesFromWire(raw)
  }

  // ------------------------------------------------------------ orgs

  async createOrg(name: string): Promise<{ orgId: number } | 'already-done'> {
    const res = await this.#call<{ orgId?: number; message?: string }>('POST', '/api/orgs', {
      body: { name },
      okStatuses: [409],
    })
    if (res.status === 409) return 'already-done'
    const orgId = idOf(res.body?.orgId) ?? (await this.findOrg(name))?.id
    if (orgId === undefined) throw this.#missingId('POST', '/api/orgs', `org "${name}"`)
    return { orgId }
  }

  async renameOrg(orgId: number, name: string): Promise<void> {
    if (this.auth === 'token') await this.#call('PUT', '/api/org', { body: { name }, orgId })
    else await this.#call('PUT', `/api/orgs/${orgId}`, { body: { name } })
  }

  async findOrg(name: string): Promise<{ id: number; name: string } | undefined> {
    if (this.auth === 'token') {
      const own = await this.#tokenOrgInfo()
      return own.name === name ? { id: own.id, name: own.name } : undefined
    }
    const res = await this.#call<WireOrg>('GET', `/api/orgs/name/${encodeURIComponent(name)}`, {
      okStatuses: [404],
    })
    return res.status === 404 ? undefined : { id: res.body.id, name: res.body.name }
  }

  // ------------------------------------------------------------ users

  async createUser(user: {
    login: string
    email: string
    name: string
    password: string
    orgId?: number
  }): Promise<{ id: number } | 'already-done'> {
    const res = await this.#call<{ id?: number }>('POST', '/api/admin/users', {
      body: user,
      okStatuses: [412],
    })
    if (res.status === 412) return 'already-done'
    const id =
      idOf(res.body?.id) ??
      (await this.findUser(user.login || user.email))?.id ??
      (user.email ? (await this.findUser(user.email))?.id : undefined)
    if (id === undefined) {
      throw this.#missingId('POST', '/api/admin/users', `user ${user.login || user.email}`)
    }
    return { id }
  }

  async findUser(loginOrEmail: string): Promise<GrafanaUser | undefined> {
    if (this.auth === 'token') {
      const own = await this.#tokenOrgInfo()
      const wanted = loginOrEmail.toLowerCase()
      const hits = await this.#get<WireOrgUser[]>('/api/org/users', {
        query: { query: loginOrEmail },
        orgId: own.id,
      })
      const hit = hits.find(
        (u) => u.login.toLowerCase() === wanted || u.email.toLowerCase() === wanted,
      )
      return hit && { id: hit.userId, login: hit.login, email: hit.email, name: hit.name ?? '' }
    }
    const res = await this.#call<WireUserHit>('GET', '/api/users/lookup', {
      query: { loginOrEmail },
      okStatuses: [404],
    })
    return res.status === 404 ? undefined : userOf(res.body)
  }

  async updateUser(
    userId: number,
    fields: { login: string; email: string; name: string },
  ): Promise<void> {
    const path = `/api/users/${userId}`
    const res = await this.#call<{ message?: unknown } | undefined>('PUT', path, { body: fields })
    const message = typeof res.body?.message === 'string' ? res.body.message : ''
    // With SMTP and `verify_email_enabled`, Grafana mails the new address and changes nothing yet.
    if (/verification/i.test(message)) {
      throw new HttpError({
        service: 'grafana',
        method: 'PUT',
        endpoint: endpointOf(path),
        status: res.status,
        serviceMessage:
          `${message}: Grafana (verify_email_enabled) changes the email to ${fields.email} only once that ` +
          'address is confirmed from the mail it just sent; until then the user keeps the old email',
      })
    }
  }

  async setServerAdmin(userId: number, isGrafanaAdmin: boolean): Promise<void> {
    await this.#call('PUT', `/api/admin/users/${userId}/permissions`, { body: { isGrafanaAdmin } })
  }

  async setDisabled(userId: number, disabled: boolean): Promise<void> {
    await this.#call('POST', `/api/admin/users/${userId}/${disabled ? 'disable' : 'enable'}`)
  }

  // ------------------------------------------------------------ org users

  addOrgUser(orgId: number, loginOrEmail: string, role: OrgRole): Promise<'done' | 'already-done'> {
    const path = this.auth === 'token' ? '/api/org/users' : `/api/orgs/${orgId}/users`
    return this.#write('POST', path, {
      body: { loginOrEmail, role },
      orgId,
      alreadyDone: { status: 409 },
    })
  }

  async setOrgRole(orgId: number, userId: number, role: OrgRole): Promise<void> {
    const path =
      this.auth === 'token' ? `/api/org/users/${userId}` : `/api/orgs/${orgId}/users/${userId}`
    await this.#call('PATCH', path, { body: { role }, orgId })
  }

  /**
   * Always the org-qualified route: `DELETE /api/org/users/:id` deletes the whole user when it was their
   * last org.
   */
  removeOrgUser(orgId: number, userId: number): Promise<'done' | 'already-done'> {
    return this.#write('DELETE', `/api/orgs/${orgId}/users/${userId}`, {
      orgId,
      alreadyDone: { status: 404 },
    })
  }

  // ------------------------------------------------------------ teams

  async createTeam(
    orgId: number,
    name: string,
    email?: string,
  ): Promise<{ teamId: number } | 'already-done'> {
    const body = email === undefined ? { name } : { name, email }
    const res = await this.#call<{ teamId?: number; message?: string }>('POST', '/api/teams', {
      body,
      orgId,
      okStatuses: [409],
    })
    if (res.status === 409) return 'already-done'
    const teamId = idOf(res.body?.teamId) ?? (await this.findTeam(orgId, name))?.id
    if (teamId === undefined) throw this.#missingId('POST', '/api/teams', `team "${name}"`)
    return { teamId }
  }

  async findTeam(orgId: number, name: string): Promise<GrafanaTeamSummary | undefined> {
    const body = await this.#get<{ teams?: WireTeam[] }>('/api/teams/search', {
      query: { name, perpage: PAGE, page: 1 },
      orgId,
    })
    const team = (body.teams ?? []).find((t) => t.name === name)
    return team && teamSummary(team)
  }

  async updateTeam(
    orgId: number,
    teamId: number,
    fields: { name: string; email: string },
  ): Promise<void> {
    await this.#call('PUT', `/api/teams/${teamId}`, { body: fields, orgId })
  }

  deleteTeam(orgId: number, teamId: number): Promise<'done' | 'already-done'> {
    return this.#write('DELETE', `/api/teams/${teamId}`, { orgId, alreadyDone: { status: 404 } })
  }

  async setTeamPreferences(orgId: number, teamId: number, prefs: TeamPreferences): Promise<void> {
    // PUT replaces every preference: keep the ones this tool does not manage (language, navbar, …).
    const kept = { ...this.#rawPreferences.get(teamId) }
    delete kept.homeDashboardId
    const body = { ...kept, ...preferencesToWire(prefs) }
    await this.#call('PUT', `/api/teams/${teamId}/preferences`, { body, orgId })
    this.#rawPreferences.set(teamId, body)
  }

  addTeamMember(orgId: number, teamId: number, userId: number): Promise<'done' | 'already-done'> {
    return this.#write('POST', `/api/teams/${teamId}/members`, {
      body: { userId },
      orgId,
      alreadyDone: { status: 400, message: /already added/i },
    })
  }

  async setTeamPermission(
    orgId: number,
    teamId: number,
    userId: number,
    permission: TeamPermission,
  ): Promise<void> {
    await this.#call('PUT', `/api/teams/${teamId}/members/${userId}`, {
      body: { permission: permission === 'Admin' ? ADMIN_PERMISSION : 0 },
      orgId,
    })
  }

  removeTeamMember(
    orgId: number,
    teamId: number,
    userId: number,
  ): Promise<'done' | 'already-done'> {
    return this.#write('DELETE', `/api/teams/${teamId}/members/${userId}`, {
      orgId,
      alreadyDone: { status: 404 },
    })
  }

  stats() {
    return this.#http.stats()
  }
}
