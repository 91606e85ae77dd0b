// Who is calling and what they may do: service-account tokens and basic auth (with the brute-force
// lock), the org a request acts in (`targetOrgId`, `X-Grafana-Org-Id`, else the active org), and the
// OSS role grants and managed team permissions (§1.4) as guards routes declare.
import { intParam, type FakeRequest, type Reply } from '../http.ts'
import type { Authorize, Caller, Fake } from './context.ts'
import { authFailure, denied, notFoundRoute, traced } from './replies.ts'
import { ROLE_RANK, type Store, type Team, type User } from './store.ts'
import type { OrgRole } from './types.ts'

// ------------------------------------------------------------------ authentication

const LOCK_MS = 5 * 60_000
const MAX_ATTEMPTS = 5

/** Failed basic-auth attempts per login: after 5 within 5 minutes, the login is locked (§1.3). */
export class Logins {
  readonly #failed = new Map<string, number[]>()

  lockedOut(login: string): boolean {
    const recent = (this.#failed.get(login) ?? []).filter((t) => Date.now() - t < LOCK_MS)
    this.#failed.set(login, recent)
    return recent.length >= MAX_ATTEMPTS
  }

  failed(login: string): void {
    this.#failed.set(login, [...(this.#failed.get(login) ?? []), Date.now()])
  }
}

export function passwordMatches(
  store: Store,
  loginOrEmail: string,
  password: string,
): User | undefined {
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

function tokenCaller(store: Store, value: string, req: FakeRequest): Caller | Reply {
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

export function authenticate({ store, logins }: Fake, req: FakeRequest): Caller | Reply {
  const header = req.headers.authorization
  if (!header) return authFailure('Unauthorized', 'auth.unauthorized')
  const [scheme = '', ...rest] = header.trim().split(/\s+/)
  const credential = rest.join(' ')
  if (scheme.toLowerCase() === 'bearer') return tokenCaller(store, credential, req)
  if (scheme.toLowerCase() !== 'basic') return authFailure('Unauthorized', 'auth.unauthorized')
  const decoded = Buffer.from(credential, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) {
    return authFailure('Invalid Basic Auth Header', 'basic-auth.invalid-header', 400)
  }
  const username = decoded.slice(0, colon)
  const password = decoded.slice(colon + 1)
  if (username === 'api_key') return tokenCaller(store, password, req)
  const invalid = () =>
    authFailure('Invalid username or password', 'basic-auth.invalid-credentials')
  const attemptKey = username.toLowerCase()
  if (logins.lockedOut(attemptKey)) return invalid()
  const user = passwordMatches(store, username, password)
  if (!user) {
    // Grafana counts wrong passwords of existing users only.
    if (store.findByLoginOrEmail(username)) logins.failed(attemptKey)
    return invalid()
  }
  if (user.isDisabled) return authFailure('Unauthorized', 'identity.disabled')
  const asked = requestedOrg(req)
  let orgId = user.activeOrgId
  if (asked !== undefined) orgId = store.roleOf(asked, user.id) !== undefined ? asked : -1
  else if (store.roleOf(orgId, user.id) === undefined) orgId = -1
  return { kind: 'user', user, orgId, isServerAdmin: user.isAdmin }
}

// ------------------------------------------------------------------ authorization

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

function roleIn(store: Store, c: Caller, orgId: number): OrgRole | undefined {
  if (c.token) return orgId === c.token.orgId ? c.token.role : undefined
  return c.user ? store.roleOf(orgId, c.user.id) : undefined
}

/** OSS fixed-role grants (§1.4): what the caller's basic role allows in one org. */
export function orgAllows(store: Store, c: Caller, orgId: number, action: OrgAction): boolean {
  if (!store.orgs.has(orgId)) return c.isServerAdmin && action !== 'teams:create'
  const role = roleIn(store, c, orgId)
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
export function teamAllows(store: Store, c: Caller, team: Team, action: TeamAction): boolean {
  const role = roleIn(store, c, team.orgId)
  if (role === 'Admin') return true
  if (action === 'teams:read' && (role === 'Editor' || role === 'Viewer')) return true
  const member = c.user ? team.members.get(c.user.id) : undefined
  if (!member) return false
  return action === 'teams:read' || member.permission === 4
}

/** The caller's rank in an org: a role may be granted only up to it. */
export const callerRank = (store: Store, c: Caller, orgId: number): number =>
  c.isServerAdmin ? ROLE_RANK.Admin : ROLE_RANK[roleIn(store, c, orgId) ?? 'None']

export const signedIn: Authorize = () => undefined

/** A server-admin action (`users:*`, `orgs:create`…): no org role grants it. */
export const global =
  (action: string): Authorize =>
  ({ caller }) =>
    caller.isServerAdmin ? undefined : denied(action)

export const inOrg =
  (action: OrgAction): Authorize =>
  ({ fake, caller }) =>
    caller.orgId > 0 && orgAllows(fake.store, caller, caller.orgId, action)
      ? undefined
      : denied(action)

export const inPathOrg =
  (action: OrgAction): Authorize =>
  ({ fake, caller, params }) => {
    const orgId = Number(params.orgId)
    if (!Number.isInteger(orgId)) return traced(400, 'id is invalid')
    return orgAllows(fake.store, caller, orgId, action) ? undefined : denied(action)
  }

/** `teams:read` on any team: an org role, or membership of some team of the current org. */
export const anyTeamReadable: Authorize = ({ fake, caller }) => {
  if (caller.orgId > 0 && orgAllows(fake.store, caller, caller.orgId, 'teams:read')) {
    return undefined
  }
  const mine = caller.user ? fake.store.userTeams.get(caller.user.id) : undefined
  for (const team of mine ?? []) if (team.orgId === caller.orgId) return undefined
  return denied('teams:read')
}

/** Resolves the path's team in the current org into `ctx.team`, then checks the action. */
export const onTeam =
  (action: TeamAction): Authorize =>
  (ctx) => {
    const { store } = ctx.fake
    const ref = ctx.params.teamId ?? ''
    if (!/^\d+$/.test(ref)) return notFoundRoute()
    const found = store.teams.get(Number(ref))
    const team = found && found.orgId === ctx.caller.orgId ? found : undefined
    if (team) {
      ctx.team = team
      return teamAllows(store, ctx.caller, team, action) ? undefined : denied(action)
    }
    // No such team here: only a caller allowed on every team (`teams:*`) reaches the handler's 404.
    const { caller } = ctx
    const allowed =
      caller.orgId > 0 &&
      (action === 'teams:read'
        ? orgAllows(store, caller, caller.orgId, 'teams:read')
        : roleIn(store, caller, caller.orgId) === 'Admin')
    return allowed ? undefined : denied(action)
  }
