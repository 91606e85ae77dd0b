import type { RequestStats } from '../model.ts'
import { attemptOnce, type Attempt, type AttemptContext, type PreparedRequest } from './attempt.ts'
import { endpointOf } from './endpoint.ts'
import { createScrubber } from '../secrets/index.ts'
import { HttpError, SERVICE_TITLES, type ServiceName } from './errors.ts'
import { Halt } from './halt.ts'
import { formatDuration, timedOutMessage } from './messages.ts'
import type { Pick } from './pick.ts'
import {
  SharedPause,
  exhaustedQuotaWaitMs,
  requestedWaitMs,
  type RateLimitStyle,
} from './rate-limit.ts'
import { backoffMs, mayRetry } from './retry.ts'
import { Semaphore } from './semaphore.ts'
import { RequestCounters } from './stats.ts'
import { undiciTransport } from './transport.ts'
import { apiPath, checkedHeaders, parseBaseUrl, resolveUrl, type QueryValue } from './url.ts'

export type { QueryValue } from './url.ts'

export interface HttpServiceOptions {
  service: ServiceName
  /** Origin plus optional path prefix, e.g. `https://grafana.example/grafana`. */
  baseUrl: string
  /** Sent on every request (auth, Accept, User-Agent). */
  headers?: Record<string, string>
  /** Values that must never appear in an error message (tokens, passwords, derived auth headers). */
  secrets?: string[]
  /** One attempt's limit, from sending to the end of the answer. */
  timeoutMs?: number
  retries?: number
  /** Retries after a timeout (at most `retries`). */
  timeoutRetries?: number
  retryBaseMs?: number
  /** Upper bound of one backoff step. */
  retryMaxMs?: number
  /** Upper bound of one rate-limit wait (Okta reset, Retry-After). */
  maxRateLimitWaitMs?: number
  concurrency?: number
  sleep?: (ms: number) => Promise<void>
  /** `okta`: X-Rate-Limit-* headers; `retry-after`: the Retry-After header. */
  rateLimitStyle?: RateLimitStyle
  /** Told once per retry what is retried and why (a progress line). */
  onRetry?: (line: string) => void
  /**
   * Headers of one attempt, asked anew for each (e.g. an OAuth token renewed in between, a DPoP
   * proof that is valid once). They win over `headers`. Errors it throws end the request.
   */
  authorize?: (method: string, url: URL) => Promise<Record<string, string>>
}

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
  /** What the request is about, named in its errors and retry lines, e.g. `team Platform`. */
  about?: string
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

export const HTTP_DEFAULTS = {
  timeoutMs: 30_000,
  retries: 4,
  timeoutRetries: 1,
  retryBaseMs: 250,
  retryMaxMs: 10_000,
  maxRateLimitWaitMs: 65_000,
  concurrency: 8,
}

type Settings = typeof HTTP_DEFAULTS & HttpServiceOptions

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function createHttpService(options: HttpServiceOptions): HttpService {
  const settings: Settings = { ...options, ...HTTP_DEFAULTS, ...withoutUndefined(options) }
  const base = parseBaseUrl(options.service, options.baseUrl)
  const { scrub } = createScrubber(options.secrets ?? [])
  const baseHeaders = checkedHeaders(options.service, options.headers ?? {})
  const counters = new RequestCounters(options.service)
  const ctx: AttemptContext = {
    service: options.service,
    transport: undiciTransport(),
    semaphore: new Semaphore(settings.concurrency),
    halt: new Halt(),
    counters,
    timeoutMs: settings.timeoutMs,
    scrub,
  }
  const run = new RequestRun(settings, ctx, new SharedPause())

  return {
    service: options.service,
    origin: base.origin,
    scrub,
    stats: () => counters.list(),
    request: async <T>(method: string, pathOrUrl: string, req: RequestOptions = {}) => {
      const verb = method.toUpperCase()
      const url = resolveUrl(options.service, base, verb, pathOrUrl, req.query, scrub)
      const prepared = prepare(verb, url, endpointOf(apiPath(base, url)), baseHeaders, req)
      return (await run.send(prepared, apiPath(base, url))) as HttpResponse<T>
    },
  }
}

function prepare(
  method: string,
  url: URL,
  endpoint: string,
  baseHeaders: Headers,
  req: RequestOptions,
): PreparedRequest {
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
  return {
    method,
    url,
    endpoint,
    headers,
    body,
    pick: req.pick,
    okStatuses: req.okStatuses ?? [],
    noRetryStatuses: req.noRetryStatuses ?? [],
    about: req.about,
  }
}

type Failure = Exclude<Attempt, { kind: 'answered' } | { kind: 'halted' }>

/** The attempts of requests: retry policy, rate-limit pauses, halting the service, retry lines. */
class RequestRun {
  readonly #settings: Settings
  readonly #ctx: AttemptContext
  readonly #pause: SharedPause
  readonly #sleep: (ms: number) => Promise<void>

  constructor(settings: Settings, ctx: AttemptContext, pause: SharedPause) {
    this.#settings = settings
    this.#ctx = ctx
    this.#pause = pause
    this.#sleep = settings.sleep ?? defaultSleep
  }

  async send(req: PreparedRequest, path: string): Promise<HttpResponse<unknown>> {
    try {
      return await this.#attempts(req, path)
    } catch (error) {
      this.#ctx.counters.failed(req.method, req.endpoint)
      throw error
    }
  }

  async #attempts(req: PreparedRequest, path: string): Promise<HttpResponse<unknown>> {
    let timeouts = 0
    for (let attemptNo = 0; ; attemptNo++) {
      await this.#pause.wait(this.#sleep)
      const outcome = await attemptOnce(this.#ctx, await this.#authorized(req))
      if (outcome.kind === 'answered') {
        this.#notePause(exhaustedQuotaWaitMs(outcome.res, this.#style, this.#maxWait))
        return outcome.answer
      }
      if (outcome.kind === 'halted') throw outcome.error
      const timedOut = outcome.kind === 'no-answer' && outcome.timedOut
      if (timedOut) timeouts++
      if (outcome.error.reason === 'credential-rejected') throw this.#halt(req, outcome.error)
      const retry = outcome.retryable && mayRetry(this.#settings, { attemptNo, timeouts, timedOut })
      if (!retry)
        throw timedOut ? this.#halt(req, this.#noAnswer(outcome, timeouts)) : outcome.error
      await this.#waitBeforeRetry(req, path, outcome, attemptNo, timedOut)
    }
  }

  async #authorized(req: PreparedRequest): Promise<PreparedRequest> {
    const authorize = this.#settings.authorize
    if (!authorize) return req
    const headers = new Headers(req.headers)
    for (const [key, value] of Object.entries(await authorize(req.method, req.url))) {
      headers.set(key, value)
    }
    return { ...req, headers }
  }

  /** The first such failure halts the service; one that comes after it points at it. */
  #halt(req: PreparedRequest, error: HttpError): HttpError {
    const halt = this.#ctx.halt
    return halt.halted ? halt.unsent(req) : halt.halt(error)
  }

  get #style(): RateLimitStyle | undefined {
    return this.#settings.rateLimitStyle
  }

  get #maxWait(): number {
    return this.#settings.maxRateLimitWaitMs
  }

  #notePause(waitMs: number | undefined): void {
    if (waitMs !== undefined) this.#pause.extendTo(Date.now() + waitMs)
  }

  async #waitBeforeRetry(
    req: PreparedRequest,
    path: string,
    failure: Failure,
    attemptNo: number,
    timedOut: boolean,
  ): Promise<void> {
    this.#ctx.counters.of(req.method, req.endpoint).retries++
    const requested =
      failure.kind === 'refused'
        ? requestedWaitMs(failure.res, this.#style, this.#maxWait)
        : undefined
    const waitMs = requested ?? backoffMs(this.#settings, attemptNo)
    this.#settings.onRetry?.(this.#retryLine(req, path, failure, attemptNo, timedOut, waitMs))
    // A wait the server asked for holds back every request of the service, not just this one.
    if (requested !== undefined) this.#notePause(requested)
    else if (waitMs > 0) await this.#sleep(waitMs)
  }

  /** e.g. `Grafana GET /api/teams/7/members: timed out after 30 s, retrying once (team Platform)`. */
  #retryLine(
    req: PreparedRequest,
    path: string,
    failure: Failure,
    attemptNo: number,
    timedOut: boolean,
    waitMs: number,
  ): string {
    const { retries, timeoutRetries } = this.#settings
    const why =
      failure.kind === 'refused'
        ? `answered ${failure.error.status} ${failure.error.serviceMessage}`
        : failure.error.serviceMessage
    const next = timedOut
      ? timeoutRetries === 1
        ? 'retrying once'
        : `retrying (at most ${timeoutRetries} times after a timeout)`
      : `retry ${attemptNo + 1} of ${retries} in ${formatDuration(waitMs)}`
    const about = req.about ? ` (${req.about})` : ''
    return this.#ctx.scrub(
      `${SERVICE_TITLES[this.#ctx.service]} ${req.method} ${path}: ${why}, ${next}${about}`,
    )
  }

  /** The error of a request that timed out on its last attempt too. */
  #noAnswer(failure: Failure, timeouts: number): HttpError {
    const tries = timeouts === 1 ? '' : timeouts === 2 ? ', twice' : `, ${timeouts} times`
    return new HttpError({
      ...failure.error,
      status: 0,
      serviceMessage: `${timedOutMessage(this.#settings.timeoutMs)}${tries}`,
      reason: 'no-answer',
    })
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
