// The soak of `npm run bench`: many short runs in one `serve` process against the small workload,
// back to back (a SIGHUP after each run), with the process's memory read from its own /metrics after
// run 10 and after the last, and the mean run time set against one-shot `apply` processes.
import { spawn, spawnSync } from 'node:child_process'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { generateWorkload, SIZES, writeWorkloadConfig } from './workload.ts'

export interface SoakHost {
  url: string
  token?: string
  close(): Promise<void>
}

export interface SoakOptions {
  runs: number
  seed: number
  /** One-shot CLI applies to compare with. */
  cliRuns: number
  work: string
  dist: string
  adminPassword: string
  startHost(kind: 'grafana' | 'okta', size: string): Promise<SoakHost>
}

interface Memory {
  rssMb: number
  heapMb: number
  heapTotalMb: number
  externalMb: number
}

interface LogEvent {
  msg: string
  run?: number
  result?: string
  durationSeconds?: number
  address?: string
}

export async function benchSoak(o: SoakOptions): Promise<void> {
  const w = generateWorkload(SIZES.small!, o.seed)
  const configPath = path.join(o.work, 'soak', 'teams')
  await rm(path.join(o.work, 'soak'), { recursive: true, force: true })
  await writeWorkloadConfig(w, configPath)
  const [grafana, okta] = await Promise.all([
    o.startHost('grafana', 'small'),
    o.startHost('okta', 'small'),
  ])
  try {
    const env = {
      PATH: process.env.PATH ?? '',
      GRAFANA_URL: grafana.url,
      GRAFANA_USERNAME: 'admin',
      GRAFANA_PASSWORD: o.adminPassword,
      OKTA_DOMAIN: okta.url,
      OKTA_API_TOKEN: okta.token ?? '',
      LOG_FORMAT: 'json',
      // e.g. --max-old-space-size=48: a heap that keeps growing would fail the soak.
      ...(process.env.SOAK_NODE_OPTIONS ? { NODE_OPTIONS: process.env.SOAK_NODE_OPTIONS } : {}),
    }
    const soak = await soakRuns(o, configPath, env)
    const cli = oneShotApplies(o, configPath, env)
    print(o, soak, cli)
  } finally {
    await Promise.all([grafana.close(), okta.close()])
  }
}

interface SoakResult {
  /** Seconds per run after the first (which applies the workload's drift). */
  durations: number[]
  failed: number
  memory: Map<number, Memory>
}

async function soakRuns(
  o: SoakOptions,
  configPath: string,
  env: Record<string, string>,
): Promise<SoakResult> {
  const args = [
    o.dist,
    'serve',
    '--config',
    configPath,
    '--listen',
    '127.0.0.1:0',
    '--interval',
    '24h',
  ]
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
  const result: SoakResult = { durations: [], failed: 0, memory: new Map() }
  const checkpoints = new Set([Math.min(10, o.runs), o.runs])
  let url = ''
  /** After a run: memory at the checkpoints, then the next run; true after the last. */
  const afterRun = async (run: number): Promise<boolean> => {
    if (checkpoints.has(run)) result.memory.set(run, await memoryOf(url))
    if (run >= o.runs) return true
    child.kill('SIGHUP')
    return false
  }
  const onExit = (code: number | null) =>
    failed(new Error(`serve exited (${code}) during the soak`))
  let failed: (error: Error) => void = () => {}
  await new Promise<void>((resolve, reject) => {
    failed = reject
    child.once('exit', onExit)
    let buffer = ''
    let queue = Promise.resolve()
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk
      const lines = buffer.split('\n')
      buffer = lines.pop()!
      for (const line of lines) {
        const e = JSON.parse(line) as LogEvent
        if (e.msg === 'listening') url = e.address!
        if (e.msg !== 'run finished') continue
        if (e.run! > 1) result.durations.push(e.durationSeconds!)
        if (e.result !== 'success') result.failed++
        queue = queue
          .then(() => afterRun(e.run!))
          .then((last) => {
            if (last) resolve()
          }, reject)
      }
    })
  })
  child.off('exit', onExit)
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
  return result
}

/** RSS and used heap, from the process metrics the service exports. */
async function memoryOf(url: string): Promise<Memory> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const sample = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1])
  return {
    rssMb: sample('process_resident_memory_bytes') / 2 ** 20,
    heapMb: sample('nodejs_heap_size_used_bytes') / 2 ** 20,
    heapTotalMb: sample('nodejs_heap_size_total_bytes') / 2 ** 20,
    externalMb: sample('nodejs_external_memory_bytes') / 2 ** 20,
  }
}

/** Wall time of whole `apply` processes on the converged state: start-up, reads, a plan of nothing. */
function oneShotApplies(o: SoakOptions, configPath: string, env: Record<string, string>): number[] {
  const times: number[] = []
  for (let i = 0; i < o.cliRuns; i++) {
    const start = performance.now()
    const ran = spawnSync(process.execPath, [o.dist, 'apply', '--config', configPath], {
      env,
      encoding: 'utf8',
    })
    times.push((performance.now() - start) / 1000)
    if (ran.status !== 0) throw new Error(`apply exited ${ran.status}: ${ran.stderr.slice(-500)}`)
  }
  return times
}

function print(o: SoakOptions, soak: SoakResult, cli: number[]): void {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)
  const s = (seconds: number) => `${seconds.toFixed(3)} s`
  console.log(
    `soak: ${o.runs} runs of serve in one process, small workload (a SIGHUP after each run)`,
  )
  for (const [run, m] of [...soak.memory].sort(([a], [b]) => a - b)) {
    console.log(
      `  after run ${String(run).padStart(3)}: RSS ${m.rssMb.toFixed(1)} MB, heap used ${m.heapMb.toFixed(1)} MB of ${m.heapTotalMb.toFixed(1)} MB, external ${m.externalMb.toFixed(1)} MB`,
    )
  }
  console.log(
    `  mean run (runs 2–${o.runs}, converged): ${s(mean(soak.durations))}; ${soak.failed} run(s) not successful`,
  )
  console.log(`  one-shot CLI apply, whole process (mean of ${cli.length}): ${s(mean(cli))}`)
  if (soak.failed > 0) process.exitCode = 1
}
