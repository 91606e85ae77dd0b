// The fake's public API: its options, its seeding and inspection methods, and what it snapshots.
import type { FaultControl } from '../faults.ts'
import type { RecordedRequest } from '../http.ts'

export type OrgRole = 'Viewer' | 'Editor' | 'Admin' | 'None'
export type GrafanaVersion = '11.0' | '11.1' | '12.0'
export type TeamPermission = 0 | 4

export interface FakeGrafanaOptions {
  /** Default '12.0'; 11.1 answers an unknown team on update (500) and delete as 11.x does. */
  version?: GrafanaVersion
  /** Added to every response. */
  latencyMs?: number
  /** Server admin, user id 1, Admin of org 1; default admin/admin. */
  adminLogin?: string
  adminPassword?: string
  /**
   * `[users] auto_assign_org` (default true): new users join org 1 as Viewer; off, each gets a
   * personal org of which they are Admin.
   */
  autoAssignOrg?: boolean
  /** Check `homeDashboardUID` against `addDashboard` (404 Dashboard not found); default false. */
  validateDashboards?: boolean
  /** Keep `requests` (default true). */
  recordRequests?: boolean
  /** Serve the API under a sub-path such as `/grafana` (`root_url` + `serve_from_sub_path`); default none. */
  basePath?: string
  /**
   * Lower `perpage` of the paged searches to this (not Grafana's own behaviour, which enforces no
   * maximum, but what a proxy or another build may do); default none.
   */
  maxPerPage?: number
  /** Leave `totalCount` out of the search envelopes (a variant for client robustness); default false. */
  omitTotalCount?: boolean
  /**
   * SMTP with `verify_email_enabled`: `PUT /api/users/:id` that changes the email answers
   * `Email sent for verification` and changes nothing (§3.5); default false.
   */
  verifyEmail?: boolean
  /** `[auth.basic] password_policy`: ≥ 12 characters with upper, lower, digit and symbol; default false. */
  passwordPolicy?: boolean
  /** `Content-Type` of JSON answers; default `application/json`. */
  jsonContentType?: string
}

export interface FakeGrafanaSnapshot {
  orgs: { id: number; name: string }[]
  users: {
    id: number
    login: string
    email: string
    name: string
    isGrafanaAdmin: boolean
    isDisabled: boolean
  }[]
  orgUsers: { orgId: number; userId: number; role: OrgRole }[]
  teams: { id: number; orgId: number; name: string; email: string }[]
  teamMembers: { teamId: number; userId: number; permission: TeamPermission; labels: string[] }[]
  teamPreferences: Record<number, Record<string, unknown>>
}

export interface FakeGrafana {
  url: string
  version: GrafanaVersion
  addOrg(name: string): number
  /** Login and email are stored lower-cased (email defaults to the login); no `orgs` = no membership. */
  addUser(u: {
    login: string
    email?: string
    name?: string
    password?: string
    isGrafanaAdmin?: boolean
    disabled?: boolean
    orgs?: Record<number, OrgRole>
  }): number
  addTeam(
    orgId: number,
    name: string,
    opts?: {
      email?: string
      members?: { userId: number; permission?: TeamPermission; labels?: string[] }[]
    },
  ): number
  setTeamPreferences(teamId: number, prefs: Record<string, unknown>): void
  /** Returns a `glsa_…` token bound to the org with the role (default Admin). */
  addServiceAccountToken(orgId: number, role?: OrgRole): string
  /** A dashboard that team preferences may point at (checked only with `validateDashboards`). */
  addDashboard(orgId: number, uid: string): number
  snapshot(): FakeGrafanaSnapshot
  /** Whether this login (or email) and password would pass basic auth now. */
  checkPassword(login: string, password: string): boolean
  requests: RecordedRequest[]
  clearRequests(): void
  /**
   * Serialises every member listing now rather than on its first read (answers are the same): a
   * benchmark seeds, then calls this, so the runs it measures are not billed for it.
   */
  serialiseListings(): void
  writes(): RecordedRequest[]
  faults: FaultControl
  close(): Promise<void>
}
