// Deterministic benchmark workloads: people, Okta groups, declared teams and a drifted Grafana.
// Every process that needs a workload (the config writer, each fake) builds the same one from
// its size and seed, so nothing large crosses process boundaries.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { seededRandom } from '../../test/random.ts'
import type { ReadShape, WritePhase } from './minimum.ts'

export interface SizeSpec {
  name: string
  teams: number
  /** People in Okta; most have a Grafana account. */
  users: number
  groups: number
  /** Group sizes are spread log-uniformly from 1 to this. */
  maxGroupSize: number
}

export const SIZES: Record<string, SizeSpec> = {
  small: { name: 'small', teams: 20, users: 300, groups: 24, maxGroupSize: 75 },
  medium: { name: 'medium', teams: 200, users: 5_000, groups: 240, maxGroupSize: 1_250 },
  large: { name: 'large', teams: 1_000, users: 20_000, groups: 1_200, maxGroupSize: 5_000 },
}

export const MAIN_ORG = 'Main Org.'
export const PARTNER_ORG = 'Partners'
/** Share of memberships the seeded Grafana gets wrong: half missing, half extra. */
export const DRIFT = 0.02
const NO_ACCOUNT_EVERY = 100 // 1 % of people have no Grafana account yet (pending)
const SUSPENDED_EVERY = 97 // ~1 % of people are suspended in Okta (not members)
const PARTNER_TEAM_EVERY = 10
const PREFERENCES_EVERY = 4
const UNDECLARED_TEAMS = 0.05
const BY_ID_EVERY = 10 // every tenth group is named as id:00g…

export interface Person {
  login: string
  email: string
  first: string
  last: string
  oktaId: string
  suspended: boolean
  hasAccount: boolean
}

export interface Group {
  name: string
  id: string
  /** Referenced as `id:00g…` instead of by name. */
  byId: boolean
  /** Indexes into `people`. */
  members: Int32Array
}

export interface Team {
  name: string
  org: string
  email: string
  groups: number[]
  /** Index of the person declared as the team's admin in YAML. */
  lead: number
  preferences: boolean
}

export type Permission = 'Member' | 'Admin'

export interface Workload {
  size: SizeSpec
  people: Person[]
  groups: Group[]
  teams: Team[]
  /** Teams present in Grafana that the config does not declare (listed, not read). */
  undeclared: { name: string; org: string; members: number[] }[]
  /** The small group whose members are Admins of the main org. */
  orgAdminGroup: number
  /** What each declared team should contain: person index → permission. */
  desired: Map<number, Permission>[]
  /** Desired memberships the seeded Grafana lacks, and memberships it has that nobody wants. */
  missing: { team: number; person: number; permission: Permission }[]
  extra: { team: number; person: number }[]
  /** People with an account who are members of the partner org. */
  partnerOrgMembers: Set<number>
}

const FIRST = ['ana', 'bob', 'carol', 'dev', 'eva', 'farid', 'grace', 'hugo', 'ines', 'jon']
const LAST = ['silva', 'nguyen', 'patel', 'moreau', 'schmidt', 'tanaka', 'okafor', 'rossi']
const AREAS = ['platform', 'data', 'payments', 'search', 'mobile', 'infra', 'growth', 'security']
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function oktaId(prefix: string, n: number, random: () => number): string {
  let tail = ''
  for (let i = 0; i < 10; i++) tail += BASE62[Math.floor(random() * 62)]
  return `${prefix}${n.toString(36).padStart(7, '0')}${tail}`
}

const pad = (n: number, width: number) => String(n).padStart(width, '0')

function makePeople(size: SizeSpec, random: () => number): Person[] {
  return Array.from({ length: size.users }, (_, i) => {
    const first = FIRST[i % FIRST.length]!
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!
    const login = `${first}.${last}.${pad(i, 5)}`
    return {
      login,
      email: `${login}@acme.example`,
      first,
      last,
      oktaId: oktaId('00u', i, random),
      suspended: i % SUSPENDED_EVERY === SUSPENDED_EVERY - 1,
      hasAccount: i % NO_ACCOUNT_EVERY !== NO_ACCOUNT_EVERY - 1,
    }
  })
}

/** Sizes spread evenly on a log scale from `max` down to 1, in shuffled order. */
function groupSizes(size: SizeSpec, random: () => number): number[] {
  const n = size.groups
  const sizes = Array.from({ length: n }, (_, i) =>
    Math.max(1, Math.round(Math.exp((1 - i / Math.max(1, n - 1)) * Math.log(size.maxGroupSize)))),
  )
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[sizes[i], sizes[j]] = [sizes[j]!, sizes[i]!]
  }
  return sizes
}

/** `count` distinct indexes below `n`, sorted. */
function sample(n: number, count: number, random: () => number): Int32Array {
  const chosen = new Set<number>()
  if (count > n / 2) {
    const all = Array.from({ length: n }, (_, i) => i)
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[all[i], all[j]] = [all[j]!, all[i]!]
    }
    return Int32Array.from(all.slice(0, count)).sort()
  }
  while (chosen.size < count) chosen.add(Math.floor(random() * n))
  return Int32Array.from(chosen).sort()
}

function makeGroups(size: SizeSpec, people: Person[], random: () => number): Group[] {
  const usable = (p: number) => !people[p]!.suspended
  return groupSizes(size, random).map((members, g) => {
    const picked = sample(people.length, members, random)
    // Every group keeps at least one member Okta counts: an empty group would hold removals back.
    if (!picked.some(usable)) {
      let p = picked[0]!
      while (!usable(p)) p = (p + 1) % people.length
      picked[0] = p
      picked.sort()
    }
    return {
      name: `grafana-${AREAS[g % AREAS.length]}-${pad(g, 4)}`,
      id: oktaId('00g', g, random),
      byId: g % BY_ID_EVERY === BY_ID_EVERY - 1,
      members: picked,
    }
  })
}

/** Each team uses 1–3 groups; every group is used by some team. */
function assignGroups(size: SizeSpec, random: () => number): number[][] {
  const picks = Array.from({ length: size.teams }, () => new Set<number>())
  const wanted = picks.map(() => 1 + Math.floor(random() * 3))
  for (let g = 0; g < size.groups; g++) {
    let t = g % size.teams
    for (let tries = 0; picks[t]!.size >= 3 && tries < size.teams; tries++) t = (t + 1) % size.teams
    picks[t]!.add(g)
  }
  picks.forEach((set, t) => {
    while (set.size < wanted[t]!) set.add(Math.floor(random() * size.groups))
  })
  return picks.map((set) => [...set])
}

export function generateWorkload(size: SizeSpec, seed = 7): Workload {
  const random = seededRandom(seed)
  const people = makePeople(size, random)
  const groups = makeGroups(size, people, random)
  const counts = (p: number) => !people[p]!.suspended && people[p]!.hasAccount
  const teams: Team[] = assignGroups(size, random).map((gs, t) => {
    const candidates = gs.flatMap((g) => [...groups[g]!.members]).filter(counts)
    const lead = candidates[Math.floor(random() * candidates.length)] ?? 0
    return {
      name: `Team ${pad(t, 4)}`,
      org: t % PARTNER_TEAM_EVERY === PARTNER_TEAM_EVERY - 1 ? PARTNER_ORG : MAIN_ORG,
      email: `team-${pad(t, 4)}@acme.example`,
      groups: gs,
      lead,
      preferences: t % PREFERENCES_EVERY === 0,
    }
  })
  const desired = teams.map((team) => {
    const wants = new Map<number, Permission>()
    for (const g of team.groups)
      for (const p of groups[g]!.members) if (counts(p)) wants.set(p, 'Member')
    if (counts(team.lead)) wants.set(team.lead, 'Admin')
    return wants
  })
  const partnerOrgMembers = new Set<number>()
  teams.forEach((team, t) => {
    if (team.org === PARTNER_ORG) for (const p of desired[t]!.keys()) partnerOrgMembers.add(p)
  })
  const orgAdminGroup = smallestGroupWithMembers(groups, counts)
  const undeclared = Array.from({ length: Math.ceil(size.teams * UNDECLARED_TEAMS) }, (_, i) => ({
    name: `Legacy ${pad(i, 4)}`,
    org: MAIN_ORG,
    members: [...sample(people.length, 1 + Math.floor(random() * 5), random)].filter(
      (p) => people[p]!.hasAccount,
    ),
  }))
  const { missing, extra } = drift(desired, teams, people, partnerOrgMembers, random)
  return {
    size,
    people,
    groups,
    teams,
    undeclared,
    orgAdminGroup,
    desired,
    missing,
    extra,
    partnerOrgMembers,
  }
}

function smallestGroupWithMembers(groups: Group[], counts: (p: number) => boolean): number {
  let best = 0
  let bestSize = Infinity
  groups.forEach((g, i) => {
    const n = [...g.members].filter(counts).length
    if (n >= 2 && n < bestSize) [best, bestSize] = [i, n]
  })
  return best
}

/**
 * Drops DRIFT/2 of the desired memberships and adds as many that nobody wants, each in a team
 * picked in proportion to its size (drift is spread like memberships are).
 */
function drift(
  desired: Map<number, Permission>[],
  teams: Team[],
  people: Person[],
  partnerOrgMembers: Set<number>,
  random: () => number,
): Pick<Workload, 'missing' | 'extra'> {
  const ends: number[] = []
  let total = 0
  for (const wants of desired) ends.push((total += wants.size))
  const teamOf = (n: number) => {
    let lo = 0
    let hi = ends.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (ends[mid]! > n) hi = mid
      else lo = mid + 1
    }
    return lo
  }
  const pickTeam = () => teamOf(Math.floor(random() * total))
  const each = Math.max(1, Math.round((total * DRIFT) / 2))
  const missing: Workload['missing'] = []
  const picked = new Set<string>()
  while (missing.length < each) {
    const t = pickTeam()
    const wants = desired[t]!
    if (wants.size <= 1) continue
    const entries = [...wants.keys()]
    const p = entries[Math.floor(random() * entries.length)]!
    if (picked.has(`${t}/${p}`)) continue
    picked.add(`${t}/${p}`)
    missing.push({ team: t, person: p, permission: wants.get(p)! })
  }
  const partners = [...partnerOrgMembers]
  const extra: Workload['extra'] = []
  while (extra.length < each) {
    const t = pickTeam()
    const pool = teams[t]!.org === PARTNER_ORG ? partners : undefined
    const p = pool
      ? pool[Math.floor(random() * pool.length)]!
      : Math.floor(random() * people.length)
    if (!people[p]!.hasAccount || desired[t]!.has(p) || picked.has(`${t}/${p}`)) continue
    picked.add(`${t}/${p}`)
    extra.push({ team: t, person: p })
  }
  return { missing, extra }
}

/** Memberships as the drifted Grafana holds them, per declared team. */
export function seededMembers(w: Workload): Map<number, Permission>[] {
  const seeded = w.desired.map((d) => new Map(d))
  for (const m of w.missing) seeded[m.team]!.delete(m.person)
  for (const e of w.extra) seeded[e.team]!.set(e.person, 'Member')
  return seeded
}

export function groupRef(g: Group): string {
  return g.byId ? `id:${g.id}` : g.name
}

/** The workload as YAML files under `dir`: settings, the org, and teams over ten files. */
export async function writeWorkloadConfig(w: Workload, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true })
  const quote = (s: string) => JSON.stringify(s)
  await writeFile(
    path.join(dir, 'settings.yaml'),
    [
      'settings:',
      `  defaultOrg: ${MAIN_ORG}`,
      '  identity: email',
      '  safety: { maxRemovals: "10%" }',
      'orgs:',
      `  - name: ${MAIN_ORG}`,
      `    admins: { oktaGroups: [${quote(groupRef(w.groups[w.orgAdminGroup]!))}] }`,
      `  - name: ${PARTNER_ORG}`,
      '',
    ].join('\n'),
  )
  const files = 10
  const perFile = Math.ceil(w.teams.length / files)
  for (let f = 0; f < files; f++) {
    const lines = ['teams:']
    for (const team of w.teams.slice(f * perFile, (f + 1) * perFile)) {
      lines.push(`  - name: ${team.name}`)
      if (team.org !== MAIN_ORG) lines.push(`    org: ${team.org}`)
      lines.push(`    email: ${team.email}`)
      if (team.preferences) lines.push('    preferences: { theme: dark, timezone: utc }')
      lines.push(
        '    members:',
        `      oktaGroups: [${team.groups.map((g) => quote(groupRef(w.groups[g]!))).join(', ')}]`,
        '    admins:',
        `      users: [${w.people[team.lead]!.email}]`,
      )
    }
    await writeFile(path.join(dir, `teams-${pad(f, 2)}.yaml`), lines.join('\n') + '\n')
  }
}

export const TEAM_PREFERENCES = { theme: 'dark', timezone: 'utc' }

/** What a plan of this workload must read (see minimum.ts). */
export function readShape(w: Workload): ReadShape {
  const org = (name: string) => {
    const declared = w.teams.filter((t) => t.org === name)
    return {
      teams: declared.length + w.undeclared.filter((t) => t.org === name).length,
      declaredTeams: declared.length,
      withPreferences: declared.filter((t) => t.preferences).length,
    }
  }
  return {
    grafana: {
      orgs: 2,
      users: w.people.filter((p) => p.hasAccount).length + 1,
      referencedOrgs: [org(MAIN_ORG), org(PARTNER_ORG)],
    },
    okta: {
      names: w.groups.filter((g) => !g.byId).map((g) => g.name),
      groups: w.groups.map((g) => ({ members: g.members.length, byName: !g.byId })),
    },
  }
}

/** The apply's writes: each missing member added (an Admin then promoted), each extra one removed. */
export function writePhases(w: Workload): WritePhase[] {
  const admins = w.missing.filter((m) => m.permission === 'Admin').length
  return [
    { name: 'member adds', requests: w.missing.length + admins, chain: admins > 0 ? 2 : 1 },
    { name: 'member removals', requests: w.extra.length, chain: 1 },
  ]
}

/** The write endpoints those phases use, for comparing with what the fake saw. */
export function minimumWrites(w: Workload): Record<string, number> {
  const admins = w.missing.filter((m) => m.permission === 'Admin').length
  const counts: Record<string, number> = {
    'POST /api/teams/:id/members': w.missing.length,
    'PUT /api/teams/:id/members/:id': admins,
    'DELETE /api/teams/:id/members/:id': w.extra.length,
  }
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0))
}
