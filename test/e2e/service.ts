// `serve` started as the container starts it (ENTRYPOINT and CMD read from the Dockerfile), its JSON
// log events, and its /metrics parsed as Prometheus text: shared by the service's e2e tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { expect } from 'vitest'
import { DIST } from './harness.ts'
import { imageCommand, imageEnv } from './image.ts'

/** The image's command with the bundle, config folder and address of this machine. */
function localCommand(configDir: string): string[] {
  const [node, bundle, ...args] = imageCommand()
  expect([node, bundle]).toEqual(['node', '/app/dist/index.js'])
  const replace = (flag: string, value: string) => {
    const at = args.indexOf(flag)
    expect(at, `CMD sets ${flag}`).toBeGreaterThan(0)
    args[at + 1] = value
  }
  replace('--config', configDir)
  replace('--listen', '127.0.0.1:0')
  return [DIST, ...args]
}

export interface LogEvent {
  level: string
  time: string
  msg: string
  [field: string]: unknown
}

export interface Service {
  child: ChildProcess
  url: string
  stderr(): string
  events(): LogEvent[]
  /** The first event from `after` on (an index into events()) that matches. */
  waitFor(match: (e: LogEvent) => boolean, timeoutMs?: number, after?: number): Promise<LogEvent>
  /** Resolves with the `run finished` event of run number `run`. */
  finished(run: number, timeoutMs?: number): Promise<LogEvent>
  get(path: string): Promise<{ status: number; text: string; type: string }>
  exited: Promise<number | null>
  kill(): Promise<void>
}

/**
 * `serve` with the image's command and environment in `dir` (config folder `teams`), JSON logs, and
 * `env` (the credentials, and any other setting); `extra` arguments after the image's.
 */
export async function startServe(
  dir: string,
  env: Record<string, string>,
  extra: string[] = [],
): Promise<Service> {
  const child = spawn(process.execPath, [...localCommand('teams'), ...extra], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      ...imageEnv(),
      LOG_FORMAT: 'json',
      ...env,
    },
  })
  let stderr = ''
  let stdout = ''
  const waiters = new Set<() => void>()
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
    for (const wake of waiters) wake()
  })
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  const events = () =>
    stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogEvent)
  const waitFor: Service['waitFor'] = (match, timeoutMs = 15_000, after = 0) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = events().slice(after).find(match)
        if (!found) return
        cleanup()
        resolve(found)
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`no matching log event within ${timeoutMs} ms; log:\n${stderr}${stdout}`))
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        waiters.delete(check)
      }
      waiters.add(check)
      check()
    })
  const listening = await waitFor((e) => e.msg === 'listening')
  const url = String(listening.address)
  const s: Service = {
    child,
    url,
    stderr: () => stderr,
    events,
    waitFor,
    finished: (run, timeoutMs) =>
      waitFor((e) => e.msg === 'run finished' && e.run === run, timeoutMs),
    get: async (path) => {
      const res = await fetch(url + path)
      return {
        status: res.status,
        text: await res.text(),
        type: res.headers.get('content-type') ?? '',
      }
    },
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
  return s
}

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Prometheus text format 0.0.4, strictly: every line a comment, a blank or one sample. */
export function parsePrometheus(text: string): {
  samples: Sample[]
  types: Record<string, string>
} {
  const samples: Sample[] = []
  const types: Record<string, string> = {}
  for (const line of text.split('\n')) {
    if (line === '') continue
    const type =
      /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (type) {
      types[type[1]!] = type[2]!
      continue
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue
    const m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(
        line,
      )
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!
    }
    samples.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return { samples, types }
}

export async function metricsOf(s: Service) {
  const res = await s.get('/metrics')
  expect(res.status).toBe(200)
  expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/)
  return { ...parsePrometheus(res.text), text: res.text }
}

export const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0)
