import type { DesiredConfig, Observed, Plan } from '../model.ts'
import type { PlanContext } from './context.ts'
import { evaluateGuards, GuardBases } from './guards.ts'
import { viewGroups } from './okta.ts'
import { collectOrgBindings, ensureCallerMembership, Orgs, planOrgMembers } from './orgs.ts'
import { PlanOutput } from './output.ts'
import { lower, People } from './people.ts'
import { collectTeams, planTeam, pruneTeams } from './teams.ts'
import { TeamTally } from './tally.ts'
import { planLocalUsers } from './users.ts'

/**
 * Compares the desired state with the observed one and returns the changes that reconcile them, with
 * pending people, warnings, errors, held-back removals and tripped guards. Pure and deterministic:
 * the same input always gives the same plan. Request statistics are left for the engine to fill.
 */
export function buildPlan(config: DesiredConfig, observed: Observed): Plan {
  const { settings } = config
  const ctx: PlanContext = {
    settings,
    observed,
    out: new PlanOutput(),
    people: new People(observed.users, settings.identity),
    groups: viewGroups(observed.oktaGroups, settings.okta.memberStatuses),
    groupPeople: new Map(),
    scratchPeople: [],
    protectedValues: new Set(settings.safety.protectedUsers.map(lower)),
  }

  requireServerAdmin(ctx, config)
  const orgs = Orgs.resolve(ctx, config)
  // Local accounts first, so teams and bindings naming them find the account this plan creates.
  planLocalUsers(ctx, orgs, config.users)
  collectOrgBindings(ctx, orgs)
  const teams = collectTeams(ctx, orgs, config.teams)
  for (const org of orgs.all()) planOrgMembers(ctx, org)

  const bases = new GuardBases()
  const declaredNames = new Map<string, Set<string>>()
  for (const { org, team } of teams) {
    const names = declaredNames.get(org.name) ?? new Set<string>()
    names.add(team.name)
    declaredNames.set(org.name, names)
  }
  const tally = new TeamTally()
  for (const work of teams) planTeam(ctx, work, declaredNames.get(work.org.name)!, bases, tally)

  for (const org of orgs.all()) {
    pruneTeams(ctx, org, bases)
    if (org.declared && org.live && settings.prune.orgUsers) bases.addRun(org.live.users.length)
    ensureCallerMembership(ctx, org)
  }
  return ctx.out.finish(evaluateGuards(settings.safety, ctx.out.changes(), bases))
}

/** Orgs and accounts are managed through server-admin routes: a basic-auth user without the flag cannot. */
function requireServerAdmin(ctx: PlanContext, config: DesiredConfig): void {
  const { caller } = ctx.observed
  if (caller.auth !== 'basic' || caller.isServerAdmin) return
  const needs = [
    ...(config.orgs.length > 0 ? ['`orgs:`'] : []),
    ...(config.users.length > 0 ? ['`users:`'] : []),
    ...(config.settings.missingUsers === 'create' ? ['`missingUsers: create`'] : []),
  ]
  if (needs.length === 0) return
  ctx.out.error(
    'not-server-admin',
    `the sync's user "${caller.login ?? ''}" is not a Grafana server admin, but the config uses ${needs.join(', ')}: ` +
      'sync with the basic auth of a server admin, or grant this user the server admin flag',
  )
}
