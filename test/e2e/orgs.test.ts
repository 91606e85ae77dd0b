// Orgs, org roles and local users through the built dist/index.js, as the CLI and the Action run it.
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFakeGrafana, type FakeGrafana } from '../fakes/grafana.ts'
import { startFakeOkta, type FakeOkta } from '../fakes/okta.ts'
import {
  makeWorkspace,
  requireBuild,
  runAction,
  runCli,
  visibleLog,
  type Workspace,
} from './harness.ts'
import { repoPayload } from './world.ts'

const ADMIN_PASSWORD = 'Adm1n-orgs-e2e-SECRET'
const OKTA_TOKEN = '00okta-orgs-e2e-SECRET'
const TV_PASSWORD = 'Tv-Pass-e2e-SECRET-7f3a'

const ORGS_YAML = `settings:
  prune: { orgUsers: true }
orgs:
  - name: Research
    admins: { users: [ana@acme.example] }
    editors: { oktaGroups: [Research-Editors] }
  - name: Partners
    renamedFrom: External
    viewers: { users: [carol@acme.example] }
teams:
  - name: Guests
    org: Partners
    members: { users: [dave@acme.example] }
users:
  - login: office-tv
    email: tv@acme.example
    name: Office TV
    password: { env: OFFICE_TV_PASSWORD }
    orgRoles: { Research: Viewer }
`

let closers: (() => Promise<void>)[] = []
beforeAll(requireBuild)
afterEach(async () => {
  await Promise.all(closers.map((close) => close()))
  closers = []
})

interface OrgWorld {
  grafana: FakeGrafana
  okta: FakeOkta
  ws: Workspace
  external: number
  env: Record<string, string>
}

async function orgWorld(files: Record<string, string> = { 'teams/orgs.yaml': ORGS_YAML }) {
  const grafana = await startFakeGrafana({ adminPassword: ADMIN_PASSWORD })
  const okta = await startFakeOkta({ token: OKTA_TOKEN })
  const ws = makeWorkspace(files)
  closers.push(
    () => grafana.close(),
    () => okta.close(),
    () => Promise.resolve(ws.remove()),
  )
  const person = (login: string, orgs: Record<number, 'Viewer' | 'Editor' | 'Admin'> = {}) =>
    grafana.addUser({ login, email: `${login}@acme.example`, name: login, orgs })
  for (const login of ['ana', 'bob', 'carol']) person(login, { 1: 'Viewer' })
  // An org someone else made: the sync's admin is no member of it.
  const external = grafana.addOrg('External')
  const dave = person('dave')
  const eve = person('eve', { [external]: 'Viewer' })
  person('frank', { [external]: 'Admin' })
  grafana.addTeam(external, 'Guests', { members: [{ userId: eve }, { userId: dave }] })
  const editors = okta.addGroup({ name: 'Research-Editors' })
  okta.addMember(
    editors,
    okta.addUser({ login: 'bob@acme.example', firstName: 'B', lastName: 'O' }),
  )
  const env = {
    GRAFANA_URL: grafana.url,
    GRAFANA_USERNAME: 'admin',
    GRAFANA_PASSWORD: ADMIN_PASSWORD,
    OKTA_DOMAIN: okta.url,
    OKTA_API_TOKEN: OKTA_TOKEN,
    OFFICE_TV_PASSWORD: TV_PASSWORD,
  }
  return { grafana, okta, ws, external, env } satisfies OrgWorld
}

function orgRoles(grafana: FakeGrafana, name: string): Record<string, string> {
  const s = grafana.snapshot()
  const org = s.orgs.find((o) => o.name === name)
  const login = (id: number) => s.users.find((u) => u.id === id)?.login ?? `#${id}`
  const entries: [string, string][] = s.orgUsers
    .filter((m) => m.orgId === org?.id)
    .map((m) => [login(m.userId), m.role])
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)))
}

function teamLogins(grafana: FakeGrafana, orgId: number, team: string): string[] {
  const s = grafana.snapshot()
  const t = s.teams.find((x) => x.orgId === orgId && x.name === team)
  const login = (id: number) => s.users.find((u) => u.id === id)?.login ?? `#${id}`
  return s.teamMembers
    .filter((m) => m.teamId === t?.id)
    .map((m) => `${login(m.userId)}${m.permission === 4 ? ':A' : ''}`)
    .sort()
}

describe('orgs and local users with the CLI', () => {
  it('creates and renames orgs, binds roles from YAML and Okta, joins an org to manage its teams, creates a local user; a second apply writes nothing', async () => {
    const w = await orgWorld()
    const plan = await runCli(['plan', '--detailed-exitcode'], w.ws, w.env)
    expect(plan.code).toBe(2)
    expect(plan.stdout).toContain('Research')
    expect(plan.stdout).toMatch(/teams of org "Partners" were not read/)
    expect(w.grafana.writes()).toEqual([])

    const apply = await runCli(['apply'], w.ws, w.env)
    expect(apply.code).toBe(0)
    expect(orgRoles(w.grafana, 'Research')).toEqual({
      admin: 'Admin',
      ana: 'Admin',
      bob: 'Editor',
      'office-tv': 'Viewer',
    })
    expect(orgRoles(w.grafana, 'External')).toEqual({})
    // Renamed in place (same id); the sync's admin joined it to manage its teams; undeclared users pruned.
    expect(w.grafana.snapshot().orgs.find((o) => o.id === w.external)?.name).toBe('Partners')
    expect(orgRoles(w.grafana, 'Partners')).toEqual({
      admin: 'Admin',
      carol: 'Viewer',
      dave: 'Viewer',
    })
    expect(teamLogins(w.grafana, w.external, 'Guests')).toEqual(['dave'])
    expect(w.grafana.checkPassword('office-tv', TV_PASSWORD)).toBe(true)
    for (const text of [plan.stdout, plan.stderr, apply.stdout, apply.stderr]) {
      expect(text).not.toContain(TV_PASSWORD)
      expect(text).not.toContain(ADMIN_PASSWORD)
    }

    w.grafana.clearRequests()
    const again = await runCli(['apply'], w.ws, w.env)
    expect(again.code).toBe(0)
    expect(w.grafana.writes()).toEqual([])
    expect((await runCli(['plan', '--detailed-exitcode'], w.ws, w.env)).code).toBe(0)
  })

  it.each([
    ['orgs:', 'teams/orgs.yaml', ORGS_YAML],
    [
      'users:',
      'teams/users.yaml',
      'users:\n  - login: office-tv\n    password: { env: OFFICE_TV_PASSWORD }\n',
    ],
    [
      'missingUsers: create',
      'teams/t.yaml',
      'settings:\n  missingUsers: create\nteams:\n  - name: T\n',
    ],
  ])(
    'refuses a token-only run with %s before any request, naming the basic-auth variables',
    async (_, file, text) => {
      const w = await orgWorld({ [file]: text })
      const token = w.grafana.addServiceAccountToken(1, 'Admin')
      const env: Record<string, string> = { ...w.env, GRAFANA_TOKEN: token }
      delete env.GRAFANA_USERNAME
      delete env.GRAFANA_PASSWORD
      const ran = await runCli(['apply'], w.ws, env)
      expect(ran.code).toBe(1)
      expect(ran.stderr).toContain('GRAFANA_USERNAME')
      expect(ran.stderr).toContain('GRAFANA_PASSWORD')
      expect(w.grafana.requests).toEqual([])
      expect(w.okta.requests).toEqual([])
    },
  )
})

describe('orgs and local users with the Action', () => {
  it('applies with basic auth on push and converges', async () => {
    const w = await orgWorld()
    const inputs = {
      'grafana-url': w.grafana.url,
      'grafana-username': 'admin',
      'grafana-password': ADMIN_PASSWORD,
      'okta-domain': w.okta.url,
      'okta-api-token': OKTA_TOKEN,
      comment: 'false',
    }
    const env = { OFFICE_TV_PASSWORD: TV_PASSWORD }
    const push = { event: 'push', payload: { ref: 'refs/heads/main', repository: repoPayload } }
    const ran = await runAction(w.ws, { ...push, inputs, env })
    expect(ran.code).toBe(0)
    expect(ran.outputs).toMatchObject({ mode: 'apply', failed: '0' })
    expect(orgRoles(w.grafana, 'Partners')).toEqual({
      admin: 'Admin',
      carol: 'Viewer',
      dave: 'Viewer',
    })
    // The action registers the password with `::add-mask::`; the log a person sees never holds it.
    expect(ran.stdout).toContain(`::add-mask::${TV_PASSWORD}`)
    expect(visibleLog(ran.stdout) + ran.stderr + ran.summary).not.toContain(TV_PASSWORD)

    w.grafana.clearRequests()
    const again = await runAction(w.ws, { ...push, inputs, env })
    expect(again.code).toBe(0)
    expect(again.outputs).toMatchObject({ 'has-changes': 'false' })
    expect(w.grafana.writes()).toEqual([])
  })

  it('fails a token-only run with orgs: before any request, naming grafana-username and grafana-password', async () => {
    const w = await orgWorld()
    const ran = await runAction(w.ws, {
      event: 'push',
      payload: { ref: 'refs/heads/main', repository: repoPayload },
      inputs: {
        'grafana-url': w.grafana.url,
        'grafana-token': w.grafana.addServiceAccountToken(1, 'Admin'),
        'okta-domain': w.okta.url,
        'okta-api-token': OKTA_TOKEN,
        comment: 'false',
      },
      env: { OFFICE_TV_PASSWORD: TV_PASSWORD },
    })
    expect(ran.code).not.toBe(0)
    expect(ran.stdout).toMatch(/::error.*`grafana-username` and `grafana-password`/)
    expect(w.grafana.requests).toEqual([])
  })
})
