// The service's schedule: a run at start and then every interval, never two at once. A run asked for
// while one is going (SIGHUP) starts right after it. Stopping aborts the run in flight (no new write)
// and waits for it.
import type { RunResult } from '../metrics/index.ts'

export interface RunReport {
  result: RunResult
  startedAt: Date
  durationMs: number
  /** Why the run did not succeed, for /readyz and the logs. */
  reason?: string
}

export type RunOnce = (signal: AbortSignal) => Promise<RunReport>

export interface Readiness {
  ready: boolean
  reason?: string
  lastRun?: { result: RunResult; startedAt: string; durationSeconds: number }
  lastSuccess?: string
}

export class SyncLoop {
  readonly #intervalMs: number
  readonly #runOnce: RunOnce
  readonly #abort = new AbortController()
  #inFlight: Promise<void> | undefined
  #again = false
  #timer: NodeJS.Timeout | undefined
  #stopping = false
  #last: RunReport | undefined
  #lastSuccess: RunReport | undefined

  constructor(intervalMs: number, runOnce: RunOnce) {
    this.#intervalMs = intervalMs
    this.#runOnce = runOnce
  }

  get running(): boolean {
    return this.#inFlight !== undefined
  }

  get stopping(): boolean {
    return this.#stopping
  }

  /** Starts a run now, or right after the one in flight. */
  runNow(): 'started' | 'queued' | 'stopping' {
    if (this.#stopping) return 'stopping'
    if (this.#inFlight) {
      this.#again = true
      return 'queued'
    }
    clearTimeout(this.#timer)
    this.#inFlight = this.#run()
    return 'started'
  }

  /** Aborts the run in flight, waits for it at most `graceMs`; true when nothing was left running. */
  async stop(graceMs: number): Promise<boolean> {
    this.#stopping = true
    clearTimeout(this.#timer)
    this.#abort.abort()
    if (!this.#inFlight) return true
    let timer: NodeJS.Timeout | undefined
    const gaveUp = new Promise<false>((resolve) => (timer = setTimeout(resolve, graceMs, false)))
    const finished = this.#inFlight.then(() => true)
    const done = await Promise.race([finished, gaveUp])
    clearTimeout(timer)
    return done
  }

  readiness(now = Date.now()): Readiness {
    const last = this.#last
    const status: Readiness = { ready: false }
    if (last) status.lastRun = describeRun(last)
    if (this.#lastSuccess) status.lastSuccess = this.#lastSuccess.startedAt.toISOString()
    if (this.#stopping) return { ...status, reason: 'the service is shutting down' }
    if (!last) return { ...status, reason: 'the first run has not finished yet' }
    if (last.result !== 'success') {
      return {
        ...status,
        reason: `last run ${last.result}: ${last.reason ?? 'no reason given'}`,
      }
    }
    const age = now - last.startedAt.getTime()
    const limit = 2 * this.#intervalMs + last.durationMs
    if (age > limit) {
      const ago = Math.round(age / 1000)
      return {
        ...status,
        reason: `the last successful run started ${ago}s ago, more than 2 intervals and its duration (${Math.round(limit / 1000)}s): runs are not finishing`,
      }
    }
    return { ...status, ready: true }
  }

  async #run(): Promise<void> {
    const startedAt = Date.now()
    try {
      const report = await this.#runOnce(this.#abort.signal).catch((error: unknown): RunReport => ({
        result: 'failed',
        startedAt: new Date(startedAt),
        durationMs: Date.now() - startedAt,
        reason: error instanceof Error ? error.message : String(error),
      }))
      this.#last = report
      if (report.result === 'success') this.#lastSuccess = report
    } finally {
      this.#inFlight = undefined
      this.#next(startedAt)
    }
  }

  #next(startedAt: number): void {
    if (this.#stopping) return
    if (this.#again) {
      this.#again = false
      this.#inFlight = this.#run()
      return
    }
    const wait = Math.max(0, startedAt + this.#intervalMs - Date.now())
    this.#timer = setTimeout(() => this.runNow(), wait)
  }
}

function describeRun(run: RunReport): NonNullable<Readiness['lastRun']> {
  return {
    result: run.result,
    startedAt: run.startedAt.toISOString(),
    durationSeconds: Math.round(run.durationMs) / 1000,
  }
}
