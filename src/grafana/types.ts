import type {
  Caller,
  GrafanaUser,
  OrgMember,
  OrgRole,
  RequestStats,
  TeamMember,
  TeamPermission,
  TeamPreferences,
} from '../model.ts'

export interface GrafanaTeamSummary {
  id: number
  name: string
  email: string
  memberCount: number
}

/**
 * Typed Grafana HTTP API. Org-scoped calls take the org id: with basic auth it is sent as
 * `X-Grafana-Org-Id` (or in the `/api/orgs/:orgId/…` path); with a service-account token it must be
 * the token's own org, and no override header is sent.
 * Writes resolve on success and reject with HttpError (src/http) otherwise (a 401 carries
 * `reason: 'credential-rejected'`, and every later call of the run fails with it unsent); "already done" answers are
 * returned as `'already-done'` so apply can converge after retries and concurrent runs.
 */
export interface GrafanaClient {
  readonly auth: 'token' | 'basic'
  whoami(): Promise<Caller>

  // reads
  listOrgs(): Promise<{ id: number; name: string }[]>
  /** Server admin only: every user, paged. */
  listUsers(): Promise<GrafanaUser[]>
  // `about` names the object in errors and retry lines, e.g. `team Platform in org Main Org.`.
  listOrgUsers(orgId: number, about?: string): Promise<OrgMember[]>
  listTeams(orgId: number, about?: string): Promise<GrafanaTeamSummary[]>
  listTeamMembers(orgId: number, teamId: number, about?: string): Promise<TeamMember[]>
  getTeamPreferences(orgId: number, teamId: number, about?: string): Promise<TeamPreferences>

  // orgs
  createOrg(name: string): Promise<{ orgId: number } | 'already-done'>
  renameOrg(orgId: number, name: string): Promise<void>
  /** Looks an org up by exact name (server admin); used after an "already exists" answer. */
  findOrg(name: string): Promise<{ id: number; name: string } | undefined>

  // users (server admin)
  createUser(user: {
    login: string
    email: string
    name: string
    password: string
    orgId?: number
  }): Promise<{ id: number } | 'already-done'>
  findUser(loginOrEmail: string): Promise<GrafanaUser | undefined>
  updateUser(userId: number, fields: { login: string; email: string; name: string }): Promise<void>
  setServerAdmin(userId: number, isGrafanaAdmin: boolean): Promise<void>
  setDisabled(userId: number, disabled: boolean): Promise<void>

  // org users
  addOrgUser(orgId: number, loginOrEmail: string, role: OrgRole): Promise<'done' | 'already-done'>
  setOrgRole(orgId: number, userId: number, role: OrgRole): Promise<void>
  removeOrgUser(orgId: number, userId: number): Promise<'done' | 'already-done'>

  // teams
  createTeam(
    orgId: number,
    name: string,
    email?: string,
  ): Promise<{ teamId: number } | 'already-done'>
  findTeam(orgId: number, name: string): Promise<GrafanaTeamSummary | undefined>
  updateTeam(orgId: number, teamId: number, fields: { name: string; email: string }): Promise<void>
  deleteTeam(orgId: number, teamId: number): Promise<'done' | 'already-done'>
  setTeamPreferences(orgId: number, teamId: number, prefs: TeamPreferences): Promise<void>
  addTeamMember(orgId: number, teamId: number, userId: number): Promise<'done' | 'already-done'>
  setTeamPermission(
    orgId: number,
    teamId: number,
    userId: number,
    permission: TeamPermission,
  ): Promise<void>
  removeTeamMember(orgId: number, teamId: number, userId: number): Promise<'done' | 'already-done'>

  stats(): RequestStats[]
}
