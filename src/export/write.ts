// Writing an export: never over existing YAML without --force, and only files that the project's own
// loader accepts (checked in a temporary folder first) and that plan empty against what was read.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig, type ConfigProblem } from '../config/index.ts'
import type { Observed, Plan } from '../model.ts'
import { buildPlan } from '../plan/index.ts'
import { renderFile, type ExportFile } from './build.ts'

export type WriteOutcome =
  /** `kept`: YAML files that were there before and are not the export's (with --force). */
  | { ok: true; written: string[]; replaced: string[]; kept: string[] }
  | { ok: false; reason: 'exists'; existing: string[] }
  | { ok: false; reason: 'invalid'; problems: ConfigProblem[] }
  | { ok: false; reason: 'not-empty'; plan: Plan }

const YAML_FILE = /\.ya?ml$/i

/** YAML files already under `dir` (relative, sorted); none when it does not exist. */
export async function existingYaml(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return []
      throw error
    },
  )
  return entries
    .filter((e) => YAML_FILE.test(e.name) && !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort()
}

/**
 * Checks the files (loader, then a plan against `observed`) in a temporary folder named like the
 * target, so problems name the paths the user will see; then writes them into `out`.
 */
export async function writeExport(
  files: ExportFile[],
  observed: Observed,
  opts: { out: string; cwd: string; force: boolean },
): Promise<WriteOutcome> {
  const target = path.resolve(opts.cwd, opts.out)
  const existing = await existingYaml(target)
  if (existing.length > 0 && !opts.force) return { ok: false, reason: 'exists', existing }

  const texts = files.map((f) => ({ path: f.path, text: renderFile(f) }))
  const checked = await checkInTemp(texts, observed, path.basename(target) || 'teams')
  if (!checked.ok) return checked

  for (const file of texts) {
    const full = path.join(target, ...file.path.split('/'))
    await mkdir(path.dirname(full), { recursive: true })
    await writeFile(full, file.text)
  }
  const written = texts.map((f) => f.path)
  const replaced = existing.filter((e) => written.includes(e))
  return { ok: true, written, replaced, kept: existing.filter((e) => !written.includes(e)) }
}

async function checkInTemp(
  texts: { path: string; text: string }[],
  observed: Observed,
  name: string,
): Promise<WriteOutcome | { ok: true }> {
  const base = await mkdtemp(path.join(tmpdir(), 'gts-export-'))
  try {
    for (const file of texts) {
      const full = path.join(base, name, ...file.path.split('/'))
      await mkdir(path.dirname(full), { recursive: true })
      await writeFile(full, file.text)
    }
    // No environment: every `${` was written as a literal, so none may need a variable.
    const loaded = await loadConfig(name, { cwd: base, env: {} })
    if (!loaded.ok) return { ok: false, reason: 'invalid', problems: loaded.problems }
    const plan = buildPlan(loaded.config, observed)
    if (plan.changes.length > 0 || plan.pending.length > 0 || plan.errors.length > 0) {
      return { ok: false, reason: 'not-empty', plan }
    }
    return { ok: true }
  } finally {
    await rm(base, { recursive: true, force: true })
  }
}
