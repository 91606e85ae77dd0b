// Config loading: every YAML file under the config path → one validated, normalized DesiredConfig,
// or every problem found, each with file, line, column and a fix.
import path from 'node:path'
import { displayPath, findConfigFiles } from './files.ts'
import { mergeFiles } from './merge.ts'
import { parseConfigFile } from './parse-file.ts'
import type { ConfigProblem, LoadOptions, LoadResult } from './types.ts'

export type { ConfigProblem, ConfigSummary, LoadOptions, LoadResult } from './types.ts'
export { describeConfig } from './summary.ts'

export async function loadConfig(configPath: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const env = opts.env ?? process.env
  const cwd = opts.cwd ?? process.cwd()
  const found = await findConfigFiles(configPath, cwd)
  if ('problem' in found) {
    const file = displayPath(path.resolve(cwd, configPath), cwd)
    return { ok: false, problems: [{ file, line: 1, col: 1, ...found.problem }] }
  }
  // One file at a time: parsing is synchronous anyway, and a huge folder cannot exhaust file handles.
  const files = []
  for (const ref of found.files) files.push(await parseConfigFile(ref, env))
  const merged = mergeFiles(files)
  const refused = found.problems.map(({ display, message, hint }) => ({
    file: display,
    line: 1,
    col: 1,
    message,
    hint,
  }))
  const problems = [...refused, ...files.flatMap((f) => f.problems), ...merged.problems]
  if (problems.length > 0) {
    const places = [...found.problems, ...found.files].map((f) => f.display)
    return { ok: false, problems: sortProblems(problems, places.sort(byCodeUnit)) }
  }
  return { ok: true, config: { ...merged.config, files: found.files.map((f) => f.display) } }
}

/** In file order, then by position; problems at one place keep the order they were found in. */
function sortProblems(problems: ConfigProblem[], files: readonly string[]): ConfigProblem[] {
  const order = new Map(files.map((file, i) => [file, i]))
  return problems.sort(
    (a, b) =>
      (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line || a.col - b.col,
  )
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
