import { STATUS_CODES } from 'node:http'
import { promisify } from 'node:util'
import zlib from 'node:zlib'

type Undici = typeof import('undici')

/** Loaded on the first request: `validate` never needs it, and evaluating it costs start-up time. */
let undici:
  | Promise<{ request: Undici['request']; EnvHttpProxyAgent: Undici['EnvHttpProxyAgent'] }>
  | undefined

export interface TransportRequest {
  method: string
  url: URL
  headers: Headers
  body?: string
  signal: AbortSignal
}

/** An answer with its whole body; redirects are answers too (never followed). */
export interface TransportResponse {
  status: number
  statusText: string
  headers: Headers
  body: Buffer
}

export type Transport = (req: TransportRequest) => Promise<TransportResponse>

/**
 * Node's switch for proxies (`NODE_USE_ENV_PROXY=1` or `--use-env-proxy`) makes its fetch go
 * through `HTTPS_PROXY` / `HTTP_PROXY` except for `NO_PROXY` hosts; requests here follow it too.
 */
export function envProxyWanted(
  env: NodeJS.ProcessEnv = process.env,
  execArgv: string[] = process.execArgv,
): boolean {
  return (
    env.NODE_USE_ENV_PROXY === '1' ||
    execArgv.includes('--use-env-proxy') ||
    /(^|\s)--use-env-proxy(\s|$)/.test(env.NODE_OPTIONS ?? '')
  )
}

/**
 * undici's request API: the same HTTP client fetch is built on, without the WHATWG streams fetch
 * puts around every chunk (about half the CPU per byte of a big listing). It follows no redirects.
 */
export function undiciTransport(viaEnvProxy = envProxyWanted()): Transport {
  let proxy: InstanceType<Undici['EnvHttpProxyAgent']> | undefined
  return async (req) => {
    const { request, EnvHttpProxyAgent } = await (undici ??= import('undici'))
    if (viaEnvProxy) proxy ??= new EnvHttpProxyAgent()
    const res = await request(req.url, {
      method: req.method as 'GET',
      headers: { 'accept-encoding': ACCEPT_ENCODING, ...Object.fromEntries(req.headers) },
      body: req.body,
      signal: req.signal,
      dispatcher: proxy,
    })
    return answer(res)
  }
}

async function answer(res: Awaited<ReturnType<Undici['request']>>): Promise<TransportResponse> {
  const raw = Buffer.from(await res.body.arrayBuffer())
  const headers = new Headers()
  for (const [name, value] of Object.entries(res.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else if (value !== undefined) headers.append(name, value)
  }
  const body = await decoded(raw, headers.get('content-encoding'))
  return { status: res.statusCode, statusText: STATUS_CODES[res.statusCode] ?? '', headers, body }
}

/**
 * Compressed, a big listing is about a tenth of the bytes on a real network, and the answers are
 * unpacked on Node's thread pool, beside the main thread. (fetch asked for the same.)
 */
const ACCEPT_ENCODING = 'gzip, deflate, br'

const gunzip = promisify(zlib.gunzip)
const inflate = promisify(zlib.inflate)
const inflateRaw = promisify(zlib.inflateRaw)
const brotli = promisify(zlib.brotliDecompress)

/** The body with its Content-Encoding undone (the last one applied first); unknown ones are left. */
async function decoded(raw: Buffer, contentEncoding: string | null): Promise<Buffer> {
  // An empty answer (a 204) may still name an encoding; there is nothing to unpack.
  if (raw.length === 0) return raw
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
  let body = raw
  for (const coding of codings.reverse()) {
    if (coding === 'gzip' || coding === 'x-gzip') body = await gunzip(body)
    // "deflate" is zlib-wrapped by the standard, raw from some servers.
    else if (coding === 'deflate') body = await inflate(body).catch(() => inflateRaw(body))
    else if (coding === 'br') body = await brotli(body)
    else break
  }
  return body
}
