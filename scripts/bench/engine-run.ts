// One engine run (plan or apply) in a fresh process, so its peak memory is its own. Reports to the
// bench over IPC: wall time, when the reads ended, peak RSS, CPU time, request statistics, outcome.
// The bench bundles it as dist/index.js is bundled, so it pays what the shipped engine pays:
//   node .bench/engine-run.mjs '<EngineRunRequest as JSON>'
import { loadConfig } from '../../src/config/index.ts'
import { runEngine } from '../../src/engine.ts'
import { runInstances } from '../../src/instances.ts'
import { runExport } from '../../src/export/index.ts'
import type { RequestStats } from '../../src/model.ts'

export interface EngineRunRequest {
  /** `export` writes the YAML of the live Grafana into `configPath`. */
  mode: 'plan' | 'apply' | 'export'
  configPath: string
  concurrency: number
  grafana: { url: string; username: string; password: string }
  /** An API token, or an API Services app (client id and private key). */
  okta: { domain: string; token?: string; clientId?: string; privateKey?: string; keyId?: string }
  /** Several Grafana instances (the config's `instances:`, given here): `grafana` is then unused. */
  instances?: { name: string; url: string; username: string; password: string }[]
}

export interface EngineRunReport {
  outcome: string
  wallMs: number
  /** From the start of the run until every read answered. */
  readsMs: number
  /** From the end of the reads until the plan was built (CPU only). */
  planMs: number
  cpuMs: number
  maxRssMb: number
  requests: RequestStats[]
  changes: Record<string, number>
  pending: number
  applied?: number
  failed?: number
  error?: string
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as EngineRunRequest
  if (request.mode === 'export') return exportRun(request)
  if (request.instances) return instancesRun(request, request.instances)
  let readsDone = 0
  let planned = 0
  const cpu = process.cpuUsage()
  const start = performance.now()
  const outcome = await runEngine({
    mode: request.mode,
    configPath: request.configPath,
    env: {},
    grafana: request.grafana,
    okta: request.okta,
    force: false,
    concurrency: request.concurrency,
    onProgress: (message) => {
      // The engine reports the org and user counts once every read answered, then plans.
      if (/ org\(s\), \d+ user\(s\)$/.test(message)) readsDone = performance.now()
      if (message.startsWith('applying ') && planned === 0) planned = performance.now()
    },
  })
  const end = performance.now()
  const used = process.cpuUsage(cpu)
  const plan = 'plan' in outcome ? outcome.plan : undefined
  const report: EngineRunReport = {
    outcome: outcome.kind,
    wallMs: end - start,
    readsMs: readsDone - start,
    planMs: (planned || end) - readsDone,
    cpuMs: (used.user + used.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    requests: plan?.stats.requests ?? ('requests' in outcome ? outcome.requests : undefined) ?? [],
    changes: plan?.counts ?? {},
    pending: plan?.pending.length ?? 0,
  }
  if (outcome.kind === 'applied') {
    report.applied = outcome.result.applied
    report.failed = outcome.result.failed
  }
  if (outcome.kind === 'applied' && outcome.result.blocked) {
    report.error = `blocked by ${outcome.plan.guards.map((g) => `${g.guard} (${g.scope})`).join(', ')}`
  }
  if (outcome.kind === 'failed') report.error = outcome.error
  if (outcome.kind === 'invalid') report.error = outcome.problems[0]?.message
  if (outcome.kind === 'refused') report.error = outcome.problems[0]
  process.send?.(report, () => process.exit(0))
}

/** An export: reads, then building and checking the files (loader and plan), then writing them. */
async function exportRun(request: EngineRunRequest): Promise<void> {
  let readsDone = 0
  const cpu = process.cpuUsage()
  const start = performance.now()
  const outcome = await runExport({
    grafana: request.grafana,
    out: request.configPath,
    cwd: process.cwd(),
    orgs: [],
    oktaGroups: false,
    force: true,
    concurrency: request.concurrency,
    onProgress: (message) => {
      if (/ org\(s\), \d+ user\(s\)$/.test(message)) readsDone = performance.now()
    },
  })
  const end = performance.now()
  const used = process.cpuUsage(cpu)
  const report: EngineRunReport = {
    outcome: outcome.kind === 'exported' ? 'planned' : outcome.kind,
    wallMs: end - start,
    readsMs: readsDone - start,
    planMs: end - readsDone,
    cpuMs: (used.user + used.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    requests: 'requests' in outcome ? outcome.requests : [],
    changes: {},
    pending: 0,
  }
  if (outcome.kind === 'failed') report.error = outcome.error
  if (outcome.kind === 'refused') report.error = outcome.problem
  if (outcome.kind === 'invalid') report.error = outcome.problems[0]?.message
  if (outcome.kind === 'not-empty') report.error = `${outcome.plan.changes.length} change(s)`
  process.send?.(report, () => process.exit(0))
}

/** A plan or apply on several instances: one engine run per instance, Okta read once for all. */
async function instancesRun(
  request: EngineRunRequest,
  instances: NonNullable<EngineRunRequest['instances']>,
): Promise<void> {
  if (request.mode === 'export') throw new Error('export runs one instance')
  const cpu = process.cpuUsage()
  const start = performance.now()
  const loaded = await loadConfig(request.configPath, { env: {}, cwd: process.cwd() })
  if (!loaded.ok) throw new Error(loaded.problems[0]?.message)
  const source = { file: 'bench', line: 1, col: 1 }
  const env: Record<string, string> = {}
  const config = {
    ...loaded.config,
    instances: instances.map((instance, n) => {
      env[`USER_${n}`] = instance.username
      env[`PASSWORD_${n}`] = instance.password
      return {
        name: instance.name,
        url: instance.url,
        username: { env: `USER_${n}`, source },
        password: { env: `PASSWORD_${n}`, source },
        source,
      }
    }),
  }
  const outcome = await runInstances(
    {
      mode: request.mode,
      configPath: request.configPath,
      env,
      okta: request.okta,
      force: false,
      concurrency: request.concurrency,
    },
    config,
    { grafanaSettings: [] },
  )
  const end = performance.now()
  const used = process.cpuUsage(cpu)
  const outcomes =
    outcome.kind === 'instances' ? outcome.instances.map((i) => i.outcome) : [outcome]
  const failed = outcomes.find((o) => o.kind !== 'planned' && o.kind !== 'applied')
  const report: EngineRunReport = {
    outcome: failed?.kind ?? outcomes[0]!.kind,
    wallMs: end - start,
    readsMs: 0,
    planMs: 0,
    cpuMs: (used.user + used.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    requests: [],
    changes: {},
    pending: 0,
  }
  if (failed?.kind === 'failed') report.error = failed.error
  if (failed?.kind === 'refused' || failed?.kind === 'invalid') report.error = failed.kind
  process.send?.(report, () => process.exit(0))
}

if (import.meta.main) await main()
