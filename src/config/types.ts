import type { DesiredConfig } from '../model.ts'

/** A config error; `file` is relative to the working directory, line and col are 1-based. */
export interface ConfigProblem {
  file: string
  line: number
  col: number
  message: string
  hint?: string
}

export type LoadResult =
  { ok: true; config: DesiredConfig } | { ok: false; problems: ConfigProblem[] }

export interface ConfigSummary {
  files: number
  orgs: string[]
  teams: number
  oktaGroups: string[]
  people: number
  users: number
}

export interface LoadOptions {
  env?: Record<string, string | undefined>
  cwd?: string
}
