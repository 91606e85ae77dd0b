// Waits a server asks for: Okta's X-Rate-Limit-* headers, anyone's Retry-After.
import type { TransportResponse } from './transport.ts'

export type RateLimitStyle = 'okta' | 'retry-after'

/** A pause every request of one service waits out before it is sent. */
export class SharedPause {
  #until = 0

  extendTo(untilMs: number): void {
    this.#until = Math.max(this.#until, untilMs)
  }

  async wait(sleep: (ms: number) => Promise<void>): Promise<void> {
    const wait = this.#until - Date.now()
    if (wait > 0) await sleep(wait)
  }
}

/**
 * How long the server asked us to wait, capped; undefined when it did not say. Okta's 429 names the
 * window reset; anything else (a proxy, Grafana Cloud, a 503) may send Retry-After.
 */
export function requestedWaitMs(
  res: TransportResponse,
  style: RateLimitStyle | undefined,
  maxMs: number,
): number | undefined {
  if (style === 'okta' && res.status === 429) {
    const reset = oktaResetWaitMs(res, maxMs)
    if (reset !== undefined) return reset
  }
  return retryAfterWaitMs(res, maxMs)
}

/** On an Okta success that used the window's last request: the wait until the window resets. */
export function exhaustedQuotaWaitMs(
  res: TransportResponse,
  style: RateLimitStyle | undefined,
  maxMs: number,
): number | undefined {
  if (style !== 'okta') return undefined
  const remaining = res.headers.get('x-rate-limit-remaining')
  if (remaining === null || Number(remaining) > 0) return undefined
  return oktaResetWaitMs(res, maxMs)
}

/** Retry-After in seconds or as an HTTP date (measured against the response's own Date). */
function retryAfterWaitMs(res: TransportResponse, maxMs: number): number | undefined {
  const header = res.headers.get('retry-after')?.trim()
  if (!header) return undefined
  let ms: number
  if (/^\d+(\.\d+)?$/.test(header)) {
    ms = Number(header) * 1000
  } else {
    const at = Date.parse(header)
    if (!Number.isFinite(at)) return undefined
    ms = at - serverNow(res)
  }
  return clamp(ms, 0, maxMs)
}

function oktaResetWaitMs(res: TransportResponse, maxMs: number): number | undefined {
  // Repeated headers arrive joined with ", ": the latest reset is the safe one.
  const resets = (res.headers.get('x-rate-limit-reset') ?? '')
    .split(',')
    .map((v) => Number(v.trim()))
    .filter((v) => v > 0 && Number.isFinite(v))
  if (resets.length === 0) return undefined
  // The server's clock decides; the extra second absorbs skew and rounding (Okta's own recommendation).
  return clamp(Math.max(...resets) * 1000 - serverNow(res) + 1000, 0, maxMs)
}

/** The response's Date (the server's clock), else ours. */
function serverNow(res: TransportResponse): number {
  const date = Date.parse(res.headers.get('date') ?? '')
  return Number.isFinite(date) ? date : Date.now()
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
