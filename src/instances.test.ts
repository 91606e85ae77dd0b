import { afterEach, describe, expect, it } from 'vitest'
import { startFakeGrafana, type FakeGrafana } from '../test/fakes/grafana.ts'
import { startFakeOkta, type FakeOkta } from '../test/fakes/okta.ts'
import { configFixture, type ConfigFixture } from '../test/fixtures/config.ts'
import type { EngineInputs } from './engine.ts'
import {
  baseForInstance,
  configForInstance,
  runInstances,
  type InstancesOutcome,
} from './instances.ts'
import { createScrubber } from './secrets/index.ts'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

async function grafana(version: '11.0' | '11.1' | '12.0'): Promise<FakeGrafana> {
  const g = await startFakeGrafana({ version })
  closers.push(() => g.close())
  for (const login of ['ana', 'bob'])
    g.addUser({ login, email: `${login}@acme.example`, orgs: { 1: 'Viewer' } })
  return g
}

async function world() {
  const [prod, staging, eu] = await Promise.all([grafana('12.0'), grafana('11.0'), grafana('11.1')])
  const okta: FakeOkta = await startFakeOkta()
  closers.push(() => okta.close())
  const group = okta.addGroup({ name: 'Engineers' })
  okta.addMember(group, okta.addUser({ login: 'ana@acme.example' }))
  const env = {
    PROD_TOKEN: prod.addServiceAccountToken(1),
    STAGING_USER: 'admin',
    STAGING_PASSWORD: 'admin',
    EU_TOKEN: eu.addServiceAccountToken(1),
  }
  const fixture: ConfigFixture = await configFixture({
    'instances.yaml': `instances:
  - name: production
    url: ${prod.url}
    token: { env: PROD_TOKEN }
  - name: staging
    url: ${staging.url}
    username: { env: STAGING_USER }
    password: { env: STAGING_PASSWORD }
  - name: eu
    url: ${eu.url}
    token: { env: EU_TOKEN }
`,
    'teams.yaml': `teams:
  - name: Platform
    members: { oktaGroups: [Engineers] }
  - name: Canary
    instances: [staging]
    members: { users: [bob@acme.example] }
`,
  })
  closers.push(() => fixture.remove())
  const loaded = await fixture.load(env)
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems))
  const scrubber = createScrubber()
  const inputs = (mode: 'plan' | 'apply', extra: Record<string, string> = {}): EngineInputs => ({
    mode,
    configPath: 'teams',
    cwd: fixture.cwd,
    env: { ...env, ...extra },
    okta: { domain: okta.url, token: okta.token },
    force: false,
    concurrency: 4,
    scrubber,
  })
  return { prod, staging, eu, okta, env, config: loaded.config, inputs, scrubber }
}

function teamsOf(g: FakeGrafana): string[] {
  return g
    .snapshot()
    .teams.map((t) => t.name)
    .sort()
}

describe('runInstances', () => {
  it('applies shared and instance-specific teams on each instance, reading Okta once', async () => {
    const w = await world()
    const outcome = (await runInstances(w.inputs('apply'), w.config, {
      grafanaSettings: [],
    })) as InstancesOutcome
    expect(outcome.kind).toBe('instances')
    expect(outcome.instances.map((i) => [i.name, i.outcome.kind])).toEqual([
      ['production', 'applied'],
      ['staging', 'applied'],
      ['eu', 'applied'],
    ])
    expect(teamsOf(w.prod)).toEqual(['Platform'])
    expect(teamsOf(w.staging)).toEqual(['Canary', 'Platform'])
    expect(teamsOf(w.eu)).toEqual(['Platform'])
    const groupReads = w.okta.requests.filter((r) => r.path.includes('/groups/')).length
    w.okta.clearRequests()

    // The same config on one instance asks Okta exactly as often.
    const single = configForInstance(w.config, 'production')
    const { runEngine } = await import('./engine.ts')
    await runEngine({
      ...w.inputs('plan'),
      config: single,
      grafana: { url: w.prod.url, token: w.env.PROD_TOKEN },
    })
    expect(w.okta.requests.filter((r) => r.path.includes('/groups/')).length).toBe(groupReads)
  })

  it('fails one instance that answers 500 while the others apply', async () => {
    const w = await world()
    w.eu.faults.inject({ path: /^\/api\/teams\/search/, status: 500 })
    const outcome = (await runInstances(
      {
        ...w.inputs('apply'),
        env: { ...w.inputs('apply').env, GRAFANA_TEAM_SYNC_HTTP_TIMEOUT_MS: '2000' },
      },
      w.config,
      { grafanaSettings: [] },
    )) as InstancesOutcome
    expect(outcome.instances.map((i) => i.outcome.kind)).toEqual(['applied', 'applied', 'failed'])
    expect(teamsOf(w.prod)).toEqual(['Platform'])
    expect(teamsOf(w.eu)).toEqual([])
  })

  it('blocks only the instance whose removal guard trips', async () => {
    const w = await world()
    const users = ['c1', 'c2', 'c3', 'c4'].map((login) =>
      w.staging.addUser({ login, email: `${login}@acme.example`, orgs: { 1: 'Viewer' } }),
    )
    w.staging.addTeam(1, 'Platform', { members: users.map((userId) => ({ userId })) })
    const outcome = (await runInstances(w.inputs('apply'), w.config, {
      grafanaSettings: [],
    })) as InstancesOutcome
    const staging = outcome.instances[1]!.outcome
    expect(staging.kind === 'applied' && staging.result.blocked).toBe(true)
    expect(outcome.instances[0]!.outcome).toMatchObject({ result: { blocked: false } })
    expect(teamsOf(w.prod)).toEqual(['Platform'])
    expect(w.staging.snapshot().teams.map((t) => t.name)).toEqual(['Platform'])
  })

  it('refuses Grafana settings beside instances, naming where instances are declared', async () => {
    const w = await world()
    const outcome = await runInstances(w.inputs('plan'), w.config, {
      grafanaSettings: ['grafanaUrl', 'grafanaToken'],
    })
    expect(outcome).toMatchObject({
      kind: 'refused',
      settings: [
        {
          code: 'grafana-settings-with-instances',
          settings: ['grafanaUrl', 'grafanaToken'],
          where: 'teams/instances.yaml:2',
        },
      ],
    })
    expect(w.prod.requests).toEqual([])
  })

  it('reports an unset credential variable at its line before any request', async () => {
    const w = await world()
    const inputs = w.inputs('plan')
    delete inputs.env.EU_TOKEN
    const outcome = await runInstances(inputs, w.config, { grafanaSettings: [] })
    expect(outcome).toMatchObject({
      kind: 'invalid',
      problems: [
        {
          file: 'teams/instances.yaml',
          line: 11,
          message: 'instance "eu": environment variable EU_TOKEN is not set or is empty',
        },
      ],
    })
    expect([...w.prod.requests, ...w.okta.requests]).toEqual([])
  })

  it('refuses a token-only instance whose part of the config declares users', async () => {
    const w = await world()
    const config = {
      ...w.config,
      users: [
        {
          login: 'tv',
          orgRoles: [],
          instances: [{ value: 'staging', source: { file: 'teams/u.yaml', line: 3, col: 5 } }],
          source: { file: 'teams/u.yaml', line: 2, col: 5 },
        },
        { login: 'kiosk', orgRoles: [], source: { file: 'teams/u.yaml', line: 5, col: 5 } },
      ],
    }
    const outcome = await runInstances(w.inputs('plan'), config, { grafanaSettings: [] })
    expect(outcome.kind === 'invalid' && outcome.problems.map((p) => [p.line, p.message])).toEqual([
      [
        2,
        'instance "production" has a token only: `users:` is declared (teams/u.yaml:5): managing Grafana accounts needs basic auth, a service-account token cannot',
      ],
      [
        9,
        'instance "eu" has a token only: `users:` is declared (teams/u.yaml:5): managing Grafana accounts needs basic auth, a service-account token cannot',
      ],
    ])
  })

  it('runs two instances on one host one after the other, so the host keeps one limit', async () => {
    const w = await world()
    const sameHost = {
      ...w.config,
      instances: [
        { ...w.config.instances![0]!, name: 'a' },
        { ...w.config.instances![0]!, name: 'b' },
        w.config.instances![1]!,
      ],
      teams: w.config.teams.filter((t) => !t.instances),
    }
    const progress: string[] = []
    const outcome = await runInstances(
      { ...w.inputs('plan'), onProgress: (m) => progress.push(m) },
      sameHost,
      { grafanaSettings: [] },
    )
    expect(outcome.kind).toBe('instances')
    const of = (name: string) => progress.flatMap((m, n) => (m.startsWith(`[${name}] `) ? [n] : []))
    const [a, b] = [of('a'), of('b')]
    expect(a.length).toBeGreaterThan(0)
    expect(Math.max(...a)).toBeLessThan(Math.min(...b))
  })

  it('teaches the scrubber every instance secret', async () => {
    const w = await world()
    await runInstances(w.inputs('plan'), w.config, { grafanaSettings: [] })
    const text = `${w.env.PROD_TOKEN} ${w.env.EU_TOKEN} ${Buffer.from('admin:admin').toString('base64')}`
    expect(w.scrubber.scrub(text)).not.toMatch(/glsa_|YWRtaW46YWRtaW4=/)
  })
})

describe('the base config of a pull request on several instances', () => {
  it("gives each instance the base's part for it, as the PR's config is split", async () => {
    const w = await world()
    const base = { ref: 'b45e', config: w.config }
    const part = baseForInstance(base, 'staging')
    expect(part).toEqual({ ref: 'b45e', config: configForInstance(w.config, 'staging') })
    expect('config' in part && part.config.teams.map((t) => t.name)).toEqual(['Platform', 'Canary'])
  })

  it('manages nothing on an instance the base does not declare, and cannot split a base without instances', async () => {
    const w = await world()
    const withoutEu = { ...w.config, instances: w.config.instances!.slice(0, 2) }
    const added = baseForInstance({ ref: 'b45e', config: withoutEu }, 'eu')
    expect('config' in added && added.config).toMatchObject({
      orgs: [],
      teams: [],
      users: [],
      settings: { prune: { teamMembers: false, teams: false, orgUsers: false } },
    })
    const single = { ...w.config, instances: undefined }
    expect(baseForInstance({ ref: 'b45e', config: single }, 'eu')).toEqual({
      ref: 'b45e',
      unreadable: 'the base config declares no instances',
    })
    expect(baseForInstance({ ref: 'b45e', unreadable: 'GitHub answered 404' }, 'eu')).toEqual({
      ref: 'b45e',
      unreadable: 'GitHub answered 404',
    })
  })

  it("marks an added instance's changes as the PR's and the others' Okta drift as pending", async () => {
    const w = await world()
    const withoutEu = { ...w.config, instances: w.config.instances!.slice(0, 2) }
    const outcome = (await runInstances(
      { ...w.inputs('plan'), base: { ref: 'b45e', config: withoutEu } },
      w.config,
      { grafanaSettings: [] },
    )) as InstancesOutcome
    const origins = outcome.instances.map(({ name, outcome: one }) => [
      name,
      one.kind === 'planned' ? one.plan.changes.map((c) => c.origin) : one.kind,
    ])
    expect(origins).toEqual([
      ['production', ['pending', 'pending']],
      ['staging', ['pending', 'pending', 'pending', 'pending']],
      ['eu', ['pull-request', 'pull-request']],
    ])
  })
})
