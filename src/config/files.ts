// Finding the config files and reading each one, refusing oversized files before reading them.
import { open, readdir, stat } from 'node:fs/promises'
import path from 'node:path'

export const MAX_FILE_BYTES = 5 * 1024 * 1024

export interface ConfigFileRef {
  absolute: string
  /** Relative to cwd, with `/` separators; what problems and SourceRefs name. */
  display: string
}

export interface FileProblem {
  message: string
  hint: string
}

const YAML_FILE = /\.ya?ml$/

export function displayPath(absolute: string, cwd: string): string {
  return path.relative(cwd, absolute).split(path.sep).join('/') || '.'
}

/** Every `*.yaml`/`*.yml` under `configPath` (or `configPath` itself if it is a file), sorted by relative path. */
export async function findConfigFiles(
  configPath: string,
  cwd: string,
): Promise<{ files: ConfigFileRef[] } | { problem: FileProblem }> {
  const root = path.resolve(cwd, configPath)
  const shown = displayPath(root, cwd)
  const info = await stat(root).catch(() => undefined)
  if (!info) {
    return {
      problem: {
        message: `config path \`${shown}\` does not exist`,
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
    return { files: [{ absolute: root, display: shown }] }
  }
  const relative = await listYamlFiles(root).catch((error: NodeJS.ErrnoException) => error)
  if (relative instanceof Error) {
    return {
      problem: {
        message: `cannot read config folder \`${shown}\` (${relative.code ?? relative.message})`,
        hint: 'Check that the folder and its subfolders are readable.',
      },
    }
  }
  if (relative.length === 0) {
    return {
      problem: {
        message: `no *.yaml or *.yml file under \`${shown}\``,
        hint: 'Add at least one YAML file, e.g. teams/teams.yaml, or point `config-path` (CLI: --config) at the right folder.',
      },
    }
  }
  return {
    files: relative.map((rel) => {
      const absolute = path.join(root, rel)
      return { absolute, display: displayPath(absolute, cwd) }
    }),
  }
}

async function listYamlFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  const found: string[] = []
  for (const entry of entries) {
    if (!YAML_FILE.test(entry.name)) continue
    const absolute = path.join(entry.parentPath, entry.name)
    const isFile =
      entry.isFile() ||
      (entry.isSymbolicLink() && (await stat(absolute).catch(() => undefined))?.isFile() === true)
    if (isFile) found.push(path.relative(root, absolute).split(path.sep).join('/'))
  }
  // Code-unit order, not locale order: the same on every machine.
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** The file's text, or a problem when it is too large to be a config file (checked before reading). */
export async function readConfigText(
  file: ConfigFileRef,
): Promise<{ text: string } | { problem: FileProblem }> {
  const handle = await open(file.absolute, 'r')
  try {
    const { size } = await handle.stat()
    if (size > MAX_FILE_BYTES) {
      return {
        problem: {
          message: `file is ${formatMiB(size)}; config files are limited to ${formatMiB(MAX_FILE_BYTES)} each, so it was not read`,
          hint: 'Split the config into several smaller files, or move this file out of the config path if it is not config.',
        },
      }
    }
    return { text: await handle.readFile('utf8') }
  } finally {
    await handle.close()
  }
}

function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024)
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`
}
