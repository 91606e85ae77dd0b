import type { GrafanaClient, GrafanaTeamSummary } from '../grafana/types.ts'
import { HttpError, isCredentialRejected } from '../http/index.ts'
import type {
  Caller,
  DesiredConfig,
  DesiredTeam,
  GrafanaUser,
  ObservedOrg,
  ObservedTeam,
  OrgMember,
} from '../model.ts'
import type { Progress } from './progress.ts'

interface LiveOrg {
  id: number
  name: string
}

export interface GrafanaRead {
  caller: Caller
  orgs: ObservedOrg[]
  otherOrgs: LiveOrg[]
  users: GrafanaUser[]
}

/** Every org name the config refers to: declared orgs, team orgs and user org roles. */
export function referencedOrgNames(config: DesiredConfig): string[] {
  const names = new Set<string>()
  for (const org of config.orgs) names.add(org.name)
  for (const team of config.teams) names.add(team.org)
  for (const user of config.users) for (const binding of user.orgRoles) names.add(binding.org)
  return [...names]
}

function findByName<T extends { name: string }>(items: T[], name: string): T[] {
  const exact = items.filter((i) => i.name === name)
  if (exact.length > 0) return exact
  // Grafana's name comparison depends on the database collation: read case variants too, the planner decides.
  const lower = name.toLowerCase()
  return items.filter((i) => i.name.toLowerCase() === lower)
}

/** Live orgs for each referenced name: by name, or by `renamedFrom` while the new name does not exist yet. */
export function matchOrgs(config: DesiredConfig, live: LiveOrg[]): Map<string, LiveOrg[]> {
  const renamedFrom = new Map(config.orgs.map((o) => [o.name, o.renamedFrom]))
  const matches = new Map<string, LiveOrg[]>()
  for (const name of referencedOrgNames(config)) {
    let found = findByName(live, name)
    const previous = renamedFrom.get(name)
    if (found.length === 0 && previous !== undefined) found = findByName(live, previous)
    if (found.length > 0) matches.set(name, found)
  }
  return matches
}

function toGrafanaUser(m: OrgMember & { name?: string; isDisabled?: boolean }): GrafanaUser {
  const user: GrafanaUser = { id: m.userId, login: m.login, email: m.email, name: m.name ?? '' }
  if (m.isDisabled !== undefined) user.isDisabled = m.isDisabled
  return user
}

function hasPreferences(team: DesiredTeam): boolean {
  return team.preferences !== undefined && Object.keys(team.preferences).length > 0
}

/** Refused an org's teams (not a member); a rejected credential ends the run instead. */
const refused = (error: unknown) =>
  error instanceof HttpError && [401, 403].includes(error.status) && !isCredentialRejected(error)

const aboutOrg = (org: LiveOrg) => `org ${org.name}`
const aboutTeam = (org: LiveOrg, team: GrafanaTeamSummary) => `team ${team.name} in org ${org.name}`

type Settled<T> = PromiseSettledResult<T>

const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  )

/**
 * Org users and teams side by side, and the teams' members as soon as the team listing answers (the
 * org-user listing, often the slower, is not waited for). A server admin that is no Admin of the org
 * may be refused its teams (Grafana scopes team calls to the caller's orgs): they are then left
 * unread and the plan makes it one.
 */
async function readOrg(
  grafana: GrafanaClient,
  caller: Caller,
  org: LiveOrg,
  declaredTeams: DesiredTeam[],
  pruned: boolean,
  progress: Progress,
): Promise<{ org: ObservedOrg; people: GrafanaUser[] }> {
  const listed = settle(grafana.listTeams(org.id, aboutOrg(org)))
  const [users, teams, observed] = await Promise.all([
    settle(grafana.listOrgUsers(org.id, aboutOrg(org))),
    listed,
    settle(
      listed.then((teams) =>
        teams.status === 'fulfilled'
          ? readTeams(grafana, org, teams.value, declaredTeams, pruned, progress)
          : [],
      ),
    ),
  ])
  if (users.status === 'rejected') throw users.reason
  const role = users.value.find((u) => u.userId === caller.userId)?.role
  const mayJoin = caller.auth === 'basic' && caller.isServerAdmin && role !== 'Admin'
  if (teams.status === 'rejected') {
    if (refused(teams.reason) && mayJoin) return orgRead(org, users.value, [], true)
    if (refused(teams.reason) && caller.auth === 'basic' && role === undefined) {
      throw new Error(
        `the sync's user "${caller.login ?? ''}" is not a member of org "${org.name}" (id ${org.id}), so its teams cannot be read: ` +
          'add that user to the org as Admin in Grafana, or use a Grafana server admin, which the sync makes an Admin of the orgs it manages',
      )
    }
    throw teams.reason
  }
  if (observed.status === 'fulfilled') return orgRead(org, users.value, observed.value)
  if (mayJoin && refused(observed.reason)) return orgRead(org, users.value, [], true)
  throw observed.reason
}

/** Per declared team (and per team prune.teams may delete) its members, and preferences when declared. */
async function readTeams(
  grafana: GrafanaClient,
  org: LiveOrg,
  teams: GrafanaTeamSummary[],
  declaredTeams: DesiredTeam[],
  pruned: boolean,
  progress: Progress,
): Promise<ObservedTeam[]> {
  const wanted = new Map<number, { members: boolean; preferences: boolean }>()
  for (const declared of declaredTeams) {
    // A team renamed by renamedFrom is still found under its old name while the new one is free.
    let found = findByName(teams, declared.name)
    if (!found.length && declared.renamedFrom !== undefined)
      found = findByName(teams, declared.renamedFrom)
    for (const team of found) {
      const want = wanted.get(team.id) ?? { members: true, preferences: false }
      want.preferences ||= hasPreferences(declared)
      wanted.set(team.id, want)
    }
  }
  // Teams the plan may delete: their members say whether a protected or synced member is in one.
  if (pruned) {
    for (const team of teams)
      if (!wanted.has(team.id)) wanted.set(team.id, { members: true, preferences: false })
  }
  progress.teams.total += wanted.size
  return Promise.all(
    teams.map(async (summary): Promise<ObservedTeam> => {
      const team: ObservedTeam = { ...summary }
      const want = wanted.get(summary.id)
      if (!want) return team // undeclared: listed for pruning, members not needed
      const about = aboutTeam(org, summary)
      const [members, preferences] = await Promise.all([
        grafana.listTeamMembers(org.id, summary.id, about),
        want.preferences ? grafana.getTeamPreferences(org.id, summary.id, about) : undefined,
      ])
      team.members = members
      if (preferences !== undefined) team.preferences = preferences
      progress.teams.done++
      return team
    }),
  )
}

function orgRead(
  org: LiveOrg,
  users: OrgMember[],
  observed: ObservedTeam[],
  teamsUnread = false,
): { org: ObservedOrg; people: GrafanaUser[] } {
  const orgUsers: OrgMember[] = users.map((u) => ({
    userId: u.userId,
    login: u.login,
    email: u.email,
    role: u.role,
  }))
  return {
    org: {
      id: org.id,
      name: org.name,
      users: orgUsers,
      teams: observed,
      ...(teamsUnread ? { teamsUnread } : {}),
    },
    people: users.map(toGrafanaUser),
  }
}

/**
 * Reads what the config needs from Grafana: orgs once, users once (paged), per referenced org its users
 * (one call) and teams (paged), per declared existing team its members (one call) and, when declared,
 * its preferences. Calls overlap; the HTTP layer bounds how many are in flight.
 */
export async function readGrafana(
  config: DesiredConfig,
  grafana: GrafanaClient,
  progress: Progress,
): Promise<GrafanaRead> {
  // Alone and first: with basic auth every failed login counts towards Grafana's lockout.
  const caller = await grafana.whoami()
  const globalUsers =
    caller.auth === 'basic' && caller.isServerAdmin ? grafana.listUsers() : undefined
  // Keep a rejection from going unobserved while the org reads run.
  globalUsers?.catch(() => undefined)
  const live = await grafana.listOrgs()

  const reads = await Promise.all(
    [...selectOrgs(config, caller, live)].map(({ org, teams, pruned }) =>
      readOrg(grafana, caller, org, teams, pruned, progress),
    ),
  )
  const orgs = reads.map((r) => r.org).sort((a, b) => a.id - b.id)
  const read = new Set(orgs.map((o) => o.id))
  const otherOrgs = live
    .filter((o) => !read.has(o.id))
    .map((o) => ({ id: o.id, name: o.name }))
    .sort((a, b) => a.id - b.id)

  let users: GrafanaUser[]
  if (globalUsers) {
    users = await globalUsers
  } else {
    const byId = new Map<number, GrafanaUser>()
    for (const read of reads) for (const person of read.people) byId.set(person.id, person)
    users = [...byId.values()].sort((a, b) => a.id - b.id)
  }
  return { caller, orgs, otherOrgs, users }
}

/**
 * Reads some orgs again, e.g. once the caller became an Admin of them; the rest of what was observed is
 * kept. The caller is a server admin here, so the global user list stays complete.
 */
export async function rereadOrgs(
  config: DesiredConfig,
  grafana: GrafanaClient,
  observed: Pick<GrafanaRead, 'caller' | 'orgs'>,
  orgIds: Set<number>,
  progress: Progress,
): Promise<ObservedOrg[]> {
  const reads = await Promise.all(
    [...selectOrgs(config, observed.caller, observed.orgs)]
      .filter(({ org }) => orgIds.has(org.id))
      .map(({ org, teams, pruned }) =>
        readOrg(grafana, observed.caller, org, teams, pruned, progress),
      ),
  )
  const fresh = new Map(reads.map((r) => [r.org.id, r.org]))
  return observed.orgs.map((org) => fresh.get(org.id) ?? org)
}

/** The live orgs to read, each with the declared teams it holds and whether its other teams are pruned. */
function selectOrgs(
  config: DesiredConfig,
  caller: Caller,
  live: LiveOrg[],
): Iterable<{ org: LiveOrg; teams: DesiredTeam[]; pruned: boolean }> {
  const teamsByOrgName = new Map<string, DesiredTeam[]>()
  for (const team of config.teams) {
    teamsByOrgName.set(team.org, [...(teamsByOrgName.get(team.org) ?? []), team])
  }
  const declared = new Set(config.orgs.map((o) => o.name))
  const selected = new Map<number, { org: LiveOrg; teams: DesiredTeam[]; pruned: boolean }>()
  const select = (org: LiveOrg, teams: DesiredTeam[], pruned: boolean) => {
    const entry = selected.get(org.id) ?? {
      org: { id: org.id, name: org.name },
      teams: [],
      pruned: false,
    }
    entry.teams.push(...teams)
    entry.pruned ||= pruned
    selected.set(org.id, entry)
  }
  for (const [name, orgs] of matchOrgs(config, live)) {
    const pruned = config.settings.prune.teams && declared.has(name)
    for (const org of orgs) select(org, teamsByOrgName.get(name) ?? [], pruned)
  }
  if (caller.auth === 'token') for (const org of live) select(org, [], false)
  return selected.values()
}
