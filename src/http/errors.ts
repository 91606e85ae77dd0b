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
