// Small builders of DesiredConfig and Observed values for the planner's tests and benchmark.
import type {
  Caller,
  DesiredConfig,
  DesiredOrg,
  DesiredTeam,
  DesiredUser,
  GrafanaUser,
  ObservedOrg,
  ObservedTeam,
  Observed,
  OktaGroupRead,
  OktaMember,
  OrgRole,
  Principals,
  Settings,
  SourceRef,
  TeamPermission,
  TeamPreferences,
} from '../model.ts'

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] }

export function settings(over: DeepPartial<Settings> = {}): Settings {
  return {
    defaultOrg: over.defaultOrg ?? 'Main Org.',
    identity: over.identity ?? 'email',
    missingUsers: over.missingUsers ?? 'skip',
    prune: { teamMembers: true, teams: false, orgUsers: false, ...over.prune },
    safety: {
      maxRemovals: (over.safety?.maxRemovals as Settings['safety']['maxRemovals']) ?? {
        kind: 'percent',
        value: 100,
      },
      maxRemovalsPerTeam: (over.safety
        ?.maxRemovalsPerTeam as Settings['safety']['maxRemovals']) ?? {
        kind: 'percent',
        value: 100,
      },
      protectedUsers: (over.safety?.protectedUsers as string[] | undefined) ?? [],
    },
    okta: {
      memberStatuses: (over.okta?.memberStatuses as string[] | undefined) ?? [
        'ACTIVE',
        'PASSWORD_EXPIRED',
        'LOCKED_OUT',
        'RECOVERY',
      ],
    },
  }
}

export function config(parts: {
  settings?: DeepPartial<Settings>
  orgs?: DesiredOrg[]
  users?: DesiredUser[]
  teams?: DesiredTeam[]
}): DesiredConfig {
  return {
    settings: settings(parts.settings),
    orgs: parts.orgs ?? [],
    users: parts.users ?? [],
    teams: parts.teams ?? [],
    files: ['teams/test.yaml'],
  }
}

export function at(file: string, line: number, col = 5): SourceRef {
  return { file, line, col }
}

/** Principals whose sources are consecutive lines of `file`, starting at `line`. */
function principals(
  file: string,
  next: () => number,
  users: string[] = [],
  groups: string[] = [],
): Principals {
  return {
    users: users.map((value) => ({ value, source: at(file, next()) })),
    oktaGroups: groups.map((value) => ({ value, source: at(file, next()) })),
  }
}

function lineCounter(start: number): () => number {
  let line = start
  return () => ++line
}

export interface TeamSpec {
  org?: string
  email?: string
  preferences?: TeamPreferences
  members?: string[]
  memberGroups?: string[]
  admins?: string[]
  adminGroups?: string[]
  file?: string
  line?: number
}

export function team(name: string, spec: TeamSpec = {}): DesiredTeam {
  const file = spec.file ?? `teams/${name.toLowerCase().replace(/\W+/g, '-')}.yaml`
  const line = spec.line ?? 1
  const next = lineCounter(line)
  const desired: DesiredTeam = {
    name,
    org: spec.org ?? 'Main Org.',
    members: principals(file, next, spec.members, spec.memberGroups),
    admins: principals(file, next, spec.admins, spec.adminGroups),
    source: at(file, line, 3),
  }
  if (spec.email !== undefined) desired.email = spec.email
  if (spec.preferences !== undefined) desired.preferences = spec.preferences
  return desired
}

export interface OrgSpec {
  renamedFrom?: string
  admins?: string[]
  adminGroups?: string[]
  editors?: string[]
  editorGroups?: string[]
  viewers?: string[]
  viewerGroups?: string[]
  line?: number
}

export function org(name: string, spec: OrgSpec = {}): DesiredOrg {
  const file = 'teams/orgs.yaml'
  const line = spec.line ?? 1
  const next = lineCounter(line)
  const desired: DesiredOrg = {
    name,
    admins: principals(file, next, spec.admins, spec.adminGroups),
    editors: principals(file, next, spec.editors, spec.editorGroups),
    viewers: principals(file, next, spec.viewers, spec.viewerGroups),
    source: at(file, line, 5),
  }
  if (spec.renamedFrom !== undefined) desired.renamedFrom = spec.renamedFrom
  return desired
}

export function localUser(
  login: string,
  spec: Partial<Omit<DesiredUser, 'login' | 'orgRoles' | 'source'>> & {
    orgRoles?: Record<string, OrgRole>
    line?: number
  } = {},
): DesiredUser {
  const { orgRoles = {}, line = 1, ...rest } = spec
  const next = lineCounter(line)
  return {
    login,
    ...rest,
    orgRoles: Object.entries(orgRoles).map(([o, role]) => ({
      org: o,
      role,
      source: at('teams/users.yaml', next()),
    })),
    source: at('teams/users.yaml', line, 5),
  }
}

// ---------------------------------------------------------------- observed

export function gUser(
  id: number,
  login: string,
  email = `${login}@acme.example`,
  extra: Partial<GrafanaUser> = {},
): GrafanaUser {
  return { id, login, email, name: login, isGrafanaAdmin: false, isDisabled: false, ...extra }
}

export function liveTeam(
  id: number,
  name: string,
  members: (
    GrafanaUser | [GrafanaUser, TeamPermission] | [GrafanaUser, TeamPermission, string[]]
  )[] = [],
  extra: { email?: string; preferences?: TeamPreferences } = {},
): ObservedTeam {
  const list = members.map((m) => {
    const [user, permission, labels] = Array.isArray(m) ? m : [m, 'Member' as const, []]
    return {
      userId: user.id,
      login: user.login,
      email: user.email,
      permission,
      labels: labels ?? [],
    }
  })
  const team: ObservedTeam = {
    id,
    name,
    email: extra.email ?? '',
    memberCount: list.length,
    members: list,
  }
  if (extra.preferences) team.preferences = extra.preferences
  return team
}

export function liveOrg(
  id: number,
  name: string,
  users: (GrafanaUser | [GrafanaUser, OrgRole | 'None'])[] = [],
  teams: ObservedTeam[] = [],
): ObservedOrg {
  return {
    id,
    name,
    users: users.map((u) => {
      const [user, role] = Array.isArray(u) ? u : [u, 'Viewer' as const]
      return { userId: user.id, login: user.login, email: user.email, role }
    }),
    teams,
  }
}

export function oktaMember(
  login: string,
  email = login,
  status = 'ACTIVE',
  id = `00u${login}`,
): OktaMember {
  return { id, login, email, status }
}

export function group(ref: string, members: OktaMember[], name = ref): OktaGroupRead {
  return { ref, ok: true, id: `00g${name}`, name, members }
}

export function unreadable(ref: string, error = 'HTTP 500 from Okta'): OktaGroupRead {
  return { ref, ok: false, error }
}

export const BASIC_CALLER_ID = 1

export function basicCaller(
  user: GrafanaUser = gUser(BASIC_CALLER_ID, 'admin', 'admin@localhost'),
): Caller {
  return {
    auth: 'basic',
    userId: user.id,
    login: user.login,
    email: user.email,
    isServerAdmin: true,
    orgId: 1,
  }
}

export function tokenCaller(orgId = 1): Caller {
  return { auth: 'token', isServerAdmin: false, orgId }
}

export function observed(parts: {
  caller?: Caller
  orgs?: ObservedOrg[]
  users?: GrafanaUser[]
  groups?: OktaGroupRead[]
}): Observed {
  return {
    caller: parts.caller ?? tokenCaller(),
    orgs: parts.orgs ?? [],
    users: parts.users ?? [],
    oktaGroups: Object.fromEntries((parts.groups ?? []).map((g) => [g.ref, g])),
  }
}
