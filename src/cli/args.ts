import { parseArgs } from 'node:util'

export const COMMANDS = ['validate', 'plan', 'apply'] as const
export type Command = (typeof COMMANDS)[number]

export const USAGE = `Usage: grafana-team-sync <validate|plan|apply> [options]

Grafana access as code: validate the YAML config, plan the changes against live Grafana and Okta, apply them.

Commands:
  validate   check the config offline (schema and cross-references)
  plan       read Okta and Grafana and print the changes; writes nothing
  apply      plan again against the live state, check the safety guards, apply

Options:
  -c, --config <path>     folder of *.yaml/*.yml config files (default: teams)
      --json              print only the JSON document on stdout; progress goes to stderr
  -o, --out <file>        also write the JSON plan (plan, apply) to this file
      --force             apply even when a safety guard (maxRemovals, maxRemovalsPerTeam) trips
      --detailed-exitcode plan: exit 2 when changes are pending
      --concurrency <n>   concurrent requests per service, 1-64 (default: 8)
  -h, --help              show this help
  -v, --version           print the version

Environment:
  GRAFANA_URL                           Grafana base URL, e.g. https://grafana.acme.example
  GRAFANA_TOKEN                         service-account token, or:
  GRAFANA_USERNAME, GRAFANA_PASSWORD    basic auth of a server admin (orgs, local users)
  OKTA_DOMAIN, OKTA_API_TOKEN           Okta org (acme.okta.com) and API token, for Okta groups

Exit status:
  0  success (plan: also when changes are pending, unless --detailed-exitcode)
  1  error: invalid config, a failed read or write, a plan error, or a blocked apply
  2  plan with --detailed-exitcode: changes are pending
  apply exits 0 only when every change was applied (or none was needed); --detailed-exitcode
  does not change apply, which leaves nothing pending when it succeeds.
`

export interface CliArgs {
  command: Command | 'help' | 'version'
  config: string
  json: boolean
  out?: string
  force: boolean
  detailedExitcode: boolean
  concurrency: number
}

export class UsageError extends Error {
  override name = 'UsageError'
}

/** Whether argv asks for the CLI rather than the action. */
export function isCliInvocation(argv: string[]): boolean {
  const first = argv[0]
  return (
    first !== undefined && ['help', '--help', '-h', '--version', '-v', ...COMMANDS].includes(first)
  )
}

export function parseCliArgs(argv: string[]): CliArgs {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c', default: 'teams' },
        json: { type: 'boolean', default: false },
        out: { type: 'string', short: 'o' },
        force: { type: 'boolean', default: false },
        'detailed-exitcode': { type: 'boolean', default: false },
        concurrency: { type: 'string', default: '8' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
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
  if (!command) throw new UsageError('missing command: validate, plan or apply')
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command "${command}": use validate, plan or apply`)
  }
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`)
  return { ...base, command: command as Command }
}
