// Command-line arguments → what to run; every mistake is a UsageError that says what to write.
import { parseArgs } from 'node:util'
import { closest } from '../config/issues.ts'

export const COMMANDS = ['validate', 'plan', 'apply', 'export'] as const
export type Command = (typeof COMMANDS)[number]

export interface CliArgs {
  command: Command | 'help' | 'version'
  config: string
  json: boolean
  out?: string
  force: boolean
  detailedExitcode: boolean
  concurrency: number
  // --- export
  /** `export` only: the folder to write (default teams), the orgs to export, Okta group matching. */
  export?: { out: string; orgs: string[]; oktaGroups: boolean }
  // --- end export
}

export class UsageError extends Error {
  override name = 'UsageError'
}

const OPTIONS = {
  config: { type: 'string', short: 'c', default: 'teams' },
  json: { type: 'boolean', default: false },
  out: { type: 'string', short: 'o' },
  force: { type: 'boolean', default: false },
  'detailed-exitcode': { type: 'boolean', default: false },
  concurrency: { type: 'string', default: '8' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
  // --- export
  org: { type: 'string', multiple: true },
  'okta-groups': { type: 'boolean', default: false },
  // --- end export
} as const

/** Whether argv asks for the CLI rather than the action: a runner starts the action without arguments. */
export function isCliInvocation(argv: readonly string[]): boolean {
  return argv.length > 0
}

export function parseCliArgs(argv: string[]): CliArgs {
  let parsed
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS })
  } catch (error) {
    throw new UsageError(usageMessage(error as Error & { code?: string }))
  }
  const { values, positionals } = parsed
  const concurrency = Number(values.concurrency)
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError(
      `--concurrency must be a whole number from 1 to 64; got "${values.concurrency}"`,
    )
  }
  const base = {
    config: values.config,
    json: values.json,
    out: values.out,
    force: values.force,
    detailedExitcode: values['detailed-exitcode'],
    concurrency,
  }
  if (values.help || positionals[0] === 'help') return { ...base, command: 'help' }
  if (values.version) return { ...base, command: 'version' }
  const [command, ...extra] = positionals
  if (!command) throw new UsageError('missing command: validate, plan, apply or export')
  if (!(COMMANDS as readonly string[]).includes(command)) {
    const suggestion = closest(command, COMMANDS)
    const didYouMean = suggestion ? ` (did you mean "${suggestion}"?)` : ''
    throw new UsageError(
      `unknown command "${command}"${didYouMean}: use validate, plan, apply or export`,
    )
  }
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`)
  // --- export
  if (command === 'export') return { ...base, command, export: exportArgs(values) }
  if (values.org?.length || values['okta-groups']) {
    throw new UsageError(`--org and --okta-groups belong to export, not to ${command}`)
  }
  // --- end export
  if (values.config.trim() === '') throw new UsageError('--config must name a folder or file')
  return { ...base, command: command as Command }
}

// --- export
function exportArgs(values: {
  out?: string
  org?: string[]
  'okta-groups'?: boolean
}): NonNullable<CliArgs['export']> {
  const out = values.out ?? 'teams'
  if (out.trim() === '') throw new UsageError('--out must name the folder to write')
  const orgs = values.org ?? []
  if (orgs.some((o) => o.trim() === '')) throw new UsageError('--org must name an org')
  return { out, orgs, oktaGroups: values['okta-groups'] ?? false }
}
// --- end export

/** Node's parseArgs messages, shortened to the option and what to do about it. */
function usageMessage(error: Error & { code?: string }): string {
  const option = /option '([^']+)'/i.exec(error.message)?.[1]
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) {
    const known = Object.keys(OPTIONS).map((name) => `--${name}`)
    const suggestion = closest(option.replace(/=.*$/, ''), known)
    return `unknown option ${option}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`
  }
  return error.message
}
