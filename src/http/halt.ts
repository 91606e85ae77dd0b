import { HttpError, SERVICE_TITLES } from './errors.ts'

/**
 * The failure that ends a service's run (a rejected credential, a request that never answered): the
 * requests in flight are abandoned and later ones fail unsent, pointing at that failure.
 */
export class Halt {
  readonly #controller = new AbortController()
  #error: HttpError | undefined

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  get halted(): boolean {
    return this.#error !== undefined
  }

  /** The first call wins: its error is what the run reports. */
  halt(error: HttpError): HttpError {
    if (this.#error === undefined) {
      this.#error = error
      this.#controller.abort()
    }
    return this.#error
  }

  /** The error of a request not sent (or abandoned) because the service halted. */
  unsent(req: { method: string; endpoint: string; about?: string }): HttpError {
    const first = this.#error!
    const call = `${first.method} ${first.endpoint}${first.about ? ` (${first.about})` : ''}`
    const why =
      first.reason === 'credential-rejected'
        ? `${SERVICE_TITLES[first.service]} rejected the credential on ${call} earlier in this run`
        : `${first.service} ${call} did not answer earlier in this run`
    return new HttpError({
      service: first.service,
      method: req.method,
      endpoint: req.endpoint,
      ...(req.about !== undefined ? { about: req.about } : {}),
      status: 0,
      serviceMessage: why,
      ...(first.reason !== undefined ? { reason: first.reason } : {}),
      unsent: true,
    })
  }
}
