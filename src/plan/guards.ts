import {
  compareText,
  type Change,
  type GuardViolation,
  type Limit,
  type Settings,
} from '../model.ts'

/** Removals at or below this never trip a guard, whatever the limit. */
export const ALWAYS_ALLOWED = 3

/**
 * The memberships the removal guards measure against: members of existing declared teams, plus users
 * of declared orgs with `prune.orgUsers` and members of undeclared teams in declared orgs with `prune.teams`.
 */
export class GuardBases {
  run = 0
  readonly teams = new Map<string, number>()

  addTeam(org: string, team: string, members: number): void {
    this.teams.set(teamScope(org, team), members)
    this.run += members
  }

  addRun(memberships: number): void {
    this.run += memberships
  }
}

export function teamScope(org: string, team: string): string {
  return `${org} / ${team}`
}

export function describeLimit(limit: Limit): string {
  return limit.kind === 'percent' ? `${limit.value}%` : String(limit.value)
}

export function allowedRemovals(limit: Limit, base: number): number {
  const raw =
    limit.kind === 'count'
      ? limit.value
      : // The epsilon keeps 14.3% of 100 at 14 rather than 14.299999….
        Math.floor((limit.value * base) / 100 + 1e-9)
  return Math.max(ALWAYS_ALLOWED, raw)
}

/** How many memberships a change takes away: removals count one, a team deletion its members. */
export function removalsOf(change: Change): number {
  switch (change.kind) {
    case 'remove-team-member':
    case 'remove-org-user':
      return 1
    case 'delete-team':
      return change.memberCount
    default:
      return 0
  }
}

/** The guards a plan trips; apply refuses to write unless forced. */
export function evaluateGuards(
  safety: Settings['safety'],
  changes: Iterable<Change>,
  bases: GuardBases,
): GuardViolation[] {
  let total = 0
  const perTeam = new Map<string, number>()
  for (const change of changes) {
    total += removalsOf(change)
    if (change.kind === 'remove-team-member') {
      const scope = teamScope(change.org, change.team)
      perTeam.set(scope, (perTeam.get(scope) ?? 0) + 1)
    }
  }
  const violations: GuardViolation[] = []
  const runAllowed = allowedRemovals(safety.maxRemovals, bases.run)
  if (total > runAllowed) {
    violations.push({
      guard: 'maxRemovals',
      scope: 'run',
      limit: describeLimit(safety.maxRemovals),
      allowed: runAllowed,
      removals: total,
    })
  }
  const teamViolations: GuardViolation[] = []
  for (const [scope, removals] of perTeam) {
    const allowed = allowedRemovals(safety.maxRemovalsPerTeam, bases.teams.get(scope) ?? 0)
    if (removals > allowed) {
      teamViolations.push({
        guard: 'maxRemovalsPerTeam',
        scope,
        limit: describeLimit(safety.maxRemovalsPerTeam),
        allowed,
        removals,
      })
    }
  }
  teamViolations.sort((a, b) => compareText(a.scope, b.scope))
  return [...violations, ...teamViolations]
}
