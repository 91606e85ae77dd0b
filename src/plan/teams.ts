import type {
  DesiredTeam,
  ObservedTeam,
  Principals,
  TeamMember,
  TeamPermission,
  TeamPreferences,
} from '../model.ts'
import {
  describeScope,
  ensureAccount,
  expandPrincipals,
  isProtected,
  peopleOf,
  untrustedReason,
  type PlanContext,
} from './context.ts'
import type { GuardBases } from './guards.ts'
import { addOrgChange, exists, findTeam, personOf, type OrgState, type Orgs } from './orgs.ts'
import { groupView } from './okta.ts'
import { userRef } from './people.ts'
import { addWant, compareText, notDeclared, provenanceOf, where, type Want } from './wants.ts'

const PERMISSION_RANK: Record<TeamPermission, number> = { Member: 1, Admin: 2 }

/** A declared team in an org that exists or is created. */
export interface TeamWork {
  team: DesiredTeam
  org: OrgState
}

/** A team's wants, expanded when the team is planned and dropped after: one team's people at a time. */
interface TeamWants {
  wants: Map<string, Want<TeamPermission>>
  /** Unreadable or empty Okta groups of this team: its removals and demotions are held back. */
  distrust: string[]
}

/**
 * Finds each team's org and records what teams imply for their orgs: every person a team wants needs
 * an org membership (Viewer unless a binding says more). A team whose org neither exists nor is
 * declared is an error and skipped.
 */
export function collectTeams(ctx: PlanContext, orgs: Orgs, teams: DesiredTeam[]): TeamWork[] {
  const work: TeamWork[] = []
  const groupsDone = new Map<OrgState, Set<string>>()
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
    let done = groupsDone.get(org)
    if (!done) groupsDone.set(org, (done = new Set()))
    addImplied(ctx, org, team.members, done)
    addImplied(ctx, org, team.admins, done)
    work.push({ team, org })
  }
  return work
}

/** The org memberships a principals list implies; a group several teams of the org use counts once. */
function addImplied(
  ctx: PlanContext,
  org: OrgState,
  principals: Principals,
  groupsDone: Set<string>,
): void {
  for (const p of principals.users) {
    addWant(org.implied, ctx.people.fromYaml(p.value), 'Viewer', 1, { yaml: p.source })
  }
  for (const p of principals.oktaGroups) {
    const view = groupView(ctx.groups, p.value)
    if (view.state !== 'ok') {
      org.teamDistrust.push(untrustedReason(view))
      continue
    }
    if (groupsDone.has(view.ref)) continue
    groupsDone.add(view.ref)
    const source = { group: view.name }
    for (const person of peopleOf(ctx, view)) addWant(org.implied, person, 'Viewer', 1, source)
  }
}

function expandTeam(ctx: PlanContext, { team, org }: TeamWork): TeamWants {
  const wants = new Map<string, Want<TeamPermission>>()
  const scope = { org: org.name, team: team.name }
  const distrust = [
    ...expandPrincipals(ctx, team.members, 'Member', PERMISSION_RANK.Member, wants, scope),
    ...expandPrincipals(ctx, team.admins, 'Admin', PERMISSION_RANK.Admin, wants, scope),
  ]
  return { wants, distrust }
}

function missingOrgMessage(ctx: PlanContext, team: DesiredTeam): string {
  const { caller, orgs } = ctx.observed
  const base = `team "${team.name}" (${where(team.source)}) is in org "${team.org}", which does not exist in Grafana and is not declared under orgs:`
  const tokenOrg = orgs.find((o) => o.id === caller.orgId)
  if (caller.auth === 'token' && tokenOrg) {
    return `${base} the service-account token can only see org "${tokenOrg.name}"; use basic auth (grafana-username/grafana-password) for other orgs`
  }
  return `${base} declare it under orgs: to create it, or correct the team's org`
}

/** Plans one declared team: creation, email, preferences, member adds, permission changes, removals. */
export function planTeam(
  ctx: PlanContext,
  work: TeamWork,
  declaredNames: Set<string>,
  bases: GuardBases,
): void {
  const { team, org } = work
  if (org.live?.teamsUnread) {
    // Planned by apply once the caller can read the org's teams (ensureCallerMembership); people
    // without an account are known already.
    for (const want of expandTeam(ctx, work).wants.values()) {
      const account = ensureAccount(ctx, want.person)
      if (!account.ok && !account.blocked)
        ctx.out.pending(want.person.identity, org.name, team.name, want)
    }
    return
  }
  const live = findTeam(org, team.name, declaredNames)
  let createId: string | undefined
  if (live) {
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
  planMembers(ctx, work, expandTeam(ctx, work), live, createId, bases)
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
  { wants, distrust }: TeamWants,
  live: ObservedTeam | undefined,
  createId: string | undefined,
  bases: GuardBases,
): void {
  const current: TeamMember[] = live?.members ?? []
  const currentById = new Map(current.map((m) => [m.userId, m]))
  const wanted = new Set<number>()
  const held: string[] = []
  const scope = { org: org.name, team: team.name }
  const ids = live ? { orgId: org.live!.id, teamId: live.id } : undefined

  for (const want of wants.values()) {
    const { person } = want
    const account = ensureAccount(ctx, person)
    if (!account.ok) {
      if (!account.blocked) ctx.out.pending(person.identity, org.name, team.name, want)
      continue
    }
    const user = person.user
    if (user) wanted.add(user.id)
    const member = user ? currentById.get(user.id) : undefined
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
          permission: want.level,
          provenance: provenanceOf(want),
        },
        { team: team.name, identity: person.identity },
      )
      continue
    }
    if (member.permission === want.level || !ids) continue
    const demotion = PERMISSION_RANK[want.level] < PERMISSION_RANK[member.permission]
    if (demotion && isProtected(ctx, member)) {
      ctx.out.warn(
        'protected-user',
        `${person.identity} is protected (settings.safety.protectedUsers): stays ${member.permission} of ${describeScope(scope)}`,
        scope,
      )
      continue
    }
    if (demotion && distrust.length > 0) {
      held.push(`${person.identity} (${member.permission} → ${want.level})`)
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
        to: want.level,
        provenance: provenanceOf(want),
      },
      { team: team.name, identity: person.identity },
    )
  }

  if (live && ids) {
    bases.addTeam(org.name, team.name, current.length)
    if (ctx.settings.prune.teamMembers) {
      for (const member of current) {
        if (wanted.has(member.userId) || member.labels.length > 0) continue
        const person = personOf(ctx, member)
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
