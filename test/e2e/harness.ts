// Runs the built dist/index.js in a child process the way a runner or a terminal does.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { parse } from 'yaml'
import { inject } from 'vitest'

export const ROOT = resolve(import.meta.dirname, '../..')
export const DIST = join(ROOT, 'dist/index.js')
export const REPOSITORY = 'acme/grafana-access'
export const RUN_ID = '4242'
export const SUMMARY_URL = `https://github.com/${REPOSITORY}/actions/runs/${RUN_ID}`

/** Fails fast with the build output when the global setup could not build dist/index.js. */
/** Every output action.yml declares, sorted: each run must set all of them. */
export const OUTPUT_NAMES = Object.keys(
  (parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { outputs: Record<string, unknown> })
    .outputs,
).sort()

export function requireBuild(): void {
  const error = inject('buildError')
  if (error) throw new Error(`npm run build failed:\n${error}`)
}

export interface Workspace {
  dir: string
  runnerTemp: string
  write(path: string, text: string): void
  remove(): void
}

export function makeWorkspace(files: Record<string, string>): Workspace {
  const base = mkdtempSync(join(tmpdir(), 'gts-e2e-'))
  const dir = join(base, 'repo')
  const runnerTemp = join(base, 'runner-temp')
  mkdirSync(dir)
  mkdirSync(runnerTemp)
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  for (const [path, text] of Object.entries(files)) write(path, text)
  return { dir, runnerTemp, write, remove: () => rmSync(base, { recursive: true, force: true }) }
}

export interface Ran {
  code: number
  stdout: string
  stderr: string
}

/** A clean environment: nothing of the test runner's own credentials leaks into the child. */
function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT', 'LANG']
  return Object.fromEntries(keep.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]))
}

/** Called with the child process once started, e.g. to send it a signal. */
export type OnSpawn = (child: ChildProcess) => void

export function runNode(
  args: string[],
  opts: { cwd: string; env: Record<string, string>; onSpawn?: OnSpawn },
): Promise<Ran> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [DIST, ...args], { cwd: opts.cwd, env: opts.env })
    opts.onSpawn?.(child)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }))
  })
}

export function runCli(
  args: string[],
  ws: Workspace,
  env: Record<string, string> = {},
  onSpawn?: OnSpawn,
): Promise<Ran> {
  return runNode(args, { cwd: ws.dir, env: { ...baseEnv(), ...env }, onSpawn })
}

export interface ActionOptions {
  event: string
  payload?: object
  ref?: string
  sha?: string
  /** `with:` values by their action.yml names; the rest take the action.yml defaults. */
  inputs?: Record<string, string>
  githubToken?: string
  apiUrl?: string
  env?: Record<string, string>
  /** Working directory of the process; default the workspace (GITHUB_WORKSPACE). */
  cwd?: string
  onSpawn?: OnSpawn
}

export interface ActionRan extends Ran {
  outputs: Record<string, string>
  summary: string
}

/** The action.yml defaults, as the runner passes them; `${{ github.token }}` becomes `githubToken`. */
function defaultInputs(githubToken: string): Record<string, string> {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>
  }
  return Object.fromEntries(
    Object.entries(action.inputs)
      .filter(([, spec]) => spec.default !== undefined)
      .map(([name, spec]) => [name, spec.default!.replace('${{ github.token }}', githubToken)]),
  )
}

export async function runAction(ws: Workspace, opts: ActionOptions): Promise<ActionRan> {
  const files = mkdtempSync(join(ws.runnerTemp, 'step-'))
  const eventPath = join(files, 'event.json')
  const outputPath = join(files, 'output.txt')
  const summaryPath = join(files, 'summary.md')
  writeFileSync(eventPath, JSON.stringify(opts.payload ?? {}))
  writeFileSync(outputPath, '')
  writeFileSync(summaryPath, '')
  const inputs = { ...defaultInputs(opts.githubToken ?? ''), ...opts.inputs }
  const env: Record<string, string> = {
    ...baseEnv(),
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: opts.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REF: opts.ref ?? 'refs/heads/main',
    GITHUB_SHA: opts.sha ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_API_URL: opts.apiUrl ?? 'http://127.0.0.1:9',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: RUN_ID,
    GITHUB_WORKSPACE: ws.dir,
    RUNNER_TEMP: ws.runnerTemp,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_OUTPUT: outputPath,
    GRAFANA_TEAM_SYNC_PR_LOOKUP_DELAYS_MS: '0,20,40',
    ...opts.env,
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  const ran = await runNode([], { cwd: opts.cwd ?? ws.dir, env, onSpawn: opts.onSpawn })
  return {
    ...ran,
    outputs: parseOutputFile(readFileSync(outputPath, 'utf8')),
    summary: existsSync(summaryPath) ? readFileSync(summaryPath, 'utf8') : '',
  }
}

/** GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!)
    if (!m) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!)
    outputs[m[1]!] = value.join('\n')
  }
  return outputs
}

/** Workflow-command lines of a kind (`error`, `warning`, `notice`) from the step's stdout. */
export function commands(stdout: string, kind: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith(`::${kind}`))
}

/** The log as a reader would see it: without the `::add-mask::` lines that register secrets. */
export function visibleLog(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
}

/**
 * A comment as a snapshot compares it: the marker's target hashes the fake Grafana's URL, whose port
 * changes each run.
 */
export function snapshotBody(body: string): string {
  return body.replace(/"target":"[0-9a-f]{12}"/g, '"target":"<hash of the Grafana URL>"')
}
