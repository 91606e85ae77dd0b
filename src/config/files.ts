// Finding the config files and reading each one. Only what lies inside the config folder is read:
// a link is resolved and checked before anything is opened, special files (FIFOs, devices,
// sockets) are never opened, and a file's size is checked before it is read.
import { constants, type Stats } from 'node:fs'
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises'
import path from 'node:path'

export const MAX_FILE_BYTES = 5 * 1024 * 1024

export interface ConfigFileRef {
  absolute: string
  /** Relative to cwd, with `/` separators; what problems and SourceRefs name. */
  display: string
  /** The file itself, links resolved, and what it was when checked: opened only if it still is. */
  real?: { path: string; dev: number; ino: number }
}

export interface FileProblem {
  message: string
  hint: string
}

/** A problem with one entry of the config folder (e.g. a link leading outside), named by `display`. */
export interface EntryProblem extends FileProblem {
  display: string
}

export interface FoundFiles {
  files: ConfigFileRef[]
  problems: EntryProblem[]
}

const YAML_FILE = /\.ya?ml$/i

/** Opens without following a link and without waiting on a FIFO (0 where the platform has none). */
const SAFE_OPEN_FLAGS =
  constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)

export function displayPath(absolute: string, cwd: string): string {
  return path.relative(cwd, absolute).split(path.sep).join('/') || '.'
}

/** Inside `folder` or `folder` itself; both are real paths. */
export function isInside(real: string, folder: string): boolean {
  const relative = path.relative(folder, real)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/**
 * Every `*.yaml`/`*.yml` under `configPath` (or `configPath` itself if it is a file), sorted by
 * relative path, and a problem for every link or special file that was refused.
 */
export async function findConfigFiles(
  configPath: string,
  cwd: string,
): Promise<FoundFiles | { problem: FileProblem }> {
  const root = path.resolve(cwd, configPath)
  const shown = displayPath(root, cwd)
  const real = await realpath(root).catch(() => undefined)
  const info = real === undefined ? undefined : await stat(real).catch(() => undefined)
  if (real === undefined || !info) {
    const dangling = (await lstat(root).catch(() => undefined))?.isSymbolicLink() === true
    return {
      problem: {
        message: dangling
          ? `config path \`${shown}\` is a link to something that does not exist`
          : `config path \`${shown}\` does not exist`,
        hint: 'Create the folder with your YAML files, or point `config-path` (CLI: --config) at it.',
      },
    }
  }
  if (info.isFile()) {
    if (!YAML_FILE.test(root)) {
      return {
        problem: {
          message: `config file \`${shown}\` is not a .yaml or .yml file`,
          hint: 'Point `config-path` (CLI: --config) at a folder of YAML files or at one YAML file.',
        },
      }
    }
    return { files: [{ absolute: root, display: shown, real: identity(real, info) }], problems: [] }
  }
  if (!info.isDirectory()) {
    return {
      problem: {
        message: `config path \`${shown}\` is ${kindOf(info)}, not a folder or a file, so it was not read`,
        hint: 'Point `config-path` (CLI: --config) at a folder of YAML files or at one YAML file.',
      },
    }
  }
  const walker = new FolderWalker(real, root, cwd)
  const walked = await walker.walk(real, root).catch((error: NodeJS.ErrnoException) => error)
  if (walked instanceof Error) {
    return {
      problem: {
        message: `cannot read config folder \`${shown}\` (${walked.code ?? walked.message})`,
        hint: 'Check that the folder and its subfolders are readable.',
      },
    }
  }
  if (walker.files.length === 0 && walker.problems.length === 0) {
    return {
      problem: {
        message: `no *.yaml or *.yml file under \`${shown}\``,
        hint: 'Add at least one YAML file, e.g. teams/teams.yaml, or point `config-path` (CLI: --config) at the right folder.',
      },
    }
  }
  // Code-unit order, not locale order: the same on every machine.
  const byDisplay = (a: { display: string }, b: { display: string }) =>
    a.display < b.display ? -1 : a.display > b.display ? 1 : 0
  return { files: walker.files.sort(byDisplay), problems: walker.problems.sort(byDisplay) }
}

function identity(real: string, info: Stats): ConfigFileRef['real'] {
  return { path: real, dev: info.dev, ino: info.ino }
}

/**
 * Walks the config folder itself rather than with `readdir({ recursive })`, which follows linked
 * folders differently from one Node version to the next. Each real folder is read once, so a link
 * cycle or a second link to the same folder adds nothing.
 */
class FolderWalker {
  readonly files: ConfigFileRef[] = []
  readonly problems: EntryProblem[] = []
  readonly #seen = new Set<string>()
  readonly #rootReal: string
  readonly #rootShown: string
  readonly #cwd: string

  constructor(rootReal: string, root: string, cwd: string) {
    this.#rootReal = rootReal
    this.#rootShown = displayPath(root, cwd)
    this.#cwd = cwd
  }

  /** `real` is the folder's real path, `seenAs` the path it has in the tree (links unresolved). */
  async walk(real: string, seenAs: string): Promise<void> {
    if (this.#seen.has(real)) return
    this.#seen.add(real)
    const names = (await readdir(real)).filter((name) => !name.startsWith('.'))
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    for (const name of names) await this.#entry(path.join(real, name), path.join(seenAs, name))
  }

  async #entry(absolute: string, seenAs: string): Promise<void> {
    const display = displayPath(seenAs, this.#cwd)
    const info = await lstat(absolute)
    if (info.isSymbolicLink()) return this.#link(absolute, seenAs, display)
    if (info.isDirectory()) return this.walk(absolute, seenAs)
    this.#file(absolute, seenAs, display, info)
  }

  async #link(absolute: string, seenAs: string, display: string): Promise<void> {
    const real = await realpath(absolute).catch((error: NodeJS.ErrnoException) => error)
    if (real instanceof Error) {
      const loop = real.code === 'ELOOP'
      return this.#refuse(
        display,
        loop
          ? 'is a link that leads back to itself (a loop of links), so it was not read'
          : 'is a link to something that does not exist (a dangling link), so it was not read',
        'Remove the link, or point it at a file inside the config folder.',
      )
    }
    if (!isInside(real, this.#rootReal)) {
      return this.#refuse(
        display,
        `is a link that leads outside the config folder \`${this.#rootShown}\`, so it was not read`,
        'Config files must lie inside the config folder: copy the file into it, or remove the link. Links are refused so that a pull request cannot make the action read files elsewhere on the runner.',
      )
    }
    // A real path holds no link, so lstat describes the target without following anything.
    const info = await lstat(real)
    if (info.isDirectory()) return this.walk(real, seenAs)
    this.#file(real, seenAs, display, info)
  }

  #file(real: string, seenAs: string, display: string, info: Stats): void {
    if (!YAML_FILE.test(seenAs)) return
    if (!info.isFile()) {
      return this.#refuse(
        display,
        `is ${kindOf(info)}, not a regular file, so it was not read`,
        'Config files are plain YAML files: remove this entry or rename it so it does not end in .yaml or .yml.',
      )
    }
    this.files.push({ absolute: seenAs, display, real: identity(real, info) })
  }

  #refuse(display: string, why: string, hint: string): void {
    this.problems.push({ display, message: `\`${display}\` ${why}`, hint })
  }
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)'
  if (info.isSocket()) return 'a socket'
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device'
  if (info.isDirectory()) return 'a folder'
  return 'not a regular file'
}

/**
 * The file's text, or a problem when it is too large, is no longer the file that was checked, or
 * is not text. The size is checked before reading, and at most one byte more than the limit is
 * read, for files whose size the system does not report (such as those under /proc).
 */
export async function readConfigText(
  file: ConfigFileRef,
): Promise<{ text: string } | { problem: FileProblem }> {
  const target = file.real?.path ?? file.absolute
  const handle = await open(target, SAFE_OPEN_FLAGS)
  try {
    const info = await handle.stat()
    const changed = file.real && (info.dev !== file.real.dev || info.ino !== file.real.ino)
    if (!info.isFile() || changed) {
      return {
        problem: {
          message: 'the file changed while the config was being read, so it was not read',
          hint: 'Run again; if this repeats, check what else writes to the config folder.',
        },
      }
    }
    if (info.size > MAX_FILE_BYTES) return { problem: tooLarge(formatMiB(info.size)) }
    const chunks: Buffer[] = []
    let length = 0
    for (;;) {
      const chunk = Buffer.allocUnsafe(
        Math.min(Math.max(info.size + 1, 64 * 1024), MAX_FILE_BYTES + 1),
      )
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      chunks.push(chunk.subarray(0, bytesRead))
      length += bytesRead
      if (length > MAX_FILE_BYTES) return { problem: tooLarge(`over ${formatMiB(MAX_FILE_BYTES)}`) }
    }
    return decodeText(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length))
  } finally {
    await handle.close()
  }
}

function tooLarge(size: string): FileProblem {
  return {
    message: `file is ${size}; config files are limited to ${formatMiB(MAX_FILE_BYTES)} each, so it was not read`,
    hint: 'Split the config into several smaller files, or move this file out of the config path if it is not config.',
  }
}

/** UTF-8 text, or a problem naming the line of the first byte that is not text; nothing of it quoted. */
function decodeText(bytes: Buffer): { text: string } | { problem: FileProblem } {
  const nul = bytes.indexOf(0)
  if (nul === -1) {
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) }
    } catch {
      // reported below
    }
  }
  const line = lineOf(bytes, nul !== -1 ? nul : firstInvalidUtf8(bytes))
  return {
    problem: {
      message:
        nul !== -1
          ? `the file holds binary data (a NUL byte on line ${line}), not YAML text, so it was not read`
          : `the file is not UTF-8 text (an invalid byte on line ${line}), so it was not read`,
      hint: 'Save the file as UTF-8 text, or move it out of the config path if it is not config.',
    },
  }
}

/** Where decoding first fails: found by halving, since decoding ever-longer prefixes is quadratic. */
function firstInvalidUtf8(bytes: Buffer): number {
  let good = 0
  let bad = bytes.length
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2)
    try {
      // `stream` accepts a sequence cut at the end of the prefix.
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, middle), { stream: true })
      good = middle
    } catch {
      bad = middle
    }
  }
  return good
}

function lineOf(bytes: Buffer, offset: number): number {
  let line = 1
  for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) line++
  return line
}

function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024)
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`
}
