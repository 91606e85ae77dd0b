// Command-line arguments → what to run; every mistake is a UsageError that says what to write.
import { parseArgs } from 'node:util'
import { closest } from '../config/issues.ts'

export const COMMANDS = ['validate', 'plan', 'apply'] as const
export type Command = (typeof COMMANDS)[number]

export interface CliArgs {
  command: Command | 'help' | 'version'
  config: string
  json: boolean
  out?: string
  force: boolean
  detailedExitcode: boolean
  concurrency: number
  /** plan: the base branch's config folder; changes are marked as this change's or already pending. */
  baseConfig?: string
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
  'base-config': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
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
    ...(values['base-config'] !== undefined ? { baseConfig: values['base-config'] } : {}),
  }
  if (values.help || positionals[0] === 'help') return { ...base, command: 'help' }
  if (values.version) return { ...base, command: 'version' }
  const [command, ...extra] = positionals
  if (!command) throw new UsageError('missing command: validate, plan or apply')
  if (!(COMMANDS as readonly string[]).includes(command)) {
    const suggestion = closest(command, COMMANDS)
    const didYouMean = suggestion ? ` (did you mean "${suggestion}"?)` : ''
    throw new UsageError(`unknown command "${command}"${didYouMean}: use validate, plan or apply`)
  }
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`)
  if (values.config.trim() === '') throw new UsageError('--config must name a folder or file')
  if (base.baseConfig !== undefined && (command !== 'plan' || base.baseConfig.trim() === '')) {
    throw new UsageError(
      "--base-config goes with plan and names the base branch's config folder, e.g. plan --base-config ../main/teams",
    )
  }
  return { ...base, command: command as Command }
}

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
