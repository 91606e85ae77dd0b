// The CLI: arguments and environment → one engine run → stdout, stderr and an exit status.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { runEngine, type EngineInputs, type EngineOutcome } from '../engine.ts'
import type { DesiredConfig } from '../model.ts'
import { createScrubber, hasGrafanaAuth, type Scrubber } from '../secrets/index.ts'
import { cliSecrets } from './secrets.ts'
import { parseCliArgs, UsageError, type CliArgs } from './args.ts'
import { EXIT_ERROR, EXIT_OK, report, reportInstances } from './output.ts'
import { hasInstances, runInstances } from '../instances.ts'
import type { Setting } from '../settings.ts'
import { SETTING_ENV } from './settings.ts'
import { USAGE } from './usage.ts'
import { cancelOnSignals, exitCancelled, type Cancellation } from '../signals.ts'

/** The package version, written in by the bundler (scripts/build.mjs) and vitest.config.ts. */
declare const PACKAGE_VERSION: string
import { runExportCommand } from './export.ts'

export interface CliIO {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Writes a file the user named (--out); throws as writeFileSync does. */
  writeFile: (path: string, text: string) => void
  env: Record<string, string | undefined>
  cwd: string
}

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    writeFile: (path, text) => writeFileSync(path, text),
    env: process.env,
    cwd: process.cwd(),
  }
}

/** Runs one CLI command and returns its exit status. Everything it writes passes the run's scrubber. */
export async function runCli(argv: string[], given: CliIO = processIO()): Promise<number> {
  const scrubber = createScrubber(cliSecrets(given.env))
  const io = scrubbedIO(given, scrubber)
  try {
    return await run(argv, io, scrubber)
  } catch (error) {
    // Not a stack trace: the message says what failed, and it passes the scrubber like any output.
    io.stderr(
      `grafana-team-sync: unexpected error: ${(error as Error)?.message ?? String(error)}\n`,
    )
    return EXIT_ERROR
  }
}

function scrubbedIO(io: CliIO, scrubber: Scrubber): CliIO {
  return {
    ...io,
    stdout: (text) => io.stdout(scrubber.scrub(text)),
    stderr: (text) => io.stderr(scrubber.scrub(text)),
    writeFile: (path, text) => io.writeFile(path, scrubber.scrub(text)),
  }
}

async function run(argv: string[], io: CliIO, scrubber: Scrubber): Promise<number> {
  let args: CliArgs
  try {
    args = parseCliArgs(argv, io.env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr(`grafana-team-sync: ${error.message}\nRun "grafana-team-sync --help" for usage.\n`)
    return EXIT_ERROR
  }
  if (args.command === 'help') return (io.stdout(USAGE), EXIT_OK)
  if (args.command === 'version') return (io.stdout(`${PACKAGE_VERSION}\n`), EXIT_OK)
  if (args.command === 'export') return runExportCommand(args, io)
  // serve stops on its own signals: SIGTERM ends a service, exit 0, not a cancelled run.
  if (args.command === 'serve') return runCommand(args, io, new AbortController().signal, scrubber)
  const cancellation = cancelOnInterrupt(io)
  try {
    const status = await runCommand(args, io, cancellation.signal, scrubber)
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

async function runCommand(
  args: CliArgs,
  io: CliIO,
  signal: AbortSignal,
  scrubber: Scrubber,
): Promise<number> {
  const { inputs, missing } = engineInputs(args, io, signal, scrubber)
  // Scrubbed before rendering too: shortening a name could cut a secret the output would then show.
  const show = (outcome: EngineOutcome) => report(args, scrubber.scrubDeep(outcome), io)
  if (args.command !== 'validate') {
    const checked = await runEngine({ ...inputs, mode: 'validate' })
    if (checked.kind === 'validated' && hasInstances(checked.config)) {
      return runOnInstances(args, { ...inputs, grafana: undefined }, checked.config, io, scrubber)
    }
    // The files are read once.
    if (checked.kind === 'validated' && !args.serve) inputs.config = checked.config
  }
  if (missing) {
    // Config problems first: they need fixing whatever the credentials (serve checks each run).
    const checked = await runEngine({ ...inputs, mode: 'validate' })
    if (checked.kind === 'invalid' && args.command !== 'serve') return show(checked)
    return (io.stderr(`grafana-team-sync: ${missing}\n`), EXIT_ERROR)
  }
  if (args.serve) {
    const { runServe } = await import('../serve/index.ts')
    return runServe(args.serve, inputs, io)
  }
  if (!args.metricsFile) return show(await runEngine(inputs))
  const startedAt = new Date()
  const outcome = await runEngine(inputs)
  const status = show(outcome)
  const written = await writeRunMetrics(args.metricsFile, outcome, startedAt, io, scrubber)
  return written ? status : EXIT_ERROR
}

/** `instances:` in the config: plan, apply or serve each instance; --metrics-file runs one Grafana. */
async function runOnInstances(
  args: CliArgs,
  inputs: EngineInputs,
  config: DesiredConfig,
  io: CliIO,
  scrubber: Scrubber,
): Promise<number> {
  const grafanaSettings = grafanaSettingsGiven(io.env)
  if (args.serve) {
    const { runServe } = await import('../serve/index.ts')
    return runServe(args.serve, inputs, io, { instances: { grafanaSettings } })
  }
  if (args.metricsFile) {
    io.stderr('grafana-team-sync: --metrics-file does not support `instances:` yet; use serve\n')
    return EXIT_ERROR
  }
  const outcome = await runInstances({ ...inputs, config }, config, { grafanaSettings })
  const scrubbed = scrubber.scrubDeep(outcome)
  return scrubbed.kind === 'instances'
    ? reportInstances(args, scrubbed, io)
    : report(args, scrubbed, io)
}

const GRAFANA_SETTINGS: Setting[] = [
  'grafanaUrl',
  'grafanaToken',
  'grafanaUsername',
  'grafanaPassword',
]

/** The GRAFANA_* variables that are set. */
function grafanaSettingsGiven(env: CliIO['env']): Setting[] {
  return GRAFANA_SETTINGS.filter((setting) => env[SETTING_ENV[setting]]?.trim())
}

/** --metrics-file: the run's figures as serve counts them, without the process's own metrics. */
async function writeRunMetrics(
  file: string,
  outcome: EngineOutcome,
  startedAt: Date,
  io: CliIO,
  scrubber: Scrubber,
): Promise<boolean> {
  const durationMs = Date.now() - startedAt.getTime()
  const [{ createMetrics, runResult }, { writeMetricsFile }] = await Promise.all([
    import('../metrics/index.ts'),
    import('../metrics/file.ts'),
  ])
  const metrics = createMetrics({ processMetrics: false, scrub: scrubber.scrub })
  metrics.record({ outcome, result: runResult(outcome), startedAt, durationMs })
  try {
    await writeMetricsFile(resolve(io.cwd, file), await metrics.text())
    return true
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    io.stderr(`error: cannot write --metrics-file ${file} (${reason})\n`)
    return false
  }
}

function engineInputs(
  args: CliArgs,
  io: CliIO,
  signal: AbortSignal,
  scrubber: Scrubber,
): { inputs: EngineInputs; missing?: string } {
  const { env } = io
  // serve picks plan or apply per run (--dry-run); its credentials are those of apply.
  const mode = args.command === 'serve' ? 'apply' : (args.command as EngineInputs['mode'])
  const inputs: EngineInputs = {
    mode,
    configPath: args.config,
    cwd: io.cwd,
    env,
    force: args.force,
    concurrency: args.concurrency,
    onProgress: (message) => io.stderr(`${message}\n`),
    signal,
    scrubber,
  }
  const oktaCredential = env.OKTA_API_TOKEN || env.OKTA_CLIENT_ID || env.OKTA_PRIVATE_KEY
  if (env.OKTA_DOMAIN?.trim() && oktaCredential?.trim()) {
    inputs.okta = {
      domain: env.OKTA_DOMAIN,
      token: env.OKTA_API_TOKEN?.trim() || undefined,
      clientId: env.OKTA_CLIENT_ID?.trim() || undefined,
      privateKey: env.OKTA_PRIVATE_KEY?.trim() || undefined,
      keyId: env.OKTA_KEY_ID?.trim() || undefined,
    }
  }
  if (args.baseConfig)
    inputs.base = { ref: args.baseConfig, configPath: args.baseConfig, cwd: io.cwd }
  if (mode === 'validate') return { inputs }
  const url = env.GRAFANA_URL?.trim()
  const credentials = {
    url: url ?? '',
    token: env.GRAFANA_TOKEN,
    username: env.GRAFANA_USERNAME,
    password: env.GRAFANA_PASSWORD,
  }
  if (!url || !hasGrafanaAuth(credentials)) {
    const missing = `${args.command} reads Grafana: set GRAFANA_URL and GRAFANA_TOKEN, or GRAFANA_USERNAME and GRAFANA_PASSWORD.`
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
