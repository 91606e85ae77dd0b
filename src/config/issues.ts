// zod issues → problems a person can act on: where (key or value), what is wrong, how to fix it.
import type { z } from 'zod'
import { configFileSchema, VALUE } from './schema.ts'
import { inCode, quoted } from './excerpt.ts'
import { pathKey, type Path } from './positions.ts'

export interface PathProblem {
  path: Path
  /** Point at the key that names `path` (unknown keys) or at its value (wrong values). */
  at: 'key' | 'value'
  message: string
  hint?: string
}

type Issue = z.core.$ZodIssue
type Schema = z.core.$ZodType

const LIMIT_FIELDS = new Set(['maxRemovals', 'maxRemovalsPerTeam'])

const FIELD_HINTS: Record<string, string> = {
  name: 'Write a name, or remove the entry.',
  login: 'Write the Grafana login of the account.',
  org: 'Write the org name, or remove the key to use settings.defaultOrg.',
  defaultOrg: 'Write the name of an org, e.g. Main Org.',
  renamedFrom: 'Write the current name of the org or team to rename, or remove the key.',
  grafana_team: 'Write the name of the Grafana team.',
  email: 'Write a full address such as ana@acme.example.',
  users: 'A person is an email address such as ana@acme.example or a Grafana login.',
  protectedUsers: 'A person is an email address such as ana@acme.example or a Grafana login.',
  oktaGroups: 'An Okta group is its exact name, or `id:` and its id, e.g. id:00g1a2b3c4D5e6F7g8h9.',
  okta_group: 'An Okta group is its exact name, or `id:` and its id, e.g. id:00g1a2b3c4D5e6F7g8h9.',
  timezone: 'Use "utc", "browser", "" (the default) or an IANA zone such as Europe/Berlin.',
  env: 'Name the environment variable that holds the password, e.g. OFFICE_TV_PASSWORD.',
  password:
    'Never put a password in YAML: write `password: { env: NAME }` and provide NAME from a secret.',
  token:
    'Never put a token in YAML: write `token: { env: NAME }` and provide NAME from a secret, e.g. the `env:` of the workflow step.',
  maxRemovals: 'Write a whole number such as 10, or a percent such as "25%".',
  maxRemovalsPerTeam: 'Write a whole number such as 10, or a percent such as "50%".',
}

export function describePath(path: Path): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (/^[A-Za-z_][\w-]{0,39}$/.test(String(segment)))
      out += `${out ? '.' : ''}${String(segment)}`
    else out += `[${quoted(String(segment))}]`
  }
  return out || 'the file'
}

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return quoted(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return typeof value
}

/** The field a path names: its last key, or for a list item the list's key. */
function fieldOf(path: Path): string {
  for (let i = path.length - 1; i >= 0; i--) {
    if (typeof path[i] === 'string') return path[i] as string
  }
  return ''
}

/**
 * `templates` holds the text as written for values that had `${VAR}` replaced: a problem shows
 * that text, never the value, which may have come from a secret.
 */
export function issueToProblems(
  issue: Issue,
  templates: ReadonlyMap<string, string>,
): PathProblem[] {
  const path = issue.path as Path
  const where = describePath(path)
  const field = fieldOf(path)
  const hint = FIELD_HINTS[field]
  const template = templates.get(pathKey(path))
  const input = (issue as { input?: unknown }).input
  const shown =
    template !== undefined ? `the value of \`${inCode(template)}\`` : describeValue(input)

  if (LIMIT_FIELDS.has(field)) {
    return [
      {
        path,
        at: 'value',
        message: `${where} must be a whole number (0 or more) or a percent from 0% to 100%, not ${shown}`,
        hint,
      },
    ]
  }

  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKeyProblem(path, key))
    case 'invalid_type':
      return [invalidTypeProblem(issue, path, input, shown, hint)]
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ')
      const suggestion =
        typeof input === 'string' ? closest(input, issue.values.map(String)) : undefined
      return [
        {
          path,
          at: 'value',
          message: `${where} must be one of ${allowed}, not ${shown}`,
          hint:
            suggestion !== undefined
              ? `Did you mean ${JSON.stringify(suggestion)}?`
              : `Use one of ${allowed}.`,
        },
      ]
    }
    case 'invalid_key':
      return [
        {
          path,
          at: 'key',
          message: `${describePath(path.slice(0, -1))}: key ${describeValue(path.at(-1))} must not be empty`,
          hint: 'Write the org name as the key, e.g. `Main Org.: Viewer`.',
        },
      ]
    case 'too_small':
      return [
        {
          path,
          at: 'value',
          message: `${where} must be at least ${String(issue.minimum)}`,
          hint,
        },
      ]
    default:
      return [
        { path, at: 'value', message: `${where}: ${issue.message.replace(VALUE, shown)}`, hint },
      ]
  }
}

/**
 * Issues without the "missing `name`" that only echoes an unknown key one typo away from it
 * (`nme:`): the unknown key's did-you-mean already says what to write.
 */
export function withoutTypoEchoes(issues: readonly Issue[]): Issue[] {
  const typoFor = new Set<string>()
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue
    const allowed = allowedKeys(configFileSchema, issue.path)
    for (const key of issue.keys) {
      const suggestion = closest(key, allowed)
      if (suggestion !== undefined) typoFor.add(pathKey([...issue.path, suggestion]))
    }
  }
  if (typoFor.size === 0) return [...issues]
  return issues.filter(
    (issue) =>
      !(
        issue.code === 'invalid_type' &&
        (issue as { input?: unknown }).input === undefined &&
        typoFor.has(pathKey(issue.path as Path))
      ),
  )
}

function invalidTypeProblem(
  issue: Extract<Issue, { code: 'invalid_type' }>,
  path: Path,
  input: unknown,
  shown: string,
  fieldHint: string | undefined,
): PathProblem {
  const last = path.at(-1)
  if (path.length === 0) {
    return {
      path,
      at: 'value',
      message: `a config file must be a mapping with the top-level keys ${TOP_LEVEL_KEYS}, not ${shown}`,
      hint: 'Start the file with one of these keys, e.g. `teams:`.',
    }
  }
  if (input === undefined && typeof last === 'string') {
    return {
      path: path.slice(0, -1),
      at: 'value',
      message: `${describePath(path.slice(0, -1))} is missing \`${last}\``,
      hint: `Add \`${last}: …\`.`,
    }
  }
  if (last === 'password' || (last === 'token' && path[0] === 'instances')) {
    const what = last === 'token' ? 'a token' : 'a password'
    return {
      path,
      at: 'value',
      message: `${describePath(path)} must be \`{ env: NAME }\`, not ${typeof input === 'string' ? `${what} written in YAML` : shown}`,
      hint: last === 'token' ? FIELD_HINTS.token : fieldHint,
    }
  }
  const isGroupIdMapping =
    fieldOf(path) === 'oktaGroups' && input !== null && typeof input === 'object' && 'id' in input
  return {
    path,
    at: 'value',
    message: `${describePath(path)} must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${shown}`,
    hint: isGroupIdMapping
      ? 'Write the id as one string without a space after the colon, e.g. `id:00g1a2b3c4D5e6F7g8h9`.'
      : (TYPE_HINTS[issue.expected] ?? fieldHint),
  }
}

const TOP_LEVEL_KEYS = allowedKeys(configFileSchema, []).join(', ')

const EXPECTED: Record<string, string> = {
  string: 'text',
  array: 'a list',
  object: 'a mapping',
  boolean: 'true or false',
  number: 'a number',
  int: 'a whole number',
  record: 'a mapping',
}

const TYPE_HINTS: Record<string, string> = {
  string: 'Write text; quote it if YAML would read it as a number or boolean, e.g. "2024".',
  array: 'Write a list: one `- item` per line, or `[a, b]`.',
  object: 'Write a mapping of `key: value` pairs, indented under this key.',
  boolean: 'Write true or false.',
}

function unknownKeyProblem(path: Path, key: string): PathProblem {
  const allowed = allowedKeys(configFileSchema, path)
  const suggestion = closest(key, allowed)
  const where = path.length === 0 ? 'at the top level' : `in ${describePath(path)}`
  return {
    path: [...path, key],
    at: 'key',
    message: `unknown key \`${inCode(key)}\` ${where}`,
    hint:
      (suggestion !== undefined ? `Did you mean \`${suggestion}\`? ` : '') +
      `Allowed here: ${allowed.join(', ')}.`,
  }
}

interface SchemaDef {
  type: string
  shape?: Record<string, Schema>
  innerType?: Schema
  element?: Schema
  valueType?: Schema
}

/** The keys the object schema at `path` accepts. */
export function allowedKeys(root: Schema, path: Path): string[] {
  let schema: Schema | undefined = root
  for (const segment of [...path, undefined]) {
    let def: SchemaDef = schema._zod.def
    while ((def.type === 'optional' || def.type === 'nullable') && def.innerType) {
      def = def.innerType._zod.def
    }
    if (segment === undefined) return Object.keys(def.shape ?? {})
    if (def.type === 'array') schema = def.element
    else if (def.type === 'record') schema = def.valueType
    else schema = def.shape?.[String(segment)]
    if (!schema) return []
  }
  return []
}

/** The candidate closest to `word` by edit distance, if close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '')
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    if (candidate === '') continue
    const distance = editDistance(norm(word), norm(candidate))
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best === undefined) return undefined
  return bestDistance <= typoBudget(best) ? best : undefined
}

/** Edits a typo of `word` may have: 1 for short words, 2 from four letters (`teem` → `teams`), a third of longer ones. */
function typoBudget(word: string): number {
  return word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3))
}

/** Optimal string alignment distance: edits, with a swap of two neighbours counted as one. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, rows[i - 2]![j - 2]! + 1)
      }
      rows[i]![j] = d
    }
  }
  return rows[a.length]![b.length]!
}
