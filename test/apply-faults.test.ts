// Apply under failing writes and under concurrent runs: failures stay local, nobody unrelated is
// removed, and a later run converges.
import { afterEach, describe, expect, it } from 'vitest'
import { applyPlan } from '../src/apply/index.ts'
import { createGrafanaClient } from '../src/grafana/index.ts'
import type { ApplyResult, Change, Plan } from '../src/model.ts'
import { ADMIN, TestBed, applied, planned, run, view } from './apply-support.ts'
import type { FakeGrafana, FaultRule } from './fakes/grafana.ts'

const bed = new TestBed()
afterEach(() => bed.cleanUp())

const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE']
const people = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `u${String(from + i).padStart(2, '0')}@acme.example`)

/**
 * 30 people in Main Org.; three existing teams that each lose one member and gain two; five new teams;
 * a new org with role bindings and a team; three people without an account (missingUsers: create).
 */
async function drifted(): Promise<{ g: FakeGrafana; cwd: string }> {
  const g = await bed.grafana()
  const ids = new Map<string, number>()
  for (const email of people(0, 30)) {
    ids.set(email, g.addUser({ login: email.split('@')[0]!, email, orgs: { 1: 'Viewer' } }))
  }
  const id = (n: number) => ids.get(people(n, n + 1)[0]!)!
  for (let t = 0; t < 3; t++) {
    g.addTeam(1, `Existing ${t}`, {
      members: [0, 1, 2, 3, 4].map((i) => ({ userId: id(t * 5 + i), permission: i === 0 ? 4 : 0 })),
    })
  }
  g.addTeam(1, 'Unmanaged', { members: [{ userId: id(20) }, { userId: id(21), permission: 4 }] })

  const teams: string[] = []
  for (let t = 0; t < 3; t++) {
    // Keeps members 0-3, drops member 4, adds two people.
    const keep = people(t * 5, t * 5 + 4)
    teams.push(`  - name: Existing ${t}
    members: { users: [${[...keep.slice(1), ...people(15 + t * 2, 17 + t * 2)].join(', ')}] }
    admins: { users: [${keep[0]}] }`)
  }
  for (let t = 0; t < 5; t++) {
    teams.push(`  - name: New ${t}
    members: { users: [${[...people(t * 4, t * 4 + 3), `new${t % 3}@acme.example`].join(', ')}] }
    admins: { users: [${people(t * 4 + 3, t * 4 + 4)[0]}] }`)
  }
  teams.push(`  - name: Ops Team
    org: Ops
    members: { users: [${people(25, 28).join(', ')}] }`)
  const cwd = await bed.config({
    'settings.yaml': 'settings:\n  missingUsers: create\n',
    'orgs.yaml': `orgs:
  - name: Ops
    admins: { users: [${people(22, 23)[0]}] }
    editors: { users: [${people(23, 25).join(', ')}] }
`,
    'teams.yaml': `teams:\n${teams.join('\n')}\n`,
  })
  return { g, cwd }
}

type Membership = string
function memberships(g: FakeGrafana): Set<Membership> {
  const s = g.snapshot()
  return new Set([
    ...s.teamMembers.map((m) => `team:${m.teamId}:${m.userId}`),
    ...s.orgUsers.map((m) => `org:${m.orgId}:${m.userId}`),
  ])
}

/** Every membership that disappeared was removed by an applied removal of the plan. */
function expectOnlyPlannedRemovals(
  before: Set<Membership>,
  g: FakeGrafana,
  plan: Plan,
  result: ApplyResult,
) {
  const status = new Map(result.results.map((r) => [r.id, r.status]))
  const allowed = new Set<Membership>()
  for (const c of plan.changes) {
    const ok = status.get(c.id) === 'applied' || status.get(c.id) === 'already-done'
    if (ok && c.kind === 'remove-team-member') allowed.add(`team:${c.teamId}:${c.user.id}`)
  }
  const after = memberships(g)
  const lost = [...before].filter((m) => !after.has(m))
  expect(lost.filter((m) => !allowed.has(m))).toEqual([])
}

/** Each skipped change names a failed change it depends on, directly or through others. */
function expectSkipsExplained(plan: Plan, result: ApplyResult) {
  const byId = new Map<string, Change>(plan.changes.map((c) => [c.id, c]))
  const status = new Map(result.results.map((r) => [r.id, r.status]))
  const closure = (id: string, seen = new Set<string>()): Set<string> => {
    for (const dep of byId.get(id)?.dependsOn ?? []) {
      if (!seen.has(dep)) closure(dep, seen.add(dep))
    }
    return seen
  }
  for (const r of result.results.filter((x) => x.status === 'skipped')) {
    const named = /^not run: (.+) failed(?: \(needed by .+\))?$/.exec(r.detail ?? '')?.[1]
    expect(named, `${r.id}: ${r.detail}`).toBeDefined()
    expect(status.get(named!)).toBe('failed')
    expect(closure(r.id).has(named!)).toBe(true)
  }
}

async function applyWithoutRetries(g: FakeGrafana, plan: Plan): Promise<ApplyResult> {
  const grafana = createGrafanaClient({ url: g.url, ...ADMIN, retries: 0 })
  return applyPlan(plan, grafana, {
    caller: await grafana.whoami(),
    force: false,
    concurrency: 6,
    env: {},
  })
}

async function expectConvergesAfterwards(g: FakeGrafana, cwd: string) {
  g.faults.clear()
  const rerun = applied(await run(g, cwd))
  expect(rerun.result).toMatchObject({ failed: 0, skipped: 0 })
  g.clearRequests()
  const third = applied(await run(g, cwd))
  expect(third.plan.changes).toEqual([])
  expect(g.writes()).toEqual([])
}

describe('failing writes', () => {
  const faults: [string, (method: string) => FaultRule][] = [
    ['500 answers', (method) => ({ method, every: 5, status: 500 })],
    ['connection resets', (method) => ({ method, every: 5, drop: true })],
  ]

  it.each(faults)(
    'with %s on every fifth write, fail only those changes, skip their dependents, remove nobody unplanned; a re-run converges',
    async (_, rule) => {
      const { g, cwd } = await drifted()
      const plan = planned(await run(g, cwd, { mode: 'plan' }))
      expect(plan.changes.length).toBeGreaterThan(50)
      const before = memberships(g)
      for (const method of WRITE_METHODS) g.faults.inject(rule(method))

      const result = await applyWithoutRetries(g, plan)

      const writes = g.writes().length
      const failedWrites = g.writes().filter((w) => w.status === 0 || w.status >= 500).length
      expect(failedWrites).toBeGreaterThanOrEqual(Math.floor(writes / 5) - WRITE_METHODS.length)
      expect(result.failed).toBeGreaterThan(0)
      expect(result.skipped).toBeGreaterThan(0)
      expect(result.applied).toBeGreaterThan(result.failed)
      expect(result.applied + result.failed + result.skipped).toBe(plan.changes.length)
      for (const r of result.results.filter((x) => x.status === 'failed')) {
        expect(r.detail).toMatch(/grafana (POST|PUT|PATCH|DELETE) \S+ failed: (500|network error)/)
        expect(r.detail).not.toContain(ADMIN.password)
      }
      expectSkipsExplained(plan, result)
      expectOnlyPlannedRemovals(before, g, plan, result)
      expect(view(g).team('Main Org.', 'Unmanaged')).toEqual({ u20: 'Member', u21: 'Admin' })

      await expectConvergesAfterwards(g, cwd)
    },
  )

  it('retries transient failures away: every fifth write answered 500 still converges in one run', async () => {
    const { g, cwd } = await drifted()
    for (const method of WRITE_METHODS) g.faults.inject({ method, every: 5, status: 500 })
    const out = applied(await run(g, cwd))
    expect(g.writes().filter((w) => w.status === 500).length).toBeGreaterThan(0)
    expect(out.result).toMatchObject({ failed: 0, skipped: 0 })
    g.faults.clear()
    g.clearRequests()
    const again = applied(await run(g, cwd))
    expect(again.plan.changes).toEqual([])
    expect(g.writes()).toEqual([])
  })

  it('a write that keeps failing fails its change after the retries, with the service message', async () => {
    const { g, cwd } = await drifted()
    g.faults.inject({ method: 'POST', path: '/api/orgs', status: 500 })
    const out = applied(await run(g, cwd))
    const create = out.result.results.find((r) => r.id === 'create-org:Ops')
    expect(create).toMatchObject({ status: 'failed' })
    expect(create?.detail).toContain('grafana POST /api/orgs failed: 500')
    // Everything in Ops waits for the org; nothing else does.
    const inOps = out.plan.changes.filter(
      (c) => 'org' in c && c.org === 'Ops' && c.kind !== 'create-org',
    )
    expect(inOps.length).toBeGreaterThan(3)
    for (const c of inOps) {
      expect(out.result.results.find((r) => r.id === c.id)).toMatchObject({
        status: 'skipped',
        detail: expect.stringContaining('create-org:Ops failed'),
      })
    }
    expect(out.result.failed).toBe(1)
    expect(out.result.skipped).toBe(inOps.length)
    expect(view(g).team('Main Org.', 'New 0')).toBeDefined()
    await expectConvergesAfterwards(g, cwd)
  })
})

describe('concurrent applies', () => {
  function expectDesiredState(g: FakeGrafana) {
    const v = view(g)
    expect(v.team('Main Org.', 'Existing 0')).toEqual({
      u00: 'Admin',
      u01: 'Member',
      u02: 'Member',
      u03: 'Member',
      u15: 'Member',
      u16: 'Member',
    })
    expect(v.team('Main Org.', 'New 1')).toEqual({
      u04: 'Member',
      u05: 'Member',
      u06: 'Member',
      u07: 'Admin',
      'new1@acme.example': 'Member',
    })
    expect(v.team('Ops', 'Ops Team')).toEqual({ u25: 'Member', u26: 'Member', u27: 'Member' })
    expect(v.orgRoles('Ops')).toMatchObject({
      admin: 'Admin',
      u22: 'Admin',
      u23: 'Editor',
      u24: 'Editor',
    })
    expect(v.teamNames('Main Org.')).toEqual([
      'Existing 0',
      'Existing 1',
      'Existing 2',
      'New 0',
      'New 1',
      'New 2',
      'New 3',
      'New 4',
      'Unmanaged',
    ])
    expect(v.snapshot.users.filter((u) => u.login.startsWith('new'))).toHaveLength(3)
  }

  it('two engine runs at once both succeed and leave the desired state', async () => {
    const { g, cwd } = await drifted()
    const [a, b] = await Promise.all([run(g, cwd), run(g, cwd)])
    expect(applied(a).result).toMatchObject({ failed: 0, skipped: 0 })
    expect(applied(b).result).toMatchObject({ failed: 0, skipped: 0 })
    expectDesiredState(g)
    g.clearRequests()
    expect(planned(await run(g, cwd, { mode: 'plan' })).changes).toEqual([])
  })

  it('the same plan applied twice at once: both succeed, one of them mostly with already-done answers', async () => {
    const { g, cwd } = await drifted()
    const plan = planned(await run(g, cwd, { mode: 'plan' }))
    const apply = async () => {
      const grafana = createGrafanaClient({ url: g.url, ...ADMIN })
      return applyPlan(plan, grafana, {
        caller: await grafana.whoami(),
        force: false,
        concurrency: 8,
        env: {},
      })
    }
    const [a, b] = await Promise.all([apply(), apply()])
    expect(a).toMatchObject({ failed: 0, skipped: 0 })
    expect(b).toMatchObject({ failed: 0, skipped: 0 })
    const alreadyDone = [...a.results, ...b.results].filter((r) => r.status === 'already-done')
    expect(alreadyDone.length).toBeGreaterThan(0)
    expectDesiredState(g)
    expect(planned(await run(g, cwd, { mode: 'plan' })).changes).toEqual([])
  })
})
