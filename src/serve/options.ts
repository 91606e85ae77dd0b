// The values of serve's settings: a duration such as 30s, 5m or 1h, and a host:port to listen on.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
/** Shorter intervals would hammer Grafana; longer ones overflow Node's timers (about 24.8 days). */
const MIN_INTERVAL_MS = 1000
const MAX_INTERVAL_MS = 24 * 3_600_000

export interface ListenAddress {
  host: string
  /** 0 picks a free port. */
  port: number
}

/** `30s`, `5m`, `1h`, `1h30m`, `1500ms`: a whole number before each unit. */
export function parseDuration(text: string): number {
  const value = text.trim()
  const parts = [...value.matchAll(/(\d+)(ms|s|m|h)/g)]
  const whole = parts.map((p) => p[0]).join('')
  if (parts.length === 0 || whole !== value) {
    throw new Error(`"${text}" is not a duration: write e.g. 30s, 5m, 1h or 1h30m`)
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0)
  if (ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) {
    throw new Error(`the interval must be from 1s to 24h; got "${text}"`)
  }
  return ms
}

/** `host:port`, `:port` (every interface) or `[::1]:port`. */
export function parseListen(text: string): ListenAddress {
  const value = text.trim()
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value)
  const port = Number(match?.[3])
  if (!match || port > 65_535) {
    throw new Error(
      `"${text}" is not a listen address: write host:port, e.g. 127.0.0.1:9469 or 0.0.0.0:9469`,
    )
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port }
}
