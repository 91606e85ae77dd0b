import { KIND_LABEL } from '../report/describe.ts'
import type { GrafanaClient } from '../grafana/types.ts'
import type { ApplyResult, Caller, Change, ChangeResult, Plan } from '../model.ts'
import { messageOf } from '../model.ts'
export { holdBackUnseenRemovals } from './after-join.ts'
import { execute, isCallerRef, teamKey, type ApplyContext } from './changes.ts'
import { RunIds } from './ids.ts'
import { createScrubber } from '../secrets/index.ts'
import { runScheduled, type Outcome } from './schedule.ts'

export interface ApplyOptions {
  /** Who the sync acts as (from the observation the plan was built on). */
  caller: Caller
  /** Apply even when the plan trips a safety guard. */
  force: boolean
  /** Changes in flight at once. */
  concurrency: number
  /** Holds the initial passwords of local users (`users[].password.env`). */
  env: Record<string, string | undefined>
  onProgress?: (msg: string) => void
  /** Cancels the run: no change starts after it aborts, the ones in flight finish (SPEC §7). */
  signal?: AbortSignal
}

/**
 * Executes a plan against Grafana in the dependency order of docs/contract.md §4. A failed change skips only the
 * changes that depend on it; "already done" answers count as success. Nothing is written when the plan
 * trips a safety guard, unless forced. Never rejects for a failed change: each one is in the result,
 * in plan order.
 */
export async function applyPlan(
  plan: Plan,
  grafana: GrafanaClient,
  opts: ApplyOptions,
): Promise<ApplyResult> {
  if (plan.guards.length > 0 && !opts.force) {
    return { blocked: true, results: [], applied: 0, failed: 0, skipped: 0, extra: [] }
  }
  const ctx = newContext(plan, grafana, opts)
  opts.onProgress?.(`applying ${plan.changes.length} change(s)`)
  const inFlight = new Set<string>()
  const onAbort = () =>
    opts.onProgress?.(
      `cancelled: starting no new change, waiting for ${inFlight.size} change(s) in flight`,
    )
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  const byId = await runScheduled(
    plan.changes,
    opts.concurrency,
    async (change) => {
      inFlight.add(change.id)
      try {
        return await attempt(ctx, change)
      } finally {
        inFlight.delete(change.id)
      }
    },
    (kind, count) => opts.onProgress?.(`applying ${count} × ${KIND_LABEL[kind]}`),
    opts.signal,
  ).finally(() => opts.signal?.removeEventListener('abort', onAbort))
  const results = plan.changes.map(
    (c): ChangeResult => byId.get(c.id) ?? { id: c.id, status: 'skipped', detail: 'not run' },
  )
  const count = (...statuses: ChangeResult['status'][]) =>
    results.filter((r) => statuses.includes(r.status)).length
  const result: ApplyResult = {
    blocked: false,
    results,
    applied: count('applied', 'already-done'),
    failed: count('failed'),
    skipped: count('skipped'),
    extra: ctx.extra,
    ...(opts.signal?.aborted ? { cancelled: true } : {}),
  }
  opts.onProgress?.(
    `applied ${result.applied}, failed ${result.failed}, skipped ${result.skipped} of ${results.length} change(s)`,
  )
  return result
}

function newContext(plan: Plan, grafana: GrafanaClient, opts: ApplyOptions): ApplyContext {
  const ctx: ApplyContext = {
    grafana,
    caller: opts.caller,
    env: opts.env,
    ids: new RunIds(grafana, plan.changes),
    extra: [],
    secrets: new Set(),
    callerInTeam: new Map(),
    creatorSettled: new Set(),
    firstOrg: new Map(),
  }
  for (const change of plan.changes) {
    if (change.kind === 'add-team-member' && isCallerRef(opts.caller, change.user)) {
      ctx.callerInTeam.set(teamKey(change.org, change.team), change.permission)
    }
    if (change.kind === 'add-org-user' && change.user.id === undefined) {
      const login = change.user.login.toLowerCase()
      if (!ctx.firstOrg.has(login)) ctx.firstOrg.set(login, change.org)
    }
  }
  return ctx
}

async function attempt(ctx: ApplyContext, change: Change): Promise<Outcome> {
  try {
    return { status: await execute(ctx, change) }
  } catch (error) {
    return { status: 'failed', detail: scrub(ctx, messageOf(error)) }
  }
}

function scrub(ctx: ApplyContext, text: string): string {
  return createScrubber(ctx.secrets).scrub(text)
}
