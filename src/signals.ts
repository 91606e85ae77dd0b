// A cancelled workflow: GitHub sends SIGINT, then SIGTERM, then kills the process. The run is told
// through an AbortSignal; a fallback timer ends the process if the orderly end takes too long.

/** SPEC §7: the process exits within this long after the first signal. */
export const CANCEL_DEADLINE_MS = 5000
/** Left for the fallback itself to write what it can before the process exits. */
const FALLBACK_MARGIN_MS = 1000
const SIGNALS = ['SIGINT', 'SIGTERM'] as const

export interface Cancellation {
  /** Aborts at the first SIGINT or SIGTERM; its reason is the signal's name. */
  signal: AbortSignal
  /** Removes the handlers and the fallback timer. */
  dispose(): void
}

export interface CancellationHooks {
  /** Told once, at the first signal. */
  onSignal(name: string): void
  /**
   * The orderly end did not come in time: write what can be written, quickly. The process exits with
   * status 1 right after it (or after the margin, if it hangs).
   */
  onDeadline(name: string): Promise<void> | void
  deadlineMs?: number
}

export function cancelOnSignals(hooks: CancellationHooks): Cancellation {
  const controller = new AbortController()
  const deadlineMs = hooks.deadlineMs ?? CANCEL_DEADLINE_MS
  const timers: NodeJS.Timeout[] = []
  const exitNow = () => process.exit(1)
  const handle = (name: string) => {
    if (controller.signal.aborted) return
    controller.abort(name)
    hooks.onSignal(name)
    const fallback = setTimeout(() => {
      timers.push(setTimeout(exitNow, FALLBACK_MARGIN_MS / 2))
      void Promise.resolve()
        .then(() => hooks.onDeadline(name))
        .finally(exitNow)
    }, deadlineMs - FALLBACK_MARGIN_MS)
    // The timer alone never keeps the process alive: an orderly end exits without waiting for it.
    fallback.unref()
    timers.push(fallback)
  }
  for (const name of SIGNALS) process.on(name, handle)
  return {
    signal: controller.signal,
    dispose() {
      for (const name of SIGNALS) process.off(name, handle)
      for (const timer of timers) clearTimeout(timer)
    },
  }
}

/**
 * Ends a cancelled process now, without waiting for reads abandoned in the background; the status
 * is an error whatever was reported.
 */
export function exitCancelled(status: number): never {
  process.exit(status === 0 ? 1 : status)
}
