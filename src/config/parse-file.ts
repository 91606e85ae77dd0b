// One config file: read, parse, substitute `${VAR}`, validate. Keeps the entries that validate so
// cross-file checks still run (and report) when some other entry of the file is wrong.
import { readConfigText, type ConfigFileRef } from './files.ts'
import { substituteEnv } from './env.ts'
import { issueToProblems, withoutTypoEchoes, type PathProblem } from './issues.ts'
import {
  configFileSchema,
  type InstanceInput,
  type MappingInput,
  type OrgInput,
  type TeamInput,
  type UserInput,
} from './schema.ts'
import type { ConfigProblem } from './types.ts'
import type { z } from 'zod'
import { pathKey, PositionIndex } from './positions.ts'
import { parseYaml } from './yaml.ts'

/** A list entry whose identity keys are valid; `value` only when the whole entry is. */
export interface Entry<T, K extends keyof T> {
  index: number
  identity: Pick<T, K>
  value?: T
}

/** A settings value that is not a mapping (e.g. `safety.maxRemovals`), with its key path. */
export type SettingsLeaf = [path: string[], value: unknown]

export interface ValidEntries {
  settings: SettingsLeaf[]
  orgs: Entry<OrgInput, 'name'>[]
  users: Entry<UserInput, 'login'>[]
  teams: Entry<TeamInput, 'name' | 'org'>[]
  mappings: Entry<MappingInput, 'grafana_team' | 'okta_group'>[]
  instances: Entry<InstanceInput, 'name'>[]
}

export interface ParsedFile {
  file: string
  positions: PositionIndex
  problems: ConfigProblem[]
  valid: ValidEntries
}

type Issue = z.core.$ZodIssue

const LIST_SECTIONS = ['orgs', 'users', 'teams', 'mappings', 'instances'] as const

export async function parseConfigFile(
  ref: ConfigFileRef,
  env: Record<string, string | undefined>,
): Promise<ParsedFile> {
  const file = ref.display
  const failed = (problems: Omit<ConfigProblem, 'file'>[]): ParsedFile => ({
    file,
    positions: new PositionIndex({ line: 1, col: 1 }),
    problems: problems.map((p) => ({ file, ...p })),
    valid: noEntries(),
  })

  const read = await readConfigText(ref).catch((error: NodeJS.ErrnoException) => ({
    problem: {
      message: `cannot read the file (${error.code ?? error.message})`,
      hint: 'Check that the file exists and is readable.',
    },
  }))
  if ('problem' in read) return failed([{ line: 1, col: 1, ...read.problem }])

  const parsed = parseYaml(read.text)
  if (!parsed.ok) return failed(parsed.problems)

  const envProblems: PathProblem[] = []
  const templates = new Map<string, string>()
  const value = substituteEnv(parsed.value ?? {}, { env, problems: envProblems, templates })
  const result = configFileSchema.safeParse(value, { reportInput: true })
  const issues = result.success ? [] : result.error.issues
  // A value whose variable is unset is reported once, for the variable, not again for its shape.
  const envPaths = new Set(envProblems.map((p) => pathKey(p.path)))
  const pathProblems = [
    ...envProblems,
    ...withoutTypoEchoes(issues)
      .filter((issue) => !envPaths.has(pathKey(issue.path)))
      .flatMap((issue) => issueToProblems(issue, templates)),
  ]
  const positions = parsed.positions
  return {
    file,
    positions,
    problems: pathProblems.map((p) => ({
      file,
      ...(p.at === 'key' ? positions.key(p.path) : positions.value(p.path)),
      message: p.message,
      ...(p.hint ? { hint: p.hint } : {}),
    })),
    valid: validEntries(value, issues),
  }
}

/** Keys that identify an entry; it takes part in duplicate checks when these are valid. */
const IDENTITY = {
  orgs: ['name'],
  users: ['login'],
  teams: ['name', 'org'],
  mappings: ['grafana_team', 'okta_group'],
  instances: ['name'],
} as const

/** The settings leaves and list entries no issue points into; they passed the schema, so they are typed. */
function validEntries(value: unknown, issues: readonly Issue[]): ValidEntries {
  const valid = noEntries()
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return valid
  // An unknown key is wrong at its own path; every other issue at the path of the wrong value.
  const badPaths = issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => [...issue.path, key])
      : [issue.path],
  )
  if (badPaths.some((path) => path.length === 0)) return valid

  const file = value as Record<string, unknown>
  const badSettings = badPaths.filter((path) => path[0] === 'settings').map((path) => path.slice(1))
  if (isMapping(file.settings)) {
    valid.settings = leaves(file.settings).filter(
      ([leaf]) => !badSettings.some((bad) => isPrefix(bad, leaf) || isPrefix(leaf, bad)),
    )
  }

  const badInEntry = new Map<string, PropertyKey[][]>()
  for (const path of badPaths) {
    if (path.length < 2) continue
    const key = pathKey(path.slice(0, 2))
    const paths = badInEntry.get(key)
    if (paths) paths.push(path)
    else badInEntry.set(key, [path])
  }
  for (const section of LIST_SECTIONS) {
    const list = file[section]
    if (!Array.isArray(list)) continue
    const identity: readonly string[] = IDENTITY[section]
    const entries = valid[section] as Entry<object, never>[]
    list.forEach((item: Record<string, unknown>, index) => {
      const bad = (badInEntry.size > 0 && badInEntry.get(pathKey([section, index]))) || []
      if (bad.some((path) => path.length === 2 || identity.includes(String(path[2])))) return
      entries.push({
        index,
        identity: Object.fromEntries(identity.map((key) => [key, item[key]])),
        ...(bad.length === 0 ? { value: item } : {}),
      })
    })
  }
  return valid
}

function noEntries(): ValidEntries {
  return { settings: [], orgs: [], users: [], teams: [], mappings: [], instances: [] }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function isPrefix(prefix: readonly PropertyKey[], path: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => key === path[i])
}

/** Scalar and list values with their key paths; a mapping is a branch, not a leaf. */
function leaves(value: Record<string, unknown>, prefix: string[] = []): SettingsLeaf[] {
  return Object.entries(value).flatMap(([key, item]): SettingsLeaf[] =>
    isMapping(item) ? leaves(item, [...prefix, key]) : [[[...prefix, key], item]],
  )
}
