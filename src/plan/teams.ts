import type {
  DesiredTeam,
  ObservedTeam,
  Principals,
  SourceRef,
  TeamMember,
  TeamPermission,
  TeamPreferences,
} from '../model.ts'
import { compareText } from '../model.ts'
import {
  describeScope,
  ensureAccount,
  isProtected,
  peopleOf,
  reportUntrusted,
  untrustedReason,
  type PlanContext,
} from './context.ts'
import type { GuardBases } from './guards.ts'
import { addOrgChange, exists, findTeam, personOf, type OrgState, type Orgs } from './orgs.ts'
import { groupView, type GroupView } from './okta.ts'
import { userRef, type Person } from './people.ts'
import type { TeamTally } from './tally.ts'
import { notDeclared, provenanceOf, sourceKey, type Want } from './wants.ts'

const PERMISSION_RANK: Record<TeamPermission, number> = { Member: 1, Admin: 2 }

/** A declared team in an org that exists or is created. */
export interface TeamWork {
  team: DesiredTeam
  org: OrgState
}

/** Where a team's wants come from, kept while the team is planned: one team's people at a time. */
interface TeamSources {
  groups: { view: GroupView; rank: number }[]
  yaml: { person: Person; rank: number; source: SourceRef }[]
  /** Unreadable or empty Okta groups of this team: its removals and demotions are held back. */
  distrust: string[]
}

const PERMISSION_OF_RANK: Record<number, TeamPermission> = { 1: 'Member', 2: 'Admin' }

/**
 * Finds each team's org and records what teams imply for their orgs: every person a team wants needs
 * an org membership (Viewer unless a binding says more). A team whose org neither exists nor is
 * declared is an error and skipped.
 */
export function collectTeams(ctx: PlanContext, orgs: Orgs, teams: DesiredTeam[]): TeamWork[] {
  const work: TeamWork[] = []
  for (const team of teams) {
    const org = orgs.get(team.org)
    if (!org || !exists(org)) {
      ctx.out.error('org-missing', missingOrgMessage(ctx, team), {
        source: team.source,
        org: team.org,
        team: team.name,
      })
      continue
    }
    addImplied(ctx, org, team.members)
    addImplied(ctx, org, team.admins)
    work.push({ team, org })
  }
  return work
}

/** The org memberships a principals list implies. */
function addImplied(ctx: PlanContext, org: OrgState, principals: Principals): void {
  for (const p of principals.users) org.implied.addYaml(ctx.people.fromYaml(p.value), p.source)
  for (const p of principals.oktaGroups) {
    const view = groupView(ctx.groups, p.value)
    if (view.state !== 'ok') org.teamDistrust.push(untrustedReason(view))
    else org.implied.addGroup(view, peopleOf(ctx, view))
  }
}

/**
 * Tallies the people a team wants (members first, then admins, as the config lists them) and keeps
 * where each level came from, so the provenance of the few that change is found without a record per
 * membership.
 */
function expandTeam(ctx: PlanContext, { team, org }: TeamWork, tally: TeamTally): TeamSources {
  const scope = { org: org.name, team: team.name }
  const sources: TeamSources = { groups: [], yaml: [], distrust: [] }
  for (const [principals, rank] of [
    [team.members, PERMISSION_RANK.Member],
    [team.admins, PERMISSION_RANK.Admin],
  ] as const) {
    for (const p of principals.users) {
      const person = ctx.people.fromYaml(p.value)
      tally.want(person, rank)
      sources.yaml.push({ person, rank, source: p.source })
    }
    for (const p of principals.oktaGroups) {
      const view = groupView(ctx.groups, p.value)
      if (view.state !== 'ok') {
        sources.distrust.push(reportUntrusted(ctx, view, p.source, scope))
        continue
      }
      sources.groups.push({ view, rank })
      // Indexed: until a function is optimized, for-of allocates a result object per element.
      const people = peopleOf(ctx, view)
      for (let i = 0; i < people.length; i++) tally.want(people[i]!, rank)
    }
  }
  return sources
}

/** The Okta groups and YAML places that want the person at the level the team gives them. */
function teamWant(
  org: OrgState,
  sources: TeamSources,
  person: Person,
  rank: number,
): Pick<Want<TeamPermission>, 'groups' | 'yaml'> {
  const groups: string[] = []
  for (const g of sources.groups) {
    // The org's index of who is in which group covers every group of its teams.
    if (g.rank === rank && !groups.includes(g.view.name) && org.implied.holds(person, g.view))
      groups.push(g.view.name)
  }
  const yaml = new Map<string, SourceRef>()
  for (const y of sources.yaml) {
    if (y.rank === rank && y.person === person) yaml.set(sourceKey(y.source), y.source)
  }
  return { groups, yaml }
}

function missingOrgMessage(ctx: PlanContext, team: DesiredTeam): string {
  const { caller, orgs } = ctx.observed
  const base = `team "${team.name}" is in org "${team.org}", which does not exist in Grafana and is not declared under orgs:`
  const tokenOrg = orgs.find((o) => o.id === caller.orgId)
  if (caller.auth === 'token' && tokenOrg) {
    return `${base} the service-account token can only see org "${tokenOrg.name}"; use the basic auth of a Grafana server admin for other orgs`
  }
  return `${base} declare it under orgs: to create it, or correct the team's org`
}

/** Plans one declared team: creation, email, preferences, member adds, permission changes, removals. */
export function planTeam(
  ctx: PlanContext,
  work: TeamWork,
  declaredNames: Set<string>,
  bases: GuardBases,
  tally: TeamTally,
): void {
  tally.clear()
  const { team, org } = work
  if (org.live?.teamsUnread) {
    // Planned by apply once the caller can read the org's teams (ensureCallerMembership); people
    // without an account are known already.
    const sources = expandTeam(ctx, work, tally)
    for (let n = 0; n < tally.wantedCount; n++) {
      const person = tally.wantedAt(n)
      const account = ensureAccount(ctx, person)
      if (!account.ok && !account.blocked) {
        const want = teamWant(org, sources, person, tally.rankOf(person))
        ctx.out.pending(person.identity, org.name, team.name, want)
      }
    }
    return
  }
  let live = findTeam(org, team.name, declaredNames)
  const renamed = findRenamed(ctx, work, live, declaredNames)
  let createId: string | undefined
  if (renamed) {
    org.claimedTeams.add(renamed.id)
    planRename(ctx, work, renamed)
    live = renamed
  } else if (live) {
    org.claimedTeams.add(live.id)
    planTeamEmail(ctx, work, live)
  } else {
    createId = addOrgChange(
      ctx,
      org,
      {
        kind: 'create-team',
        id: `create-team:${org.name}/${team.name}`,
        dependsOn: [],
        org: org.name,
        ...(org.live ? { orgId: org.live.id } : {}),
        team: team.name,
        ...(team.email !== undefined ? { email: team.email } : {}),
        source: team.source,
      },
      { team: team.name },
    ).id
  }
  planPreferences(ctx, work, live, createId)
  const sources = expandTeam(ctx, work, tally)
  const members = live?.members ?? []
  for (let i = 0; i < members.length; i++) tally.addMember(personOf(ctx, members[i]!), members[i]!)
  planMembers(ctx, work, sources, tally, live, createId, bases)
}

/**
 * The live team `renamedFrom` names, while the new name is free. When both names exist the sync
 * manages the new one, leaves the old one alone (it is not pruned) and says so as an error.
 */
function findRenamed(
  ctx: PlanContext,
  { team, org }: TeamWork,
  live: ObservedTeam | undefined,
  declaredNames: Set<string>,
): ObservedTeam | undefined {
  if (team.renamedFrom === undefined || !org.live) return undefined
  const old = findTeam(org, team.renamedFrom, declaredNames)
  if (!old || old.id === live?.id) return undefined
  if (!live) return old
  org.claimedTeams.add(old.id)
  ctx.out.error(
    'team-rename-ambiguous',
    `team "${team.name}" exists (id ${live.id}), and so does team "${old.name}" (id ${old.id}) named by renamedFrom: ` +
      `the sync manages "${team.name}" and leaves "${old.name}" as it is; move what is left in it and delete it in Grafana, then remove renamedFrom`,
    { source: team.source, org: org.name, team: team.name },
  )
  return undefined
}

/** Renamed in place: Grafana keeps the id, and with it folder and dashboard permissions and preferences. */
function planRename(ctx: PlanContext, { team, org }: TeamWork, old: ObservedTeam): void {
  addOrgChange(
    ctx,
    org,
    {
      kind: 'rename-team',
      id: `rename-team:${org.name}/${team.name}`,
      dependsOn: [],
      org: org.name,
      orgId: org.live!.id,
      team: team.name,
      teamId: old.id,
      from: old.name,
      email: team.email ?? old.email,
    },
    { team: team.name },
  )
}

function planTeamEmail(ctx: PlanContext, { team, org }: TeamWork, live: ObservedTeam): void {
  if (team.email === undefined || team.email === live.email) return
  addOrgChange(
    ctx,
    org,
    {
      kind: 'update-team',
      id: `update-team:${org.name}/${team.name}`,
      dependsOn: [],
      org: org.name,
      orgId: org.live!.id,
      team: team.name,
      teamId: live.id,
      from: { email: live.email },
      to: { email: team.email },
    },
    { team: team.name },
  )
}

function planPreferences(
  ctx: PlanContext,
  { team, org }: TeamWork,
  live: ObservedTeam | undefined,
  createId: string | undefined,
): void {
  const declared = Object.entries(team.preferences ?? {}).filter(([, v]) => v !== undefined) as [
    keyof TeamPreferences,
    string,
  ][]
  const current: TeamPreferences = live?.preferences ?? {}
  if (!declared.some(([key, value]) => (current[key] ?? '') !== value)) return
  addOrgChange(
    ctx,
    org,
    {
      kind: 'set-team-preferences',
      id: `set-team-preferences:${org.name}/${team.name}`,
      dependsOn: createId ? [createId] : [],
      org: org.name,
      ...(org.live ? { orgId: org.live.id } : {}),
      team: team.name,
      ...(live ? { teamId: live.id } : {}),
      from: { ...current },
      // Grafana replaces all preferences: keys the config does not manage are sent back unchanged.
      to: { ...current, ...Object.fromEntries(declared) },
    },
    { team: team.name },
  )
}

function planMembers(
  ctx: PlanContext,
  { team, org }: TeamWork,
  sources: TeamSources,
  tally: TeamTally,
  live: ObservedTeam | undefined,
  createId: string | undefined,
  bases: GuardBases,
): void {
  const { distrust } = sources
  const held: string[] = []
  const scope = { org: org.name, team: team.name }
  const ids = live ? { orgId: org.live!.id, teamId: live.id } : undefined

  for (let n = 0; n < tally.wantedCount; n++) {
    const person = tally.wantedAt(n)
    const rank = tally.rankOf(person)
    const level = PERMISSION_OF_RANK[rank]!
    const account = ensureAccount(ctx, person)
    if (!account.ok) {
      if (!account.blocked) {
        const want = teamWant(org, sources, person, rank)
        ctx.out.pending(person.identity, org.name, team.name, want)
      }
      continue
    }
    const member = person.user ? tally.memberOf(person) : undefined
    if (!member) {
      const orgAdd = org.addIds.get(person.key)
      addOrgChange(
        ctx,
        org,
        {
          kind: 'add-team-member',
          id: `add-team-member:${org.name}/${team.name}/${person.identity}`,
          dependsOn: [
            ...(createId ? [createId] : []),
            ...account.dependsOn,
            ...(orgAdd ? [orgAdd] : []),
          ],
          org: org.name,
          ...(org.live ? { orgId: org.live.id } : {}),
          team: team.name,
          ...(live ? { teamId: live.id } : {}),
          user: userRef(person),
          permission: level,
          provenance: provenanceOf(teamWant(org, sources, person, rank)),
        },
        { team: team.name, identity: person.identity },
      )
      continue
    }
    if (member.permission === level || !ids) continue
    const demotion = rank < PERMISSION_RANK[member.permission]
    if (demotion && isProtected(ctx, member)) {
      ctx.out.warn(
        'protected-user',
        `${person.identity} is protected (settings.safety.protectedUsers): stays ${member.permission} of ${describeScope(scope)}`,
        scope,
      )
      continue
    }
    if (demotion && distrust.length > 0) {
      held.push(`${person.identity} (${member.permission} → ${level})`)
      continue
    }
    addOrgChange(
      ctx,
      org,
      {
        kind: 'set-team-permission',
        id: `set-team-permission:${org.name}/${team.name}/${person.identity}`,
        dependsOn: [],
        org: org.name,
        orgId: ids.orgId,
        team: team.name,
        teamId: ids.teamId,
        user: userRef(person),
        from: member.permission,
        to: level,
        provenance: provenanceOf(teamWant(org, sources, person, rank)),
      },
      { team: team.name, identity: person.identity },
    )
  }

  if (live && ids) {
    bases.addTeam(org.name, team.name, tally.memberCount)
    if (ctx.settings.prune.teamMembers) {
      for (let n = 0; n < tally.memberCount; n++) {
        const member = tally.memberAt(n)
        const person = tally.memberPersonAt(n)
        if (tally.rankOf(person) > 0 || member.labels.length > 0) continue
        if (isProtected(ctx, member)) {
          ctx.out.warn(
            'protected-user',
            `${person.identity} is protected (settings.safety.protectedUsers): not removed from ${describeScope(scope)}`,
            scope,
          )
          continue
        }
        if (distrust.length > 0) {
          held.push(person.identity)
          continue
        }
        addOrgChange(
          ctx,
          org,
          {
            kind: 'remove-team-member',
            id: `remove-team-member:${org.name}/${team.name}/${person.identity}`,
            dependsOn: [],
            org: org.name,
            orgId: ids.orgId,
            team: team.name,
            teamId: ids.teamId,
            user: userRef(person),
            permission: member.permission,
            provenance: notDeclared(),
          },
          { team: team.name, identity: person.identity },
        )
      }
    }
  }

  if (held.length > 0) {
    ctx.out.heldBack.push({
      org: org.name,
      team: team.name,
      reason: [...new Set(distrust)].join('; '),
      removals: held.length,
      users: held.sort(compareText),
    })
  }
}

/** With `prune.teams`, deletes the teams of a declared org that no declared team manages. */
export function pruneTeams(ctx: PlanContext, org: OrgState, bases: GuardBases): void {
  if (!org.declared || !org.live || org.live.teamsUnread || !ctx.settings.prune.teams) return
  for (const live of org.live.teams) {
    if (org.claimedTeams.has(live.id)) continue
    if (keepsTeam(ctx, org.name, live)) continue
    bases.addRun(live.memberCount)
    addOrgChange(
      ctx,
      org,
      {
        kind: 'delete-team',
        id: `delete-team:${org.name}/${live.name}`,
        dependsOn: [],
        org: org.name,
        orgId: org.live.id,
        team: live.name,
        teamId: live.id,
        memberCount: live.memberCount,
      },
      { team: live.name },
    )
  }
}

/** A team is not deleted while it holds a protected member or one Grafana itself synced. */
function keepsTeam(ctx: PlanContext, org: string, live: ObservedTeam): boolean {
  const members = live.members ?? []
  const protectedOnes = members.filter((m) => isProtected(ctx, m))
  const synced = members.filter((m) => m.labels.length > 0)
  if (protectedOnes.length === 0 && synced.length === 0) return false
  const scope = { org, team: live.name }
  const who = (list: TeamMember[]) => list.map((m) => personOf(ctx, m).identity).join(', ')
  if (protectedOnes.length > 0) {
    ctx.out.warn(
      'protected-user',
      `${describeScope(scope)} is not declared but is not deleted (prune.teams): it holds protected ${who(protectedOnes)} (settings.safety.protectedUsers)`,
      scope,
    )
  } else {
    ctx.out.warn(
      'team-sync-members',
      `${describeScope(scope)} is not declared but is not deleted (prune.teams): Grafana itself synced ${who(synced)} into it (labels)`,
      scope,
    )
  }
  return true
}
