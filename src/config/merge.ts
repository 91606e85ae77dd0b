// All files → one desired state: settings leaves merged with defaults, `mappings` folded into
// teams, and every declaration that collides with another reported with both places.
import type {
  DesiredConfig,
  DesiredInstance,
  DesiredOrg,
  DesiredTeam,
  DesiredUser,
  Limit,
  Principal,
  Principals,
  InstanceRefs,
  Settings,
  SourceRef,
} from '../model.ts'
import type { ParsedFile } from './parse-file.ts'
import type { PrincipalsInput, SettingsInput } from './schema.ts'
import { quoted } from './excerpt.ts'
import type { ConfigProblem } from './types.ts'
import type { Path } from './positions.ts'

const DEFAULT_ORG = 'Main Org.'

const DEFAULT_SETTINGS = {
  defaultOrg: DEFAULT_ORG,
  identity: 'email',
  missingUsers: 'skip',
  prune: { teamMembers: true, teams: false, orgUsers: false },
  safety: { maxRemovals: '25%', maxRemovalsPerTeam: '50%', protectedUsers: ['admin'] },
  okta: { memberStatuses: ['ACTIVE', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'RECOVERY'] },
} as const satisfies SettingsInput

type Merged = Omit<DesiredConfig, 'files'>

export function mergeFiles(files: readonly ParsedFile[]): {
  config: Merged
  problems: ConfigProblem[]
} {
  const problems: ConfigProblem[] = []
  const settings = mergeSettings(files, problems)
  const orgs = collectOrgs(files, problems)
  const users = collectUsers(files, problems)
  const teams = collectTeams(files, settings.defaultOrg, orgKeyFor(orgs), problems)
  const instances = collectInstances(files, problems)
  checkInstanceRefs(instances, [...orgs, ...users, ...teams], problems)
  const config: Merged = { settings, orgs, users, teams }
  if (instances.length > 0) config.instances = instances
  return { config, problems }
}

function sourceOf(file: ParsedFile, path: Path): SourceRef {
  return { file: file.file, ...file.positions.value(path) }
}

function place(ref: SourceRef): string {
  return `${ref.file}:${ref.line}:${ref.col}`
}

function problemAt(ref: SourceRef, message: string, hint: string): ConfigProblem {
  return { ...ref, message, hint }
}

// ---------------------------------------------------------------- settings

function mergeSettings(files: readonly ParsedFile[], problems: ConfigProblem[]): Settings {
  const merged: Record<string, unknown> = {}
  const setAt = new Map<string, SourceRef>()
  for (const file of files) {
    for (const [leaf, value] of file.valid.settings) {
      const name = leaf.join('.')
      const ref = { file: file.file, ...file.positions.key(['settings', ...leaf]) }
      const first = setAt.get(name)
      if (first) {
        problems.push(
          problemAt(
            ref,
            `settings.${name} is set twice: also at ${place(first)}`,
            'Set each settings key in one file only; remove one of the two.',
          ),
        )
        continue
      }
      setAt.set(name, ref)
      assign(merged, leaf, value)
    }
  }
  const s = merged as SettingsInput
  const d = DEFAULT_SETTINGS
  return {
    defaultOrg: s.defaultOrg ?? d.defaultOrg,
    identity: s.identity ?? d.identity,
    missingUsers: s.missingUsers ?? d.missingUsers,
    prune: {
      teamMembers: s.prune?.teamMembers ?? d.prune.teamMembers,
      teams: s.prune?.teams ?? d.prune.teams,
      orgUsers: s.prune?.orgUsers ?? d.prune.orgUsers,
    },
    safety: {
      maxRemovals: parseLimit(s.safety?.maxRemovals ?? d.safety.maxRemovals),
      maxRemovalsPerTeam: parseLimit(s.safety?.maxRemovalsPerTeam ?? d.safety.maxRemovalsPerTeam),
      protectedUsers: [...(s.safety?.protectedUsers ?? d.safety.protectedUsers)],
    },
    okta: { memberStatuses: [...(s.okta?.memberStatuses ?? d.okta.memberStatuses)] },
  }
}

function assign(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>
  node[path.at(-1)!] = value
}

/** A validated limit: a whole number, or a percent string such as "25%". */
function parseLimit(value: number | string): Limit {
  return typeof value === 'number'
    ? { kind: 'count', value }
    : { kind: 'percent', value: Number(value.slice(0, -1)) }
}

// ---------------------------------------------------------------- orgs, users

function principals(file: ParsedFile, path: Path, input: PrincipalsInput | undefined): Principals {
  const list = (key: 'users' | 'oktaGroups'): Principal[] =>
    (input?.[key] ?? []).map((value, i) => ({ value, source: sourceOf(file, [...path, key, i]) }))
  return { users: list('users'), oktaGroups: list('oktaGroups') }
}

/** Reports a second declaration of the same thing, naming the first; true when `key` is new. */
function claim(
  seen: Map<string, SourceRef>,
  key: string,
  ref: SourceRef,
  at: SourceRef,
  what: string,
  problems: ConfigProblem[],
): boolean {
  const first = seen.get(key)
  if (!first) {
    seen.set(key, ref)
    return true
  }
  problems.push(
    problemAt(
      at,
      `${what} is declared twice: also at ${place(first)}`,
      'Declare it once: merge the two entries into one, or rename one of them.',
    ),
  )
  return false
}

/** Org names compare case-insensitively, as the plan matches them with Grafana. */
const orgName = (name: string) => name.toLowerCase()

/** The key of the org a name means: an old name in `renamedFrom` means the renamed org. */
function orgKeyFor(orgs: readonly DesiredOrg[]): (name: string) => string {
  const renamed = new Map<string, string>()
  for (const org of orgs) {
    if (org.renamedFrom !== undefined) renamed.set(orgName(org.renamedFrom), orgName(org.name))
  }
  return (name) => renamed.get(orgName(name)) ?? orgName(name)
}

function collectOrgs(files: readonly ParsedFile[], problems: ConfigProblem[]): DesiredOrg[] {
  const seen = new Map<string, SourceRef>()
  const orgs: DesiredOrg[] = []
  const renamedFromAt = new Map<DesiredOrg, SourceRef>()
  for (const file of files) {
    for (const { index, identity, value } of file.valid.orgs) {
      const path = ['orgs', index]
      const source = sourceOf(file, path)
      const at = sourceOf(file, [...path, 'name'])
      const what = `org ${quoted(identity.name)}`
      if (!claim(seen, orgName(identity.name), source, at, what, problems) || !value) continue
      const org: DesiredOrg = {
        name: value.name,
        ...(value.renamedFrom !== undefined ? { renamedFrom: value.renamedFrom } : {}),
        admins: principals(file, [...path, 'admins'], value.admins),
        editors: principals(file, [...path, 'editors'], value.editors),
        viewers: principals(file, [...path, 'viewers'], value.viewers),
        ...instanceRefs(file, path, value.instances),
        source,
      }
      orgs.push(org)
      renamedFromAt.set(org, sourceOf(file, [...path, 'renamedFrom']))
    }
  }
  checkRenames(orgs, renamedFromAt, seen, problems)
  return orgs
}

/** An old name can be renamed into one org only, and not while it is declared as an org itself. */
function checkRenames(
  orgs: readonly DesiredOrg[],
  renamedFromAt: ReadonlyMap<DesiredOrg, SourceRef>,
  declared: ReadonlyMap<string, SourceRef>,
  problems: ConfigProblem[],
): void {
  const renamedBy = new Map<string, DesiredOrg>()
  for (const org of orgs) {
    if (org.renamedFrom === undefined) continue
    const old = orgName(org.renamedFrom)
    if (old === orgName(org.name)) continue
    const at = renamedFromAt.get(org) ?? org.source
    const first = renamedBy.get(old)
    const oldName = quoted(org.renamedFrom)
    if (first) {
      problems.push(
        problemAt(
          at,
          `org ${quoted(org.name)} is renamed from ${oldName}, and so is org ${quoted(first.name)} at ${place(first.source)}`,
          'Only one org can take over an old name: remove one of the two renamedFrom.',
        ),
      )
      continue
    }
    renamedBy.set(old, org)
    const other = declared.get(old)
    if (other) {
      problems.push(
        problemAt(
          at,
          `org ${quoted(org.name)} is renamed from ${oldName}, which is also declared as an org at ${place(other)}`,
          `Remove renamedFrom to keep both orgs, or remove the org ${oldName} to rename it.`,
        ),
      )
    }
  }
}

/** Within an org, an old team name goes to one team only, and not while it is declared itself. */
function checkTeamRenames(
  teams: readonly DesiredTeam[],
  orgKey: (name: string) => string,
  renamedFromAt: (team: DesiredTeam) => SourceRef,
  problems: ConfigProblem[],
): void {
  const key = (org: string, name: string) => `${orgKey(org)}\u0000${name.toLowerCase()}`
  const declared = new Map(teams.map((t) => [key(t.org, t.name), t]))
  const renamedBy = new Map<string, DesiredTeam>()
  for (const team of teams) {
    if (
      team.renamedFrom === undefined ||
      team.renamedFrom.toLowerCase() === team.name.toLowerCase()
    )
      continue
    const old = key(team.org, team.renamedFrom)
    const oldName = JSON.stringify(team.renamedFrom)
    const first = renamedBy.get(old)
    if (first) {
      problems.push(
        problemAt(
          renamedFromAt(team),
          `team ${JSON.stringify(team.name)} is renamed from ${oldName}, and so is team ${JSON.stringify(first.name)} at ${place(first.source)}`,
          'Only one team can take over an old name: remove one of the two renamedFrom.',
        ),
      )
      continue
    }
    renamedBy.set(old, team)
    const other = declared.get(old)
    if (other) {
      problems.push(
        problemAt(
          renamedFromAt(team),
          `team ${JSON.stringify(team.name)} is renamed from ${oldName}, which is also declared as a team at ${place(other.source)}`,
          `Remove renamedFrom to keep both teams, or remove the team ${oldName} to rename it.`,
        ),
      )
    }
  }
}

function collectUsers(files: readonly ParsedFile[], problems: ConfigProblem[]): DesiredUser[] {
  const seen = new Map<string, SourceRef>()
  // Grafana keeps one account per (lower-cased) email, so two users cannot share one.
  const emails = new Map<string, SourceRef>()
  const users: DesiredUser[] = []
  for (const file of files) {
    for (const { index, identity, value } of file.valid.users) {
      const path = ['users', index]
      const source = sourceOf(file, path)
      const at = sourceOf(file, [...path, 'login'])
      const what = `user ${quoted(identity.login)}`
      const key = identity.login.toLowerCase()
      if (!claim(seen, key, source, at, what, problems) || !value) continue
      if (value.email !== undefined) {
        const emailAt = sourceOf(file, [...path, 'email'])
        const email = `email ${quoted(value.email)}`
        claim(emails, value.email.toLowerCase(), emailAt, emailAt, email, problems)
      }
      const passwordEnv = value.password?.env
      users.push({
        login: value.login,
        ...(value.email !== undefined ? { email: value.email } : {}),
        ...(value.name !== undefined ? { name: value.name } : {}),
        ...(passwordEnv !== undefined ? { passwordEnv } : {}),
        ...(value.isGrafanaAdmin !== undefined ? { isGrafanaAdmin: value.isGrafanaAdmin } : {}),
        ...(value.disabled !== undefined ? { disabled: value.disabled } : {}),
        orgRoles: Object.entries(value.orgRoles ?? {}).map(([org, role]) => ({
          org,
          role,
          source: { file: file.file, ...file.positions.key([...path, 'orgRoles', org]) },
        })),
        ...instanceRefs(file, path, value.instances),
        source,
      })
    }
  }
  return users
}

// ---------------------------------------------------------------- teams and mappings

function collectTeams(
  files: readonly ParsedFile[],
  defaultOrg: string,
  orgKey: (name: string) => string,
  problems: ConfigProblem[],
): DesiredTeam[] {
  const teamKey = (org: string, name: string) => `${orgKey(org)}\u0000${name}`
  const describe = (org: string, name: string) => `team ${quoted(name)} in org ${quoted(org)}`
  const seen = new Map<string, SourceRef>()
  const teams: DesiredTeam[] = []
  const renamedFromAt = new Map<string, SourceRef>()
  for (const file of files) {
    for (const { index, identity, value } of file.valid.teams) {
      const path = ['teams', index]
      const org = identity.org ?? defaultOrg
      const source = sourceOf(file, path)
      const at = sourceOf(file, [...path, 'name'])
      const what = describe(org, identity.name)
      if (!claim(seen, teamKey(org, identity.name), source, at, what, problems) || !value) continue
      if (value.renamedFrom !== undefined)
        renamedFromAt.set(teamKey(org, identity.name), sourceOf(file, [...path, 'renamedFrom']))
      teams.push({
        name: identity.name,
        ...(value.renamedFrom !== undefined ? { renamedFrom: value.renamedFrom } : {}),
        org,
        ...(value.email !== undefined ? { email: value.email } : {}),
        ...(value.preferences !== undefined ? { preferences: { ...value.preferences } } : {}),
        members: principals(file, [...path, 'members'], value.members),
        admins: principals(file, [...path, 'admins'], value.admins),
        ...instanceRefs(file, path, value.instances),
        source,
      })
    }
  }

  checkTeamRenames(
    teams,
    orgKey,
    (t) => renamedFromAt.get(teamKey(t.org, t.name)) ?? t.source,
    problems,
  )
  const fromMappings = new Map<string, DesiredTeam>()
  for (const file of files) {
    for (const { index, identity: mapping } of file.valid.mappings) {
      const path = ['mappings', index]
      const key = teamKey(defaultOrg, mapping.grafana_team)
      const declared = seen.get(key)
      if (declared) {
        problems.push(
          problemAt(
            sourceOf(file, [...path, 'grafana_team']),
            `${describe(defaultOrg, mapping.grafana_team)} is in \`mappings\` and also declared under \`teams\` at ${place(declared)}`,
            `Declare it once: add ${quoted(mapping.okta_group)} to that team's members.oktaGroups and remove this mapping.`,
          ),
        )
        continue
      }
      let team = fromMappings.get(key)
      if (!team) {
        team = {
          name: mapping.grafana_team,
          org: defaultOrg,
          members: { users: [], oktaGroups: [] },
          admins: { users: [], oktaGroups: [] },
          source: sourceOf(file, path),
        }
        fromMappings.set(key, team)
        teams.push(team)
      }
      if (!team.members.oktaGroups.some((g) => g.value === mapping.okta_group)) {
        team.members.oktaGroups.push({
          value: mapping.okta_group,
          source: sourceOf(file, [...path, 'okta_group']),
        })
      }
    }
  }
  return teams
}

// ---------------------------------------------------------------- instances

/** `{ instances }` when the entry names any, with where each name is written. */
function instanceRefs(
  file: ParsedFile,
  path: Path,
  names: readonly string[] | undefined,
): { instances?: InstanceRefs } {
  if (names === undefined) return {}
  const key = [...path, 'instances']
  return { instances: names.map((value, i) => ({ value, source: sourceOf(file, [...key, i]) })) }
}

/** Instance names compare case-insensitively: `Production` and `production` are one instance. */
const instanceName = (name: string) => name.toLowerCase()

function collectInstances(
  files: readonly ParsedFile[],
  problems: ConfigProblem[],
): DesiredInstance[] {
  const seen = new Map<string, SourceRef>()
  const instances: DesiredInstance[] = []
  for (const file of files) {
    for (const { index, identity, value } of file.valid.instances) {
      const path = ['instances', index]
      const source = sourceOf(file, path)
      const at = sourceOf(file, [...path, 'name'])
      const what = `instance ${quoted(identity.name)}`
      if (!claim(seen, instanceName(identity.name), source, at, what, problems) || !value) continue
      const secret = (key: 'token' | 'username' | 'password') => {
        const ref = value[key]
        return ref ? { [key]: { env: ref.env, source: sourceOf(file, [...path, key, 'env']) } } : {}
      }
      const instance: DesiredInstance = {
        name: value.name,
        url: value.url,
        ...secret('token'),
        ...secret('username'),
        ...secret('password'),
        source,
      }
      const problem = credentialProblem(instance)
      if (problem) problems.push(problemAt(at, problem.message, problem.hint))
      instances.push(instance)
    }
  }
  return instances
}

function credentialProblem(i: DesiredInstance): { message: string; hint: string } | undefined {
  const name = quoted(i.name)
  if (!i.token && !i.username && !i.password) {
    return {
      message: `instance ${name} has no credentials`,
      hint: 'Add `token: { env: NAME }` for a service-account token, or `username: { env: NAME }` and `password: { env: NAME }` for basic auth of a server admin.',
    }
  }
  if (Boolean(i.username) !== Boolean(i.password)) {
    const [given, missing] = i.username ? ['username', 'password'] : ['password', 'username']
    return {
      message: `instance ${name} has a ${given} but no ${missing}`,
      hint: `Basic auth needs both: add \`${missing}: { env: NAME }\`, or remove the ${given} and use a token.`,
    }
  }
  return undefined
}

/** Every instance an org, team or user names is declared; none is named without `instances:`. */
function checkInstanceRefs(
  instances: readonly DesiredInstance[],
  entries: readonly { instances?: InstanceRefs }[],
  problems: ConfigProblem[],
): void {
  const known = new Set(instances.map((i) => instanceName(i.name)))
  const names = instances.map((i) => quoted(i.name)).join(', ')
  for (const entry of entries) {
    for (const ref of entry.instances ?? []) {
      if (known.has(instanceName(ref.value))) continue
      problems.push(
        problemAt(
          ref.source,
          instances.length === 0
            ? `instance ${quoted(ref.value)} is named, but no \`instances:\` are declared`
            : `instance ${quoted(ref.value)} is not declared under \`instances:\``,
          instances.length === 0
            ? 'Declare the Grafana instances under a top-level `instances:`, or remove this `instances:` list to manage it on the one Grafana of the run.'
            : `Name one of the declared instances (${names}), or declare it under \`instances:\`.`,
        ),
      )
    }
  }
}
