// The domain values every stage shares: desired → observed → plan → apply → report.
// Plain data only; no module here performs I/O.

export type Identity = 'email' | 'login'
export type OrgRole = 'Viewer' | 'Editor' | 'Admin'
export type TeamPermission = 'Member' | 'Admin'
export const ORG_ROLE_RANK: Record<OrgRole | 'None', number> = {
  None: 0,
  Viewer: 1,
  Editor: 2,
  Admin: 3,
}

/** A place in a YAML file; `file` is relative to the working directory, line and col are 1-based. */
export interface SourceRef {
  file: string
  line: number
  col: number
}

// ---------------------------------------------------------------- desired (from YAML)

export type Limit = { kind: 'count'; value: number } | { kind: 'percent'; value: number }

export interface Settings {
  defaultOrg: string
  identity: Identity
  missingUsers: 'skip' | 'create'
  prune: { teamMembers: boolean; teams: boolean; orgUsers: boolean }
  safety: { maxRemovals: Limit; maxRemovalsPerTeam: Limit; protectedUsers: string[] }
  okta: { memberStatuses: string[] }
}

/** A person (email or login) or an Okta group reference (exact name or `id:00g…`), with where it was written. */
export interface Principal {
  value: string
  source: SourceRef
}

export interface Principals {
  users: Principal[]
  oktaGroups: Principal[]
}

/** Only keys that are present are managed. */
export interface TeamPreferences {
  theme?: 'light' | 'dark' | 'system' | ''
  timezone?: string
  weekStart?: string
  homeDashboardUid?: string
}

/** The `instances:` an org, team or user names, each with where it is written. */
export type InstanceRefs = Principal[]

export interface DesiredTeam {
  name: string
  /** The team's current name in the same org: renamed in place (same id), not created anew. */
  renamedFrom?: string
  org: string
  /** Absent: every instance. */
  instances?: InstanceRefs
  email?: string
  preferences?: TeamPreferences
  members: Principals
  admins: Principals
  source: SourceRef
}

export interface DesiredOrg {
  name: string
  renamedFrom?: string
  /** Absent: every instance. */
  instances?: InstanceRefs
  admins: Principals
  editors: Principals
  viewers: Principals
  source: SourceRef
}

export interface DesiredUser {
  login: string
  email?: string
  name?: string
  /** Name of the environment variable holding the initial password; the value is never stored here. */
  passwordEnv?: string
  isGrafanaAdmin?: boolean
  disabled?: boolean
  orgRoles: { org: string; role: OrgRole; source: SourceRef }[]
  /** Absent: every instance. */
  instances?: InstanceRefs
  source: SourceRef
}

/** A secret of an instance: the name of the environment variable holding it, never the value. */
export interface EnvSecret {
  env: string
  source: SourceRef
}

/** One Grafana instance of `instances:`; its credentials are environment variable names. */
export interface DesiredInstance {
  name: string
  url: string
  token?: EnvSecret
  username?: EnvSecret
  password?: EnvSecret
  source: SourceRef
}

export interface DesiredConfig {
  settings: Settings
  orgs: DesiredOrg[]
  users: DesiredUser[]
  /** `teams:` and the compact `mappings:` form, merged. */
  teams: DesiredTeam[]
  /** Config files read, relative paths, sorted. */
  files: string[]
  /** `instances:`; absent or empty: one instance from the inputs or GRAFANA_*. */
  instances?: DesiredInstance[]
}

// ---------------------------------------------------------------- observed (from Grafana and Okta)

export interface GrafanaUser {
  id: number
  login: string
  email: string
  name: string
  isGrafanaAdmin?: boolean
  isDisabled?: boolean
}

export interface OrgMember {
  userId: number
  login: string
  email: string
  role: OrgRole | 'None'
}

export interface TeamMember {
  userId: number
  login: string
  email: string
  permission: TeamPermission
  /** Non-empty when Grafana itself synced the membership (Enterprise Team Sync): never removed. */
  labels: string[]
}

export interface ObservedTeam {
  id: number
  name: string
  email: string
  memberCount: number
  /** Read for declared teams only. */
  members?: TeamMember[]
  /** Read only for declared teams that declare preferences. */
  preferences?: TeamPreferences
}

export interface ObservedOrg {
  id: number
  name: string
  users: OrgMember[]
  teams: ObservedTeam[]
  /**
   * The caller, a server admin, is no Admin of this org, so its teams were not read (Grafana scopes team
   * calls to orgs the caller belongs to): the plan makes the caller an Admin first.
   */
  teamsUnread?: boolean
}

export interface OktaMember {
  id: string
  login: string
  email: string
  status: string
}

export type OktaGroupRead =
  | { ref: string; ok: true; id: string; name: string; members: OktaMember[] }
  | { ref: string; ok: false; error: string }

/** Who the sync acts as in Grafana. */
export interface Caller {
  auth: 'token' | 'basic'
  /** Basic auth only. */
  userId?: number
  login?: string
  email?: string
  isServerAdmin: boolean
  /** Token: the org it is bound to. Basic: the user's active org. */
  orgId: number
}

export interface RequestStats {
  service: 'grafana' | 'okta' | 'github'
  endpoint: string
  requests: number
  retries: number
  bytes: number
  /** Requests that ended in an error after their retries; absent when none did. */
  failures?: number
}

export interface Observed {
  caller: Caller
  /** Declared orgs that exist (by name or renamedFrom), plus the token's org. */
  orgs: ObservedOrg[]
  /** The other live orgs the caller can list, by id and name only (their contents are not read). */
  otherOrgs?: { id: number; name: string }[]
  /** Every Grafana user the caller can list: global users for a server admin, org users for a token. */
  users: GrafanaUser[]
  /** Keyed by the reference exactly as written in YAML. */
  oktaGroups: Record<string, OktaGroupRead>
}

// ---------------------------------------------------------------- plan

export interface UserRef {
  /** Absent when the user is created by this plan. */
  id?: number
  login: string
  email: string
}

/** Why a change exists: the Okta groups and YAML places that want it, or not declared at all (a removal). */
export interface Provenance {
  oktaGroups: string[]
  yaml: SourceRef[]
  notDeclared?: boolean
  /** A removal on a pull request: what wanted the person in the base config, no longer declared. */
  was?: { oktaGroups: string[]; yaml: SourceRef[] }
}

interface ChangeBase {
  /** Stable, unique within a plan, e.g. `add-team-member:Main Org./Platform/ana@acme.example`. */
  id: string
  /** Ids of changes that must succeed first. */
  dependsOn: string[]
  /**
   * On a pull request whose base config was read: `pull-request` when only this PR's config wants it,
   * `pending` when an apply of the base would make it too (drift, Okta membership moves). SPEC §11.
   */
  origin?: ChangeOrigin
}

export type ChangeOrigin = 'pull-request' | 'pending'

export type Change = ChangeBase &
  (
    | { kind: 'create-org'; org: string }
    | { kind: 'rename-org'; org: string; orgId: number; from: string }
    | {
        kind: 'create-user'
        user: UserRef
        name: string
        passwordEnv: string
        isGrafanaAdmin?: boolean
        disabled?: boolean
      }
    | {
        kind: 'update-user'
        user: UserRef
        from: { name?: string; email?: string; isGrafanaAdmin?: boolean; disabled?: boolean }
        to: { name?: string; email?: string; isGrafanaAdmin?: boolean; disabled?: boolean }
      }
    | {
        kind: 'add-org-user'
        org: string
        orgId?: number
        user: UserRef
        role: OrgRole
        provenance: Provenance
      }
    | {
        kind: 'set-org-role'
        org: string
        orgId: number
        user: UserRef
        from: OrgRole | 'None'
        to: OrgRole
        provenance: Provenance
      }
    | {
        kind: 'remove-org-user'
        org: string
        orgId: number
        user: UserRef
        role: OrgRole | 'None'
        provenance: Provenance
      }
    | {
        kind: 'create-team'
        org: string
        orgId?: number
        team: string
        email?: string
        source: SourceRef
      }
    | {
        /** PUT /api/teams/:id with the new name: the id, permissions and preferences stay. */
        kind: 'rename-team'
        org: string
        orgId: number
        team: string
        teamId: number
        from: string
        /** Grafana writes the email with every update (omitting it clears it): the one to keep or set. */
        email: string
      }
    | {
        kind: 'update-team'
        org: string
        orgId: number
        team: string
        teamId: number
        from: { email: string }
        to: { email: string }
      }
    | {
        kind: 'delete-team'
        org: string
        orgId: number
        team: string
        teamId: number
        memberCount: number
      }
    | {
        kind: 'set-team-preferences'
        org: string
        orgId?: number
        team: string
        teamId?: number
        /** Grafana replaces all preferences: `to` is the full body, declared keys merged over current ones. */
        from: TeamPreferences
        to: TeamPreferences
      }
    | {
        kind: 'add-team-member'
        org: string
        orgId?: number
        team: string
        teamId?: number
        user: UserRef
        permission: TeamPermission
        provenance: Provenance
      }
    | {
        kind: 'set-team-permission'
        org: string
        orgId: number
        team: string
        teamId: number
        user: UserRef
        from: TeamPermission
        to: TeamPermission
        provenance: Provenance
      }
    | {
        kind: 'remove-team-member'
        org: string
        orgId: number
        team: string
        teamId: number
        user: UserRef
        permission: TeamPermission
        provenance: Provenance
      }
  )

export type ChangeKind = Change['kind']

/** Apply order of docs/contract.md §4; a plan's changes are sorted by it. */
export const APPLY_ORDER: ChangeKind[] = [
  'create-org',
  'rename-org',
  'create-user',
  'update-user',
  'add-org-user',
  'set-org-role',
  'create-team',
  'rename-team',
  'update-team',
  'set-team-preferences',
  'add-team-member',
  'set-team-permission',
  'remove-team-member',
  'remove-org-user',
  'delete-team',
]

/** Someone the config wants who has no Grafana account (missingUsers: skip). */
export interface Pending {
  identity: string
  org: string
  /** Absent for an org role binding. */
  team?: string
  provenance: Provenance
}

export interface Message {
  /** Machine-readable, e.g. `okta-group-empty`, `protected-user`, `org-missing`. */
  code: string
  message: string
  source?: SourceRef
  org?: string
  team?: string
}

/** Removals not planned because a source could not be trusted (empty or unreadable Okta group). */
export interface HeldBack {
  org: string
  team?: string
  reason: string
  removals: number
  users: string[]
}

/** A safety guard the plan trips; apply writes nothing unless forced. */
export interface GuardViolation {
  guard: 'maxRemovals' | 'maxRemovalsPerTeam'
  /** `run`, or `Org / Team`. */
  scope: string
  limit: string
  allowed: number
  removals: number
}

export interface Plan {
  version: 1
  changes: Change[]
  pending: Pending[]
  warnings: Message[]
  /** Problems that make the run fail after applying the rest (unreadable group, missing org). */
  errors: Message[]
  heldBack: HeldBack[]
  guards: GuardViolation[]
  counts: Partial<Record<ChangeKind, number>>
  stats: { requests: RequestStats[] }
  /** Present when the plan was compared with the base commit's config (SPEC §11). */
  review?: Review
}

// ---------------------------------------------------------------- review (pull requests)

/** What the base config was and whether it could be read; the changes carry their origin when it was. */
export type ReviewBase =
  | { ref: string; read: true }
  /** The base could not be read (403/404, truncated tree, invalid config): one list, no origins. */
  | { ref: string; read: false; reason: string }

/** One pull-request change as kept in the comment marker: its id and a digest of its content. */
export interface ReviewedChange {
  id: string
  digest: string
}

/** The pull-request part as a reviewer saw it: its fingerprint and, when small enough, its changes. */
export interface ReviewedPart {
  fingerprint: string
  /** Absent when the part was too large to keep in the marker. */
  changes?: ReviewedChange[]
  /** The head commit that was planned. */
  sha?: string
}

/** The pull-request part at merge compared with the one reviewed. */
export interface SinceReview {
  reviewed: string
  current: string
  changed: boolean
  /** Ids of pull-request changes not in the reviewed part, or changed in content. */
  added: string[]
  /** Ids of reviewed changes no longer planned; unknown when the reviewed list was not kept. */
  removed: string[] | 'unknown'
  /** `fail`: nothing was written because the part changed. */
  onChanged: 'warn' | 'fail'
}

export interface Review {
  base: ReviewBase
  /** Of the pull-request part; only when the base was read. */
  fingerprint?: string
  /** At merge, when a reviewed fingerprint was found. */
  sinceReview?: SinceReview
}

// ---------------------------------------------------------------- apply

export type ChangeStatus = 'applied' | 'already-done' | 'failed' | 'skipped'

export interface ChangeResult {
  id: string
  status: ChangeStatus
  /** Failed: the service's message; skipped: which dependency failed. */
  detail?: string
}

export interface ApplyResult {
  /** True when a safety guard stopped the run before any write. */
  blocked: boolean
  /**
   * The pull-request part changed since review and `on-plan-changed` is `fail`: nothing was written,
   * every change is skipped.
   */
  changedSinceReview?: boolean
  results: ChangeResult[]
  applied: number
  failed: number
  skipped: number
  /** Follow-up writes Grafana's side effects needed, e.g. removing a team creator's membership. */
  extra: string[]
  /**
   * The run was cancelled (SIGINT/SIGTERM) during the apply: no change started after that, the ones in
   * flight finished, the rest are skipped as not run. A re-run plans and applies what is left.
   */
  cancelled?: boolean
}

/** Orders text by code unit, the same on every machine (localeCompare depends on the locale). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The message of a thrown value; an Error without one is named by its class. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error)
}

/** A problem with the run's settings, as a code and fields; adapters word it (src/settings.ts). */
export type Setting =
  | 'grafanaUrl'
  | 'grafanaToken'
  | 'grafanaUsername'
  | 'grafanaPassword'
  | 'oktaDomain'
  | 'oktaToken'
  | 'oktaClientId'
  | 'oktaPrivateKey'

export type SettingProblem =
  | { code: 'setting-unset'; setting: Setting; neededFor: string }
  | { code: 'setting-invalid'; setting: Setting; expected: string }
  /** Neither a token nor basic auth for Grafana. */
  | { code: 'grafana-credentials-missing' }
  /** `because`: what in the config a service-account token cannot do, with its position. */
  | { code: 'basic-auth-needed'; because: string }
  /** An Okta group is referenced (at `where`, e.g. `teams/a.yaml:3`) but Okta credentials are missing. */
  | { code: 'okta-credentials-missing'; group: string; where: string }
  /** An Okta API token and an API Services app are both given: Okta is reached one way. */
  | { code: 'okta-credentials-conflict' }
  /** `instances:` is declared (at `where`) while Grafana settings are given too: each instance has its own. */
  | { code: 'grafana-settings-with-instances'; settings: Setting[]; where: string }
  /** One half of an API Services app's credentials without the other. */
  | { code: 'okta-app-incomplete'; given: Setting; missing: Setting }
