// One attempt of a request: wait for a connection slot, send, read the whole answer, classify it.
import { HttpError, type ServiceName } from './errors.ts'
import type { Halt } from './halt.ts'
import { parseJsonBody } from './json.ts'
import { describeNetworkError, serviceMessageOf, timedOutMessage } from './messages.ts'
import { pickFromArray, type Pick } from './pick.ts'
import type { Semaphore } from './semaphore.ts'
import type { RequestCounters } from './stats.ts'
import type { Transport, TransportResponse } from './transport.ts'

export interface AttemptContext {
  service: ServiceName
  transport: Transport
  semaphore: Semaphore
  halt: Halt
  counters: RequestCounters
  timeoutMs: number
  scrub: (text: string) => string
}

export interface PreparedRequest {
  method: string
  url: URL
  endpoint: string
  headers: Headers
  body?: string
  pick?: Pick
  okStatuses: readonly number[]
  noRetryStatuses: readonly number[]
  about?: string
}

export interface Answer {
  status: number
  body: unknown
  headers: Headers
}

export type Attempt =
  | { kind: 'answered'; answer: Answer; res: TransportResponse }
  /** A status outside 2xx and okStatuses; `retryable` for 429 and the 5xx the caller did not exclude. */
  | { kind: 'refused'; error: HttpError; res: TransportResponse; retryable: boolean }
  | { kind: 'no-answer'; error: HttpError; timedOut: boolean; retryable: boolean }
  /** Not sent, or abandoned: the service halted meanwhile. */
  | { kind: 'halted'; error: HttpError }

export async function attemptOnce(ctx: AttemptContext, req: PreparedRequest): Promise<Attempt> {
  const release = await ctx.semaphore.acquire()
  let res: TransportResponse
  const timeout = AbortSignal.timeout(ctx.timeoutMs)
  try {
    if (ctx.halt.halted) return { kind: 'halted', error: ctx.halt.unsent(req) }
    ctx.counters.of(req.method, req.endpoint).requests++
    res = await ctx.transport({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.any([timeout, ctx.halt.signal]),
    })
  } catch (err) {
    if (ctx.halt.halted) return { kind: 'halted', error: ctx.halt.unsent(req) }
    return noAnswer(ctx, req, err, timeout.aborted)
  } finally {
    release()
  }
  ctx.counters.of(req.method, req.endpoint).bytes += res.body.byteLength
  return classify(ctx, req, res)
}

function noAnswer(
  ctx: AttemptContext,
  req: PreparedRequest,
  err: unknown,
  timedOut: boolean,
): Attempt {
  const network = timedOut
    ? { message: timedOutMessage(ctx.timeoutMs), final: false }
    : describeNetworkError(err)
  const error = new HttpError({
    ...errorBase(ctx, req),
    status: 0,
    serviceMessage: ctx.scrub(network.message),
  })
  return { kind: 'no-answer', error, timedOut, retryable: !network.final }
}

function classify(ctx: AttemptContext, req: PreparedRequest, res: TransportResponse): Attempt {
  const raw = res.body
  const success = res.status >= 200 && res.status < 300
  const picked = success && req.pick ? pickFromArray(raw, req.pick) : undefined
  const { text, body } = picked ? { text: undefined, body: picked } : parseJsonBody(raw)
  if (success || req.okStatuses.includes(res.status)) {
    return { kind: 'answered', answer: { status: res.status, body, headers: res.headers }, res }
  }
  const { message, code } = serviceMessageOf(ctx.service, body, text ?? raw.toString('utf8'), res)
  const error = new HttpError({
    ...errorBase(ctx, req),
    status: res.status,
    serviceMessage: ctx.scrub(message),
    code,
    ...(res.status === 401 ? { reason: 'credential-rejected' as const } : {}),
  })
  const retryable =
    res.status === 429 || (res.status >= 500 && !req.noRetryStatuses.includes(res.status))
  return { kind: 'refused', error, res, retryable }
}

function errorBase(ctx: AttemptContext, req: PreparedRequest) {
  return {
    service: ctx.service,
    method: req.method,
    endpoint: req.endpoint,
    ...(req.about !== undefined ? { about: req.about } : {}),
  }
}
