// `grafana-team-sync export`: the CLI's credentials → runExport → what was written and what was not.
import { runExport, type ExportInputs, type ExportOutcome, type Skipped } from '../export/index.ts'
import type { CliArgs } from './args.ts'
import { loadConfig } from '../config/index.ts'
import { formatProblem } from './format.ts'
import { EXIT_ERROR, EXIT_OK } from './output.ts'
import type { CliIO } from './run.ts'

const MAX_SHOWN = 50

export async function runExportCommand(args: CliArgs, io: CliIO): Promise<number> {
  const err = (text: string) => io.stderr(`${text}\n`)
  const { env } = io
  const options = args.export ?? { out: 'teams', orgs: [], oktaGroups: false }
  const chosen = options.instance
    ? await instanceCredentials(args.config, options.instance, io)
    : {
        url: env.GRAFANA_URL?.trim(),
        token: env.GRAFANA_TOKEN?.trim() || undefined,
        username: env.GRAFANA_USERNAME || undefined,
        password: env.GRAFANA_PASSWORD || undefined,
      }
  if ('error' in chosen) return (err(`grafana-team-sync: ${chosen.error}`), EXIT_ERROR)
  const { url, token, username, password } = chosen
  if (!url || !(token || hasBasicAuth(url, username, password))) {
    err(
      'grafana-team-sync: export reads Grafana: set GRAFANA_URL and GRAFANA_TOKEN, or GRAFANA_USERNAME and GRAFANA_PASSWORD.',
    )
    return EXIT_ERROR
  }
  const inputs: ExportInputs = {
    grafana: { url, token, username, password },
    out: options.out,
    cwd: io.cwd,
    orgs: options.orgs,
    oktaGroups: options.oktaGroups,
    force: args.force,
    concurrency: args.concurrency,
    onProgress: err,
  }
  if (env.OKTA_DOMAIN?.trim() && env.OKTA_API_TOKEN?.trim())
    inputs.okta = { domain: env.OKTA_DOMAIN, token: env.OKTA_API_TOKEN }
  return report(await runExport(inputs), options.out, io)
}

interface Chosen {
  url?: string
  token?: string
  username?: string
  password?: string
}

/** `--instance NAME`: the URL and credentials of that instance of the config's `instances:`. */
async function instanceCredentials(
  configPath: string,
  name: string,
  io: CliIO,
): Promise<Chosen | { error: string }> {
  const set = ['GRAFANA_URL', 'GRAFANA_TOKEN', 'GRAFANA_USERNAME', 'GRAFANA_PASSWORD'].filter((v) =>
    io.env[v]?.trim(),
  )
  if (set.length > 0) {
    return { error: `--instance takes the instance's credentials: unset ${set.join(', ')}` }
  }
  const loaded = await loadConfig(configPath, { env: io.env, cwd: io.cwd })
  if (!loaded.ok) {
    const problems = loaded.problems.map(formatProblem).join('\n')
    return {
      error: `--instance reads the instances of ${configPath}, which is invalid:\n${problems}`,
    }
  }
  const instances = loaded.config.instances ?? []
  const instance = instances.find((i) => i.name.toLowerCase() === name.toLowerCase())
  if (!instance) {
    const known = instances.map((i) => i.name).join(', ')
    return {
      error: known
        ? `--instance ${name}: ${configPath} declares no such instance (it declares ${known})`
        : `--instance ${name}: ${configPath} declares no \`instances:\``,
    }
  }
  const unset: string[] = []
  const value = (ref: typeof instance.token) => {
    if (ref && !io.env[ref.env]) unset.push(ref.env)
    return ref ? io.env[ref.env] || undefined : undefined
  }
  const chosen = {
    url: instance.url,
    token: value(instance.token)?.trim(),
    username: value(instance.username),
    password: value(instance.password),
  }
  if (unset.length > 0) {
    return {
      error: `instance ${instance.name} reads its credentials from ${unset.join(', ')}: set them`,
    }
  }
  return chosen
}

function report(outcome: ExportOutcome, out: string, io: CliIO): number {
  const err = (text: string) => io.stderr(`${text}\n`)
  switch (outcome.kind) {
    case 'refused':
      err(`error: ${outcome.problem}`)
      return EXIT_ERROR
    case 'failed':
      err(`error: ${outcome.error}`)
      return EXIT_ERROR
    case 'exists':
      err(
        `error: ${out} already holds ${outcome.existing.length} YAML file(s) (${shown(outcome.existing, 5)}); ` +
          'nothing was written. Export into an empty folder, or pass --force to overwrite files of the same names.',
      )
      return EXIT_ERROR
    case 'invalid':
      err(outcome.problems.map(formatProblem).join('\n'))
      err(
        `error: the exported files do not pass the config loader (${outcome.problems.length} problem(s)); nothing was written. Please report this.`,
      )
      return EXIT_ERROR
    case 'not-empty':
      err(
        outcome.plan.changes
          .slice(0, MAX_SHOWN)
          .map((c) => `  ${c.id}`)
          .join('\n'),
      )
      err(
        `error: a plan of the exported files would not be empty (${outcome.plan.changes.length} change(s), ${outcome.plan.pending.length} pending, ${outcome.plan.errors.length} error(s)); nothing was written. Please report this.`,
      )
      return EXIT_ERROR
    case 'exported': {
      const { result } = outcome
      const lines = [
        `Exported ${result.orgs} org(s) and ${result.teams} team(s) into ${out}/: ${outcome.written.length} file(s)` +
          (outcome.replaced.length ? `, ${outcome.replaced.length} replaced` : '') +
          `; people named by ${result.identity}.`,
      ]
      if (result.okta.matched.length + result.okta.differing.length > 0) {
        lines.push(
          `Okta groups: ${result.okta.matched.length} team(s) written as their group, ${result.okta.differing.length} differ (see the comments in their files).`,
        )
      }
      if (outcome.kept.length > 0) {
        lines.push(
          `${outcome.kept.length} other YAML file(s) in ${out}/ were left as they were (${shown(outcome.kept, 5)}): they merge with the export, so run validate and plan.`,
        )
      }
      lines.push(...skippedLines(result.skipped))
      lines.push(`Next: commit ${out}/ and open a pull request; its plan should show no changes.`)
      io.stdout(`${lines.join('\n')}\n`)
      return EXIT_OK
    }
  }
}

function skippedLines(skipped: Skipped[]): string[] {
  if (skipped.length === 0) return ['Nothing was left out.']
  const lines = [`Not exported (${skipped.length}), also noted in the files:`]
  for (const s of skipped.slice(0, MAX_SHOWN)) {
    const where = s.team === undefined ? `org "${s.org}"` : `"${s.org}" / "${s.team}"`
    lines.push(`  - ${where}: ${s.what}: ${s.why}`)
  }
  if (skipped.length > MAX_SHOWN) lines.push(`  … and ${skipped.length - MAX_SHOWN} more`)
  return lines
}

function shown(list: string[], n: number): string {
  return list.length > n ? `${list.slice(0, n).join(', ')}, …` : list.join(', ')
}

function hasBasicAuth(url: string, username?: string, password?: string): boolean {
  let inUrl: URL | undefined
  try {
    inUrl = new URL(url)
  } catch {
    inUrl = undefined
  }
  return Boolean((username || inUrl?.username) && (password || inUrl?.password))
}
