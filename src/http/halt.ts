import type { HttpError } from './errors.ts'

/**
 * The failure that ends a service's run (a rejected credential, a request that never answered): every
 * later request fails with that same error, unsent, and the requests in flight are abandoned.
 */
export class Halt {
  readonly #controller = new AbortController()
  #error: HttpError | undefined

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  get error(): HttpError | undefined {
    return this.#error
  }

  /** The first call wins; its error is returned to every caller. */
  halt(error: HttpError): HttpError {
    if (this.#error === undefined) {
      this.#error = error
      this.#controller.abort()
    }
    return this.#error
  }
}
