// The CLI: arguments and environment → one engine run → stdout, stderr and an exit status.
import packageJson from '../../package.json' with { type: 'json' }
import { runEngine, type EngineInputs } from '../engine.ts'
import { parseCliArgs, UsageError, type CliArgs } from './args.ts'
import { EXIT_ERROR, EXIT_OK, report } from './output.ts'
import { USAGE } from './usage.ts'
import { cancelOnSignals, exitCancelled, type Cancellation } from '../signals.ts'

export interface CliIO {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Record<string, string | undefined>
  cwd: string
}

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
  const cancellation = cancelOnInterrupt(io)
  try {
    const status = await runCommand(args, io, cancellation.signal)
    if (cancellation.signal.aborted) exitCancelled(status)
    return status
  } finally {
    cancellation.dispose()
  }
}

/** Ctrl-C or a cancelled CI job: stop writing, report what was done, exit non-zero within 5 s. */
function cancelOnInterrupt(io: CliIO): Cancellation {
  return cancelOnSignals({
    onSignal: (name) =>
      io.stderr(
        `grafana-team-sync: received ${name}: cancelling; no new write starts, the ones in flight finish\n`,
      ),
    onDeadline: (name) =>
      io.stderr(
        `grafana-team-sync: cancelled (${name}): the writes in flight did not finish within 5 seconds, so whether they took effect is unknown; run apply again to converge\n`,
      ),
  })
}

async function runCommand(args: CliArgs, io: CliIO, signal: AbortSignal): Promise<number> {
  const { inputs, missing } = engineInputs(args, io, signal)
  if (missing) {
    // Config problems first: they need fixing whatever the credentials.
    const checked = await runEngine({ ...inputs, mode: 'validate' })
    if (checked.kind === 'invalid') return report(args, checked, io)
    return (io.stderr(`grafana-team-sync: ${missing}\n`), EXIT_ERROR)
  }
  return report(args, await runEngine(inputs), io)
}

function engineInputs(
  args: CliArgs,
  io: CliIO,
  signal: AbortSignal,
): { inputs: EngineInputs; missing?: string } {
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
    signal,
  }
  if (args.baseConfig)
    inputs.base = { ref: args.baseConfig, configPath: args.baseConfig, cwd: io.cwd }
  if (env.OKTA_DOMAIN?.trim() && env.OKTA_API_TOKEN?.trim())
    inputs.okta = { domain: env.OKTA_DOMAIN, token: env.OKTA_API_TOKEN }
  if (mode === 'validate') return { inputs }
  const url = env.GRAFANA_URL?.trim()
  if (!url || !(env.GRAFANA_TOKEN?.trim() || hasBasicAuth(url, env))) {
    const missing = `${mode} reads Grafana: set GRAFANA_URL and GRAFANA_TOKEN, or GRAFANA_USERNAME and GRAFANA_PASSWORD.`
    return { inputs, missing }
  }
  inputs.grafana = {
    url,
    token: env.GRAFANA_TOKEN?.trim() || undefined,
    username: env.GRAFANA_USERNAME || undefined,
    password: env.GRAFANA_PASSWORD || undefined,
  }
  return { inputs }
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
