// What a failure says: the service's own words for an answer, a sentence for a network error.
import type { ServiceName } from './errors.ts'
import type { TransportResponse } from './transport.ts'

export function serviceMessageOf(
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
    if (service === 'okta' && typeof o.errorSummary === 'string') return oktaMessage(o)
    if (typeof o.message === 'string' && o.message !== '') {
      const code = typeof o.messageId === 'string' ? o.messageId : undefined
      return { message: o.message, code }
    }
  }
  const plain = text.replace(/\s+/g, ' ').trim()
  if (plain !== '' && plain.length <= 200 && !plain.startsWith('<')) return { message: plain }
  return { message: res.statusText || 'no message' }
}

function oktaMessage(o: Record<string, unknown>): { message: string; code?: string } {
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

/** `30 s`, `1.5 s` or `50 ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  return `${Number((ms / 1000).toFixed(1))} s`
}

export function timedOutMessage(timeoutMs: number): string {
  return `timed out after ${formatDuration(timeoutMs)}`
}

/** OpenSSL's words for a TLS handshake that met something else; none of them goes away on a retry. */
const TLS_SENTENCES: { match: RegExp; sentence: string }[] = [
  {
    match:
      /ERR_SSL_WRONG_VERSION_NUMBER|wrong version number|ERR_SSL_PACKET_LENGTH_TOO_LONG|packet length too long|ERR_SSL_HTTP_REQUEST/i,
    sentence: 'answered plain HTTP on an https:// URL: use http:// or the TLS port',
  },
]

export interface NetworkFailure {
  message: string
  /** A retry cannot help (a TLS mismatch): fail at once. */
  final: boolean
}

export function describeNetworkError(err: unknown): NetworkFailure {
  // fetch-style errors wrap the socket's error as their cause; undici's request API throws it as it is.
  const wrapped = err instanceof Error && err.cause !== undefined ? err.cause : err
  const source = wrapped as { code?: unknown; message?: unknown } | undefined
  const code = typeof source?.code === 'string' ? source.code : undefined
  const detail = typeof source?.message === 'string' ? source.message : ''
  const tls = TLS_SENTENCES.find((t) => t.match.test(`${code ?? ''} ${detail}`))
  if (tls) return { message: tls.sentence, final: true }
  if (code && detail && !detail.includes(code)) {
    return { message: `network error (${code}: ${detail})`, final: false }
  }
  return { message: `network error (${detail || code || 'unknown'})`, final: false }
}
