export type Mode = 'validate' | 'plan' | 'apply'
export type ModeInput = 'auto' | Mode

export interface ModeContext {
  eventName: string
  /** GITHUB_REF, e.g. `refs/heads/main`. */
  ref: string
  /** From the payload's `repository.default_branch` when the event carries it. */
  defaultBranch?: string
  payload: EventPayload
  inputs: { mode: ModeInput; dryRun: boolean }
  hasCredentials: boolean
  isFork: boolean
  /** GITHUB_ACTOR: Dependabot runs get only Dependabot secrets. */
  actor?: string
}

export type ModeDecision =
  { mode: Mode; reason: string; notice?: string } | { mode: 'refused'; reason: string }

export interface EventPayload {
  pull_request?: {
    number?: number
    head?: { repo?: { full_name?: string; fork?: boolean } | null }
    base?: { repo?: { full_name?: string } | null }
  }
  repository?: { full_name?: string; default_branch?: string }
  inputs?: Record<string, unknown>
  [key: string]: unknown
}

/** Events that run before a merge: they may plan, never apply. */
const PRE_MERGE_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
  'merge_group',
])
const APPLY_EVENTS = new Set(['schedule', 'workflow_dispatch'])

export function isPreMergeEvent(eventName: string): boolean {
  return PRE_MERGE_EVENTS.has(eventName)
}

/**
 * A pull request whose head lives in another repository than its base. A deleted fork has a null head
 * repository; a payload that names no head repository at all is not treated as a fork.
 */
export function isForkPullRequest(payload: EventPayload, repository?: string): boolean {
  const head = payload.pull_request?.head
  if (!head || !('repo' in head)) return false
  if (head.repo === null) return true
  const headName = head.repo?.full_name
  const baseName =
    payload.pull_request?.base?.repo?.full_name ?? payload.repository?.full_name ?? repository
  if (!headName) return head.repo?.fork === true
  if (!baseName) return false
  return headName.toLowerCase() !== baseName.toLowerCase()
}

/** `workflow_dispatch` inputs arrive as booleans or as the strings "true"/"false". */
export function dispatchDryRun(payload: EventPayload): boolean {
  const value = payload.inputs?.['dry-run']
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true')
}

/** Picks the mode of docs/contract.md §2: explicit input wins, `auto` follows the event, and a run that cannot read Grafana validates. */
export function resolveMode(ctx: ModeContext): ModeDecision {
  const { eventName, inputs } = ctx
  if (inputs.mode === 'apply' && isPreMergeEvent(eventName)) {
    return {
      mode: 'refused',
      reason: `mode "apply" is refused on ${eventName} events: changes are applied after merge. Use mode "plan" (or "auto") for pull requests.`,
    }
  }
  const wanted = wantedMode(ctx)
  if (wanted.mode === 'refused' || wanted.mode === 'validate') return wanted
  if (ctx.isFork) {
    return {
      mode: 'validate',
      reason: `${wanted.reason}; pull request from a fork`,
      notice: `Only validated the config: pull requests from forks get no secrets, so grafana-team-sync cannot read Grafana. Its changes are planned and applied after merge.`,
    }
  }
  if (!ctx.hasCredentials) {
    return {
      mode: 'validate',
      reason: `${wanted.reason}; no Grafana credentials`,
      notice: `Only validated the config: no Grafana credentials${dependabotNote(ctx)}. Set the grafana-url input and either grafana-token or grafana-username with grafana-password to ${wanted.mode}.`,
    }
  }
  return wanted
}

function dependabotNote(ctx: ModeContext): string {
  return ctx.actor === 'dependabot[bot]'
    ? ' (runs started by Dependabot get only Dependabot secrets)'
    : ''
}

function wantedMode(ctx: ModeContext): ModeDecision {
  const { eventName, inputs } = ctx
  const dryRun = inputs.dryRun || (eventName === 'workflow_dispatch' && dispatchDryRun(ctx.payload))
  const dryRunNote = inputs.dryRun ? 'dry-run input' : 'dry-run dispatch input'
  if (inputs.mode !== 'auto') {
    if (inputs.mode === 'apply' && dryRun)
      return { mode: 'plan', reason: `mode apply, ${dryRunNote}` }
    return { mode: inputs.mode, reason: `mode input ${inputs.mode}` }
  }
  if (isPreMergeEvent(eventName)) return { mode: 'plan', reason: `${eventName} event` }
  if (eventName === 'push') {
    const branch = ctx.ref.startsWith('refs/heads/')
      ? ctx.ref.slice('refs/heads/'.length)
      : undefined
    if (!branch || branch !== ctx.defaultBranch) {
      return {
        mode: 'plan',
        reason: `push to ${ctx.ref || 'an unknown ref'}, not the default branch`,
      }
    }
    if (dryRun) return { mode: 'plan', reason: `push to the default branch, ${dryRunNote}` }
    return { mode: 'apply', reason: `push to the default branch ${branch}` }
  }
  if (APPLY_EVENTS.has(eventName)) {
    if (dryRun) return { mode: 'plan', reason: `${eventName} event, ${dryRunNote}` }
    return { mode: 'apply', reason: `${eventName} event` }
  }
  return {
    mode: 'refused',
    reason: `mode "auto" does not know what to do on ${eventName ? `${eventName} events` : 'an unnamed event (GITHUB_EVENT_NAME is not set)'}. Set the mode input to validate, plan or apply.`,
  }
}
