// Pull-request review (SPEC §11): which changes this PR makes, apart from those already pending, and
// whether that part changed between review and merge. Pure: both plans come from one observation.
import { createHash } from 'node:crypto'
import type {
  Change,
  DesiredConfig,
  Observed,
  Plan,
  Principals,
  Provenance,
  ReviewBase,
  ReviewedChange,
  ReviewedPart,
  SinceReview,
} from '../model.ts'

/** Where a change came from or where it was written: not part of what it does. */
const NOT_IDENTITY = new Set(['dependsOn', 'provenance', 'source', 'origin'])

/** What a change does, canonically: the same write gives the same text whatever wants it. */
export function changeIdentity(change: Change): string {
  return JSON.stringify(canonical(change))
}

function canonical(value: unknown, top = true): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, false))
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    if (top && NOT_IDENTITY.has(key)) continue
    const v = (value as Record<string, unknown>)[key]
    if (v !== undefined) out[key] = canonical(v, false)
  }
  return out
}

function digest(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length)
}

/** One change as the marker keeps it. */
export function reviewedChange(change: Change): ReviewedChange {
  return { id: change.id, digest: digest(changeIdentity(change), 10) }
}

/** A hash of the pull-request changes' identities, independent of their order. */
export function fingerprintOf(changes: readonly Change[]): string {
  const identities = changes.map(changeIdentity).sort()
  return digest(JSON.stringify(identities), 16)
}

export function pullRequestChanges(plan: Plan): Change[] {
  if (!plan.review?.base.read) return plan.changes
  return plan.changes.filter((c) => c.origin === 'pull-request')
}

/**
 * The plan of the PR's config with each change marked: `pending` when the plan of the base config
 * (against the same observation) makes the same change, else `pull-request`.
 */
export function markOrigins(plan: Plan, basePlan: Plan, ref: string): Plan {
  const pending = new Set(basePlan.changes.map(changeIdentity))
  const changes = plan.changes.map((c): Change => ({
    ...c,
    origin: pending.has(changeIdentity(c)) ? 'pending' : 'pull-request',
  }))
  const part = changes.filter((c) => c.origin === 'pull-request')
  return {
    ...plan,
    changes,
    review: { base: { ref, read: true }, fingerprint: fingerprintOf(part) },
  }
}

/** The base could not be read: one list, and the reason for the reader. */
export function withUnreadBase(plan: Plan, base: Extract<ReviewBase, { read: false }>): Plan {
  return { ...plan, review: { base } }
}

/** Kept in the comment marker for the merge to compare with; the list only while it is small. */
export function reviewedPartOf(
  plan: Plan,
  sha?: string,
  maxChars = 6_000,
): ReviewedPart | undefined {
  const fingerprint = plan.review?.fingerprint
  if (!fingerprint) return undefined
  const changes = pullRequestChanges(plan).map(reviewedChange)
  const size = changes.reduce((n, c) => n + c.id.length + c.digest.length + 20, 0)
  return {
    fingerprint,
    ...(size <= maxChars ? { changes } : {}),
    ...(sha ? { sha } : {}),
  }
}

/** The pull-request part now, compared with the one reviewed. */
export function compareWithReview(
  plan: Plan,
  reviewed: ReviewedPart,
  onChanged: SinceReview['onChanged'],
): SinceReview {
  const part = pullRequestChanges(plan)
  const current = fingerprintOf(part)
  const changed = current !== reviewed.fingerprint
  const since: SinceReview = {
    reviewed: reviewed.fingerprint,
    current,
    changed,
    added: [],
    removed: [],
    onChanged,
  }
  if (!changed) return since
  const now = part.map(reviewedChange)
  if (!reviewed.changes) return { ...since, added: now.map((c) => c.id), removed: 'unknown' }
  const key = (c: ReviewedChange) => `${c.id}\n${c.digest}`
  const before = new Set(reviewed.changes.map(key))
  const after = new Set(now.map(key))
  return {
    ...since,
    added: now.filter((c) => !before.has(key(c))).map((c) => c.id),
    removed: reviewed.changes.filter((c) => !after.has(key(c))).map((c) => c.id),
  }
}

/**
 * One config naming everything either config names, for a single observation both plans are made
 * against: the PR's settings and entries win, the base adds what the PR no longer declares.
 */
export function observationConfig(pr: DesiredConfig, base: DesiredConfig): DesiredConfig {
  const orgNames = new Set(pr.orgs.map((o) => o.name))
  const teamKey = (t: { org: string; name: string }) => `${t.org}\n${t.name}`
  const teamKeys = new Set(pr.teams.map(teamKey))
  const logins = new Set(pr.users.map((u) => u.login.toLowerCase()))
  const prune = {
    teamMembers: pr.settings.prune.teamMembers || base.settings.prune.teamMembers,
    teams: pr.settings.prune.teams || base.settings.prune.teams,
    orgUsers: pr.settings.prune.orgUsers || base.settings.prune.orgUsers,
  }
  // An entry both declare is read for the Okta groups of either: the base plan needs its own.
  const baseTeams = new Map(base.teams.map((t) => [teamKey(t), t]))
  const baseOrgs = new Map(base.orgs.map((o) => [o.name, o]))
  const teams = pr.teams.map((t) => {
    const b = baseTeams.get(teamKey(t))
    return b ? { ...t, members: both(t.members, b.members), admins: both(t.admins, b.admins) } : t
  })
  const orgs = pr.orgs.map((o) => {
    const b = baseOrgs.get(o.name)
    return b
      ? {
          ...o,
          admins: both(o.admins, b.admins),
          editors: both(o.editors, b.editors),
          viewers: both(o.viewers, b.viewers),
        }
      : o
  })
  return {
    ...pr,
    settings: { ...pr.settings, prune },
    orgs: [...orgs, ...base.orgs.filter((o) => !orgNames.has(o.name))],
    teams: [...teams, ...base.teams.filter((t) => !teamKeys.has(teamKey(t)))],
    users: [...pr.users, ...base.users.filter((u) => !logins.has(u.login.toLowerCase()))],
  }
}

/** The PR's principals with the base's Okta groups added, for reading only. */
function both(pr: Principals, base: Principals): Principals {
  const refs = new Set(pr.oktaGroups.map((p) => p.value))
  return {
    ...pr,
    oktaGroups: [...pr.oktaGroups, ...base.oktaGroups.filter((p) => !refs.has(p.value))],
  }
}

type Removal = Extract<Change, { kind: 'remove-team-member' | 'remove-org-user' }>

/**
 * The pull request's removals of people no source declares any more, with what wanted them in the
 * base config (an Okta group taken off the team, a YAML line deleted): "no longer in any declared
 * source (was: okta Platform-Leads)" says more to a reviewer than "not declared".
 */
export function withFormerSources(plan: Plan, base: DesiredConfig, observed: Observed): Plan {
  const changes = plan.changes.map((change): Change => {
    if (change.origin !== 'pull-request') return change
    if (change.kind !== 'remove-team-member' && change.kind !== 'remove-org-user') return change
    if (!change.provenance.notDeclared) return change
    const was = formerSources(change, base, observed)
    return was ? { ...change, provenance: { ...change.provenance, was } } : change
  })
  return { ...plan, changes }
}

function formerSources(
  change: Removal,
  base: DesiredConfig,
  observed: Observed,
): Provenance['was'] | undefined {
  const lists: Principals[] = []
  if (change.kind === 'remove-team-member') {
    const team = base.teams.find((t) => t.org === change.org && t.name === change.team)
    if (team) lists.push(team.members, team.admins)
  } else {
    const org = base.orgs.find((o) => o.name === change.org)
    if (org) lists.push(org.admins, org.editors, org.viewers)
  }
  const names = [change.user.email, change.user.login].map((v) => v.toLowerCase()).filter(Boolean)
  const matches = (value: string) => names.includes(value.toLowerCase())
  const oktaGroups = new Set<string>()
  const yaml = []
  for (const list of lists) {
    for (const p of list.users) if (matches(p.value)) yaml.push(p.source)
    for (const p of list.oktaGroups) {
      const read = observed.oktaGroups[p.value]
      if (read?.ok && read.members.some((m) => matches(m.email) || matches(m.login)))
        oktaGroups.add(read.name)
    }
  }
  if (!oktaGroups.size && !yaml.length) return undefined
  return { oktaGroups: [...oktaGroups].sort(), yaml }
}
