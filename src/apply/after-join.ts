import { removalsOf } from '../plan/index.ts'
import type { Change, GuardViolation, HeldBack, Message, Plan } from '../model.ts'

type Removal = Extract<Change, { kind: 'remove-team-member' | 'remove-org-user' | 'delete-team' }>

const isRemoval = (change: Change): change is Removal =>
  change.kind === 'remove-team-member' ||
  change.kind === 'remove-org-user' ||
  change.kind === 'delete-team'

const HELD_REASON =
  "found only once the sync's user had joined the org to read its teams, so no plan showed it yet: the next plan shows it, the run after applies it"

/**
 * The fresh plan made after the apply joined `orgIds` (orgs whose teams the first plan could not read),
 * without the removals in those orgs that the first plan did not list: nobody reviewed them (SPEC §7).
 * They are reported as held back; the next run reads those orgs as a member and plans them like any
 * other. Adds and other changes still run, and guards count only the removals that remain.
 */
export function holdBackUnseenRemovals(first: Plan, fresh: Plan, orgIds: Set<number>): Plan {
  const seen = new Set(first.changes.map((c) => c.id))
  // Leaving an org takes a person out of its teams: a reviewed org removal covers those.
  const leaving = new Set(
    first.changes.flatMap((c) =>
      c.kind === 'remove-org-user' ? [leaverKey(c.orgId, c.user)] : [],
    ),
  )
  const held = fresh.changes.filter(
    (c): c is Removal =>
      isRemoval(c) &&
      orgIds.has(c.orgId) &&
      !seen.has(c.id) &&
      !(c.kind === 'remove-team-member' && leaving.has(leaverKey(c.orgId, c.user))),
  )
  if (!held.length) return fresh
  const heldIds = new Set(held.map((c) => c.id))
  const changes = fresh.changes.filter((c) => !heldIds.has(c.id))
  const counts: Plan['counts'] = {}
  for (const change of changes) counts[change.kind] = (counts[change.kind] ?? 0) + 1
  return {
    ...fresh,
    changes,
    counts,
    heldBack: [...fresh.heldBack, ...heldBackOf(held)],
    warnings: [...fresh.warnings, ...warningsOf(held)],
    guards: guardsStillTripped(fresh.guards, changes),
  }
}

function leaverKey(orgId: number, user: { login: string; email: string }): string {
  return `${orgId}\u0000${user.login.toLowerCase()}\u0000${user.email.toLowerCase()}`
}

/** One entry per team (member removals, deletion) and per org (org-user removals). */
function heldBackOf(held: Removal[]): HeldBack[] {
  const byScope = new Map<string, HeldBack>()
  for (const change of held) {
    const team = change.kind === 'remove-org-user' ? undefined : change.team
    const key = `${change.org}\u0000${team ?? ''}`
    const entry = byScope.get(key) ?? {
      org: change.org,
      ...(team === undefined ? {} : { team }),
      reason: HELD_REASON,
      removals: 0,
      users: [],
    }
    entry.removals += 1
    if (change.kind === 'delete-team') entry.users.push(`team deletion (${change.team})`)
    else entry.users.push(change.user.email || change.user.login)
    byScope.set(key, entry)
  }
  for (const entry of byScope.values()) entry.users.sort()
  return [...byScope.values()]
}

function warningsOf(held: Removal[]): Message[] {
  const perOrg = new Map<string, number>()
  for (const change of held) perOrg.set(change.org, (perOrg.get(change.org) ?? 0) + 1)
  return [...perOrg].map(([org, n]) => ({
    code: 'removals-held-back-after-join',
    org,
    message: `held back: ${n} removal${n === 1 ? '' : 's'} in org "${org}", found only after the sync's user joined it to read its teams; shown by the next plan, applied by the run after`,
  }))
}

/** The guards the remaining removals still trip, with their counts. */
function guardsStillTripped(guards: GuardViolation[], changes: Change[]): GuardViolation[] {
  return guards.flatMap((guard) => {
    const removals = changes.reduce((n, c) => n + removalsIn(guard.scope, c), 0)
    return removals > guard.allowed ? [{ ...guard, removals }] : []
  })
}

function removalsIn(scope: string, change: Change): number {
  if (scope === 'run') return removalsOf(change)
  return change.kind === 'remove-team-member' && scope === `${change.org} / ${change.team}` ? 1 : 0
}
