// A stateful fake of the Okta Management API group endpoints on 127.0.0.1, faithful to
// shared/reference/okta-api.md §9: search expressions, cursor paging with separate Link header
// lines, rate-limit headers, SSWS auth failures and Okta's error bodies.
import type { FaultControl, FaultRule } from './faults.ts'
import {
  createOktaAuthServer,
  type FakeOktaAuthServer,
  type FakeOktaOAuthOptions,
} from './okta-oauth.ts'
import {
  ALPHANUMERIC,
  intParam,
  JsonArrayBytes,
  pathSegments,
  randomChars,
  startFakeServer,
  type FakeRequest,
  type RecordedRequest,
  type Reply,
} from './http.ts'

export type { FaultControl, FaultRule } from './faults.ts'
export type { RecordedRequest } from './http.ts'

export type OktaGroupType = 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN'
export type OktaUserStatus =
  | 'ACTIVE'
  | 'STAGED'
  | 'PROVISIONED'
  | 'RECOVERY'
  | 'PASSWORD_EXPIRED'
  | 'LOCKED_OUT'
  | 'SUSPENDED'
  | 'DEPROVISIONED'

export interface FakeOktaOptions {
  latencyMs?: number
  /** The only SSWS token accepted; default 'okta-test-token'. */
  token?: string
  /**
   * SSWS tokens that authenticate but whose admin may not read groups: 403 E0000006 (§2.4), e.g.
   * the token of an admin without the Read-Only Administrator role.
   */
  tokensWithoutGroupAccess?: string[]
  /** Build `Link` URLs (self and next) on another origin, as Okta does with its canonical host. */
  nextLinkOrigin?: string
  /**
   * How `Link` relations are written: `lines` (default, Okta's own: one header line per relation,
   * quoted rel), `joined` (one line, relations separated by ", ", as a proxy may merge them) or
   * `unquoted` (`rel=next`, which RFC 8288 also allows).
   */
  linkStyle?: 'lines' | 'joined' | 'unquoted'
  /** `X-Rate-Limit-Limit` of each bucket per 60 s window; default 600. */
  rateLimit?: number
  /** Answer 429 E0000047 once a bucket's window is used up; default false (headers only). */
  enforceRateLimit?: boolean
  /** `GET /api/v1/groups` page size when `limit` is unset (default 200) and its maximum (10000). */
  groupsDefaultLimit?: number
  groupsMaxLimit?: number
  /** Cap of a `q` lookup without `limit`; default 300. */
  qCap?: number
  /** `search`/`q` do not see a group until this long after it was added or renamed (eventual consistency). */
  searchLagMs?: number
  /** Answer 500 E0000009 (Okta's timeout on big pages) when `limit` exceeds this. */
  timeoutAboveLimit?: number
  /** Keep `requests` (default true). */
  recordRequests?: boolean
  /** An org authorization server for API Services apps (test/fakes/okta-oauth.ts). */
  oauth?: FakeOktaOAuthOptions
}

export interface FakeOktaUserInput {
  login: string
  /** Default: the login; `null` as Okta sends an attribute the profile leaves unset. */
  email?: string | null
  /** Absent when undefined, `null` when null (Okta omits or nulls unset attributes). */
  firstName?: string | null
  lastName?: string | null
  displayName?: string | null
  status?: OktaUserStatus
  id?: string
  /** More profile attributes. */
  profile?: Record<string, unknown>
}

export interface FakeOkta {
  url: string
  token: string
  addGroup(g: {
    name: string
    type?: OktaGroupType
    id?: string
    description?: string
    /** APP_GROUP source app id (`0oa…`). */
    sourceId?: string
    profile?: Record<string, unknown>
  }): string
  addUser(u: FakeOktaUserInput): string
  addMember(groupId: string, userId: string): void
  removeMember(groupId: string, userId: string): void
  renameGroup(groupId: string, name: string): void
  setUserStatus(userId: string, status: OktaUserStatus): void
  requests: RecordedRequest[]
  clearRequests(): void
  /**
   * Serialises every member listing now rather than on its first read (answers are the same): a
   * benchmark seeds, then calls this, so the runs it measures are not billed for it.
   */
  serialiseListings(): void
  faults: FaultControl
  /** Set when started with `oauth`. */
  oauth: FakeOktaAuthServer | undefined
  close(): Promise<void>
}

interface Group {
  id: string
  type: OktaGroupType
  profile: Record<string, unknown> & { name: string; description: string }
  sourceId: string | undefined
  created: string
  lastUpdated: string
  lastMembershipUpdated: string
  searchableFrom: number
  members: Set<string>
  sortedMembers: string[] | undefined
  /** Every member's JSON in order, comma-separated, until the members or one of them change. */
  membersJson: MembersJson | undefined
}

interface MembersJson {
  bytes: Buffer
  /** Where member i starts in `bytes`; one more entry, one past the end (after a virtual comma). */
  starts: Int32Array
}

const OPEN = Buffer.from('[')
const CLOSE = Buffer.from(']')

interface User {
  id: string
  status: OktaUserStatus
  profile: Record<string, unknown>
  created: string
  lastUpdated: string
  statusChanged: string | null
  /** The user's JSON as member listings send it, serialised once until the user changes. */
  json: Buffer | undefined
  /** Position among all users by id, valid while `usersById` is set (computing it sets it). */
  rank: number
}

// ------------------------------------------------------------------ errors

const SUMMARIES: Record<string, string> = {
  E0000005: 'Invalid session',
  E0000006: 'You do not have permission to perform the requested action',
  E0000009: 'Internal Server Error',
  E0000010: 'Service is in read only mode',
  E0000011: 'Invalid token provided',
  E0000022: 'The endpoint does not support the provided HTTP method',
  E0000030:
    "Bad request. Invalid date. Dates must be of the form yyyy-MM-dd'T'HH:mm:ss.SSSZZ, e.g. 2013-01-01T12:00:00.000-07:00.",
  E0000031: 'Invalid search criteria.',
  E0000047: 'API call exceeded rate limit due to too many requests.',
}

const CODE_FOR_STATUS: Record<number, string> = {
  400: 'E0000031',
  401: 'E0000011',
  403: 'E0000006',
  404: 'E0000007',
  405: 'E0000022',
  429: 'E0000047',
  500: 'E0000009',
  503: 'E0000010',
}

const errorId = () => `oae${randomChars(22, `${ALPHANUMERIC}-_`)}`

function oktaError(status: number, code: string, summary?: string, causes: string[] = []): Reply {
  return {
    status,
    body: {
      errorCode: code,
      errorSummary: summary ?? SUMMARIES[code] ?? 'Error',
      errorLink: code,
      errorId: errorId(),
      errorCauses: causes.map((errorSummary) => ({ errorSummary })),
    },
  }
}

const notFound = (resource: string, kind: string) =>
  oktaError(404, 'E0000007', `Not found: Resource not found: ${resource} (${kind})`)
const invalidSyntax = () => oktaError(400, 'E0000031', undefined, ['Invalid search syntax.'])
const unsupportedCriteria = () => oktaError(400, 'E0000031')

// ------------------------------------------------------------------ search expressions

type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'cmp'; attr: string; op: string; value: unknown }

type Token =
  | { kind: 'paren'; value: '(' | ')' }
  | { kind: 'string'; value: string }
  | { kind: 'word'; value: string }

const OPERATORS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'sw', 'co', 'pr', 'ew'])
const DATE_ATTRS = new Set(['created', 'lastUpdated', 'lastMembershipUpdated'])

class SyntaxFailure extends Error {}

function tokenize(input: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    const ch = input[i]!
    if (/\s/.test(ch)) {
      i++
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: 'paren', value: ch })
      i++
    } else if (ch === '"') {
      let j = i + 1
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1
      if (j >= input.length) throw new SyntaxFailure('unterminated string')
      let value: unknown
      try {
        value = JSON.parse(input.slice(i, j + 1))
      } catch {
        throw new SyntaxFailure('bad string literal')
      }
      tokens.push({ kind: 'string', value: value as string })
      i = j + 1
    } else {
      let j = i
      while (j < input.length && !/[\s()"]/.test(input[j]!)) j++
      tokens.push({ kind: 'word', value: input.slice(i, j) })
      i = j
    }
  }
  return tokens
}

/** SCIM-like grammar: precedence attribute ops > parentheses/not > and > or. */
function parseExpression(input: string): Expr {
  const tokens = tokenize(input)
  let pos = 0
  const peekWord = (w: string) => {
    const t = tokens[pos]
    return t?.kind === 'word' && t.value.toLowerCase() === w
  }
  const next = () => {
    const t = tokens[pos++]
    if (!t) throw new SyntaxFailure('unexpected end')
    return t
  }
  const parseOr = (): Expr => {
    let left = parseAnd()
    while (peekWord('or')) {
      pos++
      left = { kind: 'or', left, right: parseAnd() }
    }
    return left
  }
  const parseAnd = (): Expr => {
    let left = parseUnary()
    while (peekWord('and')) {
      pos++
      left = { kind: 'and', left, right: parseUnary() }
    }
    return left
  }
  const parseUnary = (): Expr => {
    if (peekWord('not')) {
      pos++
      return { kind: 'not', expr: parseUnary() }
    }
    const t = next()
    if (t.kind === 'paren' && t.value === '(') {
      const inner = parseOr()
      const close = next()
      if (close.kind !== 'paren' || close.value !== ')') throw new SyntaxFailure('expected )')
      return inner
    }
    if (t.kind !== 'word' || !/^[A-Za-z_][\w.]*$/.test(t.value)) {
      throw new SyntaxFailure('expected attribute')
    }
    const opToken = next()
    const op = opToken.kind === 'word' ? opToken.value.toLowerCase() : ''
    if (!OPERATORS.has(op)) throw new SyntaxFailure('expected operator')
    if (op === 'pr') return { kind: 'cmp', attr: t.value, op, value: undefined }
    const v = next()
    if (v.kind === 'string') return { kind: 'cmp', attr: t.value, op, value: v.value }
    if (v.kind === 'word' && /^(true|false|null|-?\d+(\.\d+)?)$/.test(v.value)) {
      return { kind: 'cmp', attr: t.value, op, value: JSON.parse(v.value) as unknown }
    }
    throw new SyntaxFailure('expected value')
  }
  const expr = parseOr()
  if (pos !== tokens.length) throw new SyntaxFailure('trailing input')
  return expr
}

/** Checks attributes and operators the parameter supports; returns an error reply or undefined. */
function validateExpression(expr: Expr, param: 'search' | 'filter'): Reply | undefined {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return validateExpression(expr.left, param) ?? validateExpression(expr.right, param)
    case 'not':
      return param === 'filter' ? unsupportedCriteria() : validateExpression(expr.expr, param)
    case 'cmp': {
      const { attr, op, value } = expr
      const isDate = DATE_ATTRS.has(attr)
      if (param === 'filter') {
        if (!['id', 'type', ...DATE_ATTRS].includes(attr)) return unsupportedCriteria()
        if (!['eq', 'gt', 'lt', 'ge', 'le'].includes(op)) return unsupportedCriteria()
      } else {
        const known = ['id', 'type', 'source.id', ...DATE_ATTRS].includes(attr)
        if (!known && !/^profile\.\w+$/.test(attr)) return unsupportedCriteria()
        if (op === 'ew') return unsupportedCriteria()
        if (op === 'co' && attr !== 'profile.name' && attr !== 'profile.description') {
          return unsupportedCriteria()
        }
      }
      if (isDate && op !== 'pr' && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
        return oktaError(400, 'E0000030')
      }
      return undefined
    }
  }
}

function attributeOf(g: Group, attr: string): unknown {
  switch (attr) {
    case 'id':
      return g.id
    case 'type':
      return g.type
    case 'source.id':
      return g.sourceId
    case 'created':
      return g.created
    case 'lastUpdated':
      return g.lastUpdated
    case 'lastMembershipUpdated':
      return g.lastMembershipUpdated
    default:
      return attr.startsWith('profile.') ? g.profile[attr.slice('profile.'.length)] : undefined
  }
}

function evaluate(expr: Expr, g: Group): boolean {
  switch (expr.kind) {
    case 'and':
      return evaluate(expr.left, g) && evaluate(expr.right, g)
    case 'or':
      return evaluate(expr.left, g) || evaluate(expr.right, g)
    case 'not':
      return !evaluate(expr.expr, g)
    case 'cmp': {
      const actual = attributeOf(g, expr.attr)
      if (expr.op === 'pr') return actual !== undefined && actual !== null && actual !== ''
      if (actual === undefined || actual === null) return expr.op === 'ne'
      if (DATE_ATTRS.has(expr.attr)) {
        const d = Date.parse(asText(actual)) - Date.parse(asText(expr.value))
        return compareWith(expr.op, d)
      }
      // Okta compares search values case-insensitively.
      const a = asText(actual).toLowerCase()
      const b = asText(expr.value).toLowerCase()
      if (expr.op === 'sw') return a.startsWith(b)
      if (expr.op === 'co') return a.includes(b)
      return compareWith(expr.op, a < b ? -1 : a > b ? 1 : 0)
    }
  }
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))

function compareWith(op: string, d: number): boolean {
  switch (op) {
    case 'eq':
      return d === 0
    case 'ne':
      return d !== 0
    case 'gt':
      return d > 0
    case 'ge':
      return d >= 0
    case 'lt':
      return d < 0
    case 'le':
      return d <= 0
    default:
      return false
  }
}

// ------------------------------------------------------------------ the fake

const newId = (prefix: string) => `${prefix}${randomChars(17)}`

const MEMBERS_DEFAULT_LIMIT = 1000
const MEMBERS_MAX_LIMIT = 1000
const WINDOW_MS = 60_000

/** Index of the first id strictly after `after` in a sorted list. */
function indexAfter(sorted: string[], after: string | null): number {
  if (after === null) return 0
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid]! <= after) lo = mid + 1
    else hi = mid
  }
  return lo
}

export async function startFakeOkta(opts: FakeOktaOptions = {}): Promise<FakeOkta> {
  const token = opts.token ?? 'okta-test-token'
  const rateLimit = opts.rateLimit ?? 600
  const groupsDefaultLimit = opts.groupsDefaultLimit ?? 200
  const groupsMaxLimit = opts.groupsMaxLimit ?? 10_000
  const qCap = opts.qCap ?? 300
  const groups = new Map<string, Group>()
  const users = new Map<string, User>()
  let sortedGroups: Group[] | undefined
  let usersById: User[] | undefined
  const buckets = new Map<string, { remaining: number; resetAt: number }>()
  let origin = ''
  const oauth = opts.oauth ? createOktaAuthServer(opts.oauth) : undefined

  const linkOrigin = () => (opts.nextLinkOrigin ?? origin).replace(/\/+$/, '')
  const touchGroups = () => (sortedGroups = undefined)
  const groupsById = () =>
    (sortedGroups ??= [...groups.values()].sort((a, b) => (a.id < b.id ? -1 : 1)))
  /** Member ids in id order, sorted by rank: numbers sort far faster than strings. */
  function membersOf(g: Group): string[] {
    if (g.sortedMembers) return g.sortedMembers
    const all = (usersById ??= rankUsers())
    const ranks = Int32Array.from(g.members, (id) => users.get(id)!.rank).sort()
    return (g.sortedMembers = Array.from(ranks, (r) => all[r]!.id))
  }
  function membersChanged(g: Group): void {
    g.sortedMembers = undefined
    g.membersJson = undefined
  }
  /** All members' JSON once: a page is then a slice of it, whatever its cursor and limit. */
  function membersJsonOf(g: Group): MembersJson {
    if (g.membersJson) return g.membersJson
    const ids = membersOf(g)
    const all = new JsonArrayBytes()
    const starts = new Int32Array(ids.length + 1)
    let at = 1 // after the array's `[`
    ids.forEach((id, i) => {
      const u = users.get(id)!
      const json = (u.json ??= Buffer.from(JSON.stringify(userDto(u))))
      all.item(json)
      starts[i] = at
      at += json.length + 1
    })
    starts[ids.length] = at
    const bytes = all.toBuffer()
    return (g.membersJson = { bytes, starts })
  }
  function rankUsers(): User[] {
    const all = [...users.values()].sort((a, b) => (a.id < b.id ? -1 : 1))
    all.forEach((u, i) => (u.rank = i))
    return all
  }

  // ---------------------------------------------------------------- rate limits

  /** `/api/v1/groups/{id}` has its own bucket; everything else under /api/v1/groups shares one. */
  const bucketOf = (segments: string[]) => (segments.length === 4 ? 'group' : 'groups')

  function spend(bucket: string): { headers: Record<string, string>; exhausted: boolean } {
    const t = Date.now()
    let b = buckets.get(bucket)
    if (!b || t >= b.resetAt) {
      b = { remaining: rateLimit, resetAt: t + WINDOW_MS }
      buckets.set(bucket, b)
    }
    const exhausted = b.remaining === 0
    if (!exhausted) b.remaining--
    return {
      exhausted,
      headers: rateHeaders(rateLimit, b.remaining, Math.ceil(b.resetAt / 1000)),
    }
  }

  function rateHeaders(limit: number, remaining: number, reset: number): Record<string, string> {
    return {
      'x-rate-limit-limit': String(limit),
      'x-rate-limit-remaining': String(remaining),
      'x-rate-limit-reset': String(reset),
    }
  }

  // ---------------------------------------------------------------- DTOs

  function groupDto(g: Group, expandStats: boolean) {
    const base = linkOrigin()
    const href = `${base}/api/v1/groups/${g.id}`
    return {
      id: g.id,
      created: g.created,
      lastUpdated: g.lastUpdated,
      lastMembershipUpdated: g.lastMembershipUpdated,
      objectClass: [g.type === 'APP_GROUP' ? 'okta:windows_security_principal' : 'okta:user_group'],
      type: g.type,
      profile: { ...g.profile },
      ...(g.sourceId ? { source: { id: g.sourceId } } : {}),
      ...(expandStats
        ? {
            _embedded: {
              stats: {
                usersCount: g.members.size,
                appsCount: 0,
                groupPushMappingsCount: 0,
                hasAdminPrivlege: false,
              },
            },
          }
        : {}),
      _links: {
        logo: [
          { name: 'medium', href: `${base}/img/logos/groups/okta-medium.png`, type: 'image/png' },
          { name: 'large', href: `${base}/img/logos/groups/okta-large.png`, type: 'image/png' },
        ],
        users: { href: `${href}/users` },
        apps: { href: `${href}/apps` },
        ...(g.sourceId ? { source: { href: `${base}/api/v1/apps/${g.sourceId}` } } : {}),
      },
    }
  }

  function userDto(u: User) {
    const activated = u.status === 'STAGED' ? null : u.created
    return {
      id: u.id,
      status: u.status,
      created: u.created,
      activated,
      statusChanged: u.statusChanged,
      lastLogin: null,
      lastUpdated: u.lastUpdated,
      passwordChanged: null,
      type: { id: 'oty1162QAr8hJjTaq0g4' },
      profile: { ...u.profile },
      credentials: { password: {}, provider: { type: 'OKTA', name: 'OKTA' } },
      _links: { self: { href: `${linkOrigin()}/api/v1/users/${u.id}` } },
    }
  }

  // ---------------------------------------------------------------- paging

  function link(path: string, params: [string, string][], rel: 'self' | 'next'): string {
    const query = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    const q = query.length > 0 ? `?${query.join('&')}` : ''
    const value = opts.linkStyle === 'unquoted' ? rel : `"${rel}"`
    return `<${linkOrigin()}${path}${q}>; rel=${value}`
  }

  /** The `Link` header value(s): separate lines unless the style joins them. */
  const linkHeader = (lines: string[]): string | string[] =>
    opts.linkStyle === 'joined' ? lines.join(', ') : lines

  /** `Link` lines: self (the request as made) always, next (cursor first, as Okta does) when more. */
  function links(req: FakeRequest, lastId: string | undefined): string[] {
    const given = [...req.query]
    const lines = [link(req.path, given, 'self')]
    if (lastId !== undefined) {
      lines.push(
        link(req.path, [['after', lastId], ...given.filter(([k]) => k !== 'after')], 'next'),
      )
    }
    return lines
  }

  function limitOf(req: FakeRequest, fallback: number, max: number): number | Reply {
    const requested = intParam(req.query, 'limit')
    if (opts.timeoutAboveLimit !== undefined && (requested ?? fallback) > opts.timeoutAboveLimit) {
      return oktaError(500, 'E0000009')
    }
    if (requested === undefined || requested < 1) return fallback
    return Math.min(requested, max)
  }

  // ---------------------------------------------------------------- handlers

  function listGroups(req: FakeRequest): Reply {
    const search = req.query.get('search')
    const filter = req.query.get('filter')
    const q = req.query.get('q')
    const expandStats = (req.query.get('expand') ?? '').split(',').includes('stats')
    const t = Date.now()
    let matches: Group[]
    if (search !== null || filter !== null) {
      const param = search !== null ? 'search' : 'filter'
      let expr: Expr
      try {
        expr = parseExpression(search ?? filter ?? '')
      } catch (err) {
        if (err instanceof SyntaxFailure) return invalidSyntax()
        throw err
      }
      const refusal = validateExpression(expr, param)
      if (refusal) return refusal
      matches = groupsById().filter(
        (g) => (param === 'filter' || g.searchableFrom <= t) && evaluate(expr, g),
      )
    } else if (q !== null) {
      // Type-ahead: starts-with on the name, exact matches first, capped, never paged.
      const prefix = q.toLowerCase()
      const found = groupsById().filter(
        (g) => g.searchableFrom <= t && g.profile.name.toLowerCase().startsWith(prefix),
      )
      const exact = found.filter((g) => g.profile.name.toLowerCase() === prefix)
      const rest = found.filter((g) => g.profile.name.toLowerCase() !== prefix)
      const limit = limitOf(req, qCap, groupsMaxLimit)
      if (typeof limit !== 'number') return limit
      return {
        status: 200,
        body: [...exact, ...rest].slice(0, limit).map((g) => groupDto(g, expandStats)),
        headers: { link: linkHeader(links(req, undefined)) },
      }
    } else {
      matches = groupsById()
    }
    const limit = limitOf(req, groupsDefaultLimit, groupsMaxLimit)
    if (typeof limit !== 'number') return limit
    const start = indexAfter(
      matches.map((g) => g.id),
      req.query.get('after'),
    )
    const page = matches.slice(start, start + limit)
    const more = start + limit < matches.length
    return {
      status: 200,
      body: page.map((g) => groupDto(g, expandStats)),
      headers: { link: linkHeader(links(req, more ? page.at(-1)?.id : undefined)) },
    }
  }

  function getGroup(req: FakeRequest, groupId: string): Reply {
    const g = groups.get(groupId)
    if (!g) return notFound(groupId, 'UserGroup')
    return { status: 200, body: groupDto(g, (req.query.get('expand') ?? '').includes('stats')) }
  }

  function listMembers(req: FakeRequest, groupId: string): Reply {
    const g = groups.get(groupId)
    if (!g) return notFound(groupId, 'UserGroup')
    const limit = limitOf(req, MEMBERS_DEFAULT_LIMIT, MEMBERS_MAX_LIMIT)
    if (typeof limit !== 'number') return limit
    const ids = membersOf(g)
    const start = indexAfter(ids, req.query.get('after'))
    const end = Math.min(start + limit, ids.length)
    const more = end < ids.length
    const { bytes, starts } = membersJsonOf(g)
    const page = start < end ? [bytes.subarray(starts[start], starts[end]! - 1)] : []
    return {
      status: 200,
      json: [OPEN, ...page, CLOSE],
      headers: { link: linkHeader(links(req, more ? ids[end - 1] : undefined)) },
    }
  }

  function route(req: FakeRequest, segments: string[]): Reply {
    const [api, v1, collection, groupId, sub, ...rest] = segments
    const known =
      api === 'api' &&
      v1 === 'v1' &&
      collection === 'groups' &&
      rest.length === 0 &&
      (sub === undefined || sub === 'users')
    if (!known) return notFound(req.path, 'Path')
    if (req.method !== 'GET') return oktaError(405, 'E0000022')
    if (groupId === undefined) return listGroups(req)
    return sub === 'users' ? listMembers(req, groupId) : getGroup(req, groupId)
  }

  async function authenticate(req: FakeRequest): Promise<Reply | undefined> {
    const header = req.headers.authorization
    if (!header) return oktaError(403, 'E0000005')
    const [scheme = '', ...rest] = header.trim().split(/\s+/)
    if (oauth?.handles(scheme)) return oauth.authenticate(req, origin, 'okta.groups.read')
    const credential = rest.join(' ')
    if (scheme.toLowerCase() === 'ssws' && credential === token) return undefined
    if (scheme.toLowerCase() === 'ssws' && opts.tokensWithoutGroupAccess?.includes(credential)) {
      return oktaError(403, 'E0000006')
    }
    const reply = oktaError(401, 'E0000011')
    if (scheme.toLowerCase() !== 'ssws') {
      const realm = linkOrigin()
      reply.headers = {
        'www-authenticate': `Bearer authorization_uri="${realm}/oauth2/v1/authorize", realm="${realm}", error="invalid_token", error_description="The access token is invalid."`,
      }
    }
    return reply
  }

  async function handle(req: FakeRequest): Promise<Reply> {
    if (oauth && req.path === '/oauth2/v1/token') return oauth.token(req, origin)
    const segments = pathSegments(req.path) ?? []
    const { headers: rate, exhausted } = spend(bucketOf(segments))
    const reply =
      (await authenticate(req)) ??
      (opts.enforceRateLimit && exhausted ? oktaError(429, 'E0000047') : route(req, segments))
    reply.headers = { ...reply.headers, ...rate, 'x-okta-request-id': requestId() }
    return reply
  }

  function faultReply(rule: FaultRule, status: number, req: FakeRequest): Reply {
    if (status >= 300 && status < 400) return { status } // a redirect: `headers` gives the Location
    if (rule.body !== undefined || status === 502 || status === 504) {
      // Gateways in front of Okta answer with HTML, not Okta's JSON.
      return {
        status,
        text:
          rule.body ??
          `<html><head><title>${status} Bad Gateway</title></head><body><h1>${status}</h1></body></html>`,
        contentType: 'text/html',
      }
    }
    const code = CODE_FOR_STATUS[status] ?? 'E0000009'
    const reply =
      code === 'E0000007'
        ? notFound(pathSegments(req.path)?.[3] ?? req.path, 'UserGroup')
        : oktaError(status, code)
    const nowSeconds = Math.floor(Date.now() / 1000)
    const rate =
      status === 429
        ? rateHeaders(
            rule.concurrency ? 0 : rateLimit,
            0,
            nowSeconds + (rule.rateLimitResetSeconds ?? 1),
          )
        : spend(bucketOf(pathSegments(req.path) ?? [])).headers
    reply.headers = { ...rate, 'x-okta-request-id': requestId() }
    return reply
  }

  const requestId = () => randomChars(26)

  const server = await startFakeServer({
    latencyMs: opts.latencyMs,
    record: opts.recordRequests,
    handle,
    faultReply,
  })
  origin = server.url

  // Okta's timestamps have whole seconds: one string a second serves 700,000 seeded memberships.
  let stampSecond = Number.NaN
  let stamp = ''
  const timestamp = () => {
    const second = Math.floor(Date.now() / 1000)
    if (second !== stampSecond) {
      stampSecond = second
      stamp = new Date(second * 1000).toISOString()
    }
    return stamp
  }

  function requireGroup(id: string): Group {
    const g = groups.get(id)
    if (!g) throw new Error(`fake Okta: no group ${id}`)
    return g
  }

  return {
    url: server.url,
    token,
    addGroup(g) {
      const id = g.id ?? newId('00g')
      if (groups.has(id)) throw new Error(`fake Okta: group ${id} exists`)
      const at = timestamp()
      groups.set(id, {
        id,
        type: g.type ?? 'OKTA_GROUP',
        profile: { ...g.profile, name: g.name, description: g.description ?? '' },
        sourceId: g.type === 'APP_GROUP' ? (g.sourceId ?? newId('0oa')) : undefined,
        created: at,
        lastUpdated: at,
        lastMembershipUpdated: at,
        searchableFrom: Date.now() + (opts.searchLagMs ?? 0),
        members: new Set(),
        sortedMembers: undefined,
        membersJson: undefined,
      })
      touchGroups()
      return id
    },
    addUser(u) {
      const id = u.id ?? newId('00u')
      if (users.has(id)) throw new Error(`fake Okta: user ${id} exists`)
      const profile: Record<string, unknown> = {}
      if (u.firstName !== undefined) profile.firstName = u.firstName
      if (u.lastName !== undefined) profile.lastName = u.lastName
      if (u.displayName !== undefined) profile.displayName = u.displayName
      Object.assign(profile, { mobilePhone: null, secondEmail: null }, u.profile, {
        login: u.login,
        email: u.email === undefined ? u.login : u.email,
      })
      const at = timestamp()
      users.set(id, {
        id,
        status: u.status ?? 'ACTIVE',
        profile,
        created: at,
        lastUpdated: at,
        statusChanged: null,
        json: undefined,
        rank: 0,
      })
      usersById = undefined
      return id
    },
    addMember(groupId, userId) {
      const g = requireGroup(groupId)
      if (!users.has(userId)) throw new Error(`fake Okta: no user ${userId}`)
      g.members.add(userId)
      membersChanged(g)
      g.lastMembershipUpdated = timestamp()
    },
    removeMember(groupId, userId) {
      const g = requireGroup(groupId)
      g.members.delete(userId)
      membersChanged(g)
      g.lastMembershipUpdated = timestamp()
    },
    renameGroup(groupId, name) {
      const g = requireGroup(groupId)
      g.profile.name = name
      g.lastUpdated = timestamp()
      g.searchableFrom = Date.now() + (opts.searchLagMs ?? 0)
    },
    setUserStatus(userId, status) {
      const u = users.get(userId)
      if (!u) throw new Error(`fake Okta: no user ${userId}`)
      u.status = status
      u.statusChanged = u.lastUpdated = timestamp()
      u.json = undefined
      for (const g of groups.values()) if (g.members.has(userId)) g.membersJson = undefined
    },
    requests: server.requests,
    serialiseListings() {
      for (const g of groups.values()) membersJsonOf(g)
    },
    clearRequests: () => void server.requests.splice(0),
    faults: server.faults,
    oauth,
    close: () => server.close(),
  }
}
