// What a plan says, independent of the output format: counts, groups, one line per change.
// Strings here are raw (unescaped); each renderer escapes for its own medium.

import {
  APPLY_ORDER,
  compareText,
  type ApplyResult,
  type Change,
  type ChangeKind,
  type ChangeResult,
  type ChangeStatus,
  type Plan,
  type Provenance,
  type TeamPreferences,
  type UserRef,
} from '../model.ts'
import { clean } from './escape.ts'

export interface ReportInput {
  mode: 'plan' | 'apply'
  configPath: string
  plan: Plan
  result?: ApplyResult
  /** Hidden HTML comment the action finds its sticky comment by; emitted verbatim first. */
  marker?: string
  /** The commit whose config was planned (a pull request's head), named under the title. */
  commit?: string
  /** The Grafana instance of `instances:` this report is about, named in its title. */
  instance?: string
}

export type Effect = 'add' | 'change' | 'remove'
export type Sign = '+' | '~' | '-'

export const EFFECT: Record<ChangeKind, Effect> = {
  'create-org': 'add',
  'rename-org': 'change',
  'create-user': 'add',
  'update-user': 'change',
  'add-org-user': 'add',
  'set-org-role': 'change',
  'create-team': 'add',
  'rename-team': 'change',
  'update-team': 'change',
  'set-team-preferences': 'change',
  'add-team-member': 'add',
  'set-team-permission': 'change',
  'remove-team-member': 'remove',
  'remove-org-user': 'remove',
  'delete-team': 'remove',
}

const SIGN: Record<Effect, Sign> = { add: '+', change: '~', remove: '-' }

export const KIND_LABEL: Record<ChangeKind, string> = {
  'create-org': 'create org',
  'rename-org': 'rename org',
  'create-user': 'create user',
  'update-user': 'update user',
  'add-org-user': 'add org user',
  'set-org-role': 'change org role',
  'create-team': 'create team',
  'rename-team': 'rename team',
  'update-team': 'update team',
  'set-team-preferences': 'set team preferences',
  'add-team-member': 'add team member',
  'set-team-permission': 'change team permission',
  'remove-team-member': 'remove team member',
  'remove-org-user': 'remove org user',
  'delete-team': 'delete team',
}

export interface Tally {
  add: number
  change: number
  remove: number
}

export function tally(changes: readonly Change[]): Tally {
  const t: Tally = { add: 0, change: 0, remove: 0 }
  for (const change of changes) t[EFFECT[change.kind]] += 1
  return t
}

/** `12 to add, 3 to change, 2 to remove`; with `compact`, zero counts are left out. */
export function tallyText(t: Tally, compact = false): string {
  const parts: [number, string][] = [
    [t.add, 'to add'],
    [t.change, 'to change'],
    [t.remove, 'to remove'],
  ]
  return parts
    .filter(([n]) => !compact || n > 0)
    .map(([n, what]) => `${n} ${what}`)
    .join(', ')
}

export function kindCounts(changes: readonly Change[]): [ChangeKind, number][] {
  const counts = new Map<ChangeKind, number>()
  for (const change of changes) counts.set(change.kind, (counts.get(change.kind) ?? 0) + 1)
  return APPLY_ORDER.filter((kind) => counts.has(kind)).map((kind) => [kind, counts.get(kind) ?? 0])
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

// ---------------------------------------------------------------- grouping

/** Server-wide users (no org), an org's own changes (no team), or one team. */
export interface Group {
  org?: string
  team?: string
  changes: Change[]
}

function groupKeyOf(change: Change): { org?: string; team?: string } {
  switch (change.kind) {
    case 'create-user':
    case 'update-user':
      return {}
    case 'create-org':
    case 'rename-org':
    case 'add-org-user':
    case 'set-org-role':
    case 'remove-org-user':
      return { org: change.org }
    default:
      return { org: change.org, team: change.team }
  }
}

/** The person, team or org a change is about, for ordering. */
function subjectOf(change: Change): string {
  switch (change.kind) {
    case 'create-org':
    case 'rename-org':
      return change.org
    case 'create-team':
    case 'rename-team':
    case 'update-team':
    case 'delete-team':
    case 'set-team-preferences':
      return change.team
    default:
      return who(change.user)
  }
}

const KIND_RANK = new Map<ChangeKind, number>(APPLY_ORDER.map((kind, i) => [kind, i]))

function compareChanges(a: Change, b: Change): number {
  return (
    (KIND_RANK.get(a.kind) ?? 0) - (KIND_RANK.get(b.kind) ?? 0) ||
    compareText(subjectOf(a), subjectOf(b)) ||
    compareText(a.id, b.id)
  )
}

/** Users first, then orgs by name, each org's own changes before its teams; deterministic. */
export function groupChanges(changes: readonly Change[]): Group[] {
  const groups = new Map<string, Group>()
  for (const change of changes) {
    const { org, team } = groupKeyOf(change)
    const key = JSON.stringify([org ?? null, team ?? null])
    let group = groups.get(key)
    if (!group) {
      group = { changes: [] }
      if (org !== undefined) group.org = org
      if (team !== undefined) group.team = team
      groups.set(key, group)
    }
    group.changes.push(change)
  }
  const rank = (g: Group) => (g.org === undefined ? 0 : g.team === undefined ? 1 : 2)
  return [...groups.values()]
    .map((g) => ({ ...g, changes: [...g.changes].sort(compareChanges) }))
    .sort(
      (a, b) =>
        compareText(a.org ?? '', b.org ?? '') ||
        rank(a) - rank(b) ||
        compareText(a.team ?? '', b.team ?? ''),
    )
}

// ---------------------------------------------------------------- one change

export function who(user: UserRef): string {
  return user.email || user.login
}

export function provenanceText(provenance: Provenance | undefined): string {
  if (!provenance) return ''
  if (provenance.notDeclared && provenance.was) {
    const was = sourcesText(provenance.was, 'okta ')
    return `no longer in any declared source${was ? ` (was: ${was})` : ''}`
  }
  if (provenance.notDeclared) return 'not declared'
  return sourcesText(provenance, 'okta: ')
}

function sourcesText(sources: Pick<Provenance, 'oktaGroups' | 'yaml'>, okta: string): string {
  const parts: string[] = []
  if (sources.oktaGroups.length) parts.push(`${okta}${sources.oktaGroups.join(', ')}`)
  if (sources.yaml.length)
    parts.push(sources.yaml.map((ref) => `${ref.file}:${ref.line}`).join(', '))
  return parts.join('; ')
}

function show(value: string | boolean | undefined): string {
  if (value === undefined) return '(unset)'
  if (value === '') return '""'
  return String(value)
}

type Fields = Record<string, string | boolean | undefined>

/** `key: from → to` for each key whose value differs, in key order. */
function fieldChanges(from: Fields, to: Fields): string[] {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort(compareText)
  return keys
    .filter((key) => from[key] !== to[key])
    .map((key) => `${key}: ${show(from[key])} → ${show(to[key])}`)
}

function preferenceChanges(from: TeamPreferences, to: TeamPreferences): string[] {
  return fieldChanges(from as Fields, to as Fields)
}

function adminSuffix(permission: string): string {
  return permission === 'Admin' ? ' (Admin)' : ''
}

function userTraits(change: Extract<Change, { kind: 'create-user' }>): string {
  const traits = [change.user.email, change.name ? `"${change.name}"` : '']
  if (change.isGrafanaAdmin) traits.push('Grafana admin')
  if (change.disabled) traits.push('disabled')
  const shown = traits.filter(Boolean)
  return shown.length ? ` (${shown.join(', ')})` : ''
}

/** One diff line of a change inside its group; the group already names the org and team. */
export interface Item {
  sign: Sign
  text: string
  provenance: string
}

export function groupItems(change: Change): Item[] {
  const sign = SIGN[EFFECT[change.kind]]
  const item = (text: string, provenance = ''): Item => ({
    sign,
    text: clean(text),
    provenance: clean(provenance),
  })
  switch (change.kind) {
    case 'create-org':
      return [item(`create org ${change.org}`)]
    case 'rename-org':
      return [item(`rename org ${change.from} → ${change.org}`)]
    case 'create-user':
      return [
        item(
          `create user ${change.user.login}${userTraits(change)}, ${passwordText(change.passwordEnv)}`,
        ),
      ]
    case 'update-user':
      return fieldChanges(change.from, change.to).map((field) =>
        item(`${change.user.login} ${field}`),
      )
    case 'add-org-user':
      return [item(`${who(change.user)} (${change.role})`, provenanceText(change.provenance))]
    case 'set-org-role':
      return [
        item(
          `${who(change.user)} ${change.from} → ${change.to}`,
          provenanceText(change.provenance),
        ),
      ]
    case 'remove-org-user':
      return [
        item(
          `${who(change.user)}${change.role === 'None' ? '' : ` (${change.role})`}`,
          provenanceText(change.provenance),
        ),
      ]
    case 'create-team':
      return [
        item(
          `create team ${change.team}${change.email ? ` (${change.email})` : ''}`,
          `${change.source.file}:${change.source.line}`,
        ),
      ]
    case 'rename-team':
      return [item(`rename team ${change.from} → ${change.team} (same id ${change.teamId})`)]
    case 'update-team':
      return fieldChanges(change.from, change.to).map((field) => item(field))
    case 'delete-team':
      return [
        item(
          `delete team ${change.team} (${plural(change.memberCount, 'member')})`,
          'not declared',
        ),
      ]
    case 'set-team-preferences':
      return preferenceChanges(change.from, change.to).map((field) => item(field))
    case 'add-team-member':
      return [
        item(
          `${who(change.user)}${adminSuffix(change.permission)}`,
          provenanceText(change.provenance),
        ),
      ]
    case 'set-team-permission':
      return [
        item(
          `${who(change.user)} ${change.from} → ${change.to}`,
          provenanceText(change.provenance),
        ),
      ]
    case 'remove-team-member':
      return [
        item(
          `${who(change.user)}${adminSuffix(change.permission)}`,
          provenanceText(change.provenance),
        ),
      ]
  }
}

/** What a change does, with its full scope, as one line without sign or provenance. */
export function changeSummary(change: Change): string {
  const teamPath = 'team' in change ? `${change.org}/${change.team}` : ''
  switch (change.kind) {
    case 'create-org':
      return clean(`create org ${change.org}`)
    case 'rename-org':
      return clean(`rename org ${change.from} → ${change.org}`)
    case 'create-user':
      return clean(
        `create user ${change.user.login}${userTraits(change)} with ${passwordText(change.passwordEnv)}`,
      )
    case 'update-user':
      return clean(
        `update user ${change.user.login}: ${fieldChanges(change.from, change.to).join(', ')}`,
      )
    case 'add-org-user':
      return clean(`add ${who(change.user)} to org ${change.org} as ${change.role}`)
    case 'set-org-role':
      return clean(
        `change org role of ${who(change.user)} in ${change.org}: ${change.from} → ${change.to}`,
      )
    case 'remove-org-user':
      return clean(
        `remove ${who(change.user)} from org ${change.org}${change.role === 'None' ? '' : ` (${change.role})`}`,
      )
    case 'create-team':
      return clean(`create team ${teamPath}${change.email ? ` (email ${change.email})` : ''}`)
    case 'rename-team':
      return clean(`rename team ${change.org}/${change.from} → ${change.team}`)
    case 'update-team':
      return clean(`update team ${teamPath}: ${fieldChanges(change.from, change.to).join(', ')}`)
    case 'delete-team':
      return clean(`delete team ${teamPath} (${plural(change.memberCount, 'member')})`)
    case 'set-team-preferences':
      return clean(
        `set preferences of ${teamPath}: ${preferenceChanges(change.from, change.to).join(', ')}`,
      )
    case 'add-team-member':
      return clean(`add member ${who(change.user)} to ${teamPath}${adminSuffix(change.permission)}`)
    case 'set-team-permission':
      return clean(
        `change permission of ${who(change.user)} in ${teamPath}: ${change.from} → ${change.to}`,
      )
    case 'remove-team-member':
      return clean(
        `remove member ${who(change.user)} from ${teamPath}${adminSuffix(change.permission)}`,
      )
  }
}

function provenanceOfChange(change: Change): string {
  if (change.kind === 'create-team') return `${change.source.file}:${change.source.line}`
  if (change.kind === 'delete-team') return 'not declared'
  return 'provenance' in change ? provenanceText(change.provenance) : ''
}

/** One plain-text line for logs: `+ add member ana@acme.example to Main Org./Platform (Admin)  [okta: Platform-Leads]`. */
export function changeLine(change: Change): string {
  const why = clean(provenanceOfChange(change))
  return `${SIGN[EFFECT[change.kind]]} ${changeSummary(change)}${why ? `  [${why}]` : ''}`
}

// ---------------------------------------------------------------- apply results

export const STATUS_LABEL: Record<ChangeStatus, string> = {
  applied: 'applied',
  'already-done': 'already done',
  failed: 'failed',
  skipped: 'skipped',
}

export function resultsById(result: ApplyResult | undefined): Map<string, ChangeResult> {
  return new Map((result?.results ?? []).map((r) => [r.id, r]))
}

export function statusCounts(result: ApplyResult): Record<ChangeStatus, number> {
  const counts: Record<ChangeStatus, number> = {
    applied: 0,
    'already-done': 0,
    failed: 0,
    skipped: 0,
  }
  for (const r of result.results) counts[r.status] += 1
  return counts
}

/** `10 applied, 1 already done, 2 failed, 3 skipped`. */
export function statusText(result: ApplyResult): string {
  const counts = statusCounts(result)
  return (Object.keys(STATUS_LABEL) as ChangeStatus[])
    .map((status) => `${counts[status]} ${STATUS_LABEL[status]}`)
    .join(', ')
}

/** Marks changes that did not simply apply; applied ones need no mark. */
export function statusMark(result: ChangeResult | undefined): string {
  if (!result || result.status === 'applied') return ''
  return `  [${STATUS_LABEL[result.status]}]`
}

export function guardScope(scope: string): string {
  return scope === 'run' ? 'the whole run' : scope
}

/**
 * What a blocked apply wrote: nothing, or only the sync's user joining orgs, which has to happen
 * before the guards can see those orgs' teams.
 */
export function writtenBeforeBlock(result: ApplyResult): string {
  if (!result.applied) return 'nothing was written'
  const joins = result.applied === 1 ? '1 org join' : `${result.applied} org joins`
  return `only the sync's user joining orgs was written (${joins})`
}

/** `missingUsers: create` names no variable: apply makes a random password (they sign in with SSO). */
function passwordText(passwordEnv: string): string {
  return passwordEnv
    ? `password from env ${passwordEnv}`
    : 'a random password (signs in through SSO)'
}

/** How many changes ran before a cancelled apply stopped, of how many planned. */
export function cancelledText(result: ApplyResult, planned: number): string {
  const counts = statusCounts(result)
  const ran = counts.applied + counts['already-done'] + counts.failed
  const left = planned - ran
  const failed = counts.failed ? `, ${counts.failed} failed` : ''
  return `Cancelled after ${ran} of ${plural(planned, 'change')} (${counts.applied + counts['already-done']} applied${failed}); ${left} not started. A re-run plans and applies what is left`
}

/**
 * The headline of a plan without changes: "no changes" only when every part was read and nothing
 * was held back; otherwise what is missing.
 */
export function noChangesText(plan: Plan): string {
  const problems: string[] = []
  if (plan.errors.length)
    problems.push(`${plural(plan.errors.length, 'error')}: parts could not be read`)
  const held = plan.heldBack.reduce((n, h) => n + h.removals, 0)
  if (plan.heldBack.length)
    problems.push(
      `${plural(held, 'removal')} held back in ${plural(plan.heldBack.length, 'place')}`,
    )
  if (!problems.length) return 'No changes. Grafana matches the config.'
  return `No changes planned, but ${problems.join(', and ')}; see below.`
}
