// Reads everything an export describes: the orgs, their users, every team with its members and
// preferences, and (with --okta-groups) the Okta group of each team's name. The result is an
// Observation as the planner takes it, so the export can be planned against before it is written.
import type { GrafanaClient } from '../grafana/types.ts'
import { HttpError } from '../http/index.ts'
import type { GrafanaUser, Observed, ObservedOrg, ObservedTeam, OrgMember } from '../model.ts'
import { readOktaGroups } from '../observe/okta.ts'
import { progressLine, startProgress, type Progress } from '../observe/progress.ts'
import type { OktaClient } from '../okta/types.ts'

export interface ReadOptions {
  /** Only these orgs (exact name, else case-insensitive); every readable org when empty. */
  orgs: string[]
  oktaGroups: boolean
  onProgress?: (msg: string) => void
  progressIntervalMs?: number
}

export class ExportReadError extends Error {
  override name = 'ExportReadError'
}

const refused = (error: unknown) => error instanceof HttpError && [401, 403].includes(error.status)

export async function readForExport(
  clients: { grafana: GrafanaClient; okta?: OktaClient },
  opts: ReadOptions,
): Promise<Observed> {
  const { grafana } = clients
  const progress = startProgress(opts.onProgress, opts.progressIntervalMs ?? 3_000)
  try {
    // Alone and first: with basic auth every failed login counts towards Grafana's lockout.
    const caller = await grafana.whoami()
    const allUsers =
      caller.auth === 'basic' && caller.isServerAdmin ? grafana.listUsers() : undefined
    allUsers?.catch(() => undefined)
    const live = selectOrgs(await grafana.listOrgs(), opts.orgs)
    opts.onProgress?.(`reading ${live.length} org(s) from Grafana`)
    const orgs = await Promise.all(live.map((org) => readOrg(grafana, org, progress)))
    orgs.sort((a, b) => a.id - b.id)
    const users = allUsers ? await allUsers : usersOf(orgs)
    const refs = opts.oktaGroups ? teamNames(orgs) : []
    const oktaGroups = await readOktaGroups(refs, clients.okta, progress)
    opts.onProgress?.(`${progressLine(progress)}; ${orgs.length} org(s), ${users.length} user(s)`)
    return { caller, orgs, otherOrgs: [], users, oktaGroups }
  } finally {
    progress.stop()
  }
}

function selectOrgs(
  live: { id: number; name: string }[],
  wanted: string[],
): { id: number; name: string }[] {
  if (wanted.length === 0) return live
  const unknown: string[] = []
  const chosen = new Map<number, { id: number; name: string }>()
  for (const name of wanted) {
    const exact = live.filter((o) => o.name === name)
    const found =
      exact.length > 0 ? exact : live.filter((o) => o.name.toLowerCase() === name.toLowerCase())
    if (found.length === 0) unknown.push(name)
    for (const org of found) chosen.set(org.id, org)
  }
  if (unknown.length > 0) {
    const names = live.map((o) => `"${o.name}"`).join(', ')
    throw new ExportReadError(
      `--org ${unknown.map((n) => `"${n}"`).join(', ')}: no such org among those these credentials can read (${names || 'none'})`,
    )
  }
  return [...chosen.values()]
}

/** Org users and teams side by side; each team's members and preferences as soon as the listing answers. */
async function readOrg(
  grafana: GrafanaClient,
  org: { id: number; name: string },
  progress: Progress,
): Promise<ObservedOrg> {
  const [users, teams] = await Promise.all([
    grafana.listOrgUsers(org.id),
    grafana
      .listTeams(org.id)
      .then((list) => readTeams(grafana, org.id, list, progress))
      .catch((error: unknown) => {
        // A server admin that is no member of the org is not shown its teams.
        if (refused(error)) return undefined
        throw error
      }),
  ])
  const orgUsers: OrgMember[] = users.map((u) => ({
    userId: u.userId,
    login: u.login,
    email: u.email,
    role: u.role,
  }))
  if (teams === undefined)
    return { id: org.id, name: org.name, users: orgUsers, teams: [], teamsUnread: true }
  return { id: org.id, name: org.name, users: orgUsers, teams }
}

function readTeams(
  grafana: GrafanaClient,
  orgId: number,
  teams: { id: number; name: string; email: string; memberCount: number }[],
  progress: Progress,
): Promise<ObservedTeam[]> {
  progress.teams.total += teams.length
  return Promise.all(
    teams.map(async (summary): Promise<ObservedTeam> => {
      const [members, preferences] = await Promise.all([
        grafana.listTeamMembers(orgId, summary.id),
        grafana.getTeamPreferences(orgId, summary.id),
      ])
      progress.teams.done++
      return { ...summary, members, preferences }
    }),
  )
}

/** Without the global user list (a token, or a user that is no server admin): the org users read. */
function usersOf(orgs: ObservedOrg[]): GrafanaUser[] {
  const byId = new Map<number, GrafanaUser>()
  for (const org of orgs)
    for (const u of org.users)
      byId.set(u.userId, { id: u.userId, login: u.login, email: u.email, name: '' })
  return [...byId.values()].sort((a, b) => a.id - b.id)
}

function teamNames(orgs: ObservedOrg[]): string[] {
  const names = new Set<string>()
  for (const org of orgs)
    for (const team of org.teams) if (!/^id:/i.test(team.name)) names.add(team.name)
  return [...names].sort()
}
