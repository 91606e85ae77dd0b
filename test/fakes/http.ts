// The request pipeline shared by the HTTP fakes: a node:http server on 127.0.0.1 with a random
// port that records every request, applies injected faults and simulated latency, then answers.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { randomFillSync } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { Faults, faultStatus, type FaultRule } from './faults.ts'

export interface RecordedRequest {
  method: string
  /** Path as sent (percent-encoding kept), without the query. */
  path: string
  /** Query parameters, decoded (`+` is a space); the first value of a repeated key. */
  query: Record<string, string>
  /** Headers as received, names lower-cased, repeated headers joined with ", ". */
  headers: Record<string, string>
  /** Parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  body: unknown
  /** Status answered; 0 while pending or when the connection was dropped. */
  status: number
}

export interface FakeRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  rawBody: string
  /** `Content-Length` > 0 or chunked: the client sent a body (even an empty one). */
  hasBody: boolean
}

export interface Reply {
  status: number
  /** Serialised as JSON unless `text` or `json` is given. */
  body?: unknown
  /**
   * A body already serialised as JSON (sent with the JSON content type): text, bytes, bytes in
   * pieces (sent one after the other, e.g. slices of a cached listing), or an array to render.
   */
  json?: string | Buffer | readonly Buffer[] | JsonArrayBytes
  text?: string
  contentType?: string
  /** An array value is sent as separate header lines. */
  headers?: Record<string, string | string[]>
  /** Called once the body is handed to the socket (never if the connection fails first). */
  onSent?: () => void
}

export interface FakeServerOptions {
  latencyMs?: number
  /** `Content-Type` of JSON answers; default `application/json`. */
  jsonContentType?: string
  /** Keep `requests` (default true); a long benchmark may turn it off to save memory. */
  record?: boolean
  handle(req: FakeRequest): Reply | Promise<Reply>
  faultReply(rule: FaultRule, status: number, req: FakeRequest): Reply
}

export interface FakeServer {
  url: string
  requests: RecordedRequest[]
  faults: Faults
  close(): Promise<void>
}

export interface Listening {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string
  /** Stops listening and drops open keep-alive connections, so tests end at once. */
  close: () => Promise<void>
}

/** Starts a test server on a random loopback port. */
export async function listenOnLoopback(server: Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export async function startFakeServer(opts: FakeServerOptions): Promise<FakeServer> {
  const requests: RecordedRequest[] = []
  const faults = new Faults()
  const record = opts.record ?? true

  const server = createServer((req, res) => {
    readBody(req)
      .then((rawBody) => serve(req, res, rawBody))
      .catch((err: unknown) => {
        if (!res.headersSent) send(res, internalError(err))
      })
  })

  async function serve(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid')
    const request: FakeRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      hasBody: rawBody.length > 0 || req.headers['transfer-encoding'] !== undefined,
    }
    const recorded: RecordedRequest = {
      method: request.method,
      path: request.path,
      query: firstValues(url.searchParams),
      headers: flattenHeaders(req.headers),
      body: parseRecordedBody(rawBody),
      status: 0,
    }
    if (record) requests.push(recorded)

    const rule = faults.take(request.method, request.path)
    const delay = (opts.latencyMs ?? 0) + (rule?.delayMs ?? 0)
    if (delay > 0) await sleep(delay)
    if (rule?.drop) {
      req.socket.destroy()
      return
    }
    const status = rule ? faultStatus(rule) : undefined
    let reply: Reply
    try {
      reply =
        status !== undefined ? opts.faultReply(rule!, status, request) : await opts.handle(request)
    } catch (err) {
      reply = internalError(err)
    }
    if (rule?.headers) reply = withHeaders(reply, rule.headers)
    recorded.status = reply.status
    send(res, reply, opts.jsonContentType)
  }

  const { url, close } = await listenOnLoopback(server)
  return { url, requests, faults, close }
}

/** The reply with headers added, replaced or (null) removed, names compared case-insensitively. */
function withHeaders(reply: Reply, changes: Record<string, string | null>): Reply {
  const headers: Record<string, string | string[]> = {}
  const changed = new Set(Object.keys(changes).map((k) => k.toLowerCase()))
  for (const [name, value] of Object.entries(reply.headers ?? {})) {
    if (!changed.has(name.toLowerCase())) headers[name] = value
  }
  for (const [name, value] of Object.entries(changes)) if (value !== null) headers[name] = value
  return { ...reply, headers }
}

function send(res: ServerResponse, reply: Reply, jsonContentType = 'application/json'): void {
  if (res.destroyed) return
  const headers: Record<string, string | string[]> = { ...reply.headers }
  let payload: string | Buffer = ''
  let written: (() => void) | undefined
  if (reply.text !== undefined) {
    payload = reply.text
    headers['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8'
  } else if (Array.isArray(reply.json)) {
    headers['content-type'] = reply.contentType ?? jsonContentType
    sendPieces(res, reply.status, headers, reply.json as readonly Buffer[])
    return
  } else if (reply.json instanceof JsonArrayBytes) {
    ;({ bytes: payload, release: written } = reply.json.render())
    headers['content-type'] = reply.contentType ?? jsonContentType
  } else if (reply.json !== undefined || reply.body !== undefined) {
    payload = (reply.json as string | Buffer | undefined) ?? JSON.stringify(reply.body)
    headers['content-type'] = reply.contentType ?? jsonContentType
  }
  headers['content-length'] = String(Buffer.byteLength(payload))
  res.writeHead(reply.status, headers)
  // Called once the bytes are handed to the socket; not after an error, when they may still be held.
  res.end(payload, (err?: Error | null) => {
    if (err) return
    written?.()
    reply.onSent?.()
  })
}

/** One body in pieces, written in one go (corked) without joining them first. */
function sendPieces(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  pieces: readonly Buffer[],
): void {
  headers['content-length'] = String(pieces.reduce((n, p) => n + p.length, 0))
  res.writeHead(status, headers)
  res.cork()
  for (const piece of pieces) res.write(piece)
  res.end()
  res.uncork()
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function internalError(err: unknown): Reply {
  const message = err instanceof Error ? err.message : String(err)
  return { status: 500, body: { message: `fake server error: ${message}` } }
}

function firstValues(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of params) if (!(key in out)) out[key] = value
  return out
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

function parseRecordedBody(raw: string): unknown {
  if (raw === '') return undefined
  try {
    return JSON.parse(raw) as unknown
  } catch {
    return raw
  }
}

export const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

const pool = Buffer.alloc(4096)
let poolOffset = pool.length

/** Random characters from the alphabet, drawn from a pooled buffer (ids for 20,000 seeded users). */
export function randomChars(length: number, alphabet = ALPHANUMERIC): string {
  let out = ''
  for (let i = 0; i < length; i++) {
    if (poolOffset >= pool.length) {
      randomFillSync(pool)
      poolOffset = 0
    }
    out += alphabet[pool[poolOffset++]! % alphabet.length]
  }
  return out
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * A JSON array assembled from already serialised items, each given as one or more byte fragments
 * (cached per record), so a page of a thousand records costs copies, not serialisation. Rendered
 * when sent, into a buffer reused once the answer is written: fresh megabytes for every page cost
 * more in page faults than the copying itself.
 */
export class JsonArrayBytes {
  readonly #before: Buffer
  readonly #after: Buffer
  /** Fragments, with COMMA between items. */
  readonly #parts: Buffer[] = []
  #length = 0

  /** `before` and `after` wrap the array, e.g. an envelope around a list. */
  constructor(before = '', after = '') {
    this.#before = Buffer.from(`${before}[`)
    this.#after = Buffer.from(`]${after}`)
  }

  /** An item of up to four fragments (no rest parameter: this runs a million times a listing). */
  item(a: Buffer, b?: Buffer, c?: Buffer, d?: Buffer): void {
    if (this.#parts.length > 0) {
      this.#parts.push(COMMA)
      this.#length++
    }
    this.#push(a)
    if (b) this.#push(b)
    if (c) this.#push(c)
    if (d) this.#push(d)
  }

  #push(fragment: Buffer): void {
    this.#parts.push(fragment)
    this.#length += fragment.length
  }

  /** The bytes, and what to call once they are written (the buffer goes back to the pool). */
  render(): { bytes: Buffer; release: () => void } {
    const buffer = scratch.take(this.byteLength)
    return { bytes: this.writeInto(buffer), release: () => scratch.give(buffer) }
  }

  /** The bytes in a buffer of their own, to keep. */
  toBuffer(): Buffer {
    return this.writeInto(Buffer.allocUnsafeSlow(this.byteLength))
  }

  get byteLength(): number {
    return this.#before.length + this.#length + this.#after.length
  }

  /** Writes the bytes at the start of `buffer` (at least `byteLength` long); returns them. */
  writeInto(buffer: Buffer): Buffer {
    buffer.set(this.#before, 0)
    let at = this.#before.length
    for (const part of this.#parts) {
      if (part === COMMA) buffer[at++] = 0x2c
      else {
        buffer.set(part, at)
        at += part.length
      }
    }
    buffer.set(this.#after, at)
    return buffer.subarray(0, at + this.#after.length)
  }
}

const COMMA = Buffer.from(',')

/** Reusable response buffers, for bodies big enough that their page faults count. */
class ScratchPool {
  static readonly MIN = 64 * 1024
  static readonly KEEP = 16
  readonly #free: Buffer[] = []

  take(size: number): Buffer {
    if (size < ScratchPool.MIN) return Buffer.allocUnsafe(size)
    const i = this.#free.findIndex((b) => b.length >= size)
    if (i >= 0) return this.#free.splice(i, 1)[0]!
    return Buffer.allocUnsafeSlow(2 ** Math.ceil(Math.log2(size)))
  }

  give(buffer: Buffer): void {
    if (buffer.length < ScratchPool.MIN) return
    this.#free.push(buffer)
    this.#free.sort((a, b) => a.length - b.length)
    if (this.#free.length > ScratchPool.KEEP) this.#free.shift()
  }
}

const scratch = new ScratchPool()

/** Non-negative integer query parameter, or undefined when absent or not a number. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name)
  if (raw === null || raw.trim() === '') return undefined
  const n = Number(raw)
  return Number.isInteger(n) ? n : undefined
}

/** Splits a path into decoded segments; undefined when a segment is badly encoded. */
export function pathSegments(path: string): string[] | undefined {
  try {
    return path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s))
  } catch {
    return undefined
  }
}

interface CompiledRoute<C> {
  method: string
  parts: string[]
  handler: C
}

/** A small method + path router; patterns use `:name` segments. */
export class Router<C> {
  #routes: CompiledRoute<C>[] = []

  add(method: string, pattern: string, handler: C): void {
    this.#routes.push({ method, parts: pattern.split('/').filter((s) => s !== ''), handler })
  }

  match(
    method: string,
    segments: string[],
  ): { handler: C; params: Record<string, string> } | undefined {
    for (const route of this.#routes) {
      if (route.method !== method || route.parts.length !== segments.length) continue
      const params: Record<string, string> = {}
      let ok = true
      for (let i = 0; i < route.parts.length; i++) {
        const part = route.parts[i]!
        const seg = segments[i]!
        if (part.startsWith(':')) params[part.slice(1)] = seg
        else if (part !== seg) {
          ok = false
          break
        }
      }
      if (ok) return { handler: route.handler, params }
    }
    return undefined
  }

  /** Whether any route (of any method) has this path shape. */
  knowsPath(segments: string[]): boolean {
    return this.#routes.some(
      (r) =>
        r.parts.length === segments.length &&
        r.parts.every((p, i) => p.startsWith(':') || p === segments[i]),
    )
  }
}
