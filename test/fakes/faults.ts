// Fault injection shared by the HTTP fakes: which requests get a forced answer, a delay or a reset.

export interface FaultRule {
  /** Match: HTTP method (case-insensitive); default any. */
  method?: string
  /** Match: exact path (without query) or a RegExp tested against it; default any. */
  path?: string | RegExp
  /** Answer with this status, the body shaped like the service's own errors. */
  status?: number
  /** Destroy the socket without answering (connection reset). */
  drop?: boolean
  /** Answer this much later (for timeouts); alone it delays the normal answer. */
  delayMs?: number
  /**
   * Okta 429: `X-Rate-Limit-Reset` = now + this; Grafana/GitHub: `Retry-After`.
   * Alone (without `status`) it means a 429.
   */
  rateLimitResetSeconds?: number
  /** Apply to the next N matching requests (default: forever). */
  times?: number
  /** Apply to every Nth matching request (deterministic "20 %" = every 5). */
  every?: number
  /** Okta 429 from the concurrency limit: `X-Rate-Limit-Limit: 0`. */
  concurrency?: boolean
  /** Raw response body instead of the service-shaped JSON (e.g. an HTML page from a proxy). */
  body?: string
  /**
   * Response headers to add or replace on the answer (`null` removes one the fake would send), e.g. a
   * `Location` for a redirect, a `Retry-After` HTTP date, or a 429 without rate-limit headers.
   */
  headers?: Record<string, string | null>
}

export interface FaultControl {
  inject(rule: FaultRule): void
  clear(): void
}

interface ActiveRule {
  rule: FaultRule
  seen: number
  applied: number
}

/** The fault decision for one request: the rule to apply, if any. */
export class Faults implements FaultControl {
  #rules: ActiveRule[] = []

  inject(rule: FaultRule): void {
    if (rule.every !== undefined && rule.every < 1) throw new Error('FaultRule.every must be >= 1')
    if (rule.times !== undefined && rule.times < 1) return
    this.#rules.push({ rule: { ...rule }, seen: 0, applied: 0 })
  }

  clear(): void {
    this.#rules = []
  }

  /**
   * Every matching rule counts the request (so `every` stays deterministic when rules overlap);
   * the first rule, in injection order, that fires is the one applied.
   */
  take(method: string, path: string): FaultRule | undefined {
    let chosen: ActiveRule | undefined
    for (const active of this.#rules) {
      if (!matches(active.rule, method, path)) continue
      active.seen++
      const due = active.rule.every === undefined || active.seen % active.rule.every === 0
      if (due && !chosen) chosen = active
    }
    if (!chosen) return undefined
    chosen.applied++
    if (chosen.rule.times !== undefined && chosen.applied >= chosen.rule.times) {
      this.#rules = this.#rules.filter((r) => r !== chosen)
    }
    return chosen.rule
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) return false
  if (rule.path === undefined) return true
  if (typeof rule.path === 'string') return rule.path === path
  rule.path.lastIndex = 0
  return rule.path.test(path)
}

/** The status a fault answers with, if it answers at all (a pure delay does not). */
export function faultStatus(rule: FaultRule): number | undefined {
  if (rule.status !== undefined) return rule.status
  if (rule.rateLimitResetSeconds !== undefined) return 429
  return undefined
}
