import { APPLY_ORDER, type Change, type Observed, type Plan } from '../model.ts'

/**
 * The changes that make the sync's own user an Admin of orgs whose teams it could not read. Apply runs
 * them first, reads those orgs again and plans their teams against what it then sees.
 */
export function accessChanges(plan: Plan, observed: Observed): Change[] {
  const { caller } = observed
  if (caller.auth !== 'basic' || caller.userId === undefined) return []
  const unread = new Set(observed.orgs.filter((o) => o.teamsUnread).map((o) => o.id))
  return plan.changes.filter(
    (c) =>
      ((c.kind === 'add-org-user' && c.role === 'Admin') ||
        (c.kind === 'set-org-role' && c.to === 'Admin')) &&
      c.user.id === caller.userId &&
      c.orgId !== undefined &&
      unread.has(c.orgId),
  )
}

/** A plan with `first` added ahead of the changes of the same kind, in apply order, counts updated. */
export function withChangesFirst(plan: Plan, first: Change[]): Plan {
  const rank = new Map(APPLY_ORDER.map((kind, i) => [kind, i]))
  const ids = new Set(first.map((c) => c.id))
  const changes = [...first, ...plan.changes.filter((c) => !ids.has(c.id))].sort(
    (a, b) => (rank.get(a.kind) ?? 0) - (rank.get(b.kind) ?? 0),
  )
  const counts: Plan['counts'] = {}
  for (const change of changes) counts[change.kind] = (counts[change.kind] ?? 0) + 1
  return { ...plan, changes, counts }
}
