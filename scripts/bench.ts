// `npm run bench`: speed, request economy and memory of plan and apply on generated workloads,
// against the fake Grafana and Okta answering with a fixed latency, compared with the fewest
// requests the APIs allow and the fastest any client could make them. Then config validation
// and cold start of the bundle, then a soak of `serve`. Flags: --sizes small,medium,large --latency 20
// --concurrency 8 --seed 7 --runs 7 --soak 200 (runs of the soak; 20 with --runs 1, 0 skips it;
// SOAK_NODE_OPTIONS, e.g. --max-old-space-size=40, is the NODE_OPTIONS of the serve process).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { timeConfigLoad } from './bench/config-load.ts'
import { writeLargeConfig } from '../test/fixtures/large-config.ts'
import { bundle } from './build.mjs'
import type { EngineRunReport, EngineRunRequest } from './bench/engine-run.ts'
import { benchSoak } from './bench/soak.ts'
import {
  ADMIN_PASSWORD,
  OKTA_RATE_LIMIT,
  type HostMessage,
  type OktaApp,
} from './bench/fake-host.ts'
import {
  applyBound,
  minimumGrafanaReads,
  minimumOktaReads,
  readBound,
  total,
  type Bound,
  type Counts,
} from './bench/minimum.ts'
import {
  DRIFT,
  generateWorkload,
  minimumWrites,
  readShape,
  SIZES,
  writePhases,
  writeWorkloadConfig,
  type Workload,
} from './bench/workload.ts'

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const WORK = path.join(ROOT, '.bench')
const DIST = path.join(ROOT, 'dist/index.js')
/** The engine run bundled as dist/index.js is, so it is measured as it ships. */
const ENGINE_RUN = path.join(WORK, 'engine-run.mjs')

interface Options {
  sizes: string[]
  latency: number
  concurrency: number
  seed: number
  runs: number
  /** Write a V8 CPU profile of each engine run to .bench/profiles. */
  profile: boolean
  /** Runs of the serve soak; 0 skips it. */
  soak: number
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: 'small,medium,large' },
      latency: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '8' },
      seed: { type: 'string', default: '7' },
      runs: { type: 'string', default: '7' },
      profile: { type: 'boolean', default: false },
      soak: { type: 'string' },
    },
  })
  const sizes = values.sizes.split(',').map((s) => s.trim())
  for (const s of sizes)
    if (!SIZES[s]) throw new Error(`unknown size "${s}" (small, medium, large)`)
  const number = (name: string, value: string, min: number) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`)
    return n
  }
  return {
    sizes,
    latency: number('latency', values.latency, 0),
    concurrency: number('concurrency', values.concurrency, 1),
    seed: number('seed', values.seed, 0),
    runs: number('runs', values.runs, 1),
    profile: values.profile,
    // The quick check (--runs 1, as CI runs it) keeps a short soak; the full one is 200 runs.
    soak:
      values.soak === undefined ? (values.runs === '1' ? 20 : 200) : number('soak', values.soak, 0),
  }
}

// ---------------------------------------------------------------- child processes

function script(name: string): string {
  return path.join(ROOT, 'scripts/bench', name)
}

interface Host {
  child: ChildProcess
  url: string
  token?: string
  app?: OktaApp
  seedMs: number
  counts(): Promise<Extract<HostMessage, { type: 'counts' }>>
  reset(): Promise<void>
  close(): Promise<void>
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }) => {
      if (message.type !== type) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(message as T)
    }
    const onExit = (code: number | null) =>
      reject(new Error(`${path.basename(String(child.spawnargs[1]))} exited (${code})`))
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

export async function startHost(kind: 'grafana' | 'okta', size: string, o: Options): Promise<Host> {
  const profile = o.profile
    ? ['--cpu-prof', `--cpu-prof-dir=${path.join(WORK, 'profiles', kind)}`]
    : []
  const child = spawn(
    process.execPath,
    [...profile, script('fake-host.ts'), kind, size, String(o.seed), String(o.latency)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  )
  const ready = await nextMessage<Extract<HostMessage, { type: 'ready' }>>(child, 'ready')
  return {
    child,
    url: ready.url,
    token: ready.token,
    app: ready.app,
    seedMs: ready.seedMs,
    counts: () => {
      const answer = nextMessage<Extract<HostMessage, { type: 'counts' }>>(child, 'counts')
      child.send({ type: 'counts' })
      return answer
    },
    reset: async () => {
      const answer = nextMessage(child, 'reset')
      child.send({ type: 'reset' })
      await answer
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.send({ type: 'close' })
      await exited
    },
  }
}

async function runEngineChild(request: EngineRunRequest, o: Options): Promise<EngineRunReport> {
  const profile = o.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(WORK, 'profiles')}`] : []
  const child = spawn(process.execPath, [...profile, ENGINE_RUN, JSON.stringify(request)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const report = await new Promise<EngineRunReport>((resolve, reject) => {
    child.once('message', (m) => resolve(m as EngineRunReport))
    child.once('exit', (code) => reject(new Error(`engine run exited (${code}) without a report`)))
  })
  if (report.outcome !== 'planned' && report.outcome !== 'applied') {
    throw new Error(`engine run ${report.outcome}: ${report.error ?? ''}`)
  }
  return report
}

// ---------------------------------------------------------------- one workload

interface Phase {
  label: string
  report: EngineRunReport
  counts: { grafana: Counts; okta: Counts }
  retries: number
  minimum: { grafana: Counts; okta: Counts }
  bound: Bound
  fakeCpuMs: { grafana: number; okta: number }
}

async function benchWorkload(name: string, o: Options): Promise<void> {
  const started = performance.now()
  const w = generateWorkload(SIZES[name]!, o.seed)
  const configPath = path.join(WORK, name, 'teams')
  await rm(path.join(WORK, name), { recursive: true, force: true })
  await writeWorkloadConfig(w, configPath)
  const [grafana, okta] = await Promise.all([
    startHost('grafana', name, o),
    startHost('okta', name, o),
  ])
  try {
    const shape = readShape(w)
    const reads = {
      grafana: minimumGrafanaReads(shape.grafana),
      okta: minimumOktaReads(shape.okta, okta.url),
    }
    const read = readBound(shape, reads.grafana, reads.okta, o.concurrency, o.latency)
    const writes = minimumWrites(w)
    const sswsOkta = { domain: okta.url, token: okta.token! }
    const app = okta.app!
    const oauthOkta = { domain: okta.url, ...app }
    const request = (
      mode: EngineRunRequest['mode'],
      config: string,
      oktaAuth: EngineRunRequest['okta'],
    ): EngineRunRequest => ({
      mode,
      configPath: config,
      concurrency: o.concurrency,
      grafana: { url: grafana.url, username: 'admin', password: ADMIN_PASSWORD },
      okta: oktaAuth,
    })
    const measure = async (
      label: string,
      mode: EngineRunRequest['mode'],
      minimum: Phase['minimum'],
      { config = configPath, oktaAuth = sswsOkta }: MeasureOptions = {},
    ) => {
      await Promise.all([grafana.reset(), okta.reset()])
      const report = await runEngineChild(request(mode, config, oktaAuth), o)
      const [g, k] = await Promise.all([grafana.counts(), okta.counts()])
      const bound =
        mode === 'apply'
          ? applyBound(read, writePhases(w), o.concurrency, o.latency)
          : config === configPath
            ? read
            : readBound(
                { ...shape, okta: { names: [], groups: [] } },
                minimum.grafana,
                {},
                o.concurrency,
                o.latency,
              )
      const counts = { grafana: g.counts, okta: k.counts }
      const fakeCpuMs = { grafana: g.cpuMs, okta: k.cpuMs }
      return {
        label,
        report,
        counts,
        retries: g.retryable + k.retryable,
        minimum,
        bound,
        fakeCpuMs,
      }
    }
    const phases: Phase[] = [
      await measure('plan', 'plan', reads),
      // The same plan as an API Services app with DPoP: a proof per request, tokens apart.
      await measure('plan, OAuth+DPoP', 'plan', reads, { oktaAuth: oauthOkta }),
      await measure('apply', 'apply', {
        grafana: { ...reads.grafana, ...writes },
        okta: reads.okta,
      }),
      await measure('plan again', 'plan', reads),
    ]
    // --- export
    // The export reads every team's members and preferences (a plan reads preferences only where
    // the config declares them); a plan of what it wrote reads like any plan, without Okta.
    const exported = path.join(WORK, name, 'exported')
    const exportShape = exportReadShape(shape.grafana)
    const exportReads = { grafana: minimumGrafanaReads(exportShape), okta: {} }
    const planOfExportReads = {
      grafana: minimumGrafanaReads({
        ...exportShape,
        referencedOrgs: shape.grafana.referencedOrgs.map((org) => ({
          ...org,
          declaredTeams: org.teams,
        })),
      }),
      okta: {},
    }
    phases.push(
      await measure('export', 'export', exportReads, { config: exported }),
      await measure('plan of export', 'plan', planOfExportReads, { config: exported }),
    )
    // --- end export
    printWorkload(w, o, phases, Math.max(grafana.seedMs, okta.seedMs))
    check(w, phases)
    // --- instances
    if (name === 'medium') {
      await benchInstances(name, o, { grafana, okta, configPath, single: phases[0]! })
    }
    // --- end instances
  } finally {
    await Promise.all([grafana.close(), okta.close()])
  }
  console.log(`  (${name}: ${seconds(performance.now() - started)} in all)\n`)
}

// --- instances
/**
 * The plan of one config on three Grafana instances (the first host and two more seeded alike) with
 * one Okta: wall time against the single-instance plan, and the requests each host answered.
 */
async function benchInstances(
  name: string,
  o: Options,
  given: { grafana: Host; okta: Host; configPath: string; single: Phase },
): Promise<void> {
  const more = await Promise.all([startHost('grafana', name, o), startHost('grafana', name, o)])
  const hosts = [given.grafana, ...more]
  try {
    await Promise.all([...hosts, given.okta].map((h) => h.reset()))
    const instances = hosts.map((h, n) => ({
      name: ['production', 'staging', 'eu'][n]!,
      url: h.url,
      username: 'admin',
      password: ADMIN_PASSWORD,
    }))
    const report = await runEngineChild(
      {
        mode: 'plan',
        configPath: given.configPath,
        concurrency: o.concurrency,
        grafana: { url: '', username: '', password: '' },
        okta: { domain: given.okta.url, token: given.okta.token! },
        instances,
      },
      o,
    )
    const counts = await Promise.all([...hosts, given.okta].map((h) => h.counts()))
    const single = given.single.report.wallMs
    const perHost = counts.map((c, n) => [
      n < hosts.length ? `grafana ${instances[n]!.name}` : 'okta (shared)',
      fmt(total(withoutTokenRequests(c.counts))),
    ])
    const singleOkta = total(withoutTokenRequests(given.single.counts.okta))
    console.log(
      `  three instances (${name}, plan): ${seconds(report.wallMs)} against ${seconds(single)} for one, ` +
        `${(report.wallMs / single).toFixed(2)}× (target < 1.5×); Okta ${fmt(total(withoutTokenRequests(counts.at(-1)!.counts)))} requests, ` +
        `one instance ${fmt(singleOkta)}; peak RSS ${report.maxRssMb.toFixed(0)} MB`,
    )
    console.log(table([['host', 'requests'], ...perHost]).replace(/^/gm, '    '))
  } finally {
    await Promise.all(more.map((h) => h.close()))
  }
}
// --- end instances

/** Where a measured run reads its config, and how it reaches Okta. */
interface MeasureOptions {
  config?: string
  oktaAuth?: EngineRunRequest['okta']
}

// --- export
/** What an export reads: every team of every org, with its members and its preferences. */
function exportReadShape(
  shape: ReturnType<typeof readShape>['grafana'],
): ReturnType<typeof readShape>['grafana'] {
  return {
    ...shape,
    referencedOrgs: shape.referencedOrgs.map((org) => ({
      teams: org.teams,
      declaredTeams: org.teams,
      withPreferences: org.teams,
    })),
  }
}
// --- end export

/** The runs must do the work the workload defines, or their figures mean nothing. */
function check(w: Workload, [plan, oauth, apply, again, exported, planOfExport]: Phase[]): void {
  const expected = w.missing.length + w.extra.length
  const planned = total(plan!.report.changes)
  const problems: string[] = []
  if (planned !== expected) problems.push(`the plan has ${planned} changes, the drift ${expected}`)
  if (JSON.stringify(oauth!.report.changes) !== JSON.stringify(plan!.report.changes)) {
    problems.push('the OAuth plan differs from the API-token plan')
  }
  const reads = (p: Phase) => JSON.stringify(withoutTokenRequests(p.counts.okta))
  if (reads(oauth!) !== reads(plan!)) problems.push('the OAuth plan made other Okta reads')
  if (apply!.report.applied !== expected || apply!.report.failed !== 0) {
    const why = apply!.report.error ? ` (${apply!.report.error})` : ''
    problems.push(`apply: ${apply!.report.applied} applied, ${apply!.report.failed} failed${why}`)
  }
  if (total(again!.report.changes) !== 0) problems.push('the plan after apply is not empty')
  // --- export
  if (exported!.report.error) problems.push(`export: ${exported!.report.error}`)
  if (total(planOfExport!.report.changes) !== 0)
    problems.push('the plan of the export is not empty')
  // --- end export
  if (problems.length > 0) {
    console.log(`  WORKLOAD CHECK FAILED: ${problems.join('; ')}`)
    process.exitCode = 1
  }
}

// ---------------------------------------------------------------- output

const fmt = (n: number) => n.toLocaleString('en-US')
const seconds = (ms: number) =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`
const mb = (n: number) => `${n.toFixed(0)} MB`

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
  return rows
    .map(
      (r) =>
        '  ' +
        r
          .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
          .join('   '),
    )
    .join('\n')
}

function describe(w: Workload): string {
  const memberships = w.groups.reduce((n, g) => n + g.members.length, 0)
  const teamMemberships = w.desired.reduce((n, d) => n + d.size, 0)
  const sizes = w.groups.map((g) => g.members.length)
  const accounts = w.people.filter((p) => p.hasAccount).length
  return (
    `${fmt(w.teams.length)} teams in 2 orgs (+${fmt(w.undeclared.length)} undeclared), ` +
    `${fmt(w.people.length)} people (${fmt(accounts)} with a Grafana account), ` +
    `${fmt(w.groups.length)} Okta groups of ${fmt(Math.min(...sizes))}–${fmt(Math.max(...sizes))} members ` +
    `(${fmt(memberships)} memberships), ${fmt(teamMemberships)} team memberships wanted; ` +
    `drift ${DRIFT * 100} %: ${fmt(w.missing.length)} missing, ${fmt(w.extra.length)} extra`
  )
}

function printWorkload(w: Workload, o: Options, phases: Phase[], seedMs: number): void {
  console.log(`${w.size.name}: ${describe(w)}  [fakes seeded in ${seconds(seedMs)}]`)
  const rows: string[][] = [['', ...phases.map((p) => p.label)]]
  const row = (label: string, cell: (p: Phase) => string) => rows.push([label, ...phases.map(cell)])
  row('wall time', (p) => seconds(p.report.wallMs))
  row('  reading', (p) => seconds(p.report.readsMs))
  row('  planning (CPU)', (p) => seconds(p.report.planMs))
  row('  writing', (p) =>
    p.report.applied === undefined
      ? ''
      : seconds(p.report.wallMs - p.report.readsMs - p.report.planMs),
  )
  row('engine CPU time', (p) => seconds(p.report.cpuMs))
  row(
    'fake CPU time (Grafana, Okta)',
    (p) => `${seconds(p.fakeCpuMs.grafana)}, ${seconds(p.fakeCpuMs.okta)}`,
  )
  row('peak RSS', (p) => mb(p.report.maxRssMb))
  row('bytes received', (p) => mb(p.report.requests.reduce((sum, r) => sum + r.bytes, 0) / 2 ** 20))
  row('changes', (p) =>
    p.report.applied === undefined
      ? fmt(total(p.report.changes))
      : `${fmt(p.report.applied)} applied, ${fmt(p.report.failed ?? 0)} failed`,
  )
  row('pending (no account)', (p) => fmt(p.report.pending))
  rows.push(['requests (actual / minimum)', ...phases.map(() => '')])
  for (const service of ['grafana', 'okta'] as const) {
    const endpoints = new Set(
      phases.flatMap((p) => [
        ...Object.keys(p.counts[service]),
        ...Object.keys(p.minimum[service]),
      ]),
    )
    for (const endpoint of [...endpoints].sort()) {
      row(
        `  ${service} ${endpoint}`,
        (p) =>
          `${fmt(p.counts[service][endpoint] ?? 0)} / ${fmt(p.minimum[service][endpoint] ?? 0)}`,
      )
    }
  }
  const actual = (p: Phase) => total(p.counts.grafana) + total(withoutTokenRequests(p.counts.okta))
  const minimum = (p: Phase) => total(p.minimum.grafana) + total(p.minimum.okta)
  row('  total (token requests apart)', (p) => `${fmt(actual(p))} / ${fmt(minimum(p))}`)
  row('retries', (p) => fmt(p.retries))
  row('lower bound', (p) => `${seconds(p.bound.ms)} (${fmt(p.bound.rounds)} rounds)`)
  row('actual ÷ lower bound', (p) => (p.report.wallMs / p.bound.ms).toFixed(2))
  console.log(table(rows))
  const [ssws, oauth] = phases
  if (ssws && oauth) {
    const extra = oauth.report.wallMs / ssws.report.wallMs - 1
    const cpuExtra = oauth.report.cpuMs / ssws.report.cpuMs - 1
    console.log(
      `  OAuth + DPoP against the API token: wall ${seconds(oauth.report.wallMs)} vs ${seconds(ssws.report.wallMs)} ` +
        `(${percent(extra)}), engine CPU ${percent(cpuExtra)}, ` +
        `${fmt(oauth.counts.okta[TOKEN_ENDPOINT] ?? 0)} token request(s) apart from ` +
        `${fmt(total(withoutTokenRequests(oauth.counts.okta)))} Okta reads (API token: ${fmt(total(ssws.counts.okta))})`,
    )
  }
  void o
}

const TOKEN_ENDPOINT = 'POST /oauth2/v1/token'
const percent = (ratio: number) => `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(0)} %`

function withoutTokenRequests(counts: Counts): Counts {
  return Object.fromEntries(
    Object.entries(counts).filter(([endpoint]) => endpoint !== TOKEN_ENDPOINT),
  )
}

// ---------------------------------------------------------------- validation and cold start

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function timeCli(args: string[], runs: number): number[] {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    const result = spawnSync(process.execPath, [DIST, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      // The example's local user reads its initial password from the environment.
      env: { ...process.env, GITHUB_ACTIONS: '', OFFICE_TV_PASSWORD: 'bench-password' },
    })
    times.push(performance.now() - start)
    if (result.status !== 0)
      throw new Error(`dist/index.js ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  }
  return times
}

/** Node's own start-up on this machine: what no bundle can go below. */
function timeNode(runs: number): number[] {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    spawnSync(process.execPath, ['-e', '0'])
    times.push(performance.now() - start)
  }
  return times
}

async function benchValidation(o: Options): Promise<void> {
  const teams = 2000
  const inProcess = await timeConfigLoad(teams, o.runs)
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gts-bench-validate-'))
  try {
    await writeLargeConfig(dir, teams)
    const cold = timeCli(['validate', '--config', dir], o.runs)
    const start = timeCli(['validate', '--config', 'teams'], o.runs)
    const bare = timeNode(o.runs)
    console.log(`validation and start-up (median of ${o.runs} runs)`)
    console.log(
      table([
        ['', 'median', 'first', 'target'],
        [
          `validate ${fmt(teams)} teams, in process (loadConfig)`,
          seconds(median(inProcess)),
          seconds(inProcess[0]!),
          '< 1 s',
        ],
        [
          `validate ${fmt(teams)} teams, dist/index.js cold`,
          seconds(median(cold)),
          seconds(cold[0]!),
          '< 1 s',
        ],
        [
          'cold start, dist/index.js validate --config teams',
          seconds(median(start)),
          seconds(start[0]!),
          '< 0.3 s',
        ],
        ['  of which Node itself (node -e 0)', seconds(median(bare)), seconds(bare[0]!), ''],
      ]),
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------- main

async function build(): Promise<void> {
  await bundle(path.join(ROOT, 'src/index.ts'), DIST, { shebang: true })
  await bundle(script('engine-run.ts'), ENGINE_RUN)
}

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')

async function main(): Promise<void> {
  const o = options()
  await build()
  console.log(
    `grafana-team-sync bench — Node ${process.version}, ${os.cpus().length} CPU(s), ` +
      `latency ${o.latency} ms per request, concurrency ${o.concurrency} per service, seed ${o.seed}, ` +
      `load average ${loadAverage()}\n` +
      `Lower bound = rounds × latency. Each service (Grafana, Okta) has its own limit of ${o.concurrency} requests in flight,\n` +
      `so reads take max over the services of max(⌈minimum requests ÷ ${o.concurrency}⌉, longest chain of dependent requests) rounds;\n` +
      `an apply adds, after the reads, ⌈writes ÷ ${o.concurrency}⌉ rounds per phase (member adds, then removals).\n` +
      `Wall time is the engine run (config load, reads, plan, writes) in its own process, bundled like dist/index.js; peak RSS is that process's.\n` +
      `The fake Okta's rate-limit bucket is ${fmt(OKTA_RATE_LIMIT)}/min: at Okta's default 600/min the Okta reads alone take minutes.\n`,
  )
  for (const size of o.sizes) await benchWorkload(size, o)
  await benchValidation(o)
  if (o.soak > 0) {
    console.log('')
    await benchSoak({
      runs: o.soak,
      seed: o.seed,
      cliRuns: Math.min(o.runs, 5),
      work: WORK,
      dist: DIST,
      adminPassword: ADMIN_PASSWORD,
      startHost: (kind, size) => startHost(kind, size, o),
    })
  }
  // Wall times stretch when other work shares the CPUs; CPU times much less.
  console.log(
    `\nload average at the end (1, 5, 15 min): ${loadAverage()} on ${os.cpus().length} CPU(s)`,
  )
}

if (import.meta.main) await main()
