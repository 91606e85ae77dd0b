// Generated hostile config files fed to the built bundle's validate and plan, as the CLI and as the
// action on a pull request: no known secret may come out in any form, and every run must end on its
// own (no hang) with exit status 0 or 1 and no stack trace. Seeded: a failure names its seed.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { escapeMarkdown } from '../../src/report/index.ts'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import { startFakeGrafana, type FakeGrafana } from '../fakes/grafana.ts'
import { startFakeOkta, type FakeOkta } from '../fakes/okta.ts'
import { seededRandom } from '../random.ts'
import {
  DIST,
  makeWorkspace,
  REPOSITORY,
  requireBuild,
  visibleLog,
  type Workspace,
} from './harness.ts'
import { pullRequestPayload } from './world.ts'

const SEED = Number(process.env.FUZZ_SEED ?? 20261204)
const CASES = Number(process.env.FUZZ_CASES ?? 24)
/** Cases after this much time are not started: the test stays bounded on a busy machine. */
const BUDGET_MS = 75_000
const RUN_TIMEOUT_MS = 20_000

const ADMIN_PASSWORD = 'fz-Adm1n+pw/"<&>_SECRET'
const OKTA_TOKEN = '00fuzz+Okta/Token"_SECRET'
const DB_PASSWORD = 'fuzz db+pass/word"SECRET'
const GITHUB_TOKEN = 'ghs_fuzz+GitHub/"SECRET'
const BASIC = Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')

let grafana: FakeGrafana
let okta: FakeOkta
let github: FakeGitHub
let grafanaToken: string
let secrets: string[]

beforeAll(async () => {
  requireBuild()
  grafana = await startFakeGrafana({ adminPassword: ADMIN_PASSWORD, recordRequests: false })
  okta = await startFakeOkta({ token: OKTA_TOKEN })
  github = await startFakeGitHub({ token: GITHUB_TOKEN })
  grafanaToken = grafana.addServiceAccountToken(1, 'Admin')
  secrets = [ADMIN_PASSWORD, OKTA_TOKEN, DB_PASSWORD, GITHUB_TOKEN, BASIC, grafanaToken]
})
afterAll(async () => {
  await Promise.all([grafana?.close(), okta?.close(), github?.close()])
})

function formsOf(secret: string): string[] {
  return [
    secret,
    secret.toLowerCase(),
    secret.toUpperCase(),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    JSON.stringify(secret).slice(1, -1),
    escapeMarkdown(secret),
  ]
}

// ---------------------------------------------------------------- generators

type Random = () => number

const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)]!
const int = (r: Random, min: number, max: number) => min + Math.floor(r() * (max - min + 1))

/** A known secret in one of the forms a file could carry it. */
function encodedSecret(r: Random): string {
  return pick(r, formsOf(pick(r, secrets)).slice(0, 8))
}

const generators: Record<string, (r: Random) => string | Buffer> = {
  binary: (r) => Buffer.from(Array.from({ length: int(r, 1, 4096) }, () => int(r, 0, 255))),
  'huge line': (r) =>
    `teams:\n  - name: ${'x'.repeat(int(r, 100_000, 1_500_000))}${encodedSecret(r)}\n`,
  'deep nesting': (r) => {
    const depth = int(r, 500, 20_000)
    return pick(r, [
      `teams: ${'['.repeat(depth)}${encodedSecret(r)}${']'.repeat(depth)}\n`,
      `teams: ${'{a: '.repeat(depth)}x${'}'.repeat(depth)}\n`,
      `${Array.from({ length: Math.min(depth, 3000) }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} ${encodedSecret(r)}\n`,
    ])
  },
  anchors: (r) => {
    const width = int(r, 5, 12)
    const levels = Array.from({ length: int(r, 3, 9) }, (_, i) =>
      i === 0
        ? `a0: &a0 ["${encodedSecret(r)}"]`
        : `a${i}: &a${i} [${Array.from({ length: width }, () => `*a${i - 1}`).join(', ')}]`,
    )
    return `${levels.join('\n')}\nteams:\n  - name: T\n    members: { users: *a${levels.length - 1} }\n`
  },
  'environment text': (r) =>
    Array.from(
      { length: int(r, 1, 40) },
      () =>
        `${pick(r, ['OKTA_API_TOKEN', 'GRAFANA_TOKEN', 'PATH', 'DB_PASSWORD', 'export X'])}=${encodedSecret(r)}`,
    ).join(pick(r, ['\n', '\r\n', '\0'])),
  'secrets in values': (r) =>
    `teams:\n${Array.from(
      { length: int(r, 1, 20) },
      () =>
        `  - name: "${pick(r, ['${DB_PASSWORD}', '${OKTA_API_TOKEN}', '${GRAFANA_TOKEN}', '${UNSET_VAR}', '${', encodedSecret(r)])}"\n    email: ${encodedSecret(r)}\n    ${pick(r, ['members: { users: [', 'colour: red', 'admins: ' + encodedSecret(r), ''])}\n`,
    ).join('')}`,
  'mutated config': (r) => {
    let text = `settings:\n  defaultOrg: Main Org.\nusers:\n  - login: tv\n    password: { env: DB_PASSWORD }\n    orgRoles: { Main Org.: Viewer }\nteams:\n  - name: "T ${encodedSecret(r)}"\n    members: { users: [dave@acme.example], oktaGroups: [G] }\n`
    for (let i = int(r, 1, 12); i > 0; i--) {
      const at = int(r, 0, text.length)
      text = pick(r, [
        () =>
          text.slice(0, at) +
          pick(r, [
            '\t',
            ':',
            '- ',
            '{',
            '"',
            '&x ',
            '*x',
            '!!binary ',
            '%YAML 9\n',
            encodedSecret(r),
          ]) +
          text.slice(at),
        () => text.slice(0, at) + text.slice(at + int(r, 1, 8)),
        () => text + text.slice(0, at),
      ])()
    }
    return text
  },
}

// ---------------------------------------------------------------- running

interface Ran {
  code: number | null
  stdout: string
  stderr: string
  timedOut: boolean
}

function runBundle(ws: Workspace, args: string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DIST, ...args], {
      cwd: ws.dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, RUN_TIMEOUT_MS)
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, timedOut })
    })
  })
}

const cliEnv = () => ({
  GRAFANA_URL: grafana.url.replace('://', `://admin:${encodeURIComponent(ADMIN_PASSWORD)}@`),
  GRAFANA_TOKEN: grafanaToken,
  OKTA_DOMAIN: okta.url,
  OKTA_API_TOKEN: OKTA_TOKEN,
  DB_PASSWORD,
})

function actionEnv(ws: Workspace, caseName: string): Record<string, string> {
  const file = (name: string, text: string) => {
    const path = join(ws.runnerTemp, `${caseName}-${name}`)
    writeFileSync(path, text)
    return path
  }
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: file('event.json', JSON.stringify(pullRequestPayload(12))),
    GITHUB_REF: 'refs/pull/12/merge',
    GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_API_URL: github.url,
    GITHUB_RUN_ID: '1',
    GITHUB_WORKSPACE: ws.dir,
    RUNNER_TEMP: ws.runnerTemp,
    GITHUB_STEP_SUMMARY: file('summary.md', ''),
    GITHUB_OUTPUT: file('output.txt', ''),
    'INPUT_GRAFANA-URL': grafana.url,
    'INPUT_GRAFANA-USERNAME': 'admin',
    'INPUT_GRAFANA-PASSWORD': ADMIN_PASSWORD,
    'INPUT_OKTA-DOMAIN': okta.url,
    'INPUT_OKTA-API-TOKEN': OKTA_TOKEN,
    'INPUT_GITHUB-TOKEN': GITHUB_TOKEN,
    INPUT_COMMENT: 'true',
    DB_PASSWORD,
  }
}

const STACK_FRAME = /^\s+at .+(?::\d+:\d+\)?|\(native\))$/m

interface Finding {
  case: string
  run: string
  problem: string
}

/**
 * The secrets a run knows: the CLI is not given the GitHub token, so a config that spells it out is
 * just text to that run (the action, which is given it, must hide it).
 */
function secretsOf(run: string): string[] {
  return run === 'action' ? secrets : secrets.filter((s) => s !== GITHUB_TOKEN)
}

function check(caseName: string, run: string, ran: Ran, texts: Record<string, string>): Finding[] {
  const found: Finding[] = []
  const add = (problem: string) => found.push({ case: caseName, run, problem })
  if (ran.timedOut) add(`did not end within ${RUN_TIMEOUT_MS} ms`)
  else if (ran.code !== 0 && ran.code !== 1) add(`exit status ${ran.code}`)
  if (STACK_FRAME.test(ran.stderr)) add(`stack trace on stderr: ${ran.stderr.slice(0, 300)}`)
  for (const [place, text] of Object.entries(texts))
    for (const secret of secretsOf(run))
      for (const form of formsOf(secret))
        if (text.includes(form)) add(`${place} shows a secret (${form.slice(0, 6)}…)`)
  return found
}

const readIfAny = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '')

describe('hostile config files', () => {
  it(
    `never show a secret, never hang and never crash (seed ${SEED}, ${CASES} cases)`,
    async () => {
      const random = seededRandom(SEED)
      const started = Date.now()
      const findings: Finding[] = []
      const kinds = Object.keys(generators)
      let ran = 0
      for (let i = 0; i < CASES && Date.now() - started < BUDGET_MS; i++) {
        const kind = kinds[i % kinds.length]!
        const caseName = `case ${i} (${kind})`
        const ws = makeWorkspace({})
        try {
          mkdirSync(join(ws.dir, 'teams'))
          for (let f = int(random, 1, 3); f > 0; f--) {
            const name = `f${f}.${pick(random, ['yaml', 'yml', 'YAML'])}`
            writeFileSync(join(ws.dir, 'teams', name), generators[kind]!(random))
          }
          for (const command of ['validate', 'plan']) {
            const out = join(ws.dir, `${command}.json`)
            const result = await runBundle(ws, [command, '--json', '--out', out], cliEnv())
            findings.push(
              ...check(caseName, command, result, {
                stdout: result.stdout,
                stderr: result.stderr,
                '--out': readIfAny(out),
              }),
            )
          }
          if (i % 3 === 0) {
            const env = actionEnv(ws, `c${i}`)
            const result = await runBundle(ws, [], env)
            const comments = github.comments(REPOSITORY, 12).map((c) => c.body)
            const planFile = join(ws.runnerTemp, 'grafana-team-sync-plan.json')
            findings.push(
              ...check(caseName, 'action', result, {
                log: visibleLog(result.stdout),
                stderr: result.stderr,
                summary: readIfAny(env.GITHUB_STEP_SUMMARY!),
                outputs: readIfAny(env.GITHUB_OUTPUT!),
                'plan file': readIfAny(planFile),
                comments: comments.join('\n'),
              }),
            )
          }
          ran++
        } finally {
          ws.remove()
        }
      }
      expect(findings).toEqual([])
      // The budget may cut the run short on a busy machine, never to nothing.
      expect(ran).toBeGreaterThanOrEqual(Math.min(CASES, kinds.length))
    },
    BUDGET_MS + 4 * RUN_TIMEOUT_MS,
  )
})
