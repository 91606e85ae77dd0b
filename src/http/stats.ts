import type { RequestStats } from '../model.ts'
import type { ServiceName } from './errors.ts'

interface Counter {
  requests: number
  retries: number
  bytes: number
}

/** Requests, retries and bytes received per `METHOD /endpoint`, for the report. */
export class RequestCounters {
  readonly #service: ServiceName
  readonly #byEndpoint = new Map<string, Counter>()
  /** Requests that ended in an error after their retries (kept apart: most endpoints have none). */
  readonly #failures = new Map<string, number>()

  constructor(service: ServiceName) {
    this.#service = service
  }

  of(method: string, endpoint: string): Counter {
    const key = `${method} ${endpoint}`
    let counter = this.#byEndpoint.get(key)
    if (!counter) {
      counter = { requests: 0, retries: 0, bytes: 0 }
      this.#byEndpoint.set(key, counter)
    }
    return counter
  }

  failed(method: string, endpoint: string): void {
    const key = `${method} ${endpoint}`
    this.#failures.set(key, (this.#failures.get(key) ?? 0) + 1)
  }

  list(): RequestStats[] {
    return [...this.#byEndpoint.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([endpoint, c]) => {
        const failures = this.#failures.get(endpoint)
        return { service: this.#service, endpoint, ...c, ...(failures ? { failures } : {}) }
      })
  }
}
