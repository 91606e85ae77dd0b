// No removal without review (SPEC §7): a PR plan cannot read the teams of an org the sync's user is no
// member of. The apply joins it and reads them, but holds back the removals it then finds; the next
// plan shows them and the apply after it makes them. Through the built bundle, as the runner runs it.
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFakeGrafana, type FakeGrafana } from '../fakes/grafana.ts'
import { makeWorkspace, requireBuild, runAction, runCli, type Workspace } from './harness.ts'
import { pullRequestPayload, repoPayload } from './world.ts'

const ADMIN_PASSWORD = 'Adm1n-held-back-SECRET'
const CONFIG = `teams:
  - name: Guests
    org: Partners
    members: { users: [dave@acme.example, gus@acme.example] }
`

let closers: (() => Promise<void>)[] = []
beforeAll(requireBuild)
afterEach(async () => {
  await Promise.all(closers.map((close) => close()))
  closers = []
})

async function world(): Promise<{ grafana: FakeGrafana; ws: Workspace; partners: number }> {
  const grafana = await startFakeGrafana({ adminPassword: ADMIN_PASSWORD })
  const ws = makeWorkspace({ 'teams/teams.yaml': CONFIG })
  closers.push(
    () => grafana.close(),
    () => Promise.resolve(ws.remove()),
  )
  // An org someone else made: the sync's admin is no member, so its teams are not readable to it.
  const partners = grafana.addOrg('Partners')
  const person = (login: string) =>
    grafana.addUser({
      login,
      email: `${login}@acme.example`,
      name: login,
      orgs: { [partners]: 'Viewer' },
    })
  const [dave, eve, gus] = ['dave', 'eve', 'gus'].map(person)
  grafana.addUser({ login: 'frank', email: 'frank@acme.example', orgs: { [partners]: 'Admin' } })
  grafana.addTeam(partners, 'Guests', { members: [{ userId: dave! }, { userId: eve! }] })
  void gus
  return { grafana, ws, partners }
}

function guests(grafana: FakeGrafana, orgId: number): string[] {
  const s = grafana.snapshot()
  const team = s.teams.find((t) => t.orgId === orgId && t.name === 'Guests')
  const login = (id: number) => s.users.find((u) => u.id === id)?.login ?? `#${id}`
  return s.teamMembers
    .filter((m) => m.teamId === team?.id)
    .map((m) => login(m.userId))
    .sort()
}

const HELD = `held back: 1 removal in org "Partners", found only after the sync's user joined it to read its teams; shown by the next plan, applied by the run after`

describe('removals in an org the sync joins during the apply', () => {
  it('with the Action: the PR plan cannot see them, the apply holds them back and reports them, the next plan shows them, the apply after makes them', async () => {
    const w = await world()
    const inputs = {
      'grafana-url': w.grafana.url,
      'grafana-username': 'admin',
      'grafana-password': ADMIN_PASSWORD,
      comment: 'false',
    }
    const pr = { event: 'pull_request', payload: pullRequestPayload(12), ref: 'refs/pull/12/merge' }
    const push = { event: 'push', payload: { ref: 'refs/heads/main', repository: repoPayload } }

    const plan = await runAction(w.ws, { ...pr, inputs })
    expect(plan.outputs).toMatchObject({ mode: 'plan', 'change-count': '1' })
    expect(plan.summary).toMatch(/teams of org "Partners" were not read/)
    expect(plan.summary).not.toContain('eve@acme.example')

    const apply = await runAction(w.ws, { ...push, inputs })
    expect(apply.code).toBe(0)
    // The join and Gus's add ran; Eve's removal, in no plan a reviewer saw, did not.
    expect(guests(w.grafana, w.partners)).toEqual(['dave', 'eve', 'gus'])
    expect(apply.outputs).toMatchObject({ mode: 'apply', 'change-count': '2', applied: '2' })
    expect(apply.summary).toContain('Removals held back')
    expect(apply.summary).toContain('eve@acme.example')
    expect(apply.stdout).toContain(`::warning::${HELD}`)

    const next = await runAction(w.ws, { ...pr, inputs })
    expect(next.outputs).toMatchObject({ mode: 'plan', 'change-count': '1' })
    expect(next.summary).toContain('This plan removes access')
    expect(next.summary).toContain('eve@acme.example')

    const after = await runAction(w.ws, { ...push, inputs })
    expect(after.code).toBe(0)
    expect(after.outputs).toMatchObject({ applied: '1' })
    expect(guests(w.grafana, w.partners)).toEqual(['dave', 'gus'])

    w.grafana.clearRequests()
    const again = await runAction(w.ws, { ...push, inputs })
    expect(again.outputs).toMatchObject({ 'has-changes': 'false' })
    expect(w.grafana.writes()).toEqual([])
  })

  it('with the CLI: apply holds the removal back and says so; the next apply makes it', async () => {
    const w = await world()
    const env = {
      GRAFANA_URL: w.grafana.url,
      GRAFANA_USERNAME: 'admin',
      GRAFANA_PASSWORD: ADMIN_PASSWORD,
    }
    const apply = await runCli(['apply'], w.ws, env)
    expect(apply.code).toBe(0)
    expect(apply.stdout).toContain(HELD)
    expect(apply.stdout).toMatch(
      /Removals held back[^\n]*\n {2}- Partners\/Guests: .*1 removal held back: eve@acme\.example/,
    )
    expect(guests(w.grafana, w.partners)).toEqual(['dave', 'eve', 'gus'])

    const plan = await runCli(['plan'], w.ws, env)
    expect(plan.stdout).toContain(
      '- remove member eve@acme.example from Partners/Guests  [not declared]',
    )
    expect((await runCli(['apply'], w.ws, env)).code).toBe(0)
    expect(guests(w.grafana, w.partners)).toEqual(['dave', 'gus'])
  })
})
