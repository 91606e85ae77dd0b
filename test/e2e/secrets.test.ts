// Secrets made to surface in every channel the built bundle writes to, as the action and as the CLI:
// echoed by Grafana, Okta and GitHub in error messages, substituted into the config by `${VAR}`,
// written into the Grafana URL, and a local user's password. No form of any of them may come out.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { escapeMarkdown } from '../../src/report/index.ts'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import { startFakeGrafana, type FakeGrafana } from '../fakes/grafana.ts'
import { startFakeOkta, type FakeOkta } from '../fakes/okta.ts'
import {
  makeWorkspace,
  REPOSITORY,
  requireBuild,
  runAction,
  runCli,
  visibleLog,
  type ActionOptions,
  type ActionRan,
  type Ran,
  type Workspace,
} from './harness.ts'
import { pullRequestPayload, repoPayload } from './world.ts'

// Characters that URL, form, JSON and markdown encodings all write differently.
const ADMIN_PASSWORD = 'p@ss/w"rd+<Adm1n>&e2e_SECRET'
const OKTA_TOKEN = '00Okta+Tok/en"e2e<SECRET>_x'
const GITHUB_TOKEN = 'ghs_Git+Hub/Token"e2e_SECRET'
/** In a variable not named like a secret: only the config's `password: { env }` makes it one. */
const TV_PASSWORD = 'Tv pass/wörd+e2e&SECRET_1'
/** In an environment variable that only its name marks as secret. */
const CLOUD_KEY = 'AKIA/cloud+Key=e2e"SECRET_2'
const BASIC = Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')
const MERGE_SHA = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432'

interface Secrets {
  grafana: FakeGrafana
  okta: FakeOkta
  github: FakeGitHub
  ws: Workspace
  grafanaToken: string
  close(): Promise<void>
}

let world: Secrets | undefined
beforeAll(requireBuild)
afterEach(async () => {
  await world?.close()
  world = undefined
})

async function startSecrets(files: Record<string, string>): Promise<Secrets> {
  const grafana = await startFakeGrafana({ adminPassword: ADMIN_PASSWORD })
  const okta = await startFakeOkta({ token: OKTA_TOKEN })
  const github = await startFakeGitHub({ token: GITHUB_TOKEN })
  const group = okta.addGroup({ name: 'Platform-Engineers' })
  okta.addMember(group, okta.addUser({ login: 'dave@acme.example', firstName: 'd', lastName: 'e' }))
  grafana.addUser({
    login: 'dave',
    email: 'dave@acme.example',
    name: 'dave',
    orgs: { 1: 'Viewer' },
  })
  const grafanaToken = grafana.addServiceAccountToken(1, 'Admin')
  const ws = makeWorkspace(files)
  return {
    grafana,
    okta,
    github,
    ws,
    grafanaToken,
    async close() {
      await Promise.all([grafana.close(), okta.close(), github.close()])
      ws.remove()
    },
  }
}

const TEAM = `  - name: Platform
    members: { oktaGroups: [Platform-Engineers] }
`
const LOCAL_USER = `users:
  - login: office-tv
    email: tv@acme.example
    password: { env: OFFICE_TV_PW }
    orgRoles: { Main Org.: Viewer }
`
/** Team names that `${VAR}` fills with secrets. */
const LEAKY_TEAMS = `  - name: "Cloud \${DEPLOY_API_KEY}"
  - name: "TV \${OFFICE_TV_PW}"
`

/** Every way an output could write a secret, computed here independently of the product. */
function formsOf(secret: string): Record<string, string> {
  return {
    raw: secret,
    'lower-case': secret.toLowerCase(),
    'upper-case': secret.toUpperCase(),
    'URL-encoded': encodeURIComponent(secret),
    'form-encoded': new URLSearchParams({ s: secret }).toString().slice(2),
    base64: Buffer.from(secret).toString('base64'),
    'url-safe base64': Buffer.from(secret).toString('base64url'),
    'JSON-escaped': JSON.stringify(secret).slice(1, -1),
    'markdown-escaped': escapeMarkdown(secret),
  }
}

type Known = Record<string, string>

/** The secrets a run is given, by name: it can remove only those it knows. */
const NAMED = {
  'grafana password': ADMIN_PASSWORD,
  'basic-auth value': BASIC,
  'okta token': OKTA_TOKEN,
  'github token': GITHUB_TOKEN,
  'local user password': TV_PASSWORD,
  'secret-looking variable': CLOUD_KEY,
}
const ALL_BUT_TOKEN = [
  'grafana password',
  'basic-auth value',
  'okta token',
  'github token',
  'local user password',
  'secret-looking variable',
] as const
const known = (w: Secrets, ...names: (keyof typeof NAMED | 'grafana token')[]): Known =>
  Object.fromEntries(
    names.map((n) => [n, n === 'grafana token' ? w.grafanaToken : NAMED[n]] as const),
  )

/**
 * A message quoting each secret in each form a careless server or proxy might (markdown escaping is
 * the product's own), with the basic-auth header first.
 */
function echoOf(secrets: Known): string {
  const quoted = Object.values(secrets).flatMap((s) =>
    Object.entries(formsOf(s))
      .filter(([form]) => form !== 'markdown-escaped')
      .map(([, text]) => text),
  )
  return `rejected Authorization: Basic ${BASIC}; seen ${quoted.join(' | ')}`
}

/** `place: secret as form` for each form of each secret found in a place. */
function leaks(secrets: Known, places: Record<string, string>): string[] {
  return Object.entries(places).flatMap(([place, text]) =>
    Object.entries(secrets).flatMap(([name, secret]) =>
      Object.entries(formsOf(secret))
        .filter(([, form]) => text.includes(form))
        .map(([form]) => `${place}: ${name} as ${form}`),
    ),
  )
}

const readIfAny = (path: string | undefined) =>
  path && existsSync(path) ? readFileSync(path, 'utf8') : ''

/** Workflow commands as the runner displays them: their escapes (%25, %0A, %3A…) decoded. */
function shownLog(stdout: string): string {
  return visibleLog(stdout)
    .split('\n')
    .map((line) =>
      line.startsWith('::')
        ? line
            .replace(/%0D/g, '\r')
            .replace(/%0A/g, '\n')
            .replace(/%3A/g, ':')
            .replace(/%2C/g, ',')
            .replace(/%25/g, '%')
        : line,
    )
    .join('\n')
}

function actionPlaces(w: Secrets, ran: ActionRan): Record<string, string> {
  const comments = [12, 31].flatMap((n) => w.github.comments(REPOSITORY, n).map((c) => c.body))
  return {
    log: visibleLog(ran.stdout),
    'log as the runner shows it': shownLog(ran.stdout),
    stderr: ran.stderr,
    summary: ran.summary,
    outputs: JSON.stringify(ran.outputs),
    'plan file': readIfAny(ran.outputs['plan-file']),
    comments: comments.join('\n'),
  }
}

function cliPlaces(w: Secrets, ran: Ran, out?: string): Record<string, string> {
  return {
    stdout: ran.stdout,
    stderr: ran.stderr,
    ...(out ? { [out]: readIfAny(join(w.ws.dir, out)) } : {}),
  }
}

function action(w: Secrets, opts: Partial<ActionOptions> & { event: string }): Promise<ActionRan> {
  return runAction(w.ws, {
    githubToken: GITHUB_TOKEN,
    apiUrl: w.github.url,
    env: { DEPLOY_API_KEY: CLOUD_KEY, OFFICE_TV_PW: TV_PASSWORD },
    ...opts,
  })
}

const pullRequest = {
  event: 'pull_request',
  ref: 'refs/pull/12/merge',
  payload: pullRequestPayload(12),
}
const push = {
  event: 'push',
  sha: MERGE_SHA,
  payload: { ref: 'refs/heads/main', after: MERGE_SHA, repository: repoPayload },
}

/** The Grafana URL with the admin's password in its userinfo. */
const urlWithPassword = (w: Secrets) =>
  w.grafana.url.replace('://', `://admin:${encodeURIComponent(ADMIN_PASSWORD)}@`)

const jsonBody = (body: object) => ({
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
})

/** A config folder a hostile pull request could send: `${VAR}` of a secret and `.env` text. */
const HOSTILE_CONFIG = {
  'teams/a.yaml': `teams:\n  - name: T\n    email: "\${DEPLOY_API_KEY}"\n`,
  'teams/leak.yaml': `OKTA_API_TOKEN=${OKTA_TOKEN}\nDEPLOY_API_KEY=${CLOUD_KEY}\nOFFICE_TV_PW=${TV_PASSWORD}\n`,
}

describe('the action never shows a secret', () => {
  it('in a pull request plan whose config fills team names with secrets, with the password in grafana-url', async () => {
    world = await startSecrets({ 'teams/a.yaml': `${LOCAL_USER}teams:\n${TEAM}${LEAKY_TEAMS}` })
    const ran = await action(world, {
      ...pullRequest,
      inputs: {
        'grafana-url': urlWithPassword(world),
        'okta-domain': world.okta.url,
        'okta-api-token': OKTA_TOKEN,
      },
    })
    expect(ran.code).toBe(0)
    const [comment] = world.github.comments(REPOSITORY, 12)
    expect(comment?.body).toContain('Cloud &#42;&#42;&#42;')
    expect(ran.summary).toContain('TV &#42;&#42;&#42;')
    expect(readIfAny(ran.outputs['plan-file'])).toContain('"Cloud ***"')
    const secrets = known(world, ...ALL_BUT_TOKEN)
    expect(leaks(secrets, actionPlaces(world, ran))).toEqual([])
    for (const secret of Object.values(secrets))
      expect(ran.stdout).toContain(`::add-mask::${secret}`)
  })

  it('in the annotations, summary and comment of a config that secrets make invalid', async () => {
    world = await startSecrets(HOSTILE_CONFIG)
    const ran = await action(world, {
      ...pullRequest,
      inputs: {
        'grafana-url': world.grafana.url,
        'grafana-token': world.grafanaToken,
        'okta-api-token': OKTA_TOKEN,
      },
    })
    expect(ran.code).toBe(1)
    expect(ran.stdout).toMatch(/::error file=teams\/leak\.yaml/)
    expect(world.github.comments(REPOSITORY, 12)).toHaveLength(1)
    const secrets = known(world, 'okta token', 'github token', 'secret-looking variable')
    expect(leaks(secrets, actionPlaces(world, ran))).toEqual([])
  })

  it('when Grafana echoes every secret in an error, and GitHub does in a failed comment', async () => {
    world = await startSecrets({ 'teams/a.yaml': `teams:\n${TEAM}` })
    const secrets = known(
      world,
      'grafana token',
      'okta token',
      'github token',
      'secret-looking variable',
    )
    const echo = echoOf(secrets)
    world.grafana.faults.inject({ path: '/api/org', status: 400, ...jsonBody({ message: echo }) })
    world.github.faults.inject({
      method: 'POST',
      path: /\/comments$/,
      status: 422,
      ...jsonBody({ message: echo }),
    })
    const ran = await action(world, {
      ...pullRequest,
      inputs: {
        'grafana-url': world.grafana.url,
        'grafana-token': world.grafanaToken,
        'okta-domain': world.okta.url,
        'okta-api-token': OKTA_TOKEN,
      },
    })
    expect(ran.code).toBe(1)
    expect(ran.summary).toContain('seen &#42;&#42;&#42; &#124;')
    expect(ran.stdout).toMatch(/::warning::Could not comment.*seen \*\*\* \|/)
    expect(leaks(secrets, actionPlaces(world, ran))).toEqual([])
  })

  it('when a write fails with a message quoting the secrets, in the apply result and its comment', async () => {
    world = await startSecrets({ 'teams/a.yaml': `${LOCAL_USER}teams:\n${TEAM}` })
    world.github.addPullRequest(REPOSITORY, {
      number: 31,
      mergedAt: '2026-11-20T10:00:00Z',
      mergeCommitSha: MERGE_SHA,
    })
    const secrets = known(world, ...ALL_BUT_TOKEN)
    world.grafana.faults.inject({
      method: 'POST',
      path: '/api/admin/users',
      status: 400,
      ...jsonBody({ message: echoOf(secrets) }),
    })
    const ran = await action(world, {
      ...push,
      inputs: {
        'grafana-url': world.grafana.url,
        'grafana-username': 'admin',
        'grafana-password': ADMIN_PASSWORD,
        'okta-domain': world.okta.url,
        'okta-api-token': OKTA_TOKEN,
      },
    })
    expect(ran.code).toBe(1)
    expect(ran.outputs.failed).toBe('1')
    expect(readIfAny(ran.outputs['plan-file'])).toContain('rejected Authorization: Basic ***')
    expect(world.github.comments(REPOSITORY, 31)[0]?.body).toContain('rejected Authorization')
    expect(leaks(secrets, actionPlaces(world, ran))).toEqual([])
  })
})

describe('the CLI never shows a secret', () => {
  const env = (w: Secrets, extra: Record<string, string> = {}) => ({
    OKTA_DOMAIN: w.okta.url,
    OKTA_API_TOKEN: OKTA_TOKEN,
    DEPLOY_API_KEY: CLOUD_KEY,
    OFFICE_TV_PW: TV_PASSWORD,
    ...extra,
  })
  const BASIC_AUTH_RUN = [
    'grafana password',
    'basic-auth value',
    'okta token',
    'local user password',
    'secret-looking variable',
  ] as const

  it('in plan --json and --out, with the password in GRAFANA_URL and secrets in team names', async () => {
    world = await startSecrets({ 'teams/a.yaml': `${LOCAL_USER}teams:\n${TEAM}${LEAKY_TEAMS}` })
    const ran = await runCli(
      ['plan', '--json', '--out', 'plan.json'],
      world.ws,
      env(world, { GRAFANA_URL: urlWithPassword(world) }),
    )
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain('"Cloud ***"')
    expect(leaks(known(world, ...BASIC_AUTH_RUN), cliPlaces(world, ran, 'plan.json'))).toEqual([])
  })

  it('in the apply result when a write fails quoting the secrets', async () => {
    world = await startSecrets({ 'teams/a.yaml': `${LOCAL_USER}teams:\n${TEAM}` })
    const secrets = known(world, ...BASIC_AUTH_RUN)
    world.grafana.faults.inject({
      method: 'POST',
      path: '/api/admin/users',
      status: 400,
      ...jsonBody({ message: echoOf(secrets) }),
    })
    const ran = await runCli(
      ['apply', '--out', 'result.json'],
      world.ws,
      env(world, {
        GRAFANA_URL: world.grafana.url,
        GRAFANA_USERNAME: 'admin',
        GRAFANA_PASSWORD: ADMIN_PASSWORD,
      }),
    )
    expect(ran.code).toBe(1)
    expect(ran.stdout).toContain('rejected Authorization: Basic ***')
    expect(leaks(secrets, cliPlaces(world, ran, 'result.json'))).toEqual([])
  })

  it('when Okta echoes the secrets of every service', async () => {
    world = await startSecrets({ 'teams/a.yaml': `teams:\n${TEAM}` })
    const secrets = known(world, 'grafana token', 'okta token', 'secret-looking variable')
    world.okta.faults.inject({
      path: /\/api\/v1\/groups/,
      status: 400,
      ...jsonBody({ errorCode: 'E0000001', errorSummary: echoOf(secrets) }),
    })
    const ran = await runCli(
      ['plan'],
      world.ws,
      env(world, { GRAFANA_URL: world.grafana.url, GRAFANA_TOKEN: world.grafanaToken }),
    )
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain('seen *** |')
    expect(leaks(secrets, cliPlaces(world, ran))).toEqual([])
  })

  it('in the problems of a config that secrets make invalid', async () => {
    world = await startSecrets(HOSTILE_CONFIG)
    const ran = await runCli(['validate', '--json', '--out', 'v.json'], world.ws, env(world))
    expect(ran.code).toBe(1)
    expect(ran.stdout).toContain('teams/leak.yaml')
    const secrets = known(world, 'okta token', 'secret-looking variable')
    expect(leaks(secrets, cliPlaces(world, ran, 'v.json'))).toEqual([])
  })

  it('reads GRAFANA_URL=user:password@host as the client does: credentials, https assumed', async () => {
    world = await startSecrets({ 'teams/a.yaml': `teams:\n${TEAM}` })
    const hostAndPort = world.grafana.url.replace(/^http:\/\//, '')
    const ran = await runCli(
      ['plan'],
      world.ws,
      env(world, { GRAFANA_URL: `admin:${encodeURIComponent(ADMIN_PASSWORD)}@${hostAndPort}` }),
    )
    // https against the fake's plain-http port: a network error, not missing credentials.
    expect(ran.code).toBe(1)
    expect(ran.stderr).not.toContain('set GRAFANA_URL and GRAFANA_TOKEN')
    expect(ran.stderr).toMatch(/grafana GET \/api\/\S+ failed/)
    expect(leaks(known(world, ...BASIC_AUTH_RUN), cliPlaces(world, ran))).toEqual([])
  })
})
