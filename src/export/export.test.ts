// The export's promise, checked in-process for many generated Grafanas: the files it builds pass the
// loader, and a plan of them against what was read has nothing to do.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Document } from 'yaml'
import { afterEach, describe, expect, it } from 'vitest'
import { seededRandom } from '../../test/random.ts'
import { loadConfig } from '../config/index.ts'
import type {
  Caller,
  GrafanaUser,
  Observed,
  ObservedOrg,
  ObservedTeam,
  OktaGroupRead,
  OrgMember,
  TeamMember,
} from '../model.ts'
import { buildPlan } from '../plan/index.ts'
import { buildExport, literal, renderFile } from './build.ts'
import { publicUrl } from './index.ts'
import { slug, UniqueNames } from './names.ts'
import { writeExport } from './write.ts'

const AT = new Date('2026-12-04T12:00:00Z')
const NAMES = [
  'Platform',
  'platform',
  'Data Engineering',
  'Ünïcode Équipe',
  '数据团队',
  'a: b',
  '#hash',
  '- dash',
  'yes',
  'null',
  '007',
  ' padded ',
  'Cost ${HOME}',
  'a$${b',
  'quote "x" \'y\'',
  'line\nbreak',
  'id:00g123',
  'orgs',
  'con',
  '   ',
]
const ROLES = ['Viewer', 'Editor', 'Admin', 'None'] as const
const THEMES = ['dark', 'light', 'system', '', 'weird']
const ZONES = ['utc', 'Europe/Berlin', 'browser', '', 'Mars/Olympus']

let dirs: string[] = []
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  dirs = []
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gts-export-test-'))
  dirs.push(dir)
  return dir
}

/** A Grafana (and the Okta groups of its team names) as the export reads it. */
function randomWorld(seed: number): Observed {
  const random = seededRandom(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const chance = (p: number) => random() < p
  const users: GrafanaUser[] = [{ id: 1, login: 'admin', email: 'admin@localhost', name: '' }]
  for (let i = 2; i < 2 + Math.floor(random() * 25); i++) {
    const login = chance(0.1) ? `person${i}@acme.example` : `person${i}`
    const email = chance(0.15) ? login : `person${i}@acme.example`
    users.push({ id: i, login, email, name: '' })
  }
  // An email that is another account's login: the identity must still name each one alone.
  if (users.length > 4 && chance(0.5)) users[3] = { ...users[3]!, login: users[2]!.email }
  const auth = pick(['basic-admin', 'basic-admin', 'basic-user', 'token'] as const)
  const caller: Caller =
    auth === 'token'
      ? { auth: 'token', isServerAdmin: false, orgId: 1 }
      : {
          auth: 'basic',
          userId: 1,
          login: 'admin',
          email: 'admin@localhost',
          isServerAdmin: auth === 'basic-admin',
          orgId: 1,
        }
  const orgCount = auth === 'token' ? 1 : 1 + Math.floor(random() * 3)
  const orgs: ObservedOrg[] = []
  for (let o = 1; o <= orgCount; o++) {
    const name = o === 1 ? 'Main Org.' : chance(0.2) ? 'main org.' : `${pick(NAMES)} ${o}`
    const members: OrgMember[] = []
    for (const u of users) {
      const role = u.id === 1 ? pick(['Admin', 'Admin', 'Editor', undefined] as const) : undefined
      const chosen = u.id === 1 ? role : chance(0.7) ? pick(ROLES) : undefined
      if (chosen) members.push({ userId: u.id, login: u.login, email: u.email, role: chosen })
    }
    if (caller.auth === 'basic' && !caller.isServerAdmin && !members.some((m) => m.userId === 1))
      continue
    const callerRole = members.find((m) => m.userId === 1)?.role
    const hidden = caller.auth === 'basic' && callerRole !== 'Admin' && chance(0.7)
    orgs.push({
      id: o,
      name,
      users: members,
      teams: hidden ? [] : randomTeams(random, users, caller),
      ...(hidden ? { teamsUnread: true } : {}),
    })
  }
  const visible =
    caller.auth === 'basic' && caller.isServerAdmin
      ? users
      : users.filter((u) => orgs.some((o) => o.users.some((m) => m.userId === u.id)))
  return { caller, orgs, otherOrgs: [], users: visible, oktaGroups: randomGroups(random, orgs) }
}

function randomTeams(random: () => number, users: GrafanaUser[], caller: Caller): ObservedTeam[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const teams: ObservedTeam[] = []
  const names = new Set<string>()
  for (let t = 0; t < Math.floor(random() * 8); t++) {
    const name = random() < 0.5 ? pick(NAMES) : `${pick(NAMES)} ${t}`
    if (names.has(name)) continue
    names.add(name)
    const members: TeamMember[] = users
      .filter((u) => random() < 0.3 && (u.id !== 1 || caller.auth === 'basic'))
      .map((u) => ({
        userId: u.id,
        login: u.login,
        email: u.email,
        permission: random() < 0.3 ? 'Admin' : 'Member',
        labels: random() < 0.1 ? ['LDAP'] : [],
      }))
    const preferences = {
      ...(random() < 0.5 ? { theme: pick(THEMES) as '' } : {}),
      ...(random() < 0.4 ? { timezone: pick(ZONES) } : {}),
      ...(random() < 0.3 ? { weekStart: pick(['monday', 'sunday', 'someday']) } : {}),
      ...(random() < 0.2 ? { homeDashboardUid: pick(['abc123', '${X}']) } : {}),
    }
    teams.push({
      id: 100 + teams.length + Math.floor(random() * 1000) * 10,
      name,
      email: pick(['', 'team@acme.example', 'not an email', 'x${Y}@acme.example']),
      memberCount: members.length,
      members,
      preferences,
    })
  }
  return teams
}

/** Per team name: sometimes no group, sometimes its exact members, sometimes others; some suspended. */
function randomGroups(random: () => number, orgs: ObservedOrg[]): Record<string, OktaGroupRead> {
  const reads: Record<string, OktaGroupRead> = {}
  for (const org of orgs) {
    for (const team of org.teams) {
      if (random() < 0.3 || team.name.startsWith('id:')) continue
      const members = (team.members ?? [])
        .filter(() => random() < 0.9)
        .map((m) => ({
          id: `00u${m.userId}`,
          login: m.email,
          email: m.email,
          status: random() < 0.1 ? 'SUSPENDED' : 'ACTIVE',
        }))
      if (random() < 0.2)
        members.push({ id: '00ux', login: 'x@y.z', email: 'x@y.z', status: 'ACTIVE' })
      reads[team.name] = { ref: team.name, ok: true, id: `00g${team.id}`, name: team.name, members }
    }
  }
  return reads
}

async function exportAndPlan(observed: Observed, oktaGroups: boolean) {
  const result = buildExport(observed, { url: 'https://grafana.example', at: AT, oktaGroups })
  const dir = tempDir()
  for (const file of result.files) {
    const full = join(dir, 'teams', ...file.path.split('/'))
    mkdirSync(join(full, '..'), { recursive: true })
    writeFileSync(full, renderFile(file))
  }
  const loaded = await loadConfig('teams', { cwd: dir, env: {} })
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2))
  return { result, plan: buildPlan(loaded.config, observed), config: loaded.config }
}

describe('export then plan', () => {
  it.each(Array.from({ length: 150 }, (_, i) => i + 1))(
    'plans nothing for generated Grafana %i, with and without Okta groups',
    async (seed) => {
      const observed = randomWorld(seed)
      for (const okta of [false, true]) {
        const { plan } = await exportAndPlan(observed, okta)
        expect(plan.changes.map((c) => c.id)).toEqual([])
        expect(plan.pending).toEqual([])
        expect(plan.errors).toEqual([])
      }
    },
  )

  it('the generated Grafanas hold the shapes the export has to handle', () => {
    const seen = { teams: 0, matched: 0, differing: 0, why: new Set<string>() }
    for (let seed = 1; seed <= 150; seed++) {
      const result = buildExport(randomWorld(seed), { url: 'u', at: AT, oktaGroups: true })
      seen.teams += result.teams
      seen.matched += result.okta.matched.length
      seen.differing += result.okta.differing.length
      for (const s of result.skipped) seen.why.add(s.why.replace(/[:(;"].*$/s, '').trim())
    }
    expect(seen.teams).toBeGreaterThan(200)
    expect(seen.matched).toBeGreaterThan(10)
    expect(seen.differing).toBeGreaterThan(10)
    expect([...seen.why].sort()).toEqual(
      expect.arrayContaining([
        'synced by Grafana itself',
        "the sync's own user as team Admin, the membership Grafana gives a team's creator",
        'not a member of the org, only of the team',
        'org role None, which the config cannot express',
        'not readable',
        "the sync's user is Editor of the org, and a plan managing its teams would first make it an Admin",
      ]),
    )
  })

  it('keeps every odd name exactly, and writes a `${` as its literal form', async () => {
    const observed = randomWorld(3)
    const org = observed.orgs[0]!
    const odd = NAMES.filter((n) => /\S/.test(n))
    observed.caller = { auth: 'token', isServerAdmin: false, orgId: org.id }
    observed.orgs = [{ ...org, teamsUnread: undefined, teams: odd.map((name, i) => team(i, name)) }]
    const { config, result } = await exportAndPlan(observed, false)
    expect(config.teams.map((t) => t.name).sort()).toEqual([...odd].sort())
    const cost = result.files.find((f) => renderFile(f).includes('Cost'))!
    expect(renderFile(cost)).toContain('Cost $${HOME}')
    expect(result.skipped).toEqual([])
  })

  it('names each person so the plan finds that account, falling back to the login', async () => {
    const users: GrafanaUser[] = [
      { id: 1, login: 'admin', email: 'admin@localhost', name: '' },
      { id: 2, login: 'tv', email: 'tv', name: '' },
      { id: 3, login: 'ann', email: 'ann@acme.example', name: '' },
      // Its login is ann's email: by email it is ann, so it is named by login… which is ann too.
      { id: 4, login: 'ann@acme.example', email: 'other@acme.example', name: '' },
    ]
    const members = users.map<TeamMember>((u) => ({
      ...u,
      userId: u.id,
      permission: 'Member',
      labels: [],
    }))
    const observed: Observed = {
      caller: { auth: 'token', isServerAdmin: false, orgId: 1 },
      orgs: [
        {
          id: 1,
          name: 'Main Org.',
          users: users.map((u) => ({
            userId: u.id,
            login: u.login,
            email: u.email,
            role: 'Viewer',
          })),
          teams: [{ ...team(1, 'All'), members }],
        },
      ],
      users,
      oktaGroups: {},
    }
    const { config, plan } = await exportAndPlan(observed, false)
    expect(config.teams[0]!.members.users.map((u) => u.value).sort()).toEqual([
      'admin',
      'ann@acme.example',
      'other@acme.example',
      'tv',
    ])
    expect(plan.changes).toEqual([])
  })
})

function team(i: number, name: string): ObservedTeam {
  return { id: 1000 + i, name, email: '', memberCount: 0, members: [], preferences: {} }
}

describe('writeExport', () => {
  const observed = randomWorld(5)

  it('writes nothing when a file does not pass the loader, and names the problem', async () => {
    const dir = tempDir()
    const bad = new Document({ teams: [{ name: 'x', colour: 'red' }] })
    const outcome = await writeExport([{ path: 'bad.yaml', document: bad }], observed, {
      out: 'teams',
      cwd: dir,
      force: false,
    })
    expect(outcome).toMatchObject({ ok: false, reason: 'invalid' })
    expect(
      outcome.ok === false && outcome.reason === 'invalid' && outcome.problems[0],
    ).toMatchObject({
      file: 'teams/bad.yaml',
      message: expect.stringMatching(/colour/),
    })
    expect(readdirSync(dir)).toEqual([])
  })

  it('writes nothing when the files would plan changes', async () => {
    const dir = tempDir()
    const world: Observed = {
      caller: { auth: 'token', isServerAdmin: false, orgId: 1 },
      orgs: [{ id: 1, name: 'Main Org.', users: [], teams: [] }],
      users: [],
      oktaGroups: {},
    }
    const org = 'Main Org.'
    const doc = new Document({ teams: [{ name: 'Brand New', org }] })
    const outcome = await writeExport([{ path: 'new.yaml', document: doc }], world, {
      out: 'teams',
      cwd: dir,
      force: false,
    })
    expect(outcome).toMatchObject({ ok: false, reason: 'not-empty' })
    expect(readdirSync(dir)).toEqual([])
  })

  it('refuses a folder that holds YAML unless forced, then replaces files of the same name', async () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'teams/sub'), { recursive: true })
    writeFileSync(join(dir, 'teams/sub/mine.YML'), 'teams: []\n')
    const { files } = buildExport(observed, { url: 'u', at: AT, oktaGroups: false })
    const refused = await writeExport(files, observed, { out: 'teams', cwd: dir, force: false })
    expect(refused).toEqual({ ok: false, reason: 'exists', existing: ['sub/mine.YML'] })
    expect(readdirSync(join(dir, 'teams'))).toEqual(['sub'])
    const forced = await writeExport(files, observed, { out: 'teams', cwd: dir, force: true })
    expect(forced).toMatchObject({ ok: true, replaced: [], kept: ['sub/mine.YML'] })
    const again = await writeExport(files, observed, { out: 'teams', cwd: dir, force: true })
    expect(again.ok && again.replaced).toContain('settings.yaml')
    expect(readFileSync(join(dir, 'teams/settings.yaml'), 'utf8')).toContain('settings:')
  })
})

describe('names', () => {
  it('slugs names to portable file names', () => {
    expect(slug('Data Engineering', 'x')).toBe('data-engineering')
    expect(slug('Équipe Ünïcode', 'x')).toBe('equipe-unicode')
    expect(slug('数据团队', 'team-7')).toBe('team-7')
    expect(slug('../../etc/passwd', 'x')).toBe('etc-passwd')
    expect(slug('.hidden', 'x')).toBe('hidden')
    expect(slug('CON', 'x')).toBe('con-')
    expect(slug('a'.repeat(100), 'x')).toHaveLength(60)
  })

  it('hands out each name once, case-insensitively, after the reserved ones', () => {
    const names = new UniqueNames(['orgs'])
    expect(['orgs', 'Platform', 'platform', 'platform'].map((n) => names.take(n))).toEqual([
      'orgs-2',
      'Platform',
      'platform-2',
      'platform-3',
    ])
  })

  it('prints the Grafana URL without credentials, query or fragment', () => {
    expect(publicUrl('https://admin:s3cret@grafana.acme.example/sub/?token=x#y')).toBe(
      'https://grafana.acme.example/sub',
    )
    expect(publicUrl('not a url')).toBe('(invalid URL)')
  })

  it('writes `${` as the loader literal `$${`', () => {
    expect(literal('a ${B} $${c}')).toBe('a $${B} $$${c}')
  })
})
