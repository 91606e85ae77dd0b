// Observed Grafana (and Okta) → the YAML documents that describe it, so that a plan of them is empty.
// Pure: no I/O; the documents are built with the `yaml` Document API, never by pasting strings.
import { Document, isScalar, type YAMLMap } from 'yaml'
import { isEmail, isTimezone, preferencesSchema } from '../config/schema.ts'
import type {
  GrafanaUser,
  Identity,
  ObservedOrg,
  ObservedTeam,
  Observed,
  OrgRole,
  TeamPreferences,
} from '../model.ts'
import { lower, People } from '../plan/people.ts'
import { viewGroups } from '../plan/okta.ts'
import { slug, UniqueNames } from './names.ts'

export const SCHEMA_URL =
  'https://raw.githubusercontent.com/grafana-team-sync/grafana-team-sync/v1/schema/config.schema.json'

/** The Okta statuses that count as members; written to settings when Okta groups are compared. */
export const MEMBER_STATUSES = ['ACTIVE', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'RECOVERY']

export interface ExportOptions {
  /** Where the state was read, without credentials. */
  url: string
  at: Date
  /** Compare each team with the Okta group of its name (read into `observed.oktaGroups`). */
  oktaGroups: boolean
}

/** Something live that the files do not hold, and why. */
export interface Skipped {
  org: string
  team?: string
  /** The person or field, e.g. `bob@acme.example` or `email`. */
  what: string
  why: string
}

export interface ExportFile {
  /** Relative to the export folder, `/`-separated. */
  path: string
  document: Document
}

export interface ExportResult {
  files: ExportFile[]
  skipped: Skipped[]
  identity: Identity
  orgs: number
  teams: number
  /** Teams written as their Okta group, and teams whose group of the same name differs. */
  okta: { matched: string[]; differing: string[] }
}

/** `${` is the loader's variable syntax; `$${` is its literal form. */
export function literal(text: string): string {
  return text.replaceAll('${', () => '$${')
}

const ROLE_KEYS: [OrgRole, 'admins' | 'editors' | 'viewers'][] = [
  ['Admin', 'admins'],
  ['Editor', 'editors'],
  ['Viewer', 'viewers'],
]

const MAX_LISTED = 10

interface Context {
  observed: Observed
  options: ExportOptions
  identity: Identity
  people: People
  skipped: Skipped[]
  /** Skipped members that prune.teamMembers would remove: pruning is then turned off. */
  unprunable: string[]
  header: string
  /** How the sync's own user is written (basic auth): it goes to protectedUsers. */
  self?: string
  /** Per user id, the value written for it (undefined: none names it alone). */
  values: Map<number, string | undefined>
  /** Per org id, its users' ids. */
  orgUsers: Map<number, Set<number>>
}

/** Builds every file: settings.yaml, then per org `<org>/orgs.yaml` and `<org>/<team>.yaml`. */
export function buildExport(observed: Observed, options: ExportOptions): ExportResult {
  const identity = chooseIdentity(observed)
  const ctx: Context = {
    observed,
    options,
    identity,
    people: new People(observed.users, identity),
    skipped: [],
    unprunable: [],
    values: new Map(),
    orgUsers: new Map(),
    header: ` Exported from ${options.url} at ${options.at.toISOString()} by grafana-team-sync export.`,
  }
  const { caller } = observed
  if (caller.auth === 'basic' && caller.userId !== undefined) ctx.self = valueOf(ctx, caller.userId)
  const files: ExportFile[] = []
  const okta = { matched: [] as string[], differing: [] as string[] }
  const folders = new UniqueNames()
  let teams = 0
  const orgs = distinctOrgs(ctx)
  for (const org of orgs) {
    const folder = folders.take(slug(org.name, `org-${org.id}`))
    if (writesOrgRoles(ctx)) files.push(orgFile(ctx, org, folder))
    const names = new UniqueNames(['orgs'])
    for (const team of exportedTeams(ctx, org)) {
      const file = names.take(slug(team.name, `team-${team.id}`))
      files.push(teamFile(ctx, org, team, `${folder}/${file}.yaml`, okta))
      teams++
    }
  }
  files.unshift(settingsFile(ctx, orgs))
  return { files, skipped: ctx.skipped, identity, orgs: orgs.length, teams, okta }
}

/** Roles are managed through server-admin routes: a token or a plain user gets teams only. */
function writesOrgRoles(ctx: Context): boolean {
  const { caller } = ctx.observed
  return caller.auth === 'basic' && caller.isServerAdmin
}

/** Org names compare case-insensitively in the config: of two case variants, the older is kept. */
function distinctOrgs(ctx: Context): ObservedOrg[] {
  const seen = new Map<string, ObservedOrg>()
  const kept: ObservedOrg[] = []
  for (const org of [...ctx.observed.orgs].sort((a, b) => a.id - b.id)) {
    const first = seen.get(lower(org.name))
    if (!/\S/.test(org.name) || first) {
      const why = first
        ? `its name differs from org "${first.name}" (id ${first.id}) only in case, and the config compares org names case-insensitively: rename one in Grafana`
        : 'its name is blank, which the config cannot name: rename it in Grafana'
      ctx.skipped.push({ org: org.name, what: `org (id ${org.id})`, why })
      continue
    }
    seen.set(lower(org.name), org)
    kept.push(org)
  }
  return kept
}

// ---------------------------------------------------------------- people

function candidates(user: GrafanaUser, identity: Identity): string[] {
  return identity === 'email' ? [user.email, user.login] : [user.login, user.email]
}

/** The value to write for a user: one the config accepts and the plan resolves to that same user. */
function personValue(people: People, user: GrafanaUser): string | undefined {
  for (const value of candidates(user, people.identity)) {
    const v = lower(value)
    if (!v || (v.includes('@') && !isEmail(v))) continue
    if (people.findUser(v)?.id === user.id) return v
  }
  return undefined
}

/** Every account the files would name: by email unless logins name more of them. */
function chooseIdentity(observed: Observed): Identity {
  const byId = new Map(observed.users.map((u) => [u.id, u]))
  const named = new Map<number, GrafanaUser>()
  const name = (m: { userId: number; login: string; email: string }) => {
    if (named.has(m.userId)) return
    named.set(
      m.userId,
      byId.get(m.userId) ?? { id: m.userId, login: m.login, email: m.email, name: '' },
    )
  }
  for (const org of observed.orgs) {
    for (const u of org.users) name(u)
    for (const team of org.teams) for (const m of team.members ?? []) name(m)
  }
  const missed = (identity: Identity) => {
    const people = new People(observed.users, identity)
    let n = 0
    for (const user of named.values()) if (personValue(people, user) === undefined) n++
    return n
  }
  return missed('login') < missed('email') ? 'login' : 'email'
}

/** The value written for an account, worked out once per account. */
function valueOf(ctx: Context, userId: number): string | undefined {
  if (ctx.values.has(userId)) return ctx.values.get(userId)
  const user = ctx.people.byId(userId)
  const value = user ? personValue(ctx.people, user) : undefined
  ctx.values.set(userId, value)
  return value
}

function describeUser(m: { login: string; email: string }): string {
  return m.email && m.email !== m.login ? `${m.login} <${m.email}>` : m.login
}

// ---------------------------------------------------------------- orgs

function orgFile(ctx: Context, org: ObservedOrg, folder: string): ExportFile {
  const lists: Record<'admins' | 'editors' | 'viewers', string[]> = {
    admins: [],
    editors: [],
    viewers: [],
  }
  const notes: string[] = []
  const skip = (what: string, why: string) => {
    ctx.skipped.push({ org: org.name, what, why })
    notes.push(`${what}: ${why}`)
  }
  for (const member of [...org.users].sort((a, b) => a.userId - b.userId)) {
    const who = describeUser(member)
    if (member.role === 'None') {
      skip(who, 'org role None, which the config cannot express (left as it is)')
      continue
    }
    const value = valueOf(ctx, member.userId)
    if (value === undefined) {
      skip(who, `no ${ctx.identity} that names this account alone (left as it is)`)
      continue
    }
    lists[ROLE_KEYS.find(([role]) => role === member.role)![1]].push(value)
  }
  const entry: Record<string, unknown> = { name: literal(org.name) }
  for (const [, key] of ROLE_KEYS) {
    const values = lists[key].sort()
    if (values.length > 0) entry[key] = { users: values.map(literal) }
  }
  const document = new Document()
  const node = document.createNode(entry) as YAMLMap
  if (notes.length > 0) node.commentBefore = notLines(notes)
  document.contents = document.createNode({ orgs: [node] })
  document.commentBefore = [
    schemaLine(),
    ctx.header,
    ` Org "${org.name}" (id ${org.id}) and its org roles. Users not listed keep their role (prune.orgUsers is off).`,
  ].join('\n')
  return { path: `${folder}/orgs.yaml`, document }
}

function schemaLine(): string {
  return ` yaml-language-server: $schema=${SCHEMA_URL}`
}

function notLines(notes: string[]): string {
  return notes.map((n) => ` not exported: ${n}`).join('\n')
}

// ---------------------------------------------------------------- teams

/** The org's teams that can be written; the others are listed as skipped. */
function exportedTeams(ctx: Context, org: ObservedOrg): ObservedTeam[] {
  const { caller } = ctx.observed
  const role = org.users.find((u) => u.userId === caller.userId)?.role
  const standing = role === undefined ? 'no member' : `${role}`
  if (org.teamsUnread) {
    ctx.skipped.push({
      org: org.name,
      what: 'teams',
      why: `not readable: the sync's user is ${standing} of the org, and Grafana shows an org's teams only to its Admins; make it an Admin of "${org.name}" and export again`,
    })
    return []
  }
  // A server admin that is no Admin of an org would be made one by the first plan.
  if (writesOrgRoles(ctx) && role !== 'Admin' && org.teams.length > 0) {
    ctx.skipped.push({
      org: org.name,
      what: `${org.teams.length} team(s)`,
      why: `the sync's user is ${standing} of the org, and a plan managing its teams would first make it an Admin: make it an Admin of "${org.name}" and export again`,
    })
    return []
  }
  const teams: ObservedTeam[] = []
  for (const team of [...org.teams].sort((a, b) => compare(a.name, b.name) || a.id - b.id)) {
    if (/\S/.test(team.name)) teams.push(team)
    else
      ctx.skipped.push({
        org: org.name,
        team: team.name,
        what: `team (id ${team.id})`,
        why: 'its name is blank, which the config cannot name: rename it in Grafana',
      })
  }
  return teams
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

interface TeamPeople {
  members: Map<number, string>
  admins: Map<number, string>
  notes: string[]
}

/** The members the files can hold, by user id, and notes on those they cannot. */
function teamPeople(ctx: Context, org: ObservedOrg, team: ObservedTeam): TeamPeople {
  const { caller } = ctx.observed
  let inOrg = ctx.orgUsers.get(org.id)
  if (!inOrg) ctx.orgUsers.set(org.id, (inOrg = new Set(org.users.map((u) => u.userId))))
  const result: TeamPeople = { members: new Map(), admins: new Map(), notes: [] }
  const skip = (who: string, why: string, removable: boolean) => {
    ctx.skipped.push({ org: org.name, team: team.name, what: who, why })
    result.notes.push(`${who}: ${why}`)
    if (removable) ctx.unprunable.push(`${org.name} / ${team.name}: ${who}`)
  }
  for (const m of team.members ?? []) {
    const who = describeUser(m)
    if (m.labels.length > 0) {
      skip(who, `synced by Grafana itself (labels: ${m.labels.join(', ')}); never removed`, false)
      continue
    }
    if (caller.auth === 'basic' && m.userId === caller.userId && m.permission === 'Admin') {
      skip(
        who,
        "the sync's own user as team Admin, the membership Grafana gives a team's creator; kept, as a protected user",
        ctx.self === undefined,
      )
      continue
    }
    if (!inOrg.has(m.userId)) {
      skip(
        who,
        'not a member of the org, only of the team (the plan would add them to the org)',
        true,
      )
      continue
    }
    const value = valueOf(ctx, m.userId)
    if (value === undefined) {
      skip(who, `no ${ctx.identity} that names this account alone`, true)
      continue
    }
    ;(m.permission === 'Admin' ? result.admins : result.members).set(m.userId, value)
  }
  return result
}

function teamFile(
  ctx: Context,
  org: ObservedOrg,
  team: ObservedTeam,
  path: string,
  okta: ExportResult['okta'],
): ExportFile {
  const people = teamPeople(ctx, org, team)
  const entry: Record<string, unknown> = { name: literal(team.name), org: literal(org.name) }
  if (team.email) {
    if (isEmail(team.email)) entry.email = literal(team.email)
    else skipField(ctx, org, team, people, 'email', `"${team.email}" is not a valid email address`)
  }
  const preferences = exportedPreferences(ctx, org, team, people)
  if (preferences) entry.preferences = preferences
  const group = ctx.options.oktaGroups ? compareGroup(ctx, team, people) : undefined
  const members = group?.equal ? [] : [...people.members.values()].sort()
  const admins = [...people.admins.values()].sort()
  if (group?.equal) entry.members = { oktaGroups: [literal(team.name)] }
  else if (members.length > 0) entry.members = { users: members.map(literal) }
  if (admins.length > 0) entry.admins = { users: admins.map(literal) }

  const document = new Document()
  const node = document.createNode(entry) as YAMLMap
  if (people.notes.length > 0) node.commentBefore = notLines(people.notes)
  if (group && !group.equal) {
    okta.differing.push(`${org.name} / ${team.name}`)
    const key = node.items.find((p) => isScalar(p.key) && p.key.value === 'members')?.key
    const comment = ` Okta group "${team.name}" differs: ${group.difference}`
    if (isScalar(key)) key.commentBefore = comment
    else node.comment = comment
  }
  if (group?.equal) okta.matched.push(`${org.name} / ${team.name}`)
  document.contents = document.createNode({ teams: [node] })
  document.commentBefore = [schemaLine(), ctx.header].join('\n')
  return { path, document }
}

function skipField(
  ctx: Context,
  org: ObservedOrg,
  team: ObservedTeam,
  people: TeamPeople,
  what: string,
  why: string,
): void {
  const full = `${why}; left unmanaged`
  ctx.skipped.push({ org: org.name, team: team.name, what, why: full })
  people.notes.push(`${what}: ${full}`)
}

const PREFERENCE_KEYS = ['theme', 'timezone', 'weekStart', 'homeDashboardUid'] as const

/** Set preferences the config can express; absent keys stay unmanaged. */
function exportedPreferences(
  ctx: Context,
  org: ObservedOrg,
  team: ObservedTeam,
  people: TeamPeople,
): TeamPreferences | undefined {
  const out: Record<string, string> = {}
  for (const key of PREFERENCE_KEYS) {
    const value = team.preferences?.[key]
    if (value === undefined || value === '') continue
    const valid =
      key === 'timezone' ? isTimezone(value) : preferencesSchema.shape[key].safeParse(value).success
    if (valid) out[key] = literal(value)
    else skipField(ctx, org, team, people, `preferences.${key}`, `"${value}" is not accepted`)
  }
  return Object.keys(out).length > 0 ? out : undefined
}

// ---------------------------------------------------------------- Okta

/** Whether the Okta group named like the team holds exactly the team's members, and if not, how not. */
function compareGroup(
  ctx: Context,
  team: ObservedTeam,
  people: TeamPeople,
): { equal: true } | { equal: false; difference: string } | undefined {
  // `id:…` is how the config names a group by id: a team so named cannot name its group by name.
  if (/^id:/i.test(team.name)) return undefined
  const read = ctx.observed.oktaGroups[team.name]
  if (!read?.ok) return undefined
  const view = viewGroups({ [team.name]: read }, MEMBER_STATUSES).get(team.name)!
  const inGroup = new Map<string, string>()
  if (view.state === 'ok') {
    for (const member of view.members) {
      if (!view.accepts(member)) continue
      const person = ctx.people.fromOkta(member)
      if (!person) continue
      inGroup.set(person.user ? `u:${person.user.id}` : person.key, person.identity)
    }
  }
  const inTeam = new Map<string, string>()
  for (const [id, value] of [...people.members, ...people.admins]) inTeam.set(`u:${id}`, value)
  const onlyOkta = [...inGroup].filter(([k]) => !inTeam.has(k)).map(([, v]) => v)
  const onlyGrafana = [...inTeam].filter(([k]) => !inGroup.has(k)).map(([, v]) => v)
  if (inTeam.size > 0 && onlyOkta.length === 0 && onlyGrafana.length === 0) return { equal: true }
  const parts = [
    ...(onlyOkta.length ? [`only in Okta: ${listed(onlyOkta)}`] : []),
    ...(onlyGrafana.length ? [`only in Grafana: ${listed(onlyGrafana)}`] : []),
  ]
  return { equal: false, difference: parts.join('; ') || 'both are empty' }
}

function listed(values: string[]): string {
  const sorted = [...values].sort()
  const shown = sorted.slice(0, MAX_LISTED).join(', ')
  return sorted.length > MAX_LISTED ? `${shown} and ${sorted.length - MAX_LISTED} more` : shown
}

// ---------------------------------------------------------------- settings

function settingsFile(ctx: Context, orgs: ObservedOrg[]): ExportFile {
  const { caller } = ctx.observed
  const defaultOrg = orgs.find((o) => o.id === caller.orgId) ?? orgs[0]
  const protectedUsers = ['admin']
  if (ctx.self && !protectedUsers.includes(ctx.self)) protectedUsers.push(ctx.self)
  const prune = { teamMembers: ctx.unprunable.length === 0, teams: false, orgUsers: false }
  const settings: Record<string, unknown> = {
    ...(defaultOrg ? { defaultOrg: literal(defaultOrg.name) } : {}),
    identity: ctx.identity,
    prune,
    safety: { protectedUsers: protectedUsers.map(literal) },
    ...(ctx.options.oktaGroups ? { okta: { memberStatuses: MEMBER_STATUSES } } : {}),
  }
  const document = new Document()
  const node = document.createNode(settings) as YAMLMap
  document.contents = document.createNode({ settings: node })
  const pruneKey = node.items.find((p) => isScalar(p.key) && p.key.value === 'prune')?.key
  if (isScalar(pruneKey)) {
    pruneKey.commentBefore = ctx.unprunable.length
      ? [
          ' teamMembers is off: these team members cannot be written, and pruning would remove them.',
          ' Fix them in Grafana (or add them here), then turn it on:',
          ...ctx.unprunable.slice(0, MAX_LISTED).map((u) => `   ${u}`),
          ...(ctx.unprunable.length > MAX_LISTED
            ? [`   and ${ctx.unprunable.length - MAX_LISTED} more`]
            : []),
        ].join('\n')
      : ' Undeclared teams and org users are left alone; members of declared teams are managed.'
  }
  document.commentBefore = [
    schemaLine(),
    ctx.header,
    ' Run-wide settings chosen so that the first plan is empty.',
    ...(ctx.self
      ? [
          ` The sync's own user (${ctx.self}) is protected: the team Admin membership Grafana gives`,
          " a team's creator is not exported and never removed.",
        ]
      : []),
    ' Service accounts are not exported: Grafana lists them neither as org users nor as team members.',
  ].join('\n')
  return { path: 'settings.yaml', document }
}

/** The text of a file as written. */
export function renderFile(file: ExportFile): string {
  return file.document.toString({ lineWidth: 0 })
}
