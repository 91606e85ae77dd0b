import type { RequestStats } from '../model.ts'

export type ServiceName = RequestStats['service']

export interface HttpErrorFields {
  service: ServiceName
  method: string
  /** Normalised path, numeric and Okta ids replaced by `:id`. */
  endpoint: string
  /** 0 when no HTTP answer arrived (network error, timeout, refused before sending). */
  status: number
  /** What the service said: Grafana `message`, Okta `errorSummary (errorCode)`, or a network cause. */
  serviceMessage: string
  /** Okta `errorCode` or Grafana `messageId`, for branching. */
  code?: string
}

/** A failed remote call. The message is built from scrubbed parts only: never a header, never a credential. */
export class HttpError extends Error {
  readonly service: ServiceName
  readonly method: string
  readonly endpoint: string
  readonly status: number
  readonly serviceMessage: string
  readonly code?: string

  constructor(fields: HttpErrorFields, message?: string) {
    super(message ?? defaultMessage(fields))
    this.name = 'HttpError'
    this.service = fields.service
    this.method = fields.method
    this.endpoint = fields.endpoint
    this.status = fields.status
    this.serviceMessage = fields.serviceMessage
    if (fields.code !== undefined) this.code = fields.code
  }
}

export function defaultMessage(f: HttpErrorFields): string {
  const what = f.status === 0 ? f.serviceMessage : `${f.status} ${f.serviceMessage}`.trim()
  return `${f.service} ${f.method} ${f.endpoint} failed: ${what}`
}

/**
 * Replaces every occurrence of each secret (raw, lower-cased as in a host name, URL-encoded, base64)
 * with `***`.
 */
export function createScrubber(secrets: readonly string[]): (text: string) => string {
  const needles = new Set<string>()
  for (const secret of secrets) {
    if (!secret) continue
    needles.add(secret)
    // A token pasted into a URL input comes back lower-cased inside DNS and TLS error messages.
    needles.add(secret.toLowerCase())
    needles.add(encodeURIComponent(secret))
    needles.add(Buffer.from(secret).toString('base64'))
  }
  // Longest first so a secret containing another is replaced whole.
  const ordered = [...needles].filter((n) => n.length > 0).sort((a, b) => b.length - a.length)
  return (text: string) => {
    let out = text
    for (const needle of ordered) out = out.split(needle).join('***')
    return out
  }
}
