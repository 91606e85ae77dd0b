// The CLI: arguments and environment → one engine run → stdout, stderr and an exit status.
import { writeFileSync } from 'node:fs'
import packageJson from '../../package.json' with { type: 'json' }
import { runEngine, type EngineInputs, type EngineOutcome } from '../engine.ts'
import {
  createScrubber,
  grafanaSecrets,
  hasGrafanaAuth,
  secretLookingEnv,
  unique,
  type Scrubber,
} from '../secrets/index.ts'
import { parseCliArgs, UsageError, type CliArgs } from './args.ts'
import { EXIT_ERROR, EXIT_OK, report } from './output.ts'
import { USAGE } from './usage.ts'

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

/** The credentials of the environment, and whatever else in it is named like a secret. */
export function cliSecrets(env: CliIO['env']): string[] {
  return unique([
    ...grafanaSecrets({
      url: env.GRAFANA_URL ?? '',
      token: env.GRAFANA_TOKEN,
      username: env.GRAFANA_USERNAME,
      password: env.GRAFANA_PASSWORD,
    }),
    env.OKTA_API_TOKEN,
    env.OKTA_API_TOKEN?.trim(),
    ...secretLookingEnv(env),
  ])
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
    args = parseCliArgs(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr(`grafana-team-sync: ${error.message}\nRun "grafana-team-sync --help" for usage.\n`)
    return EXIT_ERROR
  }
  if (args.command === 'help') return (io.stdout(USAGE), EXIT_OK)
  if (args.command === 'version') return (io.stdout(`${packageJson.version}\n`), EXIT_OK)
  const { inputs, missing } = engineInputs(args, io, scrubber)
  // Scrubbed before rendering too: shortening a name could cut a secret the output would then show.
  const show = (outcome: EngineOutcome) => report(args, scrubber.scrubDeep(outcome), io)
  if (missing) {
    // Config problems first: they need fixing whatever the credentials.
    const checked = await runEngine({ ...inputs, mode: 'validate' })
    if (checked.kind === 'invalid') return show(checked)
    return (io.stderr(`grafana-team-sync: ${missing}\n`), EXIT_ERROR)
  }
  return show(await runEngine(inputs))
}

function engineInputs(
  args: CliArgs,
  io: CliIO,
  scrubber: Scrubber,
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
    scrubber,
  }
  if (env.OKTA_DOMAIN?.trim() && env.OKTA_API_TOKEN?.trim())
    inputs.okta = { domain: env.OKTA_DOMAIN, token: env.OKTA_API_TOKEN }
  if (mode === 'validate') return { inputs }
  const url = env.GRAFANA_URL?.trim()
  const credentials = {
    url: url ?? '',
    token: env.GRAFANA_TOKEN,
    username: env.GRAFANA_USERNAME,
    password: env.GRAFANA_PASSWORD,
  }
  if (!url || !hasGrafanaAuth(credentials)) {
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
