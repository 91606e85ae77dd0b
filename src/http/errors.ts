import type { RequestStats } from '../model.ts'

export type ServiceName = RequestStats['service']

/** How the service is named in sentences. */
export const SERVICE_TITLES: Record<ServiceName, string> = {
  grafana: 'Grafana',
  okta: 'Okta',
  github: 'GitHub',
}

/**
 * Failures that end every later request of the service too: a rejected credential (a 401) and a
 * request that did not answer on its retry either.
 */
export type HaltingReason = 'credential-rejected' | 'no-answer'

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
  /** What the request was about, e.g. `team Platform in org Main Org.`. */
  about?: string
  reason?: HaltingReason
  /** Which configured credential a `credential-rejected` failure refers to (set by the client). */
  credential?: string
  /** Not sent: an earlier request halted the service (its error is the one to show). */
  unsent?: boolean
}

/** A failed remote call. The message is built from scrubbed parts only: never a header, never a credential. */
export class HttpError extends Error {
  readonly service: ServiceName
  readonly method: string
  readonly endpoint: string
  readonly status: number
  readonly serviceMessage: string
  readonly code?: string
  readonly about?: string
  readonly reason?: HaltingReason
  readonly credential?: string
  readonly unsent?: boolean

  constructor(fields: HttpErrorFields, message?: string) {
    super(message ?? defaultMessage(fields))
    this.name = 'HttpError'
    this.service = fields.service
    this.method = fields.method
    this.endpoint = fields.endpoint
    this.status = fields.status
    this.serviceMessage = fields.serviceMessage
    if (fields.code !== undefined) this.code = fields.code
    if (fields.about !== undefined) this.about = fields.about
    if (fields.reason !== undefined) this.reason = fields.reason
    if (fields.credential !== undefined) this.credential = fields.credential
    if (fields.unsent !== undefined) this.unsent = fields.unsent
  }
}

export function defaultMessage(f: HttpErrorFields): string {
  const what = f.status === 0 ? f.serviceMessage : `${f.status} ${f.serviceMessage}`.trim()
  const about = f.about ? ` (${f.about})` : ''
  return `${f.service} ${f.method} ${f.endpoint}${about} ${f.unsent ? 'not sent' : 'failed'}: ${what}`
}

/**
 * A 401: the service refused the credential itself, so no request of this run can succeed. Also
 * true of the requests not sent after it (`unsent`).
 */
export function isCredentialRejected(err: unknown): err is HttpError {
  return err instanceof HttpError && err.reason === 'credential-rejected'
}

/** The error to show of several: the one a service answered rather than one left unsent after it. */
export function firstAnswered<T>(errors: T[]): T | undefined {
  return errors.find((e) => !(e instanceof HttpError && e.unsent)) ?? errors[0]
}
