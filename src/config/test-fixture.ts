// Config folders written to a temp dir for tests; paths in results are relative to that dir.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { loadConfig } from './index.ts'
import type { ConfigProblem, LoadResult } from './types.ts'

export interface ConfigFixture {
  cwd: string
  load(env?: Record<string, string | undefined>): Promise<LoadResult>
  /** Loads and returns the problems, failing when the config loads. */
  problems(env?: Record<string, string | undefined>): Promise<ConfigProblem[]>
  remove(): Promise<void>
}

/** Writes `files` (relative paths → text) under `<tmp>/teams/`. */
export async function configFixture(files: Record<string, string>): Promise<ConfigFixture> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'gts-config-'))
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(cwd, 'teams', name)
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, text)
  }
  const load = (env: Record<string, string | undefined> = {}) => loadConfig('teams', { env, cwd })
  return {
    cwd,
    load,
    async problems(env) {
      const result = await load(env)
      if (result.ok) throw new Error('expected config problems, but the config loaded')
      return result.problems
    },
    remove: () => rm(cwd, { recursive: true, force: true }),
  }
}
