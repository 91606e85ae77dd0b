import { createScrubber, REDACTED, withoutUserInfo, withScheme } from '../secrets/index.ts'
import {
  HttpError,
  createHttpService,
  endpointOf,
  type HttpResponse,
  type HttpService,
  type HttpServiceOptions,
  type Pick,
  type RequestOptions,
} from '../http/index.ts'
import type { OktaMember } from '../model.ts'
import { rejectedCredentialMessage } from '../rejected-credential.ts'
import { privateKeySecrets } from './keys.ts'
import { nextLink } from './link.ts'
import {
  createOktaAuth,
  oauthForbiddenHint,
  TOKEN_PATH,
  type OktaAuth,
  type OktaOAuthOptions,
  type OktaTokenCache,
} from './oauth.ts'
import type { OktaClient, OktaGroup } from './types.ts'

export interface OktaClientOptions {
  /** `acme.okta.com` (https assumed) or a full URL such as `https://acme.okta.com`. */
  domain: string
  /** SSWS API token; or `oauth`, never both. */
  token?: string
  /** An API Services app: client credentials with a private_key_jwt assertion (and DPoP). */
  oauth?: OktaOAuthOptions
  /** Learns each secret got at run time (assertions, access tokens), e.g. to mask it. */
  onSecret?: (secret: string) => void
  /** With `oauth`: where the token is kept for the next client (serve's next run) to reuse. */
  tokens?: OktaTokenCache
  concurrency?: number
  timeoutMs?: number
  retries?: number
  retryBaseMs?: number
  sleep?: (ms: number) => Promise<void>
  /** Told once per retry what is retried and why (a progress line). */
  onRetry?: (line: string) => void
}

/** Members per page: the documented maximum of `GET /api/v1/groups/{id}/users`. */
const MEMBERS_PAGE = 1000
const GROUPS_PAGE = 200
/** Okta's recommended page size: where a big page fails (Okta times out big pages with a 500), ask for this. */
const SAFE_PAGE = 200
/** Group-search URLs stay below this length; longer ones risk proxy and server limits. */
const MAX_URL_LENGTH = 3000
const USER_AGENT = 'grafana-team-sync'
const ID_PREFIX = 'id:'

interface WireGroup {
  id: string
  type?: string
  profile?: { name?: string }
}

interface WireUser {
  id: string
  status?: string
  profile?: { login?: string | null; email?: string | null }
}

/** The fields of a member the sync reads (an Okta user is ~700 bytes; these are ~100). */
const MEMBER_FIELDS = { id: true, status: true, profile: { login: true, email: true } } as const

export function oktaOrigin(domain: string): string {
  let url: URL
  try {
    url = new URL(withScheme(domain.trim()))
  } catch {
    throw new Error(
      `okta-domain "${withoutUserInfo(domain)}" is not a host name or URL (expected e.g. acme.okta.com)`,
    )
  }
  if (url.username || url.password) {
    throw new Error('okta-domain must not contain credentials; pass the token as okta-api-token')
  }
  // The API token would travel in clear text: plain http only to a test server on this machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new Error(
      `okta-domain must use https:// (got ${url.protocol}//${url.host}); write the host, e.g. acme.okta.com, and https is used`,
    )
  }
  // The Admin Console host (`acme-admin.okta.com`) is not where the API pages: Okta's next links point
  // at the org's own host, to which the token would then not be sent.
  const admin =
    /^([a-z0-9-]+)-admin(\.(?:okta|oktapreview|okta-emea|okta-gov|okta-mil)\.com)$/i.exec(
      url.hostname,
    )
  if (admin) url.hostname = `${admin[1]}${admin[2]}`
  return url.origin
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname)
}

/** A signed JWT (assertion, DPoP proof, JWT access token) wherever it appears in a text. */
const JWT_SHAPE = /eyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]{8,}/g

export function createOktaClient(opts: OktaClientOptions): OktaClient {
  const origin = oktaOrigin(opts.domain)
  const common: HttpServiceOptions = {
    service: 'okta',
    baseUrl: origin,
    headers: { Accept: 'application/json', 'User-Agent': USER_AGENT },
    rateLimitStyle: 'okta',
    concurrency: opts.concurrency ?? 4,
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    retryBaseMs: opts.retryBaseMs,
    sleep: opts.sleep,
    onRetry: opts.onRetry,
  }
  // Secrets got at run time (assertions, access tokens), in every form the shared scrubber knows.
  const learnt = createScrubber([], { onAdd: opts.onSecret })
  const onSecret = (secret: string) => learnt.add(secret)
  const { http, auth } = opts.oauth
    ? oauthService(common, opts.oauth, opts.token, onSecret, opts.tokens)
    : { http: sswsService(common, opts.token ?? ''), auth: undefined }
  const scrub = (text: string) => learnt.scrub(http.scrub(text)).replace(JWT_SHAPE, REDACTED)
  const context: Context = { http, auth, scrub }

  const members = new MemberPool()
  return {
    findGroups: (refs) => findGroups(context, refs),
    listMembers: (groupId, about) => listMembers(context, groupId, members, about),
    stats: () => http.stats(),
  }
}

interface Context {
  http: HttpService
  /** Set for an API Services app; an API token otherwise. */
  auth: OktaAuth | undefined
  /** Removes every secret of the client, those got at run time too. */
  scrub: (text: string) => string
}

function sswsService(common: HttpServiceOptions, given: string): HttpService {
  // A value copied with its scheme (`SSWS 00Q…`) would be sent as `SSWS SSWS 00Q…`.
  const token = given.trim().replace(/^ssws\s+/i, '')
  if (token === '') throw new Error('okta-api-token is empty')
  return createHttpService({
    ...common,
    headers: { ...common.headers, Authorization: `SSWS ${token}` },
    secrets: [token, given],
  })
}

function oauthService(
  common: HttpServiceOptions,
  oauth: OktaOAuthOptions,
  token: string | undefined,
  onSecret: (secret: string) => void,
  cache: OktaTokenCache | undefined,
): { http: HttpService; auth: OktaAuth } {
  if (token?.trim()) {
    throw new Error(
      'okta-api-token (OKTA_API_TOKEN) and okta-client-id (OKTA_CLIENT_ID) are both set: use one way into Okta, an API token or an API Services app',
    )
  }
  const secrets = privateKeySecrets(oauth.privateKey)
  // The token endpoint is on the same origin and gets no Authorization header of its own.
  const tokens = createHttpService({ ...common, secrets })
  const auth = createOktaAuth(tokens, oauth, onSecret, cache)
  const api = createHttpService({
    ...common,
    secrets,
    authorize: (method, url) => auth.authorize(method, url),
  })
  return {
    auth,
    http: {
      ...api,
      request: renewingOnRejection(api, auth),
      // Token requests are counted apart, under their own endpoint.
      stats: () => [...api.stats(), ...tokens.stats()],
    },
  }
}

/**
 * An API call answered 401 is made once more: with the nonce Okta asked for (`use_dpop_nonce`), or
 * with a renewed token (`invalid_token`). A 403 becomes an error naming the missing grant.
 */
function renewingOnRejection(api: HttpService, auth: OktaAuth): HttpService['request'] {
  return async function request<T>(
    method: string,
    pathOrUrl: string,
    opts: RequestOptions = {},
  ): Promise<HttpResponse<T>> {
    const given = opts.okStatuses ?? []
    const seen = await auth.generation()
    const first = await api.request<T>(method, pathOrUrl, {
      ...opts,
      okStatuses: [...given, 401, 403],
    })
    if (first.status === 403 && !given.includes(403)) throw forbidden(first, method, pathOrUrl)
    if (first.status !== 401 || given.includes(401)) return first
    const nonce = first.headers.get('dpop-nonce')
    if (nonce && /use_dpop_nonce/.test(first.headers.get('www-authenticate') ?? '')) {
      auth.useNonce(nonce)
    } else {
      await auth.renew(seen)
    }
    const again = await api.request<T>(method, pathOrUrl, { ...opts, okStatuses: [...given, 403] })
    if (again.status === 403 && !given.includes(403)) throw forbidden(again, method, pathOrUrl)
    return again
  }
}

function forbidden(res: HttpResponse<unknown>, method: string, pathOrUrl: string): HttpError {
  const body = (res.body ?? {}) as { errorCode?: unknown; errorSummary?: unknown }
  const challenge = res.headers.get('www-authenticate') ?? ''
  const insufficientScope = /insufficient_scope/.test(challenge)
  const code = insufficientScope
    ? 'insufficient_scope'
    : typeof body.errorCode === 'string' && body.errorCode
      ? body.errorCode
      : undefined
  const summary =
    typeof body.errorSummary === 'string'
      ? body.errorSummary
      : insufficientScope
        ? 'insufficient_scope'
        : 'Forbidden'
  return new HttpError({
    service: 'okta',
    method: method.toUpperCase(),
    endpoint: endpointOf(new URL(pathOrUrl, 'http://x').pathname),
    status: 403,
    serviceMessage: code && code !== summary ? `${summary} (${code})` : summary,
    code,
  })
}

async function findGroups(
  context: Context,
  refs: string[],
): Promise<Map<string, OktaGroup | undefined | Error>> {
  const { http } = context
  const result = new Map<string, OktaGroup | undefined | Error>()
  const names: string[] = []
  for (const ref of new Set(refs)) {
    if (ref.startsWith(ID_PREFIX)) {
      // Existence is proven by the members call; a lookup here would only cost a request.
      const id = ref.slice(ID_PREFIX.length).trim()
      result.set(ref, { id, name: id, type: '' })
    } else {
      names.push(ref)
    }
  }
  await Promise.all(
    batchNames(http.origin, names).map(async (batch) => {
      try {
        const groups = await searchGroups(http, batch)
        for (const name of batch) result.set(name, exactMatch(name, groups))
      } catch (err) {
        const error = explain(context, err)
        for (const name of batch) result.set(name, error)
      }
    }),
  )
  return result
}

function searchExpression(names: string[]): string {
  return names.map((name) => `profile.name eq ${JSON.stringify(name)}`).join(' or ')
}

function searchUrlLength(origin: string, names: string[]): number {
  const query = new URLSearchParams({ search: searchExpression(names), limit: String(GROUPS_PAGE) })
  return `${origin}/api/v1/groups?${query.toString()}`.length
}

/** Several names per request (`or`), each request's URL kept under MAX_URL_LENGTH. */
export function batchNames(origin: string, names: string[]): string[][] {
  const batches: string[][] = []
  let current: string[] = []
  for (const name of names) {
    if (current.length > 0 && searchUrlLength(origin, [...current, name]) > MAX_URL_LENGTH) {
      batches.push(current)
      current = []
    }
    current.push(name)
  }
  if (current.length > 0) batches.push(current)
  return batches
}

async function searchGroups(http: HttpService, names: string[]): Promise<OktaGroup[]> {
  const groups = new Map<string, OktaGroup>()
  const found = await readAllPages(
    http,
    '/api/v1/groups',
    { search: searchExpression(names), limit: GROUPS_PAGE },
    (g: WireGroup): OktaGroup => ({ id: g.id, name: g.profile?.name ?? '', type: g.type ?? '' }),
    { about: aboutGroups(names) },
  )
  for (const g of found) groups.set(g.id, g)
  return [...groups.values()]
}

/** `group Platform`, or `groups A, B, C and 7 more` for a batched search. */
function aboutGroups(names: string[]): string {
  if (names.length === 1) return `group ${names[0]}`
  const shown = names.slice(0, 3).join(', ')
  return names.length > 3 ? `groups ${shown} and ${names.length - 3} more` : `groups ${shown}`
}

/** `search` compares case-insensitively; the config names a group exactly. */
function exactMatch(name: string, groups: OktaGroup[]): OktaGroup | undefined | Error {
  const matches = groups.filter((g) => g.name === name)
  if (matches.length === 0) {
    const lower = name.toLowerCase()
    const variants = [
      ...new Set(groups.filter((g) => g.name.toLowerCase() === lower).map((g) => g.name)),
    ]
    if (variants.length === 0) return undefined
    return new Error(
      `Okta group "${name}" not found; Okta has ${variants.map((v) => `"${v}"`).join(', ')}: group names are matched exactly, including case`,
    )
  }
  if (matches.length === 1) return matches[0]
  const list = matches.map((g) => `${g.id} (${g.type || 'unknown type'})`).join(', ')
  return new Error(
    `Okta group name "${name}" is ambiguous: ${matches.length} groups have it: ${list}; name the group as id:<id> instead`,
  )
}

/**
 * One object per Okta user for the whole run: a person in forty groups is read forty times but kept
 * once (20,000 people in 700,000 memberships are 20,000 objects, not 700,000).
 */
class MemberPool {
  readonly #byId = new Map<string, OktaMember>()

  of(u: WireUser): OktaMember {
    const login = u.profile?.login ?? ''
    const email = u.profile?.email ?? ''
    const status = u.status ?? ''
    const known = this.#byId.get(u.id)
    if (known && known.login === login && known.email === email && known.status === status) {
      return known
    }
    const member: OktaMember = { id: u.id, login, email, status }
    this.#byId.set(u.id, member)
    return member
  }
}

async function listMembers(
  context: Context,
  groupId: string,
  pool: MemberPool,
  about = `group id:${groupId}`,
): Promise<OktaMember[]> {
  try {
    return await readAllPages(
      context.http,
      `/api/v1/groups/${encodeURIComponent(groupId)}/users`,
      { limit: MEMBERS_PAGE },
      (u: WireUser) => pool.of(u),
      { pick: MEMBER_FIELDS, about },
    )
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) {
      throw new HttpError(err, `Okta group id:${groupId} not found (${err.serviceMessage})`)
    }
    throw explain(context, err)
  }
}

/**
 * Follows `Link: rel="next"` only on the configured origin: credentials never go elsewhere. Each
 * page is mapped as it arrives, so the wire objects of one page at most are alive at a time.
 */
async function readAllPages<T, R>(
  http: HttpService,
  path: string,
  query: Record<string, string | number>,
  map: (item: T) => R,
  page: PageOptions = {},
): Promise<R[]> {
  const items: R[] = []
  const visited = new Set<string>()
  let url: URL | undefined = new URL(path, http.origin)
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value))
  while (url !== undefined) {
    const link = await readPage(http, path, url, map, items, page)
    url = nextPageUrl(http, path, link, visited)
  }
  return items
}

/**
 * Maps one page into `items` and returns its Link header. The parsed body lives only in this
 * call, so it is garbage before the next page is requested.
 */
async function readPage<T, R>(
  http: HttpService,
  path: string,
  url: URL,
  map: (item: T) => R,
  items: R[],
  page: PageOptions,
): Promise<string | null> {
  const res = await getPage<T>(http, url, page)
  if (!Array.isArray(res.body)) {
    const type = res.headers.get('content-type') ?? 'no content type'
    throw new Error(
      `okta GET ${path}: expected a JSON array, got ${typeof res.body} (${type}); is okta-domain the Okta org's own domain?`,
    )
  }
  for (const item of res.body) items.push(map(item))
  return res.headers.get('link')
}

function nextPageUrl(
  http: HttpService,
  path: string,
  link: string | null,
  visited: Set<string>,
): URL | undefined {
  const next = nextLink(link)
  if (next === undefined) return undefined
  const nextUrl = new URL(next, http.origin)
  if (nextUrl.origin !== http.origin) {
    throw new Error(
      `Okta returned a next-page link on another host (${nextUrl.origin}); the token is only sent to ${http.origin}. ` +
        'Set okta-domain to the Okta org’s own domain (not an -admin or alias host).',
    )
  }
  if (visited.has(nextUrl.href)) {
    throw new Error(
      `Okta returned the same next-page link twice for ${path}; stopping to avoid a loop`,
    )
  }
  visited.add(nextUrl.href)
  return nextUrl
}

/**
 * One page. Okta answers a page it cannot assemble in time with a 500 and recommends a smaller
 * `limit` (other 5xx are retried as usual): a big page answered 500 is asked again at once with the
 * safe size (the cursor stays as Okta gave it), and later next links carry that size on.
 */
async function getPage<T>(
  http: HttpService,
  url: URL,
  page: PageOptions,
): Promise<HttpResponse<T[]>> {
  const limit = Number(url.searchParams.get('limit'))
  if (!(limit > SAFE_PAGE)) return http.request<T[]>('GET', url.href, page)
  try {
    return await http.request<T[]>('GET', url.href, { ...page, noRetryStatuses: [500] })
  } catch (err) {
    if (!(err instanceof HttpError) || err.status !== 500) throw err
    const smaller = new URL(url)
    smaller.searchParams.set('limit', String(SAFE_PAGE))
    return http.request<T[]>('GET', smaller.href, page)
  }
}

/** The fields a listing keeps, and what its requests are about. */
interface PageOptions {
  pick?: Pick
  about?: string
}

/** Turns auth failures into messages that say which input to fix; never with a secret. */
function explain(context: Context, err: unknown): Error {
  if (!(err instanceof HttpError)) {
    const error = err instanceof Error ? err : new Error(String(err))
    const clean = context.scrub(error.message)
    return clean === error.message ? error : new Error(clean)
  }
  if (err.unsent) return err
  if (err.status === 401 && !context.auth) {
    const credential = 'okta-api-token'
    return new HttpError(
      { ...err, credential, serviceMessage: context.scrub(err.serviceMessage) },
      context.scrub(rejectedCredentialMessage(err, credential)),
    )
  }
  // The token client already named the fix.
  const message =
    err.endpoint === TOKEN_PATH
      ? err.message
      : context.auth
        ? oauthMessage(context.auth, err)
        : sswsMessage(err)
  const serviceMessage = context.scrub(err.serviceMessage)
  return new HttpError({ ...err, serviceMessage }, context.scrub(message ?? err.message))
}

function sswsMessage(err: HttpError): string | undefined {
  const detail = `(${err.serviceMessage})`
  if (err.status === 403 && err.code === 'E0000005') {
    return `Okta received no credentials ${detail}: set okta-api-token (OKTA_API_TOKEN).`
  }
  if (err.status === 403) {
    return (
      `The admin behind okta-api-token may not read groups ${detail}: ` +
      'create the token as an admin with at least the Read-Only Administrator role.'
    )
  }
  return undefined
}

function oauthMessage(auth: OktaAuth, err: HttpError): string | undefined {
  const detail = `(${err.serviceMessage})`
  if (err.status === 401) {
    return (
      `Okta rejected the access token of okta-client-id ${auth.clientId} ${detail} even after renewing it once: ` +
      'check that the API Services app is active and this machine’s clock is right.'
    )
  }
  if (err.status === 403) {
    return `Okta ${err.method} ${err.endpoint} was refused ${detail}: ${oauthForbiddenHint(auth.clientId, err.code === 'insufficient_scope')}.`
  }
  if (err.status === 400 && /dpop/i.test(err.serviceMessage)) {
    return (
      `Okta refused the DPoP proof of ${err.method} ${err.endpoint} ${detail}: check this machine’s clock, ` +
      'and that nothing between this machine and Okta rewrites the request URL.'
    )
  }
  return undefined
}
