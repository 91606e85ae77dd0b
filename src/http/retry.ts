// When a failed attempt is tried again, and after how long.

export interface RetryPolicy {
  /** Attempts after the first, for any retryable failure. */
  retries: number
  /** Of those, how many may follow a timeout: a server that did not answer twice is not waited for again. */
  timeoutRetries: number
  retryBaseMs: number
  /** Upper bound of one backoff step. */
  retryMaxMs: number
}

/** Full jitter: a random wait up to base × 2^attempt, capped. */
export function backoffMs(policy: RetryPolicy, attemptNo: number, random = Math.random): number {
  return Math.round(random() * backoffCeilingMs(policy, attemptNo))
}

function backoffCeilingMs(policy: RetryPolicy, attemptNo: number): number {
  return Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** attemptNo)
}

/**
 * The longest a request that never answers can take: its attempts' timeouts and the backoffs
 * between them (waiting for a free connection slot and rate-limit pauses aside).
 */
export function hungRequestBudgetMs(policy: RetryPolicy & { timeoutMs: number }): number {
  const retries = Math.min(policy.retries, policy.timeoutRetries)
  let total = policy.timeoutMs * (1 + retries)
  for (let attemptNo = 0; attemptNo < retries; attemptNo++) {
    total += backoffCeilingMs(policy, attemptNo)
  }
  return total
}

export interface FailureSoFar {
  /** The attempt that just failed, from 0. */
  attemptNo: number
  /** Timeouts among the attempts so far, this one included. */
  timeouts: number
  timedOut: boolean
}

/** Whether the request may be sent again after this failure. */
export function mayRetry(policy: RetryPolicy, failure: FailureSoFar): boolean {
  if (failure.attemptNo >= policy.retries) return false
  return !failure.timedOut || failure.timeouts <= policy.timeoutRetries
}
