// Command-line arguments → what to run; every mistake is a UsageError that says what to write.
import { parseArgs } from 'node:util'
import { closest } from '../config/issues.ts'
import { parseDuration, parseListen, type ListenAddress } from '../serve/options.ts'

export const COMMANDS = ['validate', 'plan', 'apply', 'serve', 'export'] as const
export type Command = (typeof COMMANDS)[number]

export type LogFormat = 'text' | 'json'

/** `serve` only: the loop's settings, from flags or else their environment variables. */
export interface ServeArgs {
  intervalMs: number
  listen: ListenAddress
  dryRun: boolean
  logFormat: LogFormat
}

export interface CliArgs {
  command: Command | 'help' | 'version'
  config: string
  json: boolean
  out?: string
  force: boolean
  detailedExitcode: boolean
  concurrency: number
  /** plan and apply: write the run's metrics to this file (Prometheus text format). */
  metricsFile?: string
  serve?: ServeArgs
  // --- export
  /** `export` only: the folder to write (default teams), the orgs to export, Okta group matching. */
  export?: { out: string; orgs: string[]; oktaGroups: boolean; instance?: string }
  // --- end export
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
  'metrics-file': { type: 'string' },
  interval: { type: 'string' },
  listen: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'log-format': { type: 'string' },
  'base-config': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
  // --- export
  org: { type: 'string', multiple: true },
  'okta-groups': { type: 'boolean', default: false },
  instance: { type: 'string' },
  // --- end export
} as const

/** Whether argv asks for the CLI rather than the action: a runner starts the action without arguments. */
export function isCliInvocation(argv: readonly string[]): boolean {
  return argv.length > 0
}

const SERVE_ONLY = ['interval', 'listen', 'dry-run', 'log-format'] as const
const NOT_FOR_SERVE = {
  force:
    'serve has no --force: a run that trips a safety guard is blocked and the next run tries again',
  json: 'serve logs events (--log-format json) and has no --json',
  out: 'serve has no --out; its results are in the logs and at /metrics',
  'detailed-exitcode': 'serve has no --detailed-exitcode',
  'metrics-file': 'serve has no --metrics-file: its metrics are at /metrics',
} as const

export function parseCliArgs(
  argv: string[],
  env: Record<string, string | undefined> = {},
): CliArgs {
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
    metricsFile: values['metrics-file'],
    ...(values['base-config'] !== undefined ? { baseConfig: values['base-config'] } : {}),
  }
  if (values.help || positionals[0] === 'help') return { ...base, command: 'help' }
  if (values.version) return { ...base, command: 'version' }
  const [command, ...extra] = positionals
  if (!command) throw new UsageError('missing command: validate, plan, apply, serve or export')
  if (!(COMMANDS as readonly string[]).includes(command)) {
    const suggestion = closest(command, COMMANDS)
    const didYouMean = suggestion ? ` (did you mean "${suggestion}"?)` : ''
    throw new UsageError(
      `unknown command "${command}"${didYouMean}: use validate, plan, apply, serve or export`,
    )
  }
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`)
  // --- export
  if (command === 'export') return { ...base, command, export: exportArgs(values) }
  if (values.org?.length || values['okta-groups'] || values.instance !== undefined) {
    throw new UsageError(`--org, --okta-groups and --instance belong to export, not to ${command}`)
  }
  // --- end export
  if (values.config.trim() === '') throw new UsageError('--config must name a folder or file')
  if (base.baseConfig !== undefined && (command !== 'plan' || base.baseConfig.trim() === '')) {
    throw new UsageError(
      "--base-config goes with plan and names the base branch's config folder, e.g. plan --base-config ../main/teams",
    )
  }
  if (command === 'serve') return { ...base, command, serve: serveArgs(values, env) }
  const serveOnly = SERVE_ONLY.find((name) => values[name] !== undefined)
  if (serveOnly) throw new UsageError(`--${serveOnly} is an option of serve, not of ${command}`)
  if (base.metricsFile !== undefined) {
    if (command === 'validate') throw new UsageError('--metrics-file is for plan and apply')
    if (base.metricsFile.trim() === '') throw new UsageError('--metrics-file must name a file')
  }
  return { ...base, command: command as Command }
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values']

/** A flag wins over its environment variable; each bad value names where it came from. */
function serveArgs(values: Values, env: Record<string, string | undefined>): ServeArgs {
  for (const [name, why] of Object.entries(NOT_FOR_SERVE)) {
    const given = values[name as keyof typeof NOT_FOR_SERVE]
    if (given !== undefined && given !== false) throw new UsageError(why)
  }
  const setting = (flag: keyof Values, variable: string, fallback: string) => {
    const given = values[flag]
    if (typeof given === 'string') return { value: given, from: `--${flag}` }
    const fromEnv = env[variable]?.trim()
    return fromEnv ? { value: fromEnv, from: variable } : { value: fallback, from: 'default' }
  }
  const interval = setting('interval', 'SYNC_INTERVAL', '5m')
  const listen = setting('listen', 'LISTEN_ADDRESS', '127.0.0.1:9469')
  const logFormat = setting('log-format', 'LOG_FORMAT', 'text')
  return {
    intervalMs: checked(() => parseDuration(interval.value), interval.from),
    listen: checked(() => parseListen(listen.value), listen.from),
    dryRun: values['dry-run'] ?? envBoolean(env.DRY_RUN),
    logFormat: checked(() => parseLogFormat(logFormat.value), logFormat.from),
  }
}

function checked<T>(parse: () => T, from: string): T {
  try {
    return parse()
  } catch (error) {
    throw new UsageError(`${from}: ${(error as Error).message}`)
  }
}

function parseLogFormat(value: string): LogFormat {
  if (value === 'text' || value === 'json') return value
  throw new Error(`log format must be text or json; got "${value}"`)
}

function envBoolean(value: string | undefined): boolean {
  const v = value?.trim().toLowerCase() ?? ''
  if (['', '0', 'false', 'no', 'off'].includes(v)) return false
  if (['1', 'true', 'yes', 'on'].includes(v)) return true
  throw new UsageError(`DRY_RUN must be true or false; got "${value}"`)
}

// --- export
function exportArgs(values: {
  out?: string
  org?: string[]
  'okta-groups'?: boolean
  instance?: string
}): NonNullable<CliArgs['export']> {
  const out = values.out ?? 'teams'
  if (out.trim() === '') throw new UsageError('--out must name the folder to write')
  const orgs = values.org ?? []
  if (orgs.some((o) => o.trim() === '')) throw new UsageError('--org must name an org')
  const { instance } = values
  if (instance !== undefined && instance.trim() === '')
    throw new UsageError('--instance must name an instance of the config')
  return {
    out,
    orgs,
    oktaGroups: values['okta-groups'] ?? false,
    ...(instance !== undefined ? { instance } : {}),
  }
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
