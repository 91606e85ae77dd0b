import type { RequestStats } from '../model.ts'
import { endpointOf } from './endpoint.ts'
import { HttpError, createScrubber, type ServiceName } from './errors.ts'
import { parseJsonBody } from './json.ts'
import { pickFromArray, type Pick } from './pick.ts'
import { Semaphore } from './semaphore.ts'
import { fetchTransport, undiciTransport, type TransportResponse } from './transport.ts'

export interface HttpServiceOptions {
  service: ServiceName
  /** Origin plus optional path prefix, e.g. `https://grafana.example/grafana`. */
  baseUrl: string
  /** Sent on every request (auth, Accept, User-Agent). */
  headers?: Record<string, string>
  /** Values that must never appear in an error message (tokens, passwords, derived auth headers). */
  secrets?: string[]
  timeoutMs?: number
  retries?: number
  retryBaseMs?: number
  /** Upper bound of one backoff step. */
  retryMaxMs?: number
  /** Upper bound of one rate-limit wait (Okta reset, Retry-After). */
  maxRateLimitWaitMs?: number
  concurrency?: number
  /** Stands in for the network (tests); undici's request API otherwise. */
  fetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
  /** `okta`: X-Rate-Limit-* headers; `retry-after`: the Retry-After header. */
  rateLimitStyle?: 'okta' | 'retry-after'
  /**
   * Headers of one attempt, asked anew for each (e.g. an OAuth token renewed in between, a DPoP
   * proof that is valid once). They win over `headers`. Errors it throws end the request.
   */
  authorize?: (method: string, url: URL) => Promise<Record<string, string>>
}

export type QueryValue = string | number | boolean | undefined | readonly (string | number)[]

export interface RequestOptions {
  query?: Record<string, QueryValue>
  /** Sent as JSON with `Content-Type: application/json`. */
  body?: unknown
  /** Sent as `application/x-www-form-urlencoded` (an OAuth token request); not with `body`. */
  form?: Record<string, string>
  headers?: Record<string, string>
  /** Non-2xx statuses answered as a response instead of an HttpError. */
  okStatuses?: readonly number[]
  /**
   * Server-error statuses answered as an HttpError at once instead of being retried: for a caller
   * with a better fallback (e.g. a smaller page). 429, other 5xx and network errors are still retried.
   */
  noRetryStatuses?: readonly number[]
  /**
   * For a listing answered as a JSON array of objects: keep only these fields of each element
   * (a big listing's other fields are never built). Anything else is parsed whole as usual.
   */
  pick?: Pick
}

export interface HttpResponse<T> {
  status: number
  body: T
  headers: Headers
}

export interface HttpService {
  readonly service: ServiceName
  /** `scheme://host:port` every request must go to. */
  readonly origin: string
  request<T = unknown>(
    method: string,
    pathOrUrl: string,
    opts?: RequestOptions,
  ): Promise<HttpResponse<T>>
  stats(): RequestStats[]
  /** Removes every configured secret from a text (for messages built outside this layer). */
  scrub(text: string): string
}

const DEFAULTS = {
  timeoutMs: 30_000,
  retries: 4,
  retryBaseMs: 250,
  retryMaxMs: 10_000,
  maxRateLimitWaitMs: 65_000,
  concurrency: 8,
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

interface Counter {
  requests: number
  retries: number
  bytes: number
}

/** Outcome of one attempt: an answer, or a failure with how long to wait before the next attempt. */
type Attempt =
  | { kind: 'done'; response: HttpResponse<unknown> }
  | { kind: 'retry'; error: HttpError; waitMs: number; viaPause: boolean }
  | { kind: 'fail'; error: HttpError }

export function createHttpService(options: HttpServiceOptions): HttpService {
  const opts = { ...DEFAULTS, ...withoutUndefined(options) }
  const base = parseBaseUrl(options.service, options.baseUrl)
  const scrub = createScrubber(options.secrets ?? [])
  const transport = options.fetch ? fetchTransport(options.fetch) : undiciTransport()
  const sleep = options.sleep ?? defaultSleep
  const semaphore = new Semaphore(opts.concurrency)
  const counters = new Map<string, Counter>()
  const baseHeaders = checkedHeaders(options.service, options.headers ?? {})
  let pausedUntil = 0

  function counterFor(endpoint: string): Counter {
    let counter = counters.get(endpoint)
    if (!counter) {
      counter = { requests: 0, retries: 0, bytes: 0 }
      counters.set(endpoint, counter)
    }
    return counter
  }

  function pauseUntil(untilMs: number) {
    pausedUntil = Math.max(pausedUntil, untilMs)
  }

  function resolveUrl(method: string, pathOrUrl: string, query: RequestOptions['query']): URL {
    let url: URL
    if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) {
      url = new URL(pathOrUrl)
      if (url.origin !== base.origin || url.username || url.password) {
        throw new HttpError({
          service: options.service,
          method,
          endpoint: endpointOf(url.pathname),
          status: 0,
          serviceMessage: `refused to send a request to ${scrub(url.origin)}: credentials are only sent to ${base.origin}`,
        })
      }
    } else {
      const path = pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`
      url = new URL(base.prefix + path, base.origin)
    }
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v))
      else url.searchParams.set(key, String(value))
    }
    return url
  }

  function endpointFor(url: URL): string {
    const path = url.pathname.startsWith(base.prefix + '/')
      ? url.pathname.slice(base.prefix.length)
      : url.pathname
    return endpointOf(path)
  }

  async function attempt(
    method: string,
    url: URL,
    endpoint: string,
    init: { headers: Headers; body?: string; pick?: Pick },
    okStatuses: readonly number[],
    attemptNo: number,
    noRetryStatuses: readonly number[],
  ): Promise<Attempt> {
    const counter = counterFor(`${method} ${endpoint}`)
    const errorBase = { service: options.service, method, endpoint }
    const mayRetry = attemptNo < opts.retries
    const release = await semaphore.acquire()
    let res: TransportResponse
    try {
      counter.requests++
      res = await transport({
        method,
        url,
        headers: init.headers,
        body: init.body,
        signal: AbortSignal.timeout(opts.timeoutMs),
      })
    } catch (err) {
      const error = new HttpError({
        ...errorBase,
        status: 0,
        serviceMessage: scrub(describeNetworkError(err, opts.timeoutMs)),
      })
      return mayRetry
        ? { kind: 'retry', error, waitMs: backoff(attemptNo), viaPause: false }
        : { kind: 'fail', error }
    } finally {
      release()
    }
    const raw = res.body
    counter.bytes += raw.byteLength
    const success = res.status >= 200 && res.status < 300
    const picked = success && init.pick ? pickFromArray(raw, init.pick) : undefined
    const { text, body } = picked ? { text: undefined, body: picked } : parseJsonBody(raw)
    if (success || okStatuses.includes(res.status)) {
      noteRemainingQuota(res)
      return { kind: 'done', response: { status: res.status, body, headers: res.headers } }
    }
    const { message, code } = serviceMessageOf(
      options.service,
      body,
      text ?? raw.toString('utf8'),
      res,
    )
    const error = new HttpError({
      ...errorBase,
      status: res.status,
      serviceMessage: scrub(message),
      code,
    })
    const retryable =
      res.status === 429 || (res.status >= 500 && !noRetryStatuses.includes(res.status))
    if (!mayRetry || !retryable) return { kind: 'fail', error }
    const rateWait = rateLimitWait(res)
    if (rateWait !== undefined) {
      pauseUntil(Date.now() + rateWait)
      return { kind: 'retry', error, waitMs: rateWait, viaPause: true }
    }
    return { kind: 'retry', error, waitMs: backoff(attemptNo), viaPause: false }
  }

  function backoff(attemptNo: number): number {
    const ceiling = Math.min(opts.retryMaxMs, opts.retryBaseMs * 2 ** attemptNo)
    return Math.round(Math.random() * ceiling)
  }

  /**
   * How long the server asked us to wait, capped; undefined when it did not say. Okta's 429 names the
   * window reset; anything else (a proxy, Grafana Cloud, a 503) may send Retry-After.
   */
  function rateLimitWait(res: TransportResponse): number | undefined {
    if (options.rateLimitStyle === 'okta' && res.status === 429) {
      const reset = oktaResetWait(res)
      if (reset !== undefined) return reset
    }
    return retryAfterWait(res)
  }

  /** Retry-After in seconds or as an HTTP date (measured against the response's own Date). */
  function retryAfterWait(res: TransportResponse): number | undefined {
    const header = res.headers.get('retry-after')?.trim()
    if (!header) return undefined
    let ms: number
    if (/^\d+(\.\d+)?$/.test(header)) {
      ms = Number(header) * 1000
    } else {
      const at = Date.parse(header)
      if (!Number.isFinite(at)) return undefined
      ms = at - serverNow(res)
    }
    return clamp(ms, 0, opts.maxRateLimitWaitMs)
  }

  function oktaResetWait(res: TransportResponse): number | undefined {
    // Repeated headers arrive joined with ", ": the latest reset is the safe one.
    const resets = (res.headers.get('x-rate-limit-reset') ?? '')
      .split(',')
      .map((v) => Number(v.trim()))
      .filter((v) => v > 0 && Number.isFinite(v))
    if (resets.length === 0) return undefined
    // The server's clock decides; the extra second absorbs skew and rounding (Okta's own recommendation).
    return clamp(Math.max(...resets) * 1000 - serverNow(res) + 1000, 0, opts.maxRateLimitWaitMs)
  }

  function noteRemainingQuota(res: TransportResponse) {
    if (options.rateLimitStyle !== 'okta') return
    const remaining = res.headers.get('x-rate-limit-remaining')
    if (remaining === null || Number(remaining) > 0) return
    const wait = oktaResetWait(res)
    if (wait !== undefined) pauseUntil(Date.now() + wait)
  }

  async function waitForPause() {
    const wait = pausedUntil - Date.now()
    if (wait > 0) await sleep(wait)
  }

  async function request<T>(
    method: string,
    pathOrUrl: string,
    req: RequestOptions = {},
  ): Promise<HttpResponse<T>> {
    const verb = method.toUpperCase()
    const url = resolveUrl(verb, pathOrUrl, req.query)
    const endpoint = endpointFor(url)
    const headers = new Headers(baseHeaders)
    for (const [key, value] of Object.entries(req.headers ?? {})) headers.set(key, value)
    let body: string | undefined
    if (req.body !== undefined) {
      body = JSON.stringify(req.body)
      headers.set('Content-Type', 'application/json')
    } else if (req.form !== undefined) {
      body = new URLSearchParams(req.form).toString()
      headers.set('Content-Type', 'application/x-www-form-urlencoded')
    }
    for (let attemptNo = 0; ; attemptNo++) {
      await waitForPause()
      const outcome = await attempt(
        verb,
        url,
        endpoint,
        { headers: await attemptHeaders(headers, verb, url), body, pick: req.pick },
        req.okStatuses ?? [],
        attemptNo,
        req.noRetryStatuses ?? [],
      )
      if (outcome.kind === 'done') return outcome.response as HttpResponse<T>
      if (outcome.kind === 'fail') throw outcome.error
      counterFor(`${verb} ${endpoint}`).retries++
      if (!outcome.viaPause && outcome.waitMs > 0) await sleep(outcome.waitMs)
    }
  }

  async function attemptHeaders(headers: Headers, method: string, url: URL): Promise<Headers> {
    if (!options.authorize) return headers
    const merged = new Headers(headers)
    for (const [key, value] of Object.entries(await options.authorize(method, url))) {
      merged.set(key, value)
    }
    return merged
  }

  return {
    service: options.service,
    origin: base.origin,
    request,
    scrub,
    stats: () =>
      [...counters.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([endpoint, c]) => ({ service: options.service, endpoint, ...c })),
  }
}

/** The response's Date (the server's clock), else ours. */
function serverNow(res: TransportResponse): number {
  const date = Date.parse(res.headers.get('date') ?? '')
  return Number.isFinite(date) ? date : Date.now()
}

function parseBaseUrl(service: ServiceName, baseUrl: string): { origin: string; prefix: string } {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw new Error(`${service}: base URL is not a valid URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${service}: base URL must start with https:// or http://`)
  }
  if (url.username || url.password) {
    throw new Error(
      `${service}: base URL must not contain credentials; pass them as their own inputs`,
    )
  }
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') }
}

function checkedHeaders(service: ServiceName, headers: Record<string, string>): Headers {
  try {
    return new Headers(headers)
  } catch {
    // The runtime's message quotes the offending value, which may be a token: never pass it on.
    throw new Error(
      `${service}: a configured credential or header contains characters not allowed in HTTP headers (a line break or a non-ASCII character?)`,
    )
  }
}

function serviceMessageOf(
  service: ServiceName,
  body: unknown,
  text: string,
  res: TransportResponse,
): { message: string; code?: string } {
  // Redirects are never followed (credentials would travel with them): say where it pointed.
  if (res.status >= 300 && res.status < 400) {
    const location = res.headers.get('location')
    const target = location ? ` to ${location.split(/[?#]/)[0]}` : ''
    return { message: `redirected${target}; configure the final address instead` }
  }
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>
    if (service === 'okta' && typeof o.errorSummary === 'string') {
      const causes = Array.isArray(o.errorCauses)
        ? o.errorCauses
            .map((c) =>
              c && typeof c === 'object' ? (c as Record<string, unknown>).errorSummary : undefined,
            )
            .filter((s): s is string => typeof s === 'string' && s !== '')
        : []
      const code = typeof o.errorCode === 'string' ? o.errorCode : undefined
      const summary = [o.errorSummary, ...causes].join(' ')
      return { message: code ? `${summary} (${code})` : summary, code }
    }
    if (typeof o.message === 'string' && o.message !== '') {
      const code = typeof o.messageId === 'string' ? o.messageId : undefined
      return { message: o.message, code }
    }
  }
  const plain = text.replace(/\s+/g, ' ').trim()
  if (plain !== '' && plain.length <= 200 && !plain.startsWith('<')) return { message: plain }
  return { message: res.statusText || 'no message' }
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `timed out after ${timeoutMs} ms`
  }
  // fetch wraps the socket's error as its cause; undici's request API throws it as it is.
  const wrapped = err instanceof Error && err.cause !== undefined ? err.cause : err
  const source = wrapped as { code?: unknown; message?: unknown } | undefined
  const code = typeof source?.code === 'string' ? source.code : undefined
  const detail = typeof source?.message === 'string' ? source.message : ''
  if (code && detail && !detail.includes(code)) return `network error (${code}: ${detail})`
  return `network error (${detail || code || 'unknown'})`
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
