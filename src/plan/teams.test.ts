import { describe, expect, it } from 'vitest'
import type { Change, ChangeKind, Plan } from '../model.ts'
import {
  basicCaller,
  config,
  gUser,
  group,
  liveOrg,
  liveTeam,
  observed,
  oktaMember,
  org,
  team,
  tokenCaller,
  unreadable,
} from '../../test/fixtures/plan.ts'
import { buildPlan } from './index.ts'

const admin = gUser(1, 'admin', 'admin@localhost')
const ana = gUser(2, 'ana')
const bob = gUser(3, 'bob')
const cid = gUser(4, 'cid')
const dee = gUser(5, 'dee')
const everyone = [admin, ana, bob, cid, dee]

/** Main Org. with everyone as a member (admin as Admin) and the given teams. */
function world(
  teams: ReturnType<typeof liveTeam>[],
  groups: Parameters<typeof observed>[0]['groups'] = [],
) {
  return observed({
    caller: tokenCaller(1),
    users: everyone,
    orgs: [liveOrg(1, 'Main Org.', [[admin, 'Admin'], ana, bob, cid, dee], teams)],
    groups,
  })
}

function ids(plan: Plan, kind?: ChangeKind): string[] {
  return plan.changes.filter((c) => kind === undefined || c.kind === kind).map((c) => c.id)
}

function change<K extends ChangeKind>(plan: Plan, id: string): Extract<Change, { kind: K }> {
  const found = plan.changes.find((c) => c.id === id)
  if (!found) throw new Error(`no change ${id} in ${ids(plan).join(', ')}`)
  return found as Extract<Change, { kind: K }>
}

describe('team members', () => {
  it('adds a named member who is not in the team, with the YAML line that wants them', () => {
    const desired = team('Platform', { members: ['ana@acme.example'] })
    const plan = buildPlan(config({ teams: [desired] }), world([liveTeam(10, 'Platform')]))
    expect(ids(plan)).toEqual(['add-team-member:Main Org./Platform/ana@acme.example'])
    const add = change<'add-team-member'>(
      plan,
      'add-team-member:Main Org./Platform/ana@acme.example',
    )
    expect(add).toMatchObject({
      orgId: 1,
      teamId: 10,
      user: { id: 2, login: 'ana', email: 'ana@acme.example' },
      permission: 'Member',
      provenance: { oktaGroups: [], yaml: [desired.members.users[0]!.source] },
    })
  })

  it('plans nothing when the team already matches the config', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { members: ['ana@acme.example'], admins: ['bob'] })] }),
      world([liveTeam(10, 'Platform', [ana, [bob, 'Admin']])]),
    )
    expect(plan.changes).toEqual([])
    expect(plan.counts).toEqual({})
  })

  it.each([
    {
      prune: true,
      expected: [
        {
          id: 'remove-team-member:Main Org./Platform/cid@acme.example',
          user: { id: 4 },
          permission: 'Member',
          provenance: { oktaGroups: [], yaml: [], notDeclared: true },
        },
      ],
    },
    { prune: false, expected: [] },
  ])('removes undeclared members only with prune.teamMembers ($prune)', ({ prune, expected }) => {
    const plan = buildPlan(
      config({
        settings: { prune: { teamMembers: prune } },
        teams: [team('Platform', { members: ['ana@acme.example'] })],
      }),
      world([liveTeam(10, 'Platform', [ana, cid])]),
    )
    expect(plan.changes).toMatchObject(expected)
  })

  it('promotes a member to Admin and demotes an Admin to Member', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { members: ['bob@acme.example'], admins: ['ana'] })] }),
      world([liveTeam(10, 'Platform', [ana, [bob, 'Admin']])]),
    )
    expect(ids(plan)).toEqual([
      'set-team-permission:Main Org./Platform/ana@acme.example',
      'set-team-permission:Main Org./Platform/bob@acme.example',
    ])
    expect(change<'set-team-permission'>(plan, ids(plan)[0]!)).toMatchObject({
      from: 'Member',
      to: 'Admin',
    })
    expect(change<'set-team-permission'>(plan, ids(plan)[1]!)).toMatchObject({
      from: 'Admin',
      to: 'Member',
    })
  })

  it('makes a person listed as member and as admin an Admin, with the admin source', () => {
    const desired = team('Platform', { members: ['ana@acme.example'], admins: ['ANA'] })
    const plan = buildPlan(config({ teams: [desired] }), world([liveTeam(10, 'Platform')]))
    expect(ids(plan)).toEqual(['add-team-member:Main Org./Platform/ana@acme.example'])
    expect(change<'add-team-member'>(plan, ids(plan)[0]!)).toMatchObject({
      permission: 'Admin',
      provenance: { oktaGroups: [], yaml: [desired.admins.users[0]!.source] },
    })
  })

  it('plans one change for a person in two groups of one team, naming both groups', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { memberGroups: ['Backend', 'Frontend'] })] }),
      world(
        [liveTeam(10, 'Platform')],
        [
          group('Backend', [oktaMember('ana@acme.example')]),
          group('Frontend', [oktaMember('ana@acme.example'), oktaMember('bob@acme.example')]),
        ],
      ),
    )
    expect(ids(plan)).toEqual([
      'add-team-member:Main Org./Platform/ana@acme.example',
      'add-team-member:Main Org./Platform/bob@acme.example',
    ])
    expect(change<'add-team-member'>(plan, ids(plan)[0]!).provenance.oktaGroups).toEqual([
      'Backend',
      'Frontend',
    ])
    expect(change<'add-team-member'>(plan, ids(plan)[1]!).provenance.oktaGroups).toEqual([
      'Frontend',
    ])
  })

  it('names a group referenced by id with its Okta name in provenance', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { memberGroups: ['id:00gabc'] })] }),
      world(
        [liveTeam(10, 'Platform')],
        [group('id:00gabc', [oktaMember('ana@acme.example')], 'Engineers')],
      ),
    )
    expect(change<'add-team-member'>(plan, ids(plan)[0]!).provenance.oktaGroups).toEqual([
      'Engineers',
    ])
  })

  it('names only the groups that give a person their permission, and every group for the org', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { memberGroups: ['Eng'], adminGroups: ['Leads'] })] }),
      observed({
        users: [...everyone, gUser(9, 'eve')],
        orgs: [liveOrg(1, 'Main Org.', [[admin, 'Admin']], [liveTeam(10, 'Platform')])],
        groups: [
          group('Eng', [oktaMember('eve@acme.example')]),
          group('Leads', [oktaMember('eve@acme.example')]),
        ],
      }),
    )
    expect(change<'add-team-member'>(plan, ids(plan, 'add-team-member')[0]!)).toMatchObject({
      permission: 'Admin',
      provenance: { oktaGroups: ['Leads'], yaml: [] },
    })
    expect(change<'add-org-user'>(plan, 'add-org-user:Main Org./eve@acme.example')).toMatchObject({
      provenance: { oktaGroups: ['Eng', 'Leads'], yaml: [] },
    })
  })

  it('names a group the team references both by name and by id once', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { memberGroups: ['Eng', 'id:00gEng'] })] }),
      world(
        [liveTeam(10, 'Platform')],
        [
          group('Eng', [oktaMember('ana@acme.example')]),
          group('id:00gEng', [oktaMember('ana@acme.example')], 'Eng'),
        ],
      ),
    )
    expect(change<'add-team-member'>(plan, ids(plan)[0]!).provenance.oktaGroups).toEqual(['Eng'])
  })

  it('treats a person named in YAML and in a group as one, with both sources', () => {
    const desired = team('Platform', { members: ['Ana@Acme.example'], memberGroups: ['Eng'] })
    const plan = buildPlan(
      config({ teams: [desired] }),
      world([liveTeam(10, 'Platform')], [group('Eng', [oktaMember('ana', 'ANA@acme.example')])]),
    )
    expect(ids(plan)).toEqual(['add-team-member:Main Org./Platform/ana@acme.example'])
    expect(change<'add-team-member'>(plan, ids(plan)[0]!).provenance).toEqual({
      oktaGroups: ['Eng'],
      yaml: [desired.members.users[0]!.source],
    })
  })

  it('lets overlapping groups put one person in two teams with one org membership', () => {
    const outsider = gUser(9, 'eve')
    const plan = buildPlan(
      config({
        teams: [
          team('Platform', { memberGroups: ['Eng'] }),
          team('Infra', { memberGroups: ['Ops'] }),
        ],
      }),
      observed({
        users: [...everyone, outsider],
        orgs: [
          liveOrg(
            1,
            'Main Org.',
            [[admin, 'Admin']],
            [liveTeam(10, 'Platform'), liveTeam(11, 'Infra')],
          ),
        ],
        groups: [
          group('Eng', [oktaMember('eve@acme.example')]),
          group('Ops', [oktaMember('eve@acme.example')]),
        ],
      }),
    )
    expect(ids(plan)).toEqual([
      'add-org-user:Main Org./eve@acme.example',
      'add-team-member:Main Org./Infra/eve@acme.example',
      'add-team-member:Main Org./Platform/eve@acme.example',
    ])
    const orgAdd = change<'add-org-user'>(plan, 'add-org-user:Main Org./eve@acme.example')
    expect(orgAdd).toMatchObject({ role: 'Viewer', provenance: { oktaGroups: ['Eng', 'Ops'] } })
    for (const id of ids(plan, 'add-team-member')) {
      expect(change(plan, id).dependsOn).toEqual(['add-org-user:Main Org./eve@acme.example'])
    }
  })
})

describe('identity', () => {
  const okta = [
    group('Eng', [
      // Okta login and email differ; Grafana knows ana by email, bob by login.
      oktaMember('ana.okta', 'ana@acme.example'),
      oktaMember('bob', 'robert@elsewhere.example'),
    ]),
  ]
  it.each([
    {
      identity: 'email' as const,
      expected: ['add-team-member:Main Org./Platform/ana@acme.example'],
    },
    { identity: 'login' as const, expected: ['add-team-member:Main Org./Platform/bob'] },
  ])('matches Okta members by $identity first', ({ identity, expected }) => {
    // No fallback can match the other person: ana's login and bob's email are unknown to Grafana.
    const plan = buildPlan(
      config({
        settings: { identity, prune: { teamMembers: false } },
        teams: [team('Platform', { memberGroups: ['Eng'] })],
      }),
      world([liveTeam(10, 'Platform')], okta),
    )
    expect(ids(plan)).toEqual(expected)
    const pending = plan.pending.map((p) => p.identity)
    expect(pending).toEqual(identity === 'email' ? ['robert@elsewhere.example'] : ['ana.okta'])
  })

  it('finds a YAML email in login mode by the Grafana email, and a login in email mode by the login', () => {
    for (const identity of ['email', 'login'] as const) {
      const plan = buildPlan(
        config({
          settings: { identity },
          teams: [team('Platform', { members: ['ana@acme.example', 'bob'] })],
        }),
        world([liveTeam(10, 'Platform', [ana, bob])]),
      )
      expect(plan.changes).toEqual([])
      expect(plan.pending).toEqual([])
    }
  })

  it('causes no churn when config, Okta and Grafana differ only in case', () => {
    const upper = gUser(2, 'Ana', 'Ana@ACME.example')
    for (const identity of ['email', 'login'] as const) {
      const plan = buildPlan(
        config({
          settings: { identity },
          teams: [team('Platform', { members: ['ANA@acme.EXAMPLE'], memberGroups: ['Eng'] })],
        }),
        observed({
          users: [admin, upper],
          orgs: [
            liveOrg(1, 'Main Org.', [[admin, 'Admin'], upper], [liveTeam(10, 'Platform', [upper])]),
          ],
          groups: [group('Eng', [oktaMember('ANA', 'ana@Acme.Example')])],
        }),
      )
      expect(plan.changes).toEqual([])
    }
  })

  it('keeps ids unique when an old Grafana holds case variants of one login', () => {
    const upper = gUser(7, 'Ana', 'ana.two@acme.example')
    const plan = buildPlan(
      config({ settings: { identity: 'login' }, teams: [team('Platform')] }),
      observed({
        users: [ana, upper],
        orgs: [liveOrg(1, 'Main Org.', [ana, upper], [liveTeam(10, 'Platform', [ana, upper])])],
      }),
    )
    expect(ids(plan)).toEqual([
      'remove-team-member:Main Org./Platform/ana#2',
      'remove-team-member:Main Org./Platform/ana#7',
    ])
  })

  it('names people in ids by the identity field, lower-cased', () => {
    const plan = buildPlan(
      config({
        settings: { identity: 'login' },
        teams: [team('Platform', { members: ['ANA@acme.example'] })],
      }),
      world([liveTeam(10, 'Platform')]),
    )
    expect(ids(plan)).toEqual(['add-team-member:Main Org./Platform/ana'])
  })
})

describe('people without a Grafana account', () => {
  it('lists them as pending under missingUsers: skip, with team, org and provenance', () => {
    const desired = team('Platform', { members: ['zoe@acme.example'], memberGroups: ['Eng'] })
    const plan = buildPlan(
      config({ teams: [desired] }),
      world(
        [liveTeam(10, 'Platform')],
        [group('Eng', [oktaMember('Yan', 'YAN@acme.example'), oktaMember('zoe@acme.example')])],
      ),
    )
    expect(plan.changes).toEqual([])
    expect(plan.pending).toEqual([
      {
        identity: 'yan@acme.example',
        org: 'Main Org.',
        team: 'Platform',
        provenance: { oktaGroups: ['Eng'], yaml: [] },
      },
      {
        identity: 'zoe@acme.example',
        org: 'Main Org.',
        team: 'Platform',
        provenance: { oktaGroups: ['Eng'], yaml: [desired.members.users[0]!.source] },
      },
    ])
  })

  it('creates them under missingUsers: create; memberships wait for the account', () => {
    const plan = buildPlan(
      config({
        settings: { missingUsers: 'create' },
        teams: [team('Platform', { memberGroups: ['Eng'] }), team('Infra', { members: ['yan'] })],
      }),
      world(
        [liveTeam(10, 'Platform'), liveTeam(11, 'Infra')],
        [group('Eng', [oktaMember('Yan', 'yan@acme.example')])],
      ),
    )
    expect(plan.pending).toEqual([])
    expect(ids(plan)).toEqual([
      'create-user:yan@acme.example',
      'add-org-user:Main Org./yan@acme.example',
      'add-team-member:Main Org./Infra/yan@acme.example',
      'add-team-member:Main Org./Platform/yan@acme.example',
    ])
    expect(change<'create-user'>(plan, 'create-user:yan@acme.example')).toMatchObject({
      user: { login: 'yan', email: 'yan@acme.example' },
      name: 'yan@acme.example',
      passwordEnv: '',
    })
    expect(change(plan, 'add-org-user:Main Org./yan@acme.example').dependsOn).toEqual([
      'create-user:yan@acme.example',
    ])
    expect(change(plan, 'add-team-member:Main Org./Platform/yan@acme.example').dependsOn).toEqual([
      'add-org-user:Main Org./yan@acme.example',
      'create-user:yan@acme.example',
    ])
  })
})

describe('team attributes', () => {
  it.each([
    {
      declared: 'platform@acme.example',
      live: 'old@acme.example',
      expected: [
        {
          id: 'update-team:Main Org./Platform',
          teamId: 10,
          from: { email: 'old@acme.example' },
          to: { email: 'platform@acme.example' },
        },
      ],
    },
    { declared: 'platform@acme.example', live: 'platform@acme.example', expected: [] },
    { declared: undefined, live: 'whatever@acme.example', expected: [] },
  ])(
    'updates the email only when declared and different ($declared vs $live)',
    ({ declared, live, expected }) => {
      const plan = buildPlan(
        config({ teams: [team('Platform', declared === undefined ? {} : { email: declared })] }),
        world([liveTeam(10, 'Platform', [], { email: live })]),
      )
      expect(plan.changes).toMatchObject(expected)
    },
  )

  it('sets preferences when a declared key differs, sending the other keys back', () => {
    const plan = buildPlan(
      config({
        teams: [team('Platform', { preferences: { theme: 'dark', weekStart: 'monday' } })],
      }),
      world([
        liveTeam(10, 'Platform', [], {
          preferences: {
            theme: 'light',
            timezone: 'utc',
            weekStart: 'monday',
            homeDashboardUid: 'abc',
          },
        }),
      ]),
    )
    expect(ids(plan)).toEqual(['set-team-preferences:Main Org./Platform'])
    expect(plan.changes[0]).toMatchObject({
      from: { theme: 'light', timezone: 'utc', weekStart: 'monday', homeDashboardUid: 'abc' },
      to: { theme: 'dark', timezone: 'utc', weekStart: 'monday', homeDashboardUid: 'abc' },
    })
  })

  it('leaves preferences alone when the declared keys already match', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { preferences: { theme: 'dark', timezone: '' } })] }),
      world([
        liveTeam(10, 'Platform', [], { preferences: { theme: 'dark', weekStart: 'sunday' } }),
      ]),
    )
    expect(plan.changes).toEqual([])
  })

  it('creates a declared team, then its preferences and members', () => {
    const plan = buildPlan(
      config({
        teams: [
          team('New', {
            email: 'new@acme.example',
            preferences: { theme: 'dark' },
            admins: ['ana'],
          }),
        ],
      }),
      world([]),
    )
    expect(ids(plan)).toEqual([
      'create-team:Main Org./New',
      'set-team-preferences:Main Org./New',
      'add-team-member:Main Org./New/ana@acme.example',
    ])
    expect(plan.changes[0]).toMatchObject({ orgId: 1, team: 'New', email: 'new@acme.example' })
    expect(plan.changes[1]).toMatchObject({
      from: {},
      to: { theme: 'dark' },
      dependsOn: ['create-team:Main Org./New'],
    })
    expect(plan.changes[2]).toMatchObject({
      permission: 'Admin',
      dependsOn: ['create-team:Main Org./New'],
    })
  })

  it('manages a live team whose name differs only in case instead of creating another', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { members: ['ana'] })] }),
      world([liveTeam(10, 'platform', [ana])]),
    )
    expect(plan.changes).toEqual([])
  })
})

describe('untrusted Okta groups', () => {
  const current = liveTeam(10, 'Platform', [ana, bob, cid])

  it('holds back removals for an empty group but still adds, with a warning', () => {
    const desired = team('Platform', { members: ['dee'], memberGroups: ['Eng'] })
    const plan = buildPlan(config({ teams: [desired] }), world([current], [group('Eng', [])]))
    expect(ids(plan)).toEqual(['add-team-member:Main Org./Platform/dee@acme.example'])
    expect(plan.heldBack).toEqual([
      {
        org: 'Main Org.',
        team: 'Platform',
        reason: 'Okta group "Eng" has no members',
        removals: 3,
        users: ['ana@acme.example', 'bob@acme.example', 'cid@acme.example'],
      },
    ])
    expect(plan.warnings).toMatchObject([
      {
        code: 'okta-group-empty',
        org: 'Main Org.',
        team: 'Platform',
        source: desired.members.oktaGroups[0]!.source,
      },
    ])
    expect(plan.errors).toEqual([])
  })

  it('counts a group whose members all have a rejected status as empty', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { memberGroups: ['Eng'] })] }),
      world(
        [current],
        [group('Eng', [oktaMember('ana@acme.example', 'ana@acme.example', 'SUSPENDED')])],
      ),
    )
    expect(plan.changes).toEqual([])
    expect(plan.heldBack[0]?.removals).toBe(3)
    expect(plan.warnings.map((w) => w.code)).toEqual(['okta-group-empty'])
  })

  it('drops members whose Okta status is not accepted', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { memberGroups: ['Eng'] })] }),
      world(
        [liveTeam(10, 'Platform', [ana, bob])],
        [
          group('Eng', [
            oktaMember('ana@acme.example'),
            oktaMember('bob@acme.example', 'bob@acme.example', 'DEPROVISIONED'),
          ]),
        ],
      ),
    )
    expect(ids(plan)).toEqual(['remove-team-member:Main Org./Platform/bob@acme.example'])
  })

  it('reports an unreadable group as an error naming the group and its YAML line, and holds back removals', () => {
    const desired = team('Platform', { members: ['ana'], adminGroups: ['Leads'], line: 7 })
    const plan = buildPlan(
      config({ teams: [desired] }),
      world([current], [unreadable('Leads', 'Okta answered 500')]),
    )
    expect(plan.changes).toEqual([])
    expect(plan.heldBack).toMatchObject([
      { team: 'Platform', removals: 2, users: ['bob@acme.example', 'cid@acme.example'] },
    ])
    expect(plan.errors).toHaveLength(1)
    const [error] = plan.errors
    expect(error).toMatchObject({
      code: 'okta-group-unreadable',
      source: desired.admins.oktaGroups[0]!.source,
    })
    expect(error!.message).toContain('"Leads"')
    // The line is in `source`; the renderers show it once, after the message.
    expect(error!.source).toMatchObject({ file: 'teams/platform.yaml', line: 9 })
    expect(error!.message).not.toContain('teams/platform.yaml')
    expect(error!.message).toContain('Okta answered 500')
  })

  it('holds back demotions too: an admin group that cannot be read must not demote its admins', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { members: ['ana'], adminGroups: ['Leads'] })] }),
      world([liveTeam(10, 'Platform', [[ana, 'Admin']])], [unreadable('Leads')]),
    )
    expect(plan.changes).toEqual([])
    expect(plan.heldBack[0]?.users).toEqual(['ana@acme.example (Admin → Member)'])
  })

  it('treats a group missing from the observed reads as unreadable', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { memberGroups: ['Ghost'] })] }),
      world([current]),
    )
    expect(plan.changes).toEqual([])
    expect(plan.errors.map((e) => e.code)).toEqual(['okta-group-unreadable'])
  })

  it('only holds back the team that uses the group', () => {
    const plan = buildPlan(
      config({
        teams: [team('Platform', { memberGroups: ['Eng'] }), team('Infra', { members: ['ana'] })],
      }),
      world([current, liveTeam(11, 'Infra', [ana, bob])], [group('Eng', [])]),
    )
    expect(ids(plan)).toEqual(['remove-team-member:Main Org./Infra/bob@acme.example'])
  })
})

describe('members that are never removed', () => {
  it('keeps protected users, by login or email in any case, with a warning', () => {
    const plan = buildPlan(
      config({
        settings: { safety: { protectedUsers: ['ANA', 'Bob@acme.example'] } },
        teams: [team('Platform', { members: ['cid'] })],
      }),
      world([liveTeam(10, 'Platform', [ana, bob, cid])]),
    )
    expect(plan.changes).toEqual([])
    expect(plan.warnings.map((w) => [w.code, w.team])).toEqual([
      ['protected-user', 'Platform'],
      ['protected-user', 'Platform'],
    ])
  })

  it('does not demote a protected team admin', () => {
    const plan = buildPlan(
      config({
        settings: { safety: { protectedUsers: ['ana'] } },
        teams: [team('Platform', { members: ['ana'] })],
      }),
      world([liveTeam(10, 'Platform', [[ana, 'Admin']])]),
    )
    expect(plan.changes).toEqual([])
    expect(plan.warnings.map((w) => w.code)).toEqual(['protected-user'])
  })

  it('keeps members that Grafana Team Sync added (labels)', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { members: ['ana'] })] }),
      world([liveTeam(10, 'Platform', [ana, [bob, 'Member', ['oauth']]])]),
    )
    expect(plan.changes).toEqual([])
  })

  it("removes the caller's team membership like any undeclared member", () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { members: ['ana'] })] }),
      observed({
        caller: basicCaller(admin),
        users: everyone,
        orgs: [
          liveOrg(
            1,
            'Main Org.',
            [[admin, 'Admin'], ana],
            [liveTeam(10, 'Platform', [ana, [admin, 'Admin']])],
          ),
        ],
      }),
    )
    expect(ids(plan)).toEqual(['remove-team-member:Main Org./Platform/admin@localhost'])
  })
})

describe('teams in orgs', () => {
  it('fails a team whose org neither exists nor is declared, naming the org and the line, and plans the rest', () => {
    const lost = team('Lost', { org: 'Nowhere', members: ['ana'], line: 12 })
    const plan = buildPlan(
      config({ teams: [lost, team('Platform', { members: ['ana'] })] }),
      world([liveTeam(10, 'Platform')]),
    )
    expect(ids(plan)).toEqual(['add-team-member:Main Org./Platform/ana@acme.example'])
    expect(plan.errors).toHaveLength(1)
    expect(plan.errors[0]).toMatchObject({
      code: 'org-missing',
      org: 'Nowhere',
      team: 'Lost',
      source: lost.source,
    })
    expect(plan.errors[0]!.message).toContain('"Nowhere"')
    expect(plan.errors[0]!.source).toMatchObject({ file: 'teams/lost.yaml', line: 12 })
    expect(plan.errors[0]!.message).not.toContain('teams/lost.yaml')
    expect(plan.errors[0]!.message).toContain('token can only see org "Main Org."')
  })

  it.each([
    {
      pruneTeams: true,
      declared: true,
      expected: [{ id: 'delete-team:Main Org./Old', teamId: 11, memberCount: 2 }],
    },
    { pruneTeams: false, declared: true, expected: [] },
    { pruneTeams: true, declared: false, expected: [] },
  ])(
    'deletes undeclared teams with prune.teams ($pruneTeams) in declared orgs ($declared)',
    ({ pruneTeams, declared, expected }) => {
      const plan = buildPlan(
        config({
          settings: { prune: { teams: pruneTeams } },
          orgs: declared ? [org('Main Org.', { admins: ['admin'] })] : [],
          teams: [team('Platform')],
        }),
        world([liveTeam(10, 'Platform'), liveTeam(11, 'Old', [ana, bob])]),
      )
      expect(plan.changes).toMatchObject(expected)
    },
  )

  it('does not delete an undeclared team that holds a protected member or one Grafana synced', () => {
    const plan = buildPlan(
      config({
        settings: { prune: { teams: true }, safety: { protectedUsers: ['BOB'] } },
        orgs: [org('Main Org.', { admins: ['admin'] })],
      }),
      world([
        liveTeam(11, 'Old', [ana]),
        liveTeam(12, 'Kept', [ana, bob]),
        liveTeam(13, 'Synced', [[ana, 'Member', ['LDAP']]]),
      ]),
    )
    expect(plan.changes.map((c) => c.id)).toEqual(['delete-team:Main Org./Old'])
    expect(plan.warnings.map((w) => [w.code, w.team])).toEqual([
      ['protected-user', 'Kept'],
      ['team-sync-members', 'Synced'],
    ])
    expect(plan.warnings[0]!.message).toContain('bob@acme.example')
  })
})
