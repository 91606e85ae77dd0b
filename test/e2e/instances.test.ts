// Several Grafana instances from one config, run by the built bundle as a runner or a terminal does.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startFakeGrafana, type FakeGrafana } from '../fakes/grafana.ts'
import { DIST, REPOSITORY, requireBuild, runAction, runCli, type ActionOptions } from './harness.ts'
import {
  expectNoSecrets,
  GITHUB_TOKEN,
  OKTA_TOKEN,
  pullRequestPayload,
  repoPayload,
  startWorld,
  teamMembers,
  type World,
} from './world.ts'

const STAGING_PASSWORD = 'Stag1ng-SECRET-pw'

interface Instances {
  world: World
  staging: FakeGrafana
  eu: FakeGrafana
  /** The step's `env:`: the instances' secrets, as a workflow passes them. */
  env: Record<string, string>
}

let current: Instances | undefined
beforeAll(requireBuild)
afterEach(async () => {
  if (!current) return
  await Promise.all([current.world.close(), current.staging.close(), current.eu.close()])
  current = undefined
})

const TEAMS = `teams:
  - name: Platform
    members: { users: [carol@acme.example], oktaGroups: [Platform-Engineers] }
  - name: Canary
    instances: [staging]
    members: { users: [bob@acme.example] }
`

async function start(): Promise<Instances> {
  const staging = await startFakeGrafana({ version: '11.0', adminPassword: STAGING_PASSWORD })
  const eu = await startFakeGrafana({ version: '11.1' })
  const world = await startWorld({
    'teams/instances.yaml': `instances:
  - name: production
    url: \${PROD_URL}
    token: { env: GRAFANA_PROD_TOKEN }
  - name: staging
    url: ${staging.url}
    username: { env: GRAFANA_STAGING_USER }
    password: { env: GRAFANA_STAGING_PASSWORD }
  - name: eu
    url: ${eu.url}
    token: { env: GRAFANA_EU_TOKEN }
`,
    'teams/teams.yaml': TEAMS,
  })
  for (const g of [staging, eu]) {
    for (const login of ['bob', 'carol', 'dave', 'erin']) {
      g.addUser({ login, email: `${login}@acme.example`, orgs: { 1: 'Viewer' } })
    }
  }
  const env = {
    PROD_URL: world.grafana.url,
    GRAFANA_PROD_TOKEN: world.grafanaToken,
    GRAFANA_STAGING_USER: 'admin',
    GRAFANA_STAGING_PASSWORD: STAGING_PASSWORD,
    GRAFANA_EU_TOKEN: eu.addServiceAccountToken(1),
  }
  world.secrets.push(
    STAGING_PASSWORD,
    Buffer.from(`admin:${STAGING_PASSWORD}`).toString('base64'),
    env.GRAFANA_EU_TOKEN,
  )
  current = { world, staging, eu, env }
  return current
}

const okta = (w: World) => ({ 'okta-domain': w.okta.url, 'okta-api-token': OKTA_TOKEN })

function action(i: Instances, opts: Omit<ActionOptions, 'inputs'>) {
  return runAction(i.world.ws, {
    githubToken: GITHUB_TOKEN,
    apiUrl: i.world.github.url,
    inputs: okta(i.world),
    env: i.env,
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
  ref: 'refs/heads/main',
  sha: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
  payload: { ref: 'refs/heads/main', repository: repoPayload },
}

function oktaReads(w: World): string[] {
  return w.okta.requests.map((r) => `${r.method} ${r.path}`).sort()
}

describe('several Grafana instances', () => {
  it('plans each instance on a pull request: one comment with all three, outputs added up, Okta read once', async () => {
    const i = await start()
    const ran = await action(i, pullRequest)
    expect(ran.code).toBe(0)
    const [comment, ...others] = i.world.github.comments(REPOSITORY, 12)
    expect(others).toEqual([])
    expect(comment!.body).toMatch(
      /^<!-- grafana-team-sync:plan \{"configPath":"teams","target":"[0-9a-f]{12}"\} -->/,
    )
    expect(comment!.body).toContain('on 3 instances')
    for (const name of ['production', 'staging', 'eu']) {
      expect(comment!.body).toContain(`for <code>teams</code> on <code>${name}</code>`)
    }
    // Platform (carol, dave, erin) on three instances, Canary (bob) on staging.
    expect(ran.outputs['change-count']).toBe(String(3 * 4 + 2))
    expect(JSON.parse(ran.outputs.counts!)).toEqual({ 'create-team': 4, 'add-team-member': 10 })
    const planFile = JSON.parse(readFileSync(ran.outputs['plan-file']!, 'utf8')) as {
      instances: { name: string; plan: { changes: unknown[] } }[]
    }
    expect(planFile.instances.map((x) => [x.name, x.plan.changes.length])).toEqual([
      ['production', 4],
      ['staging', 6],
      ['eu', 4],
    ])
    expect([i.world.grafana, i.staging, i.eu].map((g) => g.writes())).toEqual([[], [], []])
    expectNoSecrets(i.world, ran)

    // One instance from the inputs asks Okta the very same requests.
    const threeInstances = oktaReads(i.world)
    i.world.okta.clearRequests()
    i.world.ws.write('teams/instances.yaml', '')
    i.world.ws.write('teams/teams.yaml', TEAMS.replace('    instances: [staging]\n', ''))
    const one = await runCli(['plan'], i.world.ws, {
      GRAFANA_URL: i.world.grafana.url,
      GRAFANA_TOKEN: i.world.grafanaToken,
      OKTA_DOMAIN: i.world.okta.url,
      OKTA_API_TOKEN: OKTA_TOKEN,
    })
    expect(one.code).toBe(0)
    expect(oktaReads(i.world)).toEqual(threeInstances)
  })

  it('applies on push: a failing and a blocked instance stop only themselves, the run fails', async () => {
    const i = await start()
    i.eu.faults.inject({ path: /^\/api\/teams\/search/, status: 500 })
    const leavers = ['m1', 'm2', 'm3', 'm4'].map((login) =>
      i.staging.addUser({ login, email: `${login}@acme.example`, orgs: { 1: 'Viewer' } }),
    )
    i.staging.addTeam(1, 'Platform', { members: leavers.map((userId) => ({ userId })) })
    const ran = await action(i, {
      ...push,
      env: { ...i.env, GRAFANA_TEAM_SYNC_HTTP_TIMEOUT_MS: '2000' },
    })
    expect(ran.code).toBe(1)
    expect(teamMembers(i.world.grafana, 'Platform')).toEqual(['carol', 'dave', 'erin'])
    expect(i.staging.writes()).toEqual([])
    expect(i.eu.writes()).toEqual([])
    expect(ran.summary).toMatch(
      /\| <code>production<\/code> \| applied \| 4 \| 0 \| 0 \| 4 \| 0 \|/,
    )
    expect(ran.summary).toMatch(/\| <code>staging<\/code> \| blocked \|/)
    expect(ran.summary).toMatch(/\| <code>eu<\/code> \| failed \|/)
    expect(ran.outputs).toMatchObject({ applied: '4', failed: '0' })
    expect(ran.stdout).toMatch(/::error::.*\[staging\] Apply blocked by safety guard/)
    expect(ran.stdout).toMatch(/\[eu\] .*500/)
    expectNoSecrets(i.world, ran)
  })

  it('converges every instance on the next apply', async () => {
    const i = await start()
    const first = await action(i, push)
    expect(first.code).toBe(0)
    expect(teamMembers(i.world.grafana, 'Platform')).toEqual(['carol', 'dave', 'erin'])
    expect(teamMembers(i.staging, 'Platform')).toEqual(['carol', 'dave', 'erin'])
    expect(teamMembers(i.staging, 'Canary')).toEqual(['bob'])
    expect(teamMembers(i.eu, 'Platform')).toEqual(['carol', 'dave', 'erin'])
    expect(teamMembers(i.eu, 'Canary')).toEqual([])
    const again = await action(i, push)
    expect(again.outputs['change-count']).toBe('0')
    expectNoSecrets(i.world, again)
  })

  it('only validates a pull request when no instance credential is set, as without instances', async () => {
    const i = await start()
    const ran = await action(i, { ...pullRequest, env: { PROD_URL: i.env.PROD_URL! } })
    expect(ran.code).toBe(0)
    expect(ran.outputs.mode).toBe('validate')
    expect([...i.world.grafana.requests, ...i.staging.requests, ...i.eu.requests]).toEqual([])
  })

  it('keeps a large plan on one instance within the comment budget without dropping the others’ removals', async () => {
    const i = await start()
    const people = Array.from({ length: 1500 }, (_, n) => `person${String(n).padStart(4, '0')}`)
    for (const login of people) {
      i.world.grafana.addUser({ login, email: `${login}@acme.example`, orgs: { 1: 'Viewer' } })
    }
    const leavers = ['m1', 'm2', 'm3'].map((login) =>
      i.eu.addUser({ login, email: `${login}@acme.example`, orgs: { 1: 'Viewer' } }),
    )
    i.eu.addTeam(1, 'Platform', { members: leavers.map((userId) => ({ userId })) })
    const users = people.map((p) => `${p}@acme.example`).join(', ')
    i.world.ws.write(
      'teams/big.yaml',
      `teams:\n  - name: Big\n    instances: [production]\n    members: { users: [${users}] }\n`,
    )
    const ran = await action(i, pullRequest)
    expect(ran.code).toBe(0)
    const [comment] = i.world.github.comments(REPOSITORY, 12)
    expect(comment!.body.length).toBeLessThanOrEqual(60_000)
    expect(comment!.body).toContain('| <code>production</code> | changes | 1505 | 0 | 0 |')
    // Every instance is shortened alike, and eu's removals are still named.
    expect(comment!.body.match(/Shortened to fit the size limit: [^.]*/g)).toEqual([
      'Shortened to fit the size limit: one line per change, without provenance',
      'Shortened to fit the size limit: one line per change, without provenance',
      'Shortened to fit the size limit: one line per change, without provenance',
    ])
    expect(comment!.body).toContain('m1@acme.example')
    expect(ran.summary).toContain('person1499@acme.example')
  })

  it('fails a plan whose instance credential is unset at its line, before any request', async () => {
    const i = await start()
    const { GRAFANA_EU_TOKEN: _unset, ...env } = i.env
    const ran = await action(i, { ...pullRequest, env })
    expect(_unset).toBeTruthy()
    expect(ran.code).toBe(1)
    expect(ran.stdout).toContain(
      '::error file=teams/instances.yaml,line=11,col=19::instance "eu": environment variable GRAFANA_EU_TOKEN is not set or is empty',
    )
    expect([...i.world.grafana.requests, ...i.staging.requests, ...i.eu.requests]).toEqual([])
  })

  it('refuses the grafana-url input beside instances, before any request', async () => {
    const i = await start()
    const ran = await runAction(i.world.ws, {
      ...pullRequest,
      githubToken: GITHUB_TOKEN,
      apiUrl: i.world.github.url,
      inputs: { ...okta(i.world), 'grafana-url': i.world.grafana.url },
      env: i.env,
    })
    expect(ran.code).toBe(1)
    expect(ran.stdout).toContain(
      '`instances:` is declared (teams/instances.yaml:2): each instance brings its own URL and credentials, so the `grafana-url` input must be unset; remove it',
    )
    expect([...i.world.grafana.requests, ...i.staging.requests, ...i.eu.requests]).toEqual([])
    // The refusal is in the instances' sticky comment: the fixed run updates it, no second one.
    const [refusal] = i.world.github.comments(REPOSITORY, 12)
    expect(refusal!.body).toContain('grafana-url')
    expect((await action(i, pullRequest)).code).toBe(0)
    const comments = i.world.github.comments(REPOSITORY, 12)
    expect(comments.map((c) => c.id)).toEqual([refusal!.id])
    expect(comments[0]!.body).toContain('on 3 instances')
  })

  it('CLI: groups the text by instance and names GRAFANA_* variables set beside instances', async () => {
    const i = await start()
    const env = { ...i.env, OKTA_DOMAIN: i.world.okta.url, OKTA_API_TOKEN: OKTA_TOKEN }
    const plan = await runCli(['plan'], i.world.ws, env)
    expect(plan.code).toBe(0)
    expect(plan.stdout).toContain(`== instance staging (${i.staging.url}) ==`)
    const json = await runCli(['plan', '--json'], i.world.ws, env)
    const doc = JSON.parse(json.stdout) as { instances: { name: string }[] }
    expect(doc.instances.map((x) => x.name)).toEqual(['production', 'staging', 'eu'])
    const refused = await runCli(['plan'], i.world.ws, { ...env, GRAFANA_TOKEN: 'x' })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('so GRAFANA_TOKEN must be unset; remove it')
  })

  it('CLI: exports one instance of the config with its own credentials', async () => {
    const i = await start()
    i.staging.addTeam(1, 'Staging-Only')
    const ran = await runCli(
      ['export', '--instance', 'staging', '--out', 'exported'],
      i.world.ws,
      i.env,
    )
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain('Exported 1 org(s) and 1 team(s) into exported/')
    const files = readdirSync(join(i.world.ws.dir, 'exported'), {
      recursive: true,
      encoding: 'utf8',
    }).filter((f) => f.endsWith('.yaml'))
    const text = files
      .map((f) => readFileSync(join(i.world.ws.dir, 'exported', f), 'utf8'))
      .join('')
    expect(text).toContain('Staging-Only')
    expect(ran.stderr + ran.stdout).not.toContain(STAGING_PASSWORD)
    const unknown = await runCli(['export', '--instance', 'qa', '--out', 'x'], i.world.ws, i.env)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain(
      '--instance qa: teams declares no such instance (it declares production, staging, eu)',
    )
  })

  it('serve: runs every instance each loop, metrics labelled by instance', async () => {
    const i = await start()
    const env = { ...i.env, OKTA_DOMAIN: i.world.okta.url, OKTA_API_TOKEN: OKTA_TOKEN }
    const child = spawn(
      process.execPath,
      [DIST, 'serve', '--listen', '127.0.0.1:0', '--interval', '1h', '--log-format', 'json'],
      { cwd: i.world.ws.dir, env: { PATH: process.env.PATH ?? '', ...env } },
    )
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    try {
      const events = () =>
        stderr
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
      await vi.waitFor(
        () => expect(events().filter((e) => e.msg === 'run finished')).toHaveLength(3),
        { timeout: 20_000, interval: 100 },
      )
      const finished = events().filter((e) => e.msg === 'run finished')
      expect(finished.map((e) => [e.instance, e.result])).toEqual([
        ['production', 'success'],
        ['staging', 'success'],
        ['eu', 'success'],
      ])
      expect(teamMembers(i.staging, 'Canary')).toEqual(['bob'])
      const address = events().find((e) => e.msg === 'listening')!.address as string
      const metrics = await (await fetch(`${address}/metrics`)).text()
      expect(metrics).toContain(
        'grafana_team_sync_runs_total{result="success",instance="staging"} 1',
      )
      expect(metrics).toMatch(
        /grafana_team_sync_changes_applied_total\{kind="create-team",instance="staging"\} 2/,
      )
      expect(metrics + stderr).not.toContain(STAGING_PASSWORD)
      expect(metrics + stderr).not.toContain(i.env.GRAFANA_EU_TOKEN)
    } finally {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('close', resolve))
    }
  })
})
