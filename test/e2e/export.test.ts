// `export` through the built bundle: a Grafana of many shapes → YAML → `plan` of it plans nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { seededRandom } from '../random.ts'
import { startFakeGrafana, type FakeGrafana } from '../fakes/grafana.ts'
import { startFakeOkta, type FakeOkta } from '../fakes/okta.ts'
import { makeWorkspace, requireBuild, runCli, type Ran, type Workspace } from './harness.ts'

const PASSWORD = 'Adm1n-export-SECRET'
const OKTA_TOKEN = '00okta-export-SECRET'
const SCHEMA_LINE =
  '# yaml-language-server: $schema=https://raw.githubusercontent.com/grafana-team-sync/grafana-team-sync/v1/schema/config.schema.json'

let grafana: FakeGrafana | undefined
let okta: FakeOkta | undefined
let ws: Workspace | undefined

beforeAll(() => requireBuild())
afterEach(async () => {
  await Promise.all([grafana?.close(), okta?.close()])
  ws?.remove()
  grafana = okta = ws = undefined
})

interface Seeded {
  grafana: FakeGrafana
  token: string
  ids: Record<string, number>
}

/** Several orgs, admins, preferences, emails, odd and unicode names, labels, the creator, empty teams. */
async function seedGrafana(): Promise<Seeded> {
  const g = await startFakeGrafana({ adminPassword: PASSWORD })
  const ops = g.addOrg('Ops & SRE: "night" shift')
  const uni = g.addOrg('Équipe 数据')
  const lonely = g.addOrg('Nobody Home')
  const watchers = g.addOrg('Watchers')
  const id = (login: string, orgs: Record<number, 'Viewer' | 'Editor' | 'Admin' | 'None'>) =>
    g.addUser({ login, email: `${login}@acme.example`, name: login, orgs })
  const ids = {
    ana: id('ana', { 1: 'Admin', [ops]: 'Editor' }),
    bob: id('bob', { 1: 'Editor', [uni]: 'Viewer' }),
    carol: id('carol', { 1: 'Viewer', [ops]: 'Viewer' }),
    dave: id('dave', { 1: 'Viewer', [uni]: 'Admin' }),
    nobody: id('nobody', { 1: 'None' }),
    outsider: id('outsider', {}),
    ldap: id('ldap.user', { 1: 'Viewer' }),
    tv: g.addUser({ login: 'office-tv', email: 'office-tv', orgs: { 1: 'Viewer' } }),
  }
  // The sync's user (admin, id 1) joins the other orgs as Admin; not "Nobody Home".
  g.addUser({ login: 'zed', email: 'zed@acme.example', orgs: { [lonely]: 'Admin' } })
  const admin = 1
  const team = (org: number, name: string, opts: Parameters<FakeGrafana['addTeam']>[2] = {}) =>
    g.addTeam(org, name, opts)
  const platform = team(1, 'Platform', {
    email: 'platform@acme.example',
    members: [
      { userId: ids.ana, permission: 4 },
      { userId: ids.bob },
      { userId: ids.tv },
      { userId: ids.ldap, labels: ['LDAP'] },
      { userId: admin, permission: 4 },
      { userId: ids.outsider },
    ],
  })
  g.setTeamPreferences(platform, { theme: 'dark', timezone: 'Europe/Berlin', weekStart: 'monday' })
  team(1, 'yes', { members: [{ userId: ids.carol }] })
  team(1, 'Équipe', { members: [{ userId: ids.dave, permission: 4 }] })
  team(1, 'equipe', { email: 'not an email', members: [{ userId: ids.carol }] })
  team(1, 'orgs', {})
  team(1, 'Cost ${HOME} #1', { members: [{ userId: ids.bob }] })
  team(1, '数据团队', { members: [{ userId: ids.ana }, { userId: ids.nobody }] })
  team(1, '  padded  ', { members: [{ userId: ids.carol, permission: 4 }] })
  team(1, 'Empty', {})
  const sre = team(ops, 'SRE', {
    members: [{ userId: ids.carol }, { userId: ids.ana, permission: 4 }],
  })
  g.setTeamPreferences(sre, { theme: 'light', timezone: 'utc', homeDashboardUID: 'abc123' })
  team(uni, 'Données', { members: [{ userId: ids.bob }, { userId: ids.dave, permission: 4 }] })
  team(lonely, 'Hidden', { members: [] })
  team(watchers, 'Watch', { members: [{ userId: ids.carol }] })
  for (const org of [ops, uni]) await joinOrg(g, org)
  await joinOrg(g, watchers, 'Editor')
  return { grafana: g, token: g.addServiceAccountToken(1, 'Admin'), ids }
}

/** The sync's user (admin) made an Admin of the org through the API, as an operator would. */
async function joinOrg(g: FakeGrafana, orgId: number, role = 'Admin'): Promise<void> {
  const res = await fetch(`${g.url}/api/orgs/${orgId}/users`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ loginOrEmail: 'admin', role }),
  })
  if (!res.ok) throw new Error(`joining org ${orgId}: ${res.status} ${await res.text()}`)
}

const basic = (g: FakeGrafana) => ({
  GRAFANA_URL: g.url,
  GRAFANA_USERNAME: 'admin',
  GRAFANA_PASSWORD: PASSWORD,
})

function planOf(ran: Ran): { changes: unknown[]; pending: unknown[]; errors: unknown[] } {
  expect(ran.stderr).not.toMatch(/\berror\b/i)
  return (
    JSON.parse(ran.stdout) as {
      plan: { changes: unknown[]; pending: unknown[]; errors: unknown[] }
    }
  ).plan
}

function yamlFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.split('\\').join('/'))
    .sort()
}

describe('export', () => {
  it('writes YAML that plans no change against the same Grafana (basic auth, every org)', async () => {
    const seeded = await seedGrafana()
    grafana = seeded.grafana
    ws = makeWorkspace({})
    const env = basic(grafana)
    const exported = await runCli(['export'], ws, env)
    expect(exported.stderr).not.toMatch(/^error/m)
    expect(exported.code).toBe(0)

    const files = yamlFiles(join(ws.dir, 'teams'))
    expect(files).toContain('settings.yaml')
    expect(files).toContain('main-org/orgs.yaml')
    expect(files).toContain('main-org/platform.yaml')
    // `Équipe` and `equipe` slug alike; `orgs` is the org file's name; unicode-only names fall back.
    expect(files).toEqual(
      expect.arrayContaining(['main-org/equipe.yaml', 'main-org/equipe-2.yaml']),
    )
    expect(files).toContain('main-org/orgs-2.yaml')
    expect(files.some((f) => /^main-org\/team-\d+\.yaml$/.test(f))).toBe(true)
    expect(files).toContain('equipe/orgs.yaml')
    for (const file of files) {
      const text = readFileSync(join(ws.dir, 'teams', file), 'utf8')
      expect(text.split('\n')[0]).toBe(SCHEMA_LINE)
      expect(text).toContain(`Exported from ${grafana.url} at `)
      expect(text).not.toContain(PASSWORD)
    }
    const platform = readFileSync(join(ws.dir, 'teams/main-org/platform.yaml'), 'utf8')
    expect(platform).toContain('ldap.user')
    expect(platform).toMatch(/not exported: ldap\.user.*synced by Grafana itself/)
    expect(platform).toMatch(/not exported: admin.*creator/)
    expect(platform).toMatch(/not exported: outsider.*not a member of the org/)
    const settings = readFileSync(join(ws.dir, 'teams/settings.yaml'), 'utf8')
    expect(settings).toMatch(/teamMembers: false/)
    expect(settings).toMatch(/protectedUsers:\n\s+- admin/)
    const cost = readFileSync(join(ws.dir, 'teams/main-org/cost-home-1.yaml'), 'utf8')
    expect(cost).toContain('Cost $${HOME} #1')
    // Skipped things are listed in the output too.
    expect(exported.stdout).toMatch(/Not exported \(\d+\)/)
    expect(exported.stdout).toMatch(/"Main Org\." \/ "Platform": ldap\.user/)
    expect(exported.stdout).toMatch(/org "Main Org\.": nobody .*None/)
    expect(exported.stdout).toMatch(
      /org "Nobody Home": teams: not readable: the sync's user is no member/,
    )
    expect(exported.stdout).toMatch(
      /org "Watchers": teams: not readable: the sync's user is Editor/,
    )

    const plan = await runCli(['plan', '--json'], ws, env)
    expect(plan.code).toBe(0)
    const parsed = planOf(plan)
    expect(parsed.changes).toEqual([])
    expect(parsed.pending).toEqual([])
  })

  it('with a token, exports the token org only, and plans empty with that token', async () => {
    const seeded = await seedGrafana()
    grafana = seeded.grafana
    ws = makeWorkspace({})
    const env = { GRAFANA_URL: grafana.url, GRAFANA_TOKEN: seeded.token }
    const exported = await runCli(['export', '--out', 'access'], ws, env)
    expect(exported.code).toBe(0)
    const files = yamlFiles(join(ws.dir, 'access'))
    expect(files.filter((f) => f.endsWith('/orgs.yaml'))).toEqual([])
    expect(files.every((f) => f === 'settings.yaml' || f.startsWith('main-org/'))).toBe(true)
    const plan = await runCli(['plan', '--config', 'access', '--json'], ws, env)
    expect(plan.code).toBe(0)
    expect(planOf(plan).changes).toEqual([])
  })

  it('--org exports only the named orgs; an unknown one is an error naming the readable ones', async () => {
    const seeded = await seedGrafana()
    grafana = seeded.grafana
    ws = makeWorkspace({})
    const env = basic(grafana)
    const exported = await runCli(['export', '--org', 'Équipe 数据'], ws, env)
    expect(exported.code).toBe(0)
    expect(yamlFiles(join(ws.dir, 'teams'))).toEqual([
      'equipe/donnees.yaml',
      'equipe/orgs.yaml',
      'settings.yaml',
    ])
    const plan = await runCli(['plan', '--json'], ws, env)
    expect(planOf(plan).changes).toEqual([])

    const unknown = await runCli(['export', '--out', 'other', '--org', 'Nope'], ws, env)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/--org "Nope": no such org .*"Main Org\."/)
    expect(existsSync(join(ws.dir, 'other'))).toBe(false)
  })

  it('refuses to write into a folder holding YAML unless --force, and writes nothing then', async () => {
    const seeded = await seedGrafana()
    grafana = seeded.grafana
    ws = makeWorkspace({ 'teams/mine.yaml': 'teams: []\n' })
    const env = basic(grafana)
    const refused = await runCli(['export'], ws, env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(
      /teams already holds 1 YAML file\(s\) \(mine\.yaml\); nothing was written/,
    )
    expect(yamlFiles(join(ws.dir, 'teams'))).toEqual(['mine.yaml'])
    const over = await runCli(['export', '--force'], ws, env)
    expect(over.code).toBe(0)
    expect(over.stdout).toMatch(
      /1 other YAML file\(s\) in teams\/ were left as they were \(mine\.yaml\)/,
    )

    ws.remove()
    ws = makeWorkspace({})
    expect((await runCli(['export'], ws, env)).code).toBe(0)
    const before = readFileSync(join(ws.dir, 'teams/main-org/platform.yaml'), 'utf8')
    expect((await runCli(['export'], ws, env)).code).toBe(1)
    const forced = await runCli(['export', '--force'], ws, env)
    expect(forced.code).toBe(0)
    expect(forced.stdout).toMatch(/\d+ replaced/)
    expect(readFileSync(join(ws.dir, 'teams/main-org/platform.yaml'), 'utf8')).not.toBe('')
    expect(before).toContain('name: Platform')
  })

  it('--okta-groups names a team by its Okta group where the members are equal, and says how others differ', async () => {
    const seeded = await seedGrafana()
    grafana = seeded.grafana
    okta = await startFakeOkta({ token: OKTA_TOKEN })
    const person = (login: string, status?: 'ACTIVE' | 'SUSPENDED') =>
      okta!.addUser({ login: `${login}@acme.example`, firstName: login, lastName: 'X', status })
    const o = {
      ana: person('ana'),
      bob: person('bob'),
      carol: person('carol'),
      dave: person('dave'),
      tv: okta.addUser({ login: 'office-tv@acme.example', email: 'office-tv' }),
      gone: person('gone', 'SUSPENDED'),
      frank: person('frank'),
    }
    const group = (name: string, members: string[]) => {
      const id = okta!.addGroup({ name })
      for (const m of members) okta!.addMember(id, m)
    }
    // Équipe (dave) and SRE (carol, ana) match, the suspended member does not count; Données lacks bob.
    group('Équipe', [o.dave, o.gone])
    group('SRE', [o.carol, o.ana])
    group('Données', [o.dave, o.frank])
    group('yes', [])
    ws = makeWorkspace({})
    const env = { ...basic(grafana), OKTA_DOMAIN: okta.url, OKTA_API_TOKEN: OKTA_TOKEN }
    const exported = await runCli(['export', '--okta-groups'], ws, env)
    expect(exported.code).toBe(0)
    expect(exported.stdout).toMatch(/Okta groups: 2 team\(s\) written as their group, 2 differ/)
    const sre = readFileSync(join(ws.dir, 'teams/ops-sre-night-shift/sre.yaml'), 'utf8')
    expect(sre).toMatch(/members:\n\s+oktaGroups:\n\s+- SRE/)
    expect(sre).toMatch(/admins:\n\s+users:\n\s+- ana@acme\.example/)
    const donnees = readFileSync(join(ws.dir, 'teams/equipe/donnees.yaml'), 'utf8')
    expect(donnees).toMatch(
      /# Okta group "Données" differs: only in Okta: frank@acme\.example; only in Grafana: bob@acme\.example/,
    )
    expect(donnees).toMatch(/users:\n\s+- bob@acme\.example/)
    const settings = readFileSync(join(ws.dir, 'teams/settings.yaml'), 'utf8')
    expect(settings).toMatch(/memberStatuses:/)

    const plan = await runCli(['plan', '--json'], ws, env)
    expect(plan.code).toBe(0)
    expect(planOf(plan).changes).toEqual([])
  })

  it('--okta-groups without Okta credentials is an error before anything is read', async () => {
    const seeded = await seedGrafana()
    grafana = seeded.grafana
    ws = makeWorkspace({})
    grafana.clearRequests()
    const ran = await runCli(['export', '--okta-groups'], ws, basic(grafana))
    expect(ran.code).toBe(1)
    expect(ran.stderr).toMatch(/--okta-groups reads Okta: set OKTA_DOMAIN and OKTA_API_TOKEN/)
    expect(grafana.requests).toEqual([])
  })

  it.each([11, 12])('a random Grafana (seed %i) exports to an empty plan', async (seed) => {
    grafana = await startFakeGrafana({ adminPassword: PASSWORD })
    for (const org of seedRandomGrafana(grafana, seed)) await joinOrg(grafana, org)
    ws = makeWorkspace({})
    const env = basic(grafana)
    expect((await runCli(['export'], ws, env)).code).toBe(0)
    const plan = await runCli(['plan', '--json'], ws, env)
    expect(plan.code).toBe(0)
    expect(planOf(plan).changes).toEqual([])
  })
})

const NAMES = [
  'Platform',
  'platform',
  'Data',
  'Ünïcode',
  '数据',
  'a: b',
  '#hash',
  'yes',
  'null',
  '007',
  ' x ',
  '$${y}',
]

/** Returns the orgs besides Main Org., which the sync's user is to join. */
function seedRandomGrafana(g: FakeGrafana, seed: number): number[] {
  const random = seededRandom(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const orgs = [1, g.addOrg(`Org ${seed}`), g.addOrg(pick(NAMES) + ' org')]
  const roles = ['Viewer', 'Editor', 'Admin', 'None'] as const
  const users = Array.from({ length: 12 }, (_, i) => {
    const orgRoles: Record<number, (typeof roles)[number]> = {}
    for (const org of orgs) if (random() < 0.7) orgRoles[org] = pick(roles)
    return g.addUser({ login: `user${i}`, email: `User${i}@Acme.example`, orgs: orgRoles })
  })
  for (const org of orgs.slice(1)) g.addUser({ login: `owner${org}`, orgs: { [org]: 'Admin' } })
  let n = 0
  for (const org of orgs) {
    const used = new Set<string>()
    for (let t = 0; t < 5; t++) {
      const name = `${pick(NAMES)}${random() < 0.5 ? '' : ` ${n++}`}`
      if (used.has(name)) continue
      used.add(name)
      const members: { userId: number; permission: 0 | 4; labels?: string[] }[] = users
        .filter(() => random() < 0.3)
        .map((userId) => ({
          userId,
          permission: random() < 0.3 ? 4 : 0,
          ...(random() < 0.1 ? { labels: ['LDAP'] } : {}),
        }))
      if (random() < 0.3) members.push({ userId: 1, permission: 4 })
      const id = g.addTeam(org, name, {
        ...(random() < 0.5 ? { email: `t${n}@acme.example` } : {}),
        members,
      })
      if (random() < 0.5) g.setTeamPreferences(id, { theme: pick(['dark', 'light', 'system']) })
    }
  }
  return orgs.slice(1)
}
