import { afterEach, describe, expect, it } from 'vitest'
import { ADMIN, TestBed, applied, inputs, planned, view } from '../test/apply-support.ts'
import { startFakeOkta, type FakeOkta } from '../test/fakes/okta.ts'
import { MemoryOkta } from '../test/memory/okta.ts'
import { loadConfig } from './config/index.ts'
import { runEngine } from './engine.ts'
import { withSharedReads } from './okta/index.ts'

const bed = new TestBed()
const oktas: FakeOkta[] = []
afterEach(async () => {
  await Promise.all(oktas.splice(0).map((o) => o.close()))
  await bed.cleanUp()
})

async function okta(): Promise<FakeOkta> {
  const o = await startFakeOkta()
  oktas.push(o)
  return o
}

const TEAMS = `
teams:
  - name: Platform
    members: { users: [ana@acme.example] }
`

describe('runEngine', () => {
  it('validates offline: a summary and not one request', async () => {
    const g = bed.memory()
    const o = new MemoryOkta()
    const cwd = await bed.config({
      'a.yaml': `${TEAMS}    admins: { oktaGroups: [Leads] }\n`,
    })
    const outcome = await runEngine({ ...inputs(g, cwd, { mode: 'validate', okta: o }) })
    expect(outcome).toMatchObject({
      kind: 'validated',
      summary: { files: 1, teams: 1, orgs: ['Main Org.'], oktaGroups: ['Leads'], people: 1 },
    })
    expect(g.calls).toEqual([])
    expect(o.calls).toEqual([])
  })

  it.each(['plan', 'apply'] as const)(
    'reads and writes nothing in %s mode when the config is invalid',
    async (mode) => {
      const g = bed.memory()
      const o = new MemoryOkta()
      const cwd = await bed.config({
        'a.yaml': `${TEAMS}    admins: { oktaGroups: [Leads] }\n    colour: blue\n`,
      })
      const outcome = await runEngine(inputs(g, cwd, { mode, okta: o }))
      expect(outcome.kind).toBe('invalid')
      if (outcome.kind !== 'invalid') return
      expect(outcome.problems).toEqual([
        expect.objectContaining({ file: 'teams/a.yaml', line: 6, col: 5 }),
      ])
      expect(g.calls).toEqual([])
      expect(o.calls).toEqual([])
    },
  )

  it('validates a local user without its password variable, which only creating it needs', async () => {
    const cwd = await bed.config({
      'a.yaml': 'users:\n  - login: tv\n    password: { env: TV_PASSWORD }\n',
    })
    const outcome = await runEngine({
      mode: 'validate',
      configPath: 'teams',
      cwd,
      env: {},
      force: false,
      concurrency: 4,
    })
    expect(outcome.kind).toBe('validated')
  })

  it('warns in the plan when a user to create has no password variable, and only then', async () => {
    const g = bed.memory()
    g.addUser({ login: 'kiosk', email: 'kiosk@acme.example', orgs: { 1: 'Viewer' } })
    const cwd = await bed.config({
      'a.yaml': `users:
  - login: tv
    password: { env: TV_PASSWORD }
  - login: kiosk
    password: { env: KIOSK_PASSWORD }
`,
    })
    const plan = planned(await runEngine(inputs(g, cwd, { mode: 'plan' })))
    expect(plan.warnings).toEqual([
      {
        code: 'user-password-unset',
        message:
          'user tv is to be created, but its password variable TV_PASSWORD is not set or is empty: set it for the apply, e.g. from a secret',
        source: { file: 'teams/a.yaml', line: 2, col: 5 },
      },
    ])
    const withPassword = { mode: 'plan' as const, env: { TV_PASSWORD: 'Tv-pw-1234' } }
    expect(planned(await runEngine(inputs(g, cwd, withPassword))).warnings).toEqual([])
  })

  it('refuses before any request when a token cannot do what the config asks', async () => {
    const g = bed.memory()
    const token = g.addServiceAccountToken(1, 'Admin')
    const cwd = await bed.config({ 'a.yaml': 'orgs:\n  - name: Ops\n' })
    const outcome = await runEngine(inputs(g, cwd, { mode: 'apply', auth: { token } }))
    expect(outcome.kind).toBe('refused')
    if (outcome.kind !== 'refused') return
    expect(outcome.settings).toEqual([expect.objectContaining({ code: 'basic-auth-needed' })])
    expect(outcome.problems).toEqual([
      expect.stringContaining('`orgs:` is declared (teams/a.yaml:2)'),
    ])
    expect(outcome.problems.join('\n')).not.toContain(token)
    expect(g.calls).toEqual([])
  })

  it('refuses without Grafana credentials', async () => {
    const cwd = await bed.config({ 'a.yaml': TEAMS })
    const outcome = await runEngine({
      mode: 'plan',
      configPath: 'teams',
      cwd,
      env: {},
      force: false,
      concurrency: 4,
    })
    expect(outcome).toMatchObject({
      kind: 'refused',
      problems: [expect.stringContaining('No Grafana credentials')],
      settings: [{ code: 'grafana-credentials-missing' }],
    })
  })

  it('fails without writing when a read is refused, and the error names no secret', async () => {
    const g = await bed.grafana()
    const cwd = await bed.config({ 'a.yaml': TEAMS })
    const wrong = 'not-the-password-5318'
    const outcome = await runEngine({
      ...inputs(g, cwd, { mode: 'apply' }),
      grafana: { url: g.url, username: ADMIN.username, password: wrong },
    })
    expect(outcome.kind).toBe('failed')
    if (outcome.kind !== 'failed') return
    expect(outcome.error).toContain('401')
    expect(outcome).toMatchObject({ code: 'credential-rejected', service: 'grafana' })
    expect(outcome.error).not.toContain(wrong)
    expect(outcome.error).not.toContain(
      Buffer.from(`${ADMIN.username}:${wrong}`).toString('base64'),
    )
    expect(outcome.requests.length).toBeGreaterThan(0)
    expect(g.writes()).toEqual([])
  })

  it('fails on a revoked token without echoing it', async () => {
    const g = await bed.grafana()
    const cwd = await bed.config({ 'a.yaml': TEAMS })
    const token = 'glsa_revokedrevokedrevokedrevoked_0badc0de'
    const outcome = await runEngine(inputs(g, cwd, { mode: 'plan', auth: { token } }))
    expect(outcome.kind).toBe('failed')
    expect(JSON.stringify(outcome)).not.toContain(token)
    expect(g.writes()).toEqual([])
  })

  it('plans without writing and reports every request it made', async () => {
    const g = bed.memory()
    g.addUser({ login: 'ana', email: 'ana@acme.example', orgs: { 1: 'Viewer' } })
    const cwd = await bed.config({ 'a.yaml': TEAMS })
    const plan = planned(await runEngine(inputs(g, cwd, { mode: 'plan' })))
    expect(plan.changes.map((c) => c.id)).toEqual([
      'create-team:Main Org./Platform',
      'add-team-member:Main Org./Platform/ana@acme.example',
    ])
    expect(g.writes()).toEqual([])
    const counted = plan.stats.requests.reduce((n, s) => n + s.requests, 0)
    expect(counted).toBe(g.calls.length)
    expect(plan.stats.requests.every((s) => s.service === 'grafana')).toBe(true)
  })

  it('asks Okta only when the config names a group, and applies group members', async () => {
    const g = bed.memory()
    const o = new MemoryOkta()
    g.addUser({ login: 'ana', email: 'ana@acme.example', orgs: { 1: 'Viewer' } })
    g.addUser({ login: 'lee', email: 'lee@acme.example', orgs: { 1: 'Viewer' } })
    const leads = o.addGroup({ name: 'Leads' })
    o.addMember(leads, o.addUser({ login: 'lee@acme.example', email: 'lee@acme.example' }))

    const plain = await bed.config({ 'a.yaml': TEAMS })
    planned(await runEngine(inputs(g, plain, { mode: 'plan', okta: o })))
    expect(o.calls).toEqual([])

    const withGroup = await bed.config({
      'a.yaml': `${TEAMS}    admins: { oktaGroups: [Leads] }\n`,
    })
    const progress: string[] = []
    const out = applied(
      await runEngine({
        ...inputs(g, withGroup, { okta: o }),
        onProgress: (m) => progress.push(m),
      }),
    )
    expect(out.result).toMatchObject({ failed: 0, skipped: 0 })
    expect(o.calls.length).toBeGreaterThan(0)
    expect(out.plan.stats.requests.some((s) => s.service === 'okta')).toBe(true)
    const platform = g.snapshot().teams.find((t) => t.name === 'Platform')!
    const members = g.snapshot().teamMembers.filter((m) => m.teamId === platform.id)
    expect(members.map((m) => m.permission).sort()).toEqual([0, 4])
    expect(progress.length).toBeGreaterThan(0)
  })

  it('runs the config it is given without reading the config files again', async () => {
    const g = bed.memory()
    g.addUser({ login: 'ana', email: 'ana@acme.example', orgs: { 1: 'Viewer' } })
    const cwd = await bed.config({ 'a.yaml': TEAMS })
    const loaded = await loadConfig('teams', { cwd, env: {} })
    if (!loaded.ok) throw new Error('the test config is invalid')
    const plan = planned(
      await runEngine({
        ...inputs(g, cwd, { mode: 'plan' }),
        configPath: 'no-such-folder',
        config: loaded.config,
      }),
    )
    expect(plan.changes.map((c) => c.id)).toContain('create-team:Main Org./Platform')
  })

  it('runs once per Grafana with its own client, reading each Okta group once for all of them', async () => {
    const okta = new MemoryOkta()
    const leads = okta.addGroup({ name: 'Leads' })
    okta.addMember(leads, okta.addUser({ login: 'lee@acme.example' }))
    const shared = withSharedReads(okta.client())
    const cwd = await bed.config({ 'a.yaml': `${TEAMS}    admins: { oktaGroups: [Leads] }\n` })
    const instances = [bed.memory(), bed.memory()]
    for (const g of instances)
      g.addUser({ login: 'lee', email: 'lee@acme.example', orgs: { 1: 'Viewer' } })
    for (const g of instances) {
      const clients = { grafana: g.client(ADMIN), okta: shared }
      applied(await runEngine({ ...inputs(g, cwd), clients }))
      expect(view(g).team('Main Org.', 'Platform')).toEqual({ lee: 'Admin' })
    }
    expect(okta.calls).toEqual(['findGroups Leads', `listMembers ${leads}`])
  })

  it('makes its clients from credentials when given no clients, and keeps secrets out of progress', async () => {
    const g = await bed.grafana()
    const o = await okta()
    g.addUser({ login: 'lee', email: 'lee@acme.example', orgs: { 1: 'Viewer' } })
    const leads = o.addGroup({ name: 'Leads' })
    o.addMember(leads, o.addUser({ login: 'lee@acme.example', email: 'lee@acme.example' }))
    const cwd = await bed.config({ 'a.yaml': `${TEAMS}    admins: { oktaGroups: [Leads] }\n` })
    const progress: string[] = []
    const plan = planned(
      await runEngine({
        ...inputs(g, cwd, { mode: 'plan', okta: o }),
        onProgress: (m) => progress.push(m),
      }),
    )
    const counted = (service: string) =>
      plan.stats.requests.filter((s) => s.service === service).reduce((n, s) => n + s.requests, 0)
    expect(counted('grafana')).toBe(g.requests.length)
    expect(counted('okta')).toBe(o.requests.length)
    expect(o.requests.length).toBeGreaterThan(0)
    expect(progress.join('\n')).not.toContain(o.token)
    expect(progress.join('\n')).not.toContain(ADMIN.password)
  })
})
