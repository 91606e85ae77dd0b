// applyPlan through the engine against the fake Grafana: convergence, Grafana's own side effects,
// safety guards, local-user passwords and several orgs under one server-admin login.
import { afterEach, describe, expect, it } from 'vitest'
import { ADMIN, TestBed, applied, asAdmin, planned, run, view } from './apply-support.ts'
import { applyPlan } from '../src/apply/index.ts'
import { createGrafanaClient } from '../src/grafana/index.ts'
import type { FakeGrafana } from './fakes/grafana.ts'
import type { MemoryGrafana } from './memory/grafana.ts'

const bed = new TestBed()
afterEach(() => bed.cleanUp())

/** A second apply must plan nothing and send no write at all. */
async function expectConverged(
  g: FakeGrafana | MemoryGrafana,
  cwd: string,
  env: Record<string, string> = {},
) {
  g.clearRequests()
  const again = applied(await run(g, cwd, { env }))
  expect(again.plan.changes).toEqual([])
  expect(again.result).toMatchObject({ applied: 0, failed: 0, skipped: 0 })
  expect(g.writes()).toEqual([])
}

function seedPeople(g: FakeGrafana | MemoryGrafana) {
  const ids: Record<string, number> = {}
  for (const login of ['ana', 'bob', 'carl', 'dan', 'eve']) {
    ids[login] = g.addUser({ login, email: `${login}@acme.example`, name: login.toUpperCase() })
  }
  return ids
}

describe('convergence', () => {
  const config = `
teams:
  - name: Platform
    email: platform@acme.example
    preferences: { theme: dark, timezone: utc }
    members: { users: [bob@acme.example, carl@acme.example] }
    admins: { users: [ana@acme.example] }
  - name: Data
    members: { users: [dan@acme.example] }
    admins: { users: [bob@acme.example] }
users:
  - login: office-tv
    email: tv@acme.example
    name: Office TV
    password: { env: TV_PASSWORD }
    orgRoles: { Main Org.: Editor }
`
  const env = { TV_PASSWORD: 'tv-initial-pw' }

  it('builds the declared state from an empty Grafana; a second apply writes nothing', async () => {
    const g = bed.memory()
    seedPeople(g)
    const cwd = await bed.config({ 'a.yaml': config })

    const first = applied(await run(g, cwd, { env }))
    expect(first.result.failed).toBe(0)
    expect(first.result.skipped).toBe(0)
    expect(first.result.applied).toBe(first.plan.changes.length)

    const v = view(g)
    expect(v.team('Main Org.', 'Platform')).toEqual({ ana: 'Admin', bob: 'Member', carl: 'Member' })
    expect(v.team('Main Org.', 'Data')).toEqual({ bob: 'Admin', dan: 'Member' })
    expect(v.teamRecord('Main Org.', 'Platform')?.email).toBe('platform@acme.example')
    const platformId = v.teamRecord('Main Org.', 'Platform')!.id
    expect(v.snapshot.teamPreferences[platformId]).toMatchObject({ theme: 'dark', timezone: 'utc' })
    expect(v.orgRoles('Main Org.')).toEqual({
      admin: 'Admin',
      ana: 'Viewer',
      bob: 'Viewer',
      carl: 'Viewer',
      dan: 'Viewer',
      'office-tv': 'Editor',
    })
    expect(v.user('office-tv')).toMatchObject({ email: 'tv@acme.example', name: 'Office TV' })

    await expectConverged(g, cwd, env)
  })

  it('corrects a drifted Grafana and leaves what it does not manage alone', async () => {
    const g = bed.memory()
    const id = seedPeople(g)
    const frank = g.addUser({ login: 'frank', email: 'frank@acme.example', orgs: { 1: 'Viewer' } })
    const bystander = g.addUser({ login: 'bystander', orgs: { 1: 'Editor' } })
    const platform = g.addTeam(1, 'Platform', {
      email: 'old@acme.example',
      members: [
        { userId: id.ana!, permission: 0 }, // wanted Admin
        { userId: id.bob!, permission: 4 }, // wanted Member
        { userId: id.eve!, permission: 0 }, // not declared: removed
        { userId: frank, permission: 0, labels: ['LDAP'] }, // synced by Grafana: kept
      ],
    })
    g.setTeamPreferences(platform, { theme: 'light', timezone: 'browser', weekStart: 'monday' })
    const untouched = g.addTeam(1, 'Unmanaged', {
      members: [{ userId: id.eve!, permission: 4 }, { userId: id.carl! }],
    })
    g.addUser({
      login: 'office-tv',
      email: 'tv@acme.example',
      name: 'Old TV',
      disabled: true,
      orgs: { 1: 'Viewer' },
    })
    const cwd = await bed.config({
      'a.yaml': config.replace('password: { env: TV_PASSWORD }', 'disabled: false'),
    })

    const first = applied(await run(g, cwd))
    expect(first.result).toMatchObject({ failed: 0, skipped: 0 })
    const kinds = first.plan.changes.map((c) => c.id)
    expect(kinds).toEqual(
      expect.arrayContaining([
        'update-user:tv@acme.example',
        'set-org-role:Main Org./tv@acme.example',
        'update-team:Main Org./Platform',
        'set-team-preferences:Main Org./Platform',
        'set-team-permission:Main Org./Platform/ana@acme.example',
        'set-team-permission:Main Org./Platform/bob@acme.example',
        'remove-team-member:Main Org./Platform/eve@acme.example',
        'create-team:Main Org./Data',
      ]),
    )

    const v = view(g)
    expect(v.team('Main Org.', 'Platform')).toEqual({
      ana: 'Admin',
      bob: 'Member',
      carl: 'Member',
      frank: 'Member',
    })
    expect(v.team('Main Org.', 'Unmanaged')).toEqual({ carl: 'Member', eve: 'Admin' })
    expect(v.snapshot.teams.find((t) => t.id === untouched)?.name).toBe('Unmanaged')
    expect(v.teamRecord('Main Org.', 'Platform')?.email).toBe('platform@acme.example')
    // Preferences the config does not manage (weekStart) survive the full-replace PUT.
    expect(v.snapshot.teamPreferences[platform]).toMatchObject({
      theme: 'dark',
      timezone: 'utc',
      weekStart: 'monday',
    })
    expect(v.user('office-tv')).toMatchObject({ name: 'Office TV', isDisabled: false })
    expect(v.orgRoles('Main Org.')['office-tv']).toBe('Editor')
    expect(v.orgRoles('Main Org.')['bystander']).toBe('Editor')
    expect(bystander).toBeGreaterThan(0)

    await expectConverged(g, cwd)
  })

  it('changes only the declared fields: a new email keeps the name, a team matched in another case keeps its name', async () => {
    const g = bed.memory()
    g.addUser({
      login: 'office-tv',
      email: 'old-tv@acme.example',
      name: 'Office TV',
      orgs: { 1: 'Viewer' },
    })
    g.addTeam(1, 'PLATFORM', { email: 'old@acme.example' })
    const cwd = await bed.config({
      'a.yaml': `
users:
  - login: office-tv
    email: tv@acme.example
teams:
  - name: Platform
    email: platform@acme.example
`,
    })
    const first = applied(await run(g, cwd))
    expect(first.plan.changes.map((c) => c.kind)).toEqual(['update-user', 'update-team'])
    expect(first.result).toMatchObject({ applied: 2, failed: 0 })
    const v = view(g)
    expect(v.user('office-tv')).toMatchObject({ email: 'tv@acme.example', name: 'Office TV' })
    expect(v.teamRecord('Main Org.', 'PLATFORM')?.email).toBe('platform@acme.example')
    await expectConverged(g, cwd)
  })

  it('converges with a service-account token in its own org, where Grafana adds no team creator', async () => {
    const g = bed.memory()
    // A token sees only its own org's users: the people are members already.
    g.addUser({ login: 'ana', email: 'ana@acme.example', orgs: { 1: 'Viewer' } })
    g.addUser({ login: 'bob', email: 'bob@acme.example', orgs: { 1: 'Viewer' } })
    const token = g.addServiceAccountToken(1, 'Admin')
    const cwd = await bed.config({
      'a.yaml': `
teams:
  - name: Platform
    members: { users: [bob@acme.example] }
    admins: { users: [ana@acme.example] }
`,
    })
    const first = applied(await run(g, cwd, { auth: { token } }))
    expect(first.result).toMatchObject({ failed: 0, skipped: 0, extra: [] })
    expect(view(g).team('Main Org.', 'Platform')).toEqual({ ana: 'Admin', bob: 'Member' })
    g.clearRequests()
    const again = applied(await run(g, cwd, { auth: { token } }))
    expect(again.plan.changes).toEqual([])
    expect(g.writes()).toEqual([])
  })
})

describe("the team creator's membership (basic auth)", () => {
  it('is removed when the config does not list the caller, set to Member or kept as Admin when it does', async () => {
    const g = bed.memory()
    seedPeople(g)
    const cwd = await bed.config({
      'a.yaml': `
teams:
  - name: Not Listed
    members: { users: [ana@acme.example] }
  - name: As Member
    members: { users: [ana@acme.example, ${ADMIN.username}] }
  - name: As Admin
    admins: { users: [${ADMIN.username}] }
`,
    })
    const first = applied(await run(g, cwd))
    expect(first.result).toMatchObject({ failed: 0, skipped: 0 })
    const v = view(g)
    expect(v.team('Main Org.', 'Not Listed')).toEqual({ ana: 'Member' })
    expect(v.team('Main Org.', 'As Member')).toEqual({ admin: 'Member', ana: 'Member' })
    expect(v.team('Main Org.', 'As Admin')).toEqual({ admin: 'Admin' })
    expect(first.result.extra).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^removed admin from team "Not Listed" in org "Main Org\."/),
        expect.stringMatching(/^set admin to Member of team "As Member" in org "Main Org\."/),
      ]),
    )
    expect(first.result.extra).toHaveLength(2)
    await expectConverged(g, cwd)
  })

  it('is left alone on a team the run did not create', async () => {
    const g = await bed.grafana()
    const id = seedPeople(g)
    g.addTeam(1, 'Existing', { members: [{ userId: id.ana! }] })
    const cwd = await bed.config({
      'a.yaml': `
teams:
  - name: Existing
    members: { users: [ana@acme.example, bob@acme.example] }
`,
    })
    const first = applied(await run(g, cwd))
    expect(first.result).toMatchObject({ failed: 0, extra: [] })
    expect(view(g).team('Main Org.', 'Existing')).toEqual({ ana: 'Member', bob: 'Member' })
    expect(g.writes().some((w) => w.path.includes('/members/1'))).toBe(false)
  })
})

describe('safety guards', () => {
  async function tenMemberTeam() {
    const g = await bed.grafana()
    const members = []
    for (let i = 0; i < 10; i++) {
      members.push({
        userId: g.addUser({ login: `m${i}`, email: `m${i}@acme.example`, orgs: { 1: 'Viewer' } }),
      })
    }
    g.addTeam(1, 'Big', { members })
    const cwd = await bed.config({
      'a.yaml': `
teams:
  - name: Big
    members: { users: [m0@acme.example, m1@acme.example] }
`,
    })
    return { g, cwd }
  }

  it('block the whole apply with zero writes', async () => {
    const { g, cwd } = await tenMemberTeam()
    g.clearRequests()
    // The loader refuses an unset variable; it can still vanish between plan and apply.
    const plan = planned(await run(g, cwd, { mode: 'plan', env: { TV_PASSWORD: 'tv-initial-pw' } }))
    const grafana = createGrafanaClient({ url: g.url, ...ADMIN })
    const result = await applyPlan(plan, grafana, {
      caller: await grafana.whoami(),
      force: false,
      concurrency: 4,
      env: {},
    })
    const out = { plan, result }
    expect(out.plan.guards.map((x) => x.guard).sort()).toEqual([
      'maxRemovals',
      'maxRemovalsPerTeam',
    ])
    expect(out.result).toEqual({
      blocked: true,
      results: [],
      applied: 0,
      failed: 0,
      skipped: 0,
      extra: [],
    })
    expect(g.writes()).toEqual([])
    expect(Object.keys(view(g).team('Main Org.', 'Big')!)).toHaveLength(10)
  })

  it('let a forced apply through', async () => {
    const { g, cwd } = await tenMemberTeam()
    const out = applied(await run(g, cwd, { force: true }))
    expect(out.result).toMatchObject({ blocked: false, applied: 8, failed: 0 })
    expect(view(g).team('Main Org.', 'Big')).toEqual({ m0: 'Member', m1: 'Member' })
  })
})

describe('local users and their passwords', () => {
  it('creates a local user who can log in with the password from the environment, which appears nowhere', async () => {
    const g = bed.memory()
    const password = 'Tv-Pass-7f3a9c'
    const progress: string[] = []
    const cwd = await bed.config({
      'a.yaml': `
users:
  - login: office-tv
    email: tv@acme.example
    name: Office TV
    password: { env: TV_PASSWORD }
    isGrafanaAdmin: false
    orgRoles: { Main Org.: Viewer }
`,
    })
    const { runEngine } = await import('../src/engine.ts')
    const { inputs } = await import('./apply-support.ts')
    const outcome = await runEngine({
      ...inputs(g, cwd, { env: { TV_PASSWORD: password } }),
      onProgress: (m) => progress.push(m),
    })
    const out = applied(outcome)
    expect(out.result).toMatchObject({ failed: 0, skipped: 0 })
    expect(g.checkPassword('office-tv', password)).toBe(true)
    expect(view(g).orgRoles('Main Org.')['office-tv']).toBe('Viewer')
    const everything = JSON.stringify(outcome) + progress.join('\n')
    expect(everything).not.toContain(password)
    expect(everything).toContain('TV_PASSWORD')
    await expectConverged(g, cwd, { TV_PASSWORD: password })
  })

  it('gives a person created under missingUsers: create a random 32-character password it never outputs', async () => {
    const g = await bed.grafana()
    const cwd = await bed.config({
      'a.yaml': `
settings:
  missingUsers: create
teams:
  - name: Platform
    members: { users: [newbie@acme.example] }
`,
    })
    const outcome = await run(g, cwd)
    const out = applied(outcome)
    expect(out.result).toMatchObject({ failed: 0, skipped: 0 })
    const creation = g.requests.find((r) => r.method === 'POST' && r.path === '/api/admin/users')
    const sent = (creation?.body as { password: string }).password
    expect(sent).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(g.checkPassword('newbie@acme.example', sent)).toBe(true)
    expect(JSON.stringify(outcome)).not.toContain(sent)
    expect(view(g).team('Main Org.', 'Platform')).toEqual({ 'newbie@acme.example': 'Member' })
    await expectConverged(g, cwd)
  })

  it('fails the creation when the password variable is unset, skips what needs the user, applies the rest', async () => {
    const g = await bed.grafana()
    seedPeople(g)
    const cwd = await bed.config({
      'a.yaml': `
users:
  - login: office-tv
    password: { env: TV_PASSWORD }
    orgRoles: { Main Org.: Editor }
teams:
  - name: Platform
    members: { users: [ana@acme.example, office-tv] }
`,
    })
    // The loader refuses an unset variable; it can still vanish between plan and apply.
    const plan = planned(await run(g, cwd, { mode: 'plan', env: { TV_PASSWORD: 'tv-initial-pw' } }))
    const grafana = createGrafanaClient({ url: g.url, ...ADMIN })
    const result = await applyPlan(plan, grafana, {
      caller: await grafana.whoami(),
      force: false,
      concurrency: 4,
      env: {},
    })
    const out = { plan, result }
    const byId = Object.fromEntries(out.result.results.map((r) => [r.id, r]))
    const create = Object.keys(byId).find((k) => k.startsWith('create-user:'))!
    expect(byId[create]).toMatchObject({ status: 'failed' })
    expect(byId[create]!.detail).toContain('TV_PASSWORD is not set')
    const skipped = out.result.results.filter((r) => r.status === 'skipped')
    expect(skipped.map((r) => r.id).sort()).toEqual([
      expect.stringMatching(/^add-org-user:Main Org\.\/office-tv/),
      expect.stringMatching(/^add-team-member:Main Org\.\/Platform\/office-tv/),
    ])
    for (const r of skipped) expect(r.detail).toContain(create)
    expect(view(g).team('Main Org.', 'Platform')).toEqual({ ana: 'Member' })
    expect(out.result).toMatchObject({ failed: 1, skipped: 2 })
  })
})

describe('several orgs under one server-admin login', () => {
  it('creates an org, binds its roles, builds its teams, renames another; a second apply writes nothing', async () => {
    const g = await bed.grafana()
    seedPeople(g)
    // Created by the admin, who is then its Admin.
    const external = Number((await asAdmin(g, 'POST', '/api/orgs', { name: 'External' })).orgId)
    g.addUser({ login: 'partner', email: 'partner@acme.example', orgs: { [external]: 'Viewer' } })
    const cwd = await bed.config({
      'orgs.yaml': `
orgs:
  - name: Ops
    admins: { users: [ana@acme.example] }
    editors: { users: [bob@acme.example] }
    viewers: { users: [carl@acme.example] }
  - name: Partners
    renamedFrom: External
    editors: { users: [partner@acme.example] }
`,
      'teams.yaml': `
teams:
  - name: On Call
    org: Ops
    members: { users: [dan@acme.example] }
    admins: { users: [bob@acme.example] }
  - name: Platform
    members: { users: [eve@acme.example] }
`,
      'users.yaml': `
users:
  - login: office-tv
    email: tv@acme.example
    password: { env: TV_PASSWORD }
    orgRoles: { Ops: Viewer, Main Org.: Editor }
`,
    })
    const env = { TV_PASSWORD: 'tv-initial-pw' }
    const out = applied(await run(g, cwd, { env }))
    expect(out.result).toMatchObject({ failed: 0, skipped: 0 })

    const v = view(g)
    expect(v.orgId('External')).toBeUndefined()
    expect(v.orgId('Partners')).toBe(external)
    expect(v.orgRoles('Ops')).toEqual({
      admin: 'Admin',
      ana: 'Admin',
      bob: 'Editor',
      carl: 'Viewer',
      dan: 'Viewer',
      'office-tv': 'Viewer',
    })
    expect(v.orgRoles('Partners')).toMatchObject({ partner: 'Editor', admin: 'Admin' })
    expect(v.team('Ops', 'On Call')).toEqual({ bob: 'Admin', dan: 'Member' })
    expect(v.team('Main Org.', 'Platform')).toEqual({ eve: 'Member' })
    expect(v.orgRoles('Main Org.')['office-tv']).toBe('Editor')
    expect(v.teamNames('Main Org.')).toEqual(['Platform'])

    await expectConverged(g, cwd, env)
  })
})

describe('an org the server admin is no member of', () => {
  async function partnerOrg(settings = '') {
    const g = await bed.grafana()
    const id = seedPeople(g)
    const partner = g.addOrg('Partner')
    g.addUser({ login: 'frank', email: 'frank@acme.example', orgs: { [partner]: 'Admin' } })
    g.addTeam(partner, 'Guests', { members: [{ userId: id.eve! }] })
    const cwd = await bed.config({
      'a.yaml': `${settings}
orgs:
  - name: Partner
    editors: { users: [bob@acme.example] }
teams:
  - name: Guests
    org: Partner
    members: { users: [ana@acme.example] }
`,
    })
    return { g, cwd, partner }
  }

  it('plans the join and no team change, then applies: join, read its teams, add to them, hold back the removals no plan showed; the next run removes', async () => {
    const { g, cwd, partner } = await partnerOrg()
    const plan = planned(await run(g, cwd, { mode: 'plan' }))
    expect(plan.changes.map((c) => c.id)).toEqual([
      'add-org-user:Partner/admin@localhost',
      'add-org-user:Partner/ana@acme.example',
      'add-org-user:Partner/bob@acme.example',
    ])
    expect(plan.warnings.map((w) => w.code)).toEqual(['org-teams-unread'])

    const out = applied(await run(g, cwd))
    expect(out.result).toMatchObject({ failed: 0, skipped: 0, blocked: false })
    expect(out.plan.changes.map((c) => c.id)).toEqual([
      'add-org-user:Partner/admin@localhost',
      'add-org-user:Partner/ana@acme.example',
      'add-org-user:Partner/bob@acme.example',
      'add-team-member:Partner/Guests/ana@acme.example',
    ])
    expect(out.result.results.map((r) => r.status)).toEqual(Array(4).fill('applied'))
    // Eve's removal was in no plan anyone saw: held back and reported, not applied.
    expect(out.plan.heldBack).toEqual([
      expect.objectContaining({
        org: 'Partner',
        team: 'Guests',
        removals: 1,
        users: ['eve@acme.example'],
      }),
    ])
    expect(out.plan.warnings).toEqual([
      expect.objectContaining({
        code: 'removals-held-back-after-join',
        message: expect.stringContaining(
          'held back: 1 removal in org "Partner", found only after the sync\'s user joined it to read its teams; shown by the next plan, applied by the run after',
        ),
      }),
    ])
    expect(out.plan.counts).toEqual({ 'add-org-user': 3, 'add-team-member': 1 })
    // The join is the first write; no team call is made before it.
    const writes = g.writes()
    expect(writes[0]).toMatchObject({ method: 'POST', path: `/api/orgs/${partner}/users` })
    expect(writes[0]!.body).toEqual({ loginOrEmail: 'admin', role: 'Admin' })
    expect(view(g).orgRoles('Partner')).toEqual({
      admin: 'Admin',
      ana: 'Viewer',
      bob: 'Editor',
      frank: 'Admin',
    })
    expect(view(g).team('Partner', 'Guests')).toEqual({ ana: 'Member', eve: 'Member' })

    // The next plan shows the removal; the run after makes it.
    const next = planned(await run(g, cwd, { mode: 'plan' }))
    expect(next.changes.map((c) => c.id)).toEqual([
      'remove-team-member:Partner/Guests/eve@acme.example',
    ])
    expect(next.heldBack).toEqual([])
    const after = applied(await run(g, cwd))
    expect(after.result).toMatchObject({ applied: 1, failed: 0, skipped: 0 })
    expect(view(g).team('Partner', 'Guests')).toEqual({ ana: 'Member' })
    await expectConverged(g, cwd)
  })

  it('applies the rest and fails the run when joining fails, keeping the last Admin; a re-run converges', async () => {
    const { g, cwd, partner } = await partnerOrg('settings: { prune: { orgUsers: true } }')
    g.faults.inject({ method: 'POST', path: `/api/orgs/${partner}/users`, status: 403, times: 1 })
    const out = applied(await run(g, cwd))
    const byId = Object.fromEntries(out.result.results.map((r) => [r.id, r.status]))
    expect(byId).toEqual({
      'add-org-user:Partner/admin@localhost': 'failed',
      'add-org-user:Partner/ana@acme.example': 'applied',
      'add-org-user:Partner/bob@acme.example': 'applied',
      'remove-org-user:Partner/frank@acme.example': 'skipped',
    })
    expect(out.result).toMatchObject({ failed: 1, skipped: 1 })
    expect(view(g).team('Partner', 'Guests')).toEqual({ eve: 'Member' })
    expect(view(g).orgRoles('Partner')).toMatchObject({ frank: 'Admin' })

    const rerun = applied(await run(g, cwd))
    expect(rerun.result).toMatchObject({ failed: 0, skipped: 0 })
    expect(view(g).orgRoles('Partner')).toEqual({ admin: 'Admin', ana: 'Viewer', bob: 'Editor' })
    // The join happened only now: Eve's removal waits for a plan that shows it.
    expect(view(g).team('Partner', 'Guests')).toEqual({ ana: 'Member', eve: 'Member' })
    expect(rerun.plan.heldBack.map((h) => h.users)).toEqual([['eve@acme.example']])
    applied(await run(g, cwd))
    expect(view(g).team('Partner', 'Guests')).toEqual({ ana: 'Member' })
    await expectConverged(g, cwd)
  })

  it('writes nothing, not even the join, when the first plan trips a guard', async () => {
    const { g } = await partnerOrg()
    const many = ['m1', 'm2', 'm3', 'm4'].map((login) =>
      g.addUser({ login, email: `${login}@acme.example`, orgs: { 1: 'Viewer' } }),
    )
    g.addTeam(1, 'Crowd', { members: many.map((userId) => ({ userId })) })
    const more = await bed.config({
      'a.yaml': `
teams:
  - name: Guests
    org: Partner
  - name: Crowd
`,
    })
    g.clearRequests()
    const out = applied(await run(g, more))
    expect(out.result.blocked).toBe(true)
    expect(g.writes()).toEqual([])
  })
})

describe('prune.teams', () => {
  it('deletes undeclared teams of a declared org, except one holding a protected or synced member', async () => {
    const g = bed.memory()
    const id = seedPeople(g)
    g.addTeam(1, 'Old', { members: [{ userId: id.ana! }] })
    g.addTeam(1, 'Kept', { members: [{ userId: id.bob! }] })
    g.addTeam(1, 'Synced', { members: [{ userId: id.carl!, labels: ['LDAP'] }] })
    const cwd = await bed.config({
      'a.yaml': `
settings:
  prune: { teams: true }
  safety: { protectedUsers: [bob@acme.example] }
orgs:
  - name: Main Org.
teams:
  - name: Platform
`,
    })
    const out = applied(await run(g, cwd))
    expect(out.plan.changes.map((c) => c.id)).toEqual([
      'create-team:Main Org./Platform',
      'delete-team:Main Org./Old',
    ])
    expect(out.result).toMatchObject({ failed: 0, skipped: 0 })
    expect(view(g).teamNames('Main Org.')).toEqual(['Kept', 'Platform', 'Synced'])
    await expectConverged(g, cwd)
  })
})

describe('renamedFrom', () => {
  it('renames once, then plans nothing; with both names present it manages the new org and leaves the old one', async () => {
    const g = await bed.grafana()
    seedPeople(g)
    const old = Number((await asAdmin(g, 'POST', '/api/orgs', { name: 'Old Name' })).orgId)
    const cwd = await bed.config({
      'a.yaml': `
orgs:
  - name: New Name
    renamedFrom: Old Name
    viewers: { users: [ana@acme.example] }
`,
    })
    const first = applied(await run(g, cwd))
    expect(first.plan.changes.map((c) => c.id)).toEqual([
      'rename-org:New Name',
      'add-org-user:New Name/ana@acme.example',
    ])
    expect(view(g).orgName(old)).toBe('New Name')
    await expectConverged(g, cwd)

    const again = await asAdmin(g, 'POST', '/api/orgs', { name: 'Old Name' })
    const plan = planned(await run(g, cwd, { mode: 'plan' }))
    expect(plan.changes).toEqual([])
    expect(plan.warnings).toMatchObject([{ code: 'rename-both-exist', org: 'New Name' }])
    expect(plan.warnings[0]!.message).toContain(`org "Old Name" (id ${String(again.orgId)})`)
  })
})

describe('org roles and local-user flags against the fake', () => {
  it('binds the highest role, prunes undeclared users but never the caller or a protected user, keeps the last Admin', async () => {
    const g = bed.memory()
    const id = seedPeople(g)
    g.addUser({ login: 'keeper', email: 'keeper@acme.example', orgs: { 1: 'Editor' } })
    // Lab: someone else's org, its only Admin undeclared; the sync manages no team there.
    const lab = g.addOrg('Lab')
    g.addUser({ login: 'frank', email: 'frank@acme.example', orgs: { [lab]: 'Admin' } })
    const cwd = await bed.config({
      'a.yaml': `
settings:
  prune: { orgUsers: true }
  safety: { protectedUsers: [keeper] }
orgs:
  - name: Main Org.
    editors: { users: [ana@acme.example] }
    viewers: { users: [ana@acme.example, bob@acme.example] }
  - name: Lab
    viewers: { users: [carl@acme.example] }
`,
    })
    const plan = planned(await run(g, cwd, { mode: 'plan' }))
    expect(plan.warnings.map((w) => w.code).sort()).toEqual(['last-admin', 'protected-user'])
    expect(plan.warnings.find((w) => w.code === 'last-admin')?.message).toContain(
      'frank@acme.example stays Admin of org "Lab"',
    )

    const first = applied(await run(g, cwd))
    expect(first.result).toMatchObject({ failed: 0, skipped: 0 })
    const v = view(g)
    expect(v.orgRoles('Main Org.')).toEqual({
      admin: 'Admin',
      ana: 'Editor',
      bob: 'Viewer',
      keeper: 'Editor',
    })
    expect(v.orgRoles('Lab')).toEqual({ carl: 'Viewer', frank: 'Admin' })
    expect(id.dan).toBeGreaterThan(0)
    await expectConverged(g, cwd)
  })

  it('leaves undeclared org users alone with prune.orgUsers off', async () => {
    const g = bed.memory()
    seedPeople(g)
    g.addUser({ login: 'extra', email: 'extra@acme.example', orgs: { 1: 'Editor' } })
    const cwd = await bed.config({
      'a.yaml': `
orgs:
  - name: Main Org.
    admins: { users: [ana@acme.example] }
`,
    })
    const first = applied(await run(g, cwd))
    expect(first.plan.changes.map((c) => c.id)).toEqual(['add-org-user:Main Org./ana@acme.example'])
    expect(view(g).orgRoles('Main Org.')).toEqual({ admin: 'Admin', ana: 'Admin', extra: 'Editor' })
    await expectConverged(g, cwd)
  })

  it('converges isGrafanaAdmin and disabled; never disables or un-admins the caller or a protected user', async () => {
    const g = bed.memory()
    g.addUser({ login: 'ops', email: 'ops@acme.example', orgs: { 1: 'Viewer' } })
    g.addUser({ login: 'kiosk', email: 'kiosk@acme.example', orgs: { 1: 'Viewer' } })
    g.addUser({ login: 'root2', isGrafanaAdmin: true, orgs: { 1: 'Viewer' } })
    g.addUser({ login: 'boss', isGrafanaAdmin: true, orgs: { 1: 'Viewer' } })
    const cwd = await bed.config({
      'a.yaml': `
settings:
  safety: { protectedUsers: [boss] }
users:
  - login: ops
    isGrafanaAdmin: true
  - login: kiosk
    disabled: true
  - login: root2
    isGrafanaAdmin: false
  - login: boss
    isGrafanaAdmin: false
    disabled: true
  - login: ${ADMIN.username}
    disabled: true
    isGrafanaAdmin: false
`,
    })
    const first = applied(await run(g, cwd))
    expect(first.result).toMatchObject({ failed: 0, skipped: 0 })
    const v = view(g)
    expect(v.user('ops')).toMatchObject({ isGrafanaAdmin: true })
    expect(v.user('kiosk')).toMatchObject({ isDisabled: true })
    expect(v.user('root2')).toMatchObject({ isGrafanaAdmin: false })
    expect(v.user('boss')).toMatchObject({ isGrafanaAdmin: true, isDisabled: false })
    expect(v.user(ADMIN.username)).toMatchObject({ isGrafanaAdmin: true, isDisabled: false })
    expect(first.plan.warnings.map((w) => w.code).sort()).toEqual([
      'caller-kept',
      'caller-kept',
      'protected-user',
      'protected-user',
    ])
    await expectConverged(g, cwd)
  })
})
