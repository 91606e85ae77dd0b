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

  list(): RequestStats[] {
    return [...this.#byEndpoint.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([endpoint, c]) => ({ service: this.#service, endpoint, ...c }))
  }
}
