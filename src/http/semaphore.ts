/** Bounds how many requests one service has in flight; waiters are served in arrival order. */
export class Semaphore {
  #free: number
  readonly #waiters: (() => void)[] = []

  constructor(size: number) {
    this.#free = Math.max(1, Math.floor(size))
  }

  async acquire(): Promise<() => void> {
    if (this.#free > 0) {
      this.#free--
    } else {
      await new Promise<void>((resolve) => this.#waiters.push(resolve))
    }
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.#waiters.shift()
      if (next) next()
      else this.#free++
    }
  }
}
