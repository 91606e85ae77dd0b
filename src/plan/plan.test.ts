import { describe, expect, it } from 'vitest'
import { APPLY_ORDER, type DesiredConfig, type Observed } from '../model.ts'
import {
  basicCaller,
  config,
  gUser,
  group,
  liveOrg,
  liveTeam,
  localUser,
  observed,
  oktaMember,
  org,
  team,
  unreadable,
} from '../../test/fixtures/plan.ts'
import { buildPlan } from './index.ts'

const admin = gUser(1, 'admin', 'admin@localhost')
const users = [admin, ...Array.from({ length: 8 }, (_, i) => gUser(i + 2, `p${i + 2}`))]
const [, p2, p3, p4, p5, p6, p7] = users as [typeof admin, ...(typeof admin)[]]

/** A plan that touches every kind of change, warnings, errors, pending people and held-back removals. */
function busy(): { desired: DesiredConfig; live: Observed } {
  const desired = config({
    settings: {
      missingUsers: 'create',
      prune: { teamMembers: true, teams: true, orgUsers: true },
      safety: { protectedUsers: ['p7'] },
    },
    orgs: [
      org('Main Org.', { admins: ['admin'], editorGroups: ['Eng'], viewers: ['p6'] }),
      org('Research', { admins: ['p2'] }),
      org('Acme', { renamedFrom: 'Old Acme', viewers: ['p3'] }),
    ],
    users: [localUser('kiosk', { passwordEnv: 'KIOSK', orgRoles: { Research: 'Viewer' } })],
    teams: [
      team('Platform', {
        email: 'platform@acme.example',
        members: ['p2@acme.example'],
        adminGroups: ['Leads'],
        preferences: { theme: 'dark' },
      }),
      team('Infra', { memberGroups: ['Eng', 'Broken'] }),
      team('Lab', { org: 'Research', members: ['kiosk', 'new@acme.example'] }),
      team('Lost', { org: 'Nowhere' }),
      { ...team('Ops'), renamedFrom: 'Old Ops' },
    ],
  })
  const live = observed({
    caller: basicCaller(admin),
    users,
    orgs: [
      liveOrg(
        1,
        'Main Org.',
        [[admin, 'Admin'], p2!, p3!, [p4!, 'Admin'], p5!, p7!],
        [
          liveTeam(10, 'Platform', [p3!, [p4!, 'Admin'], p7!], {
            email: 'old@acme.example',
            preferences: { theme: 'light', timezone: 'utc' },
          }),
          liveTeam(11, 'Infra', [p5!]),
          liveTeam(12, 'Legacy', [p5!, p6!]),
          liveTeam(13, 'Old Ops'),
        ],
      ),
      liveOrg(3, 'Old Acme', [p3!, [p5!, 'Admin']]),
    ],
    groups: [
      group('Eng', [
        oktaMember('P4@acme.example'),
        oktaMember('zed@acme.example', 'zed@acme.example', 'ACTIVE'),
      ]),
      group('Leads', [
        oktaMember('p3@acme.example'),
        oktaMember('p6@acme.example', 'p6@acme.example', 'SUSPENDED'),
      ]),
      unreadable('Broken'),
    ],
  })
  return { desired, live }
}

function reversed(live: Observed): Observed {
  return {
    caller: live.caller,
    users: [...live.users].reverse(),
    orgs: [...live.orgs].reverse().map((o) => ({
      ...o,
      users: [...o.users].reverse(),
      teams: [...o.teams]
        .reverse()
        .map((t) => ({ ...t, members: t.members && [...t.members].reverse() })),
    })),
    oktaGroups: Object.fromEntries(
      Object.entries(live.oktaGroups)
        .reverse()
        .map(([ref, read]) => [
          ref,
          read.ok ? { ...read, members: [...read.members].reverse() } : read,
        ]),
    ),
  }
}

describe('the plan as a value', () => {
  it('is identical JSON for the same input, and for the same state listed in another order', () => {
    const { desired, live } = busy()
    const first = JSON.stringify(buildPlan(desired, live))
    expect(JSON.stringify(buildPlan(desired, live))).toBe(first)
    expect(JSON.stringify(buildPlan(desired, reversed(live)))).toBe(first)
  })

  it('does not modify its inputs', () => {
    const { desired, live } = busy()
    const before = JSON.stringify([desired, live])
    buildPlan(desired, live)
    expect(JSON.stringify([desired, live])).toBe(before)
  })

  it('covers every kind on a busy input, sorted by apply order then org, team and person', () => {
    const plan = buildPlan(busy().desired, busy().live)
    const kinds = new Set(plan.changes.map((c) => c.kind))
    expect([...kinds].sort()).toEqual(APPLY_ORDER.filter((k) => k !== 'update-user').sort())
    const rank = plan.changes.map((c) => APPLY_ORDER.indexOf(c.kind))
    expect(rank).toEqual([...rank].sort((a, b) => a - b))
    expect(plan.changes.map((c) => c.id)).toMatchInlineSnapshot(`
      [
        "create-org:Research",
        "rename-org:Acme",
        "create-user:kiosk",
        "create-user:new@acme.example",
        "create-user:zed@acme.example",
        "add-org-user:Acme/admin@localhost",
        "add-org-user:Main Org./p6@acme.example",
        "add-org-user:Main Org./zed@acme.example",
        "add-org-user:Research/kiosk",
        "add-org-user:Research/new@acme.example",
        "add-org-user:Research/p2@acme.example",
        "set-org-role:Main Org./p4@acme.example",
        "create-team:Research/Lab",
        "rename-team:Main Org./Ops",
        "update-team:Main Org./Platform",
        "set-team-preferences:Main Org./Platform",
        "add-team-member:Main Org./Infra/p4@acme.example",
        "add-team-member:Main Org./Infra/zed@acme.example",
        "add-team-member:Main Org./Platform/p2@acme.example",
        "add-team-member:Research/Lab/kiosk",
        "add-team-member:Research/Lab/new@acme.example",
        "set-team-permission:Main Org./Platform/p3@acme.example",
        "remove-team-member:Main Org./Platform/p4@acme.example",
        "remove-org-user:Acme/p5@acme.example",
        "delete-team:Main Org./Legacy",
      ]
    `)
    expect(plan.counts).toEqual(
      Object.fromEntries(
        [...kinds].map((k) => [k, plan.changes.filter((c) => c.kind === k).length]),
      ),
    )
    expect(plan.stats).toEqual({ requests: [] })
  })

  it('has unique ids, and every dependency exists and comes earlier', () => {
    const plan = buildPlan(busy().desired, busy().live)
    const seen = new Set<string>()
    for (const change of plan.changes) {
      expect(seen.has(change.id)).toBe(false)
      for (const dep of change.dependsOn) expect(seen, `${change.id} → ${dep}`).toContain(dep)
      seen.add(change.id)
    }
  })

  it('records pending people, warnings, errors and held-back removals of the busy input', () => {
    const plan = buildPlan(busy().desired, busy().live)
    expect(plan.pending).toEqual([])
    expect(plan.errors.map((e) => [e.code, e.org, e.team])).toEqual([
      ['okta-group-unreadable', 'Main Org.', 'Infra'],
      ['org-missing', 'Nowhere', 'Lost'],
    ])
    expect(plan.warnings.map((w) => [w.code, w.org, w.team])).toEqual([
      ['protected-user', 'Main Org.', undefined],
      ['protected-user', 'Main Org.', 'Platform'],
    ])
    expect(plan.heldBack).toEqual([
      {
        org: 'Main Org.',
        reason: 'Okta group "Broken" could not be read',
        removals: 1,
        users: ['p5@acme.example'],
      },
      {
        org: 'Main Org.',
        team: 'Infra',
        reason: 'Okta group "Broken" could not be read',
        removals: 1,
        users: ['p5@acme.example'],
      },
    ])
  })
})
