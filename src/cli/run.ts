import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import packageJson from '../../package.json' with { type: 'json' }
import type { ConfigProblem, ConfigSummary } from '../config/index.ts'
import { runEngine, type EngineInputs, type EngineOutcome } from '../engine.ts'
import { renderJson, renderText } from '../report/index.ts'
import { parseCliArgs, UsageError, USAGE, type CliArgs } from './args.ts'

export interface CliIO {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Record<string, string | undefined>
  cwd: string
}

export const EXIT_OK = 0
export const EXIT_ERROR = 1
export const EXIT_CHANGES = 2

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  }
}

/** Runs one CLI command and returns its exit status. */
export async function runCli(argv: string[], io: CliIO = processIO()): Promise<number> {
  let args: CliArgs
  try {
    args = parseCliArgs(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr(`grafana-team-sync: ${error.message}\nRun "grafana-team-sync --help" for usage.\n`)
    return EXIT_ERROR
  }
  if (args.command === 'help') return (io.stdout(USAGE), EXIT_OK)
  if (args.command === 'version') return (io.stdout(`${packageJson.version}\n`), EXIT_OK)
  const inputs = engineInputs(args, io)
  if (typeof inputs === 'string') return (io.stderr(`grafana-team-sync: ${inputs}\n`), EXIT_ERROR)
  const outcome = await runEngine(inputs)
  return report(args, outcome, io)
}

function engineInputs(args: CliArgs, io: CliIO): EngineInputs | string {
  const { env } = io
  const mode = args.command as EngineInputs['mode']
  const inputs: EngineInputs = {
    mode,
    configPath: args.config,
    cwd: io.cwd,
    env,
    force: args.force,
    concurrency: args.concurrency,
    onProgress: (message) => io.stderr(`${message}\n`),
  }
  if (env.OKTA_DOMAIN && env.OKTA_API_TOKEN)
    inputs.okta = { domain: env.OKTA_DOMAIN, token: env.OKTA_API_TOKEN }
  if (mode === 'validate') return inputs
  const url = env.GRAFANA_URL?.trim()
  if (!url || !(env.GRAFANA_TOKEN || hasBasicAuth(url, env))) {
    return `${mode} reads Grafana: set GRAFANA_URL and GRAFANA_TOKEN, or GRAFANA_USERNAME and GRAFANA_PASSWORD.`
  }
  inputs.grafana = {
    url,
    token: env.GRAFANA_TOKEN || undefined,
    username: env.GRAFANA_USERNAME || undefined,
    password: env.GRAFANA_PASSWORD || undefined,
  }
  return inputs
}

function hasBasicAuth(url: string, env: CliIO['env']): boolean {
  let inUrl: URL | undefined
  try {
    inUrl = new URL(url)
  } catch {
    inUrl = undefined
  }
  return Boolean(
    (env.GRAFANA_USERNAME || inUrl?.username) && (env.GRAFANA_PASSWORD || inUrl?.password),
  )
}

function report(args: CliArgs, outcome: EngineOutcome, io: CliIO): number {
  const out = (text: string) => io.stdout(text.endsWith('\n') ? text : `${text}\n`)
  const err = (text: string) => io.stderr(text.endsWith('\n') ? text : `${text}\n`)
  switch (outcome.kind) {
    case 'invalid': {
      const lines = outcome.problems.map(formatProblem).join('\n')
      if (args.command !== 'validate') err(lines)
      else if (args.json) out(JSON.stringify({ valid: false, problems: outcome.problems }, null, 2))
      else out(lines)
      err(`${outcome.problems.length} problem(s) in ${args.config}; nothing was read or written.`)
      return EXIT_ERROR
    }
    case 'validated':
      if (args.json) out(JSON.stringify({ valid: true, summary: outcome.summary }, null, 2))
      else out(describeSummary(args.config, outcome.summary))
      return EXIT_OK
    case 'refused':
      err(outcome.problems.map((p) => `error: ${p}`).join('\n'))
      return EXIT_ERROR
    case 'failed':
      err(`error: ${outcome.error}`)
      return EXIT_ERROR
    case 'planned':
    case 'applied': {
      const input = {
        mode: args.command === 'apply' ? ('apply' as const) : ('plan' as const),
        configPath: args.config,
        plan: outcome.plan,
        result: outcome.kind === 'applied' ? outcome.result : undefined,
      }
      const json = renderJson(input)
      if (args.out)
        writeFileSync(resolve(io.cwd, args.out), json.endsWith('\n') ? json : `${json}\n`)
      out(args.json ? json : renderText(input))
      return exitStatus(args, outcome, err)
    }
  }
}

function exitStatus(
  args: CliArgs,
  outcome: Extract<EngineOutcome, { kind: 'planned' | 'applied' }>,
  err: (text: string) => void,
): number {
  const { plan } = outcome
  let status = EXIT_OK
  if (plan.errors.length) {
    err(`${plan.errors.length} plan error(s): ${plan.errors.map((e) => e.message).join('; ')}`)
    status = EXIT_ERROR
  }
  if (outcome.kind === 'planned') {
    if (status === EXIT_OK && args.detailedExitcode && plan.changes.length) return EXIT_CHANGES
    return status
  }
  const { result } = outcome
  if (result.blocked) {
    const guards = plan.guards.map(
      (g) => `${g.guard} (${g.scope}: ${g.removals} removals, limit ${g.limit})`,
    )
    err(
      `Apply blocked by ${guards.length === 1 ? 'safety guard' : 'safety guards'} ${guards.join('; ')}; nothing was written. Rerun with --force to apply anyway.`,
    )
    return EXIT_ERROR
  }
  if (result.failed) {
    err(`${result.failed} change(s) failed, ${result.skipped} skipped.`)
    return EXIT_ERROR
  }
  return status
}

/** `path:line:col: message (hint)`, the form editors and terminals link to the place. */
export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`
}

function describeSummary(configPath: string, s: ConfigSummary): string {
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
  return (
    `${configPath} is valid: ${count(s.files, 'file')}, ${count(s.orgs.length, 'org')}, ` +
    `${count(s.teams, 'team')}, ${count(s.oktaGroups.length, 'Okta group')}, ` +
    `${count(s.people, 'person', 'people')}, ${count(s.users, 'local user')}.`
  )
}
