// The config files of another commit (a pull request's base, a merge's first parent), read through
// GitHub's git trees and blobs API into a temporary folder, so the one config loader and its limits
// apply to them as to the checkout. The checkout of the example workflow has no history to read from.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { MAX_FILE_BYTES } from '../config/files.ts'
import type { BaseConfig } from '../engine.ts'
import { normaliseConfigPath, repoOf } from './comment.ts'
import { statusOf, type GitHubClient, type RepoRef } from './github.ts'

/** More files than this under config-path is no config folder to download blob by blob. */
export const MAX_BASE_FILES = 500
const YAML_FILE = /\.ya?ml$/
const SYMLINK_MODE = '120000'
const PARALLEL_BLOBS = 8
const FOLDER_PREFIX = 'grafana-team-sync-base-'

interface TreeEntry {
  path?: string
  mode?: string
  type?: string
  sha?: string
  size?: number
}

/**
 * The base commit's files under `configPath` in a fresh folder under `tempRoot`, or why they cannot be
 * read: GitHub refused (the job lacks `contents: read`), the commit is unknown, the tree was too large
 * to list, a config entry is a symbolic link, or the files exceed the loader's limits.
 */
export async function readBaseConfig(
  client: GitHubClient,
  repo: RepoRef,
  sha: string,
  configPath: string,
  tempRoot: string = tmpdir(),
): Promise<BaseConfig> {
  const short = sha.slice(0, 7)
  const unreadable = (why: string): BaseConfig => ({ ref: sha, unreadable: why })
  try {
    const { data } = await client.rest.git.getTree({
      ...repoOf(repo),
      tree_sha: sha,
      recursive: '1',
    })
    if (data.truncated)
      return unreadable(`the file list of ${short} is too large for GitHub to return whole`)
    const root = normaliseConfigPath(configPath)
    const entries = (data.tree as TreeEntry[]).filter(
      (e) =>
        e.path !== undefined &&
        (root === '.' || e.path === root || e.path.startsWith(`${root}/`)) &&
        YAML_FILE.test(e.path),
    )
    const refused = refusedEntry(entries)
    if (refused) return unreadable(refused)
    const blobs = entries.filter((e) => e.type === 'blob')
    if (!blobs.length) return unreadable(`no *.yaml or *.yml file under ${root} at ${short}`)
    const folder = await mkdtemp(path.join(tempRoot, FOLDER_PREFIX))
    await writeBlobs(client, repo, blobs, folder)
    return { ref: sha, configPath: root, cwd: folder }
  } catch (error) {
    const status = statusOf(error)
    if (status === 403)
      return unreadable(
        `GitHub answered 403 reading ${short}: give the job the contents: read permission`,
      )
    if (status === 404) return unreadable(`GitHub answered 404 for ${short}`)
    return unreadable(`reading ${short} failed: ${(error as Error).message}`)
  }
}

/** The downloaded copy is read once, by the engine; nothing else should find it on the runner. */
export async function removeBaseFolder(base: BaseConfig | undefined): Promise<void> {
  if (!base || !('cwd' in base) || !path.basename(base.cwd).startsWith(FOLDER_PREFIX)) return
  await rm(base.cwd, { recursive: true, force: true }).catch(() => undefined)
}

/** Entries the loader would refuse on disk, or that are no plain file inside the folder. */
function refusedEntry(entries: TreeEntry[]): string | undefined {
  if (entries.length > MAX_BASE_FILES)
    return `${entries.length} config files, more than the ${MAX_BASE_FILES} read from another commit`
  for (const e of entries) {
    const name = e.path ?? ''
    if (e.mode === SYMLINK_MODE)
      return `${name} is a symbolic link; config files must be regular files`
    if (name.split('/').some((part) => part === '..' || part === '') || path.isAbsolute(name))
      return `${name} is no plain relative path`
    if ((e.size ?? 0) > MAX_FILE_BYTES)
      return `${name} is larger than the ${MAX_FILE_BYTES / (1024 * 1024)} MiB a config file may be`
  }
  return undefined
}

async function writeBlobs(
  client: GitHubClient,
  repo: RepoRef,
  blobs: TreeEntry[],
  folder: string,
): Promise<void> {
  for (let i = 0; i < blobs.length; i += PARALLEL_BLOBS) {
    await Promise.all(
      blobs.slice(i, i + PARALLEL_BLOBS).map(async (entry) => {
        const { data } = await client.rest.git.getBlob({ ...repoOf(repo), file_sha: entry.sha! })
        const bytes = Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8')
        const target = path.join(folder, entry.path!)
        await mkdir(path.dirname(target), { recursive: true })
        await writeFile(target, bytes)
      }),
    )
  }
}
