import { describe, expect, it } from 'vitest'
import type { Change, ChangeKind, OrgRole, Plan } from '../model.ts'
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
  tokenCaller,
  unreadable,
  type OrgSpec,
  type TeamSpec,
} from '../../test/fixtures/plan.ts'
import { buildPlan } from './index.ts'

const admin = gUser(1, 'admin', 'admin@localhost')
const ana = gUser(2, 'ana')
const bob = gUser(3, 'bob')
const cid = gUser(4, 'cid')
const dee = gUser(5, 'dee')
const everyone = [admin, ana, bob, cid, dee]
const caller = basicCaller(admin)

function ids(plan: Plan, kind?: ChangeKind): string[] {
  return plan.changes.filter((c) => kind === undefined || c.kind === kind).map((c) => c.id)
}

function change<K extends ChangeKind>(plan: Plan, id: string): Extract<Change, { kind: K }> {
  const found = plan.changes.find((c) => c.id === id)
  if (!found) throw new Error(`no change ${id} in ${ids(plan).join(', ')}`)
  return found as Extract<Change, { kind: K }>
}

describe('org creation and renames', () => {
  it('creates a declared org and makes everything in it wait for the creation', () => {
    const plan = buildPlan(
      config({
        orgs: [org('Research', { editors: ['ana'] })],
        teams: [team('Lab', { org: 'Research', members: ['bob'], preferences: { theme: 'dark' } })],
      }),
      observed({ caller, users: everyone, orgs: [liveOrg(1, 'Main Org.', [[admin, 'Admin']])] }),
    )
    expect(ids(plan)).toEqual([
      'create-org:Research',
      'add-org-user:Research/ana@acme.example',
      'add-org-user:Research/bob@acme.example',
      'create-team:Research/Lab',
      'set-team-preferences:Research/Lab',
      'add-team-member:Research/Lab/bob@acme.example',
    ])
    for (const c of plan.changes.slice(1)) expect(c.dependsOn).toContain('create-org:Research')
    expect(change(plan, 'add-org-user:Research/ana@acme.example')).toMatchObject({ role: 'Editor' })
    expect(change(plan, 'add-org-user:Research/bob@acme.example')).toMatchObject({ role: 'Viewer' })
    expect(change(plan, 'add-org-user:Research/ana@acme.example')).not.toHaveProperty('orgId')
    // Grafana made the caller Admin of the org it created: no add for it.
    expect(plan.changes.some((c) => 'user' in c && c.user.id === admin.id)).toBe(false)
  })

  it('renames an org from renamedFrom while the new name does not exist', () => {
    const plan = buildPlan(
      config({ orgs: [org('Acme', { renamedFrom: 'Old Acme', admins: ['admin'] })] }),
      observed({ caller, users: everyone, orgs: [liveOrg(4, 'Old Acme', [[admin, 'Admin']])] }),
    )
    expect(plan.changes).toEqual([
      {
        kind: 'rename-org',
        id: 'rename-org:Acme',
        dependsOn: [],
        org: 'Acme',
        orgId: 4,
        from: 'Old Acme',
      },
    ])
  })

  it('plans nothing once the rename took effect', () => {
    const plan = buildPlan(
      config({ orgs: [org('Acme', { renamedFrom: 'Old Acme', admins: ['admin'] })] }),
      observed({ caller, users: everyone, orgs: [liveOrg(4, 'Acme', [[admin, 'Admin']])] }),
    )
    expect(plan.changes).toEqual([])
  })

  it("treats a team naming the org's old name as part of the renamed org", () => {
    const plan = buildPlan(
      config({
        orgs: [org('Acme', { renamedFrom: 'Old Acme', admins: ['admin'] })],
        teams: [team('Ops', { org: 'Old Acme', members: ['admin'] })],
      }),
      observed({ caller, users: everyone, orgs: [liveOrg(4, 'Old Acme', [[admin, 'Admin']])] }),
    )
    expect(plan.changes.map((c) => c.id)).toEqual([
      'rename-org:Acme',
      'create-team:Acme/Ops',
      'add-team-member:Acme/Ops/admin@localhost',
    ])
  })

  it('names an undeclared org the way Grafana does when teams spell it in another case', () => {
    const plan = buildPlan(
      config({ teams: [team('Ops', { org: 'main ORG.' }), team('Dev', { org: 'Main Org.' })] }),
      observed({ caller, users: everyone, orgs: [liveOrg(1, 'Main Org.', [[admin, 'Admin']])] }),
    )
    expect(plan.changes.map((c) => c.id)).toEqual([
      'create-team:Main Org./Dev',
      'create-team:Main Org./Ops',
    ])
  })

  it('manages the new org and leaves the old one alone, with a warning, when both names exist', () => {
    const plan = buildPlan(
      config({ orgs: [org('Acme', { renamedFrom: 'Old Acme', editors: ['ana'] })] }),
      {
        ...observed({ caller, users: everyone, orgs: [liveOrg(4, 'Acme', [[admin, 'Admin']])] }),
        otherOrgs: [{ id: 3, name: 'Old Acme' }],
      },
    )
    expect(ids(plan)).toEqual(['add-org-user:Acme/ana@acme.example'])
    expect(plan.warnings).toMatchObject([{ code: 'rename-both-exist', org: 'Acme' }])
    expect(plan.warnings[0]!.message).toContain('leaves "Old Acme" as it is')
  })

  it('matches an existing org whose name differs only in case', () => {
    const plan = buildPlan(
      config({ orgs: [org('ACME', { admins: ['admin'] })] }),
      observed({ caller, users: everyone, orgs: [liveOrg(4, 'Acme', [[admin, 'Admin']])] }),
    )
    expect(plan.changes).toEqual([])
  })
})

describe('org roles', () => {
  const main = (users: Parameters<typeof liveOrg>[2], teams: Parameters<typeof liveOrg>[3] = []) =>
    observed({
      caller,
      users: everyone,
      orgs: [liveOrg(1, 'Main Org.', [[admin, 'Admin'], ...users!], teams)],
    })

  it('gives the highest bound role, with the sources of that role', () => {
    const o = org('Main Org.', {
      viewerGroups: ['Everyone'],
      editorGroups: ['Eng'],
      editors: ['bob'],
    })
    const plan = buildPlan(
      config({
        orgs: [o],
        users: [localUser('cid', { orgRoles: { 'Main Org.': 'Admin' } })],
      }),
      observed({
        caller,
        users: everyone,
        orgs: [liveOrg(1, 'Main Org.', [[admin, 'Admin']])],
        groups: [
          group('Everyone', [
            oktaMember('ana@acme.example'),
            oktaMember('bob@acme.example'),
            oktaMember('cid@acme.example'),
          ]),
          group('Eng', [oktaMember('ana@acme.example')]),
        ],
      }),
    )
    expect(plan.changes.map((c) => [c.id, 'role' in c ? c.role : undefined])).toEqual([
      ['add-org-user:Main Org./ana@acme.example', 'Editor'],
      ['add-org-user:Main Org./bob@acme.example', 'Editor'],
      ['add-org-user:Main Org./cid@acme.example', 'Admin'],
    ])
    expect(
      change<'add-org-user'>(plan, 'add-org-user:Main Org./ana@acme.example').provenance,
    ).toEqual({
      oktaGroups: ['Eng'],
      yaml: [],
    })
    expect(
      change<'add-org-user'>(plan, 'add-org-user:Main Org./bob@acme.example').provenance,
    ).toEqual({
      oktaGroups: [],
      yaml: [o.editors.users[0]!.source],
    })
  })

  it('promotes and demotes existing members to their bound role', () => {
    const plan = buildPlan(
      config({ orgs: [org('Main Org.', { admins: ['admin', 'ana'], viewers: ['bob'] })] }),
      main([
        [ana, 'Viewer'],
        [bob, 'Editor'],
      ]),
    )
    expect(
      plan.changes.map((c) => (c.kind === 'set-org-role' ? [c.id, c.from, c.to] : c.id)),
    ).toEqual([
      ['set-org-role:Main Org./ana@acme.example', 'Viewer', 'Admin'],
      ['set-org-role:Main Org./bob@acme.example', 'Editor', 'Viewer'],
    ])
  })

  it('adds a team member who is not in the org as Viewer, or with the role a binding gives', () => {
    const plan = buildPlan(
      config({
        orgs: [org('Main Org.', { admins: ['admin'], editors: ['bob'] })],
        teams: [team('Platform', { members: ['ana', 'bob'] })],
      }),
      observed({
        caller,
        users: everyone,
        orgs: [liveOrg(1, 'Main Org.', [[admin, 'Admin']], [liveTeam(10, 'Platform')])],
      }),
    )
    expect(plan.changes.map((c) => [c.id, 'role' in c ? c.role : c.dependsOn])).toEqual([
      ['add-org-user:Main Org./ana@acme.example', 'Viewer'],
      ['add-org-user:Main Org./bob@acme.example', 'Editor'],
      [
        'add-team-member:Main Org./Platform/ana@acme.example',
        ['add-org-user:Main Org./ana@acme.example'],
      ],
      [
        'add-team-member:Main Org./Platform/bob@acme.example',
        ['add-org-user:Main Org./bob@acme.example'],
      ],
    ])
  })

  it('does not change the role of a team member who is already in the org', () => {
    const plan = buildPlan(
      config({ teams: [team('Platform', { members: ['ana'] })] }),
      main([[ana, 'Editor']], [liveTeam(10, 'Platform', [ana])]),
    )
    expect(plan.changes).toEqual([])
  })

  it('lists people bound to an org without an account as pending without a team', () => {
    const plan = buildPlan(
      config({ orgs: [org('Main Org.', { admins: ['admin'], viewers: ['zoe@acme.example'] })] }),
      main([]),
    )
    expect(plan.pending).toMatchObject([{ identity: 'zoe@acme.example', org: 'Main Org.' }])
    expect(plan.pending[0]).not.toHaveProperty('team')
  })
})

describe('prune.orgUsers', () => {
  const state = observed({
    caller,
    users: everyone,
    orgs: [
      liveOrg(1, 'Main Org.', [[admin, 'Admin'], ana, bob, cid], [liveTeam(10, 'Platform', [bob])]),
      liveOrg(2, 'Other', [[admin, 'Admin'], ana, dee]),
    ],
  })
  const desired = (orgUsers: boolean) =>
    config({
      settings: { prune: { orgUsers } },
      orgs: [org('Main Org.', { viewers: ['ana'] })],
      teams: [
        team('Platform', { members: ['bob'] }),
        team('Side', { org: 'Other', members: ['ana'] }),
      ],
    })

  it('removes users of declared orgs that no binding, user entry or team wants; never the caller', () => {
    const plan = buildPlan(desired(true), state)
    expect(ids(plan)).toEqual([
      'create-team:Other/Side',
      'add-team-member:Other/Side/ana@acme.example',
      'remove-org-user:Main Org./cid@acme.example',
    ])
    expect(change(plan, 'remove-org-user:Main Org./cid@acme.example')).toMatchObject({
      orgId: 1,
      role: 'Viewer',
      provenance: { oktaGroups: [], yaml: [], notDeclared: true },
    })
  })

  it('removes nobody from orgs when off', () => {
    expect(ids(buildPlan(desired(false), state), 'remove-org-user')).toEqual([])
  })

  it('keeps protected users in the org with a warning', () => {
    const cfg = desired(true)
    cfg.settings.safety.protectedUsers = ['CID@acme.example']
    const plan = buildPlan(cfg, state)
    expect(ids(plan, 'remove-org-user')).toEqual([])
    expect(plan.warnings).toMatchObject([{ code: 'protected-user', org: 'Main Org.' }])
  })

  it('holds back org removals when a binding group or a team group of the org is not trustworthy', () => {
    const cases: [OrgSpec, TeamSpec][] = [
      [{ viewerGroups: ['Everyone'] }, {}],
      [{}, { memberGroups: ['Everyone'] }],
    ]
    for (const [orgSpec, teamSpec] of cases) {
      const plan = buildPlan(
        config({
          settings: { prune: { orgUsers: true } },
          orgs: [org('Main Org.', { viewers: ['ana'], ...orgSpec })],
          teams: [team('Platform', { members: ['bob'], ...teamSpec })],
        }),
        { ...state, oktaGroups: { Everyone: unreadable('Everyone') } },
      )
      expect(ids(plan, 'remove-org-user')).toEqual([])
      expect(plan.heldBack).toContainEqual({
        org: 'Main Org.',
        reason: 'Okta group "Everyone" could not be read',
        removals: 1,
        users: ['cid@acme.example'],
      })
    }
  })
})

describe('lock-out guards', () => {
  it('never demotes the last Admin of an org', () => {
    const plan = buildPlan(
      config({ orgs: [org('Main Org.', { viewers: ['ana'] })] }),
      observed({
        caller: tokenCaller(1),
        users: everyone,
        orgs: [liveOrg(1, 'Main Org.', [[ana, 'Admin']])],
      }),
    )
    expect(plan.changes).toEqual([])
    expect(plan.warnings).toMatchObject([{ code: 'last-admin', org: 'Main Org.' }])
  })

  it('never removes the last Admin of an org', () => {
    const plan = buildPlan(
      config({
        settings: { prune: { orgUsers: true } },
        orgs: [org('Main Org.', { viewers: ['bob'] })],
      }),
      observed({
        caller: tokenCaller(1),
        users: everyone,
        orgs: [liveOrg(1, 'Main Org.', [[ana, 'Admin'], [cid, 'Admin'], bob])],
      }),
    )
    // One of the two Admins stays; the other may go.
    expect(ids(plan)).toEqual(['remove-org-user:Main Org./cid@acme.example'])
    expect(plan.warnings).toMatchObject([{ code: 'last-admin' }])
    expect(plan.warnings[0]!.message).toContain('ana@acme.example')
  })

  it('lets the old Admin go once the new Admin is in place', () => {
    const plan = buildPlan(
      config({ orgs: [org('Main Org.', { admins: ['bob'], viewers: ['ana'] })] }),
      observed({
        caller: tokenCaller(1),
        users: everyone,
        orgs: [liveOrg(1, 'Main Org.', [[ana, 'Admin'], bob])],
      }),
    )
    // The promotion goes first; the demotion of the only current Admin waits for it.
    expect(ids(plan)).toEqual([
      'set-org-role:Main Org./bob@acme.example',
      'set-org-role:Main Org./ana@acme.example',
    ])
    expect(change(plan, 'set-org-role:Main Org./ana@acme.example').dependsOn).toEqual([
      'set-org-role:Main Org./bob@acme.example',
    ])
    expect(plan.warnings).toEqual([])
  })

  it('never demotes the caller in an org, warning instead', () => {
    const plan = buildPlan(
      config({ orgs: [org('Main Org.', { admins: ['ana'], viewers: ['admin'] })] }),
      observed({
        caller,
        users: everyone,
        orgs: [
          liveOrg(1, 'Main Org.', [
            [admin, 'Admin'],
            [ana, 'Admin'],
          ]),
        ],
      }),
    )
    expect(plan.changes).toEqual([])
    expect(plan.warnings).toMatchObject([{ code: 'caller-kept', org: 'Main Org.' }])
  })

  it('never demotes a protected user in an org', () => {
    const plan = buildPlan(
      config({
        settings: { safety: { protectedUsers: ['ana@acme.example'] } },
        orgs: [org('Main Org.', { admins: ['admin'], viewers: ['ana'] })],
      }),
      observed({
        caller,
        users: everyone,
        orgs: [
          liveOrg(1, 'Main Org.', [
            [admin, 'Admin'],
            [ana, 'Editor'],
          ]),
        ],
      }),
    )
    expect(plan.changes).toEqual([])
    expect(plan.warnings).toMatchObject([{ code: 'protected-user' }])
  })
})

describe("the caller's own membership", () => {
  const foreign = liveOrg(7, 'Partner', [[ana, 'Admin']], [liveTeam(70, 'Guests')])

  it('adds the caller as Admin to an org whose teams it manages but is not a member of; team changes wait for it', () => {
    const desired = team('Guests', { org: 'Partner', members: ['ana'] })
    const plan = buildPlan(
      config({ orgs: [org('Partner', { editors: ['bob'] })], teams: [desired] }),
      observed({ caller, users: everyone, orgs: [foreign] }),
    )
    expect(ids(plan)).toEqual([
      'add-org-user:Partner/admin@localhost',
      'add-org-user:Partner/bob@acme.example',
      'add-team-member:Partner/Guests/ana@acme.example',
    ])
    expect(change(plan, 'add-org-user:Partner/admin@localhost')).toMatchObject({
      orgId: 7,
      role: 'Admin',
      user: { id: 1 },
      provenance: { oktaGroups: [], yaml: [org('Partner').source] },
    })
    // Org users need no membership (server-admin routes); team calls do.
    expect(change(plan, 'add-org-user:Partner/bob@acme.example').dependsOn).toEqual([])
    expect(change(plan, 'add-team-member:Partner/Guests/ana@acme.example').dependsOn).toEqual([
      'add-org-user:Partner/admin@localhost',
    ])
  })

  it('raises a binding that adds the caller to Admin when it manages teams there', () => {
    const plan = buildPlan(
      config({
        orgs: [org('Partner', { viewers: ['admin', 'bob'] })],
        teams: [team('Guests', { org: 'Partner' })],
      }),
      observed({ caller, users: everyone, orgs: [foreign] }),
    )
    expect(plan.changes.map((c) => [c.id, 'role' in c ? c.role : '', c.dependsOn])).toEqual([
      ['add-org-user:Partner/admin@localhost', 'Admin', []],
      ['add-org-user:Partner/bob@acme.example', 'Viewer', []],
    ])
  })

  it.each<OrgRole>(['Viewer', 'Editor'])(
    'promotes a caller who is %s of the org to Admin before team changes there',
    (current) => {
      const member = liveOrg(
        7,
        'Partner',
        [
          [ana, 'Admin'],
          [admin, current],
        ],
        [liveTeam(70, 'Guests')],
      )
      const plan = buildPlan(
        config({ teams: [team('Guests', { org: 'Partner', members: ['ana'] })] }),
        observed({ caller, users: everyone, orgs: [member] }),
      )
      expect(plan.changes.map((c) => [c.id, c.dependsOn])).toEqual([
        ['set-org-role:Partner/admin@localhost', []],
        [
          'add-team-member:Partner/Guests/ana@acme.example',
          ['set-org-role:Partner/admin@localhost'],
        ],
      ])
      expect(change(plan, 'set-org-role:Partner/admin@localhost')).toMatchObject({
        from: current,
        to: 'Admin',
      })
    },
  )

  it('lets the last Admins leave an org only after the caller joined it as Admin', () => {
    const plan = buildPlan(
      config({
        orgs: [org('Partner', { editors: ['bob'] })],
        teams: [team('Guests', { org: 'Partner' })],
        settings: { prune: { orgUsers: true } },
      }),
      observed({ caller, users: everyone, orgs: [foreign] }),
    )
    expect(plan.changes.map((c) => [c.id, c.dependsOn])).toEqual([
      ['add-org-user:Partner/admin@localhost', []],
      ['add-org-user:Partner/bob@acme.example', []],
      ['remove-org-user:Partner/ana@acme.example', ['add-org-user:Partner/admin@localhost']],
    ])
    expect(plan.warnings.map((w) => w.code)).toEqual([])
  })

  it('joins an org whose undeclared teams it prunes', () => {
    const plan = buildPlan(
      config({ orgs: [org('Partner')], settings: { prune: { teams: true } } }),
      observed({ caller, users: everyone, orgs: [foreign] }),
    )
    expect(ids(plan)).toEqual([
      'add-org-user:Partner/admin@localhost',
      'delete-team:Partner/Guests',
    ])
    expect(plan.changes[1]!.dependsOn).toEqual(['add-org-user:Partner/admin@localhost'])
  })

  it.each([
    {
      name: 'it manages no team there (org users and roles need no membership)',
      cfg: config({ orgs: [org('Partner', { editors: ['bob'] })] }),
      who: caller,
    },
    {
      name: 'the caller is a token',
      cfg: config({ teams: [team('Guests', { org: 'Partner', members: ['ana'] })] }),
      who: tokenCaller(7),
    },
  ])('does not add the caller when $name', ({ cfg, who }) => {
    const plan = buildPlan(cfg, observed({ caller: who, users: everyone, orgs: [foreign] }))
    expect(plan.changes.filter((c) => 'user' in c && c.user.id === admin.id)).toEqual([])
  })

  it('plans no team change in an org whose teams it could not read, says why, and still lists pending people', () => {
    const unread = { ...liveOrg(7, 'Partner', [[ana, 'Admin']]), teamsUnread: true }
    const plan = buildPlan(
      config({
        teams: [team('Guests', { org: 'Partner', members: ['ana', 'nobody@acme.example'] })],
        settings: { prune: { orgUsers: true } },
      }),
      observed({ caller, users: everyone, orgs: [unread] }),
    )
    expect(ids(plan)).toEqual(['add-org-user:Partner/admin@localhost'])
    expect(plan.warnings).toMatchObject([{ code: 'org-teams-unread', org: 'Partner' }])
    expect(plan.warnings[0]!.message).toContain('admin@localhost is no Admin of it')
    expect(plan.pending).toMatchObject([
      { identity: 'nobody@acme.example', org: 'Partner', team: 'Guests' },
    ])
  })
})

describe('org references', () => {
  it('fails orgs and users for a basic-auth user who is no server admin, naming the inputs', () => {
    const plan = buildPlan(
      config({ orgs: [org('Main Org.')], users: [localUser('tv')] }),
      observed({
        caller: { ...caller, isServerAdmin: false },
        users: everyone,
        orgs: [liveOrg(1, 'Main Org.', [[admin, 'Admin']])],
      }),
    )
    const error = plan.errors.find((e) => e.code === 'not-server-admin')
    expect(error?.message).toContain('uses `orgs:`, `users:`')
    expect(error?.message).toContain('sync with the basic auth of a server admin')
  })

  it('fails a user org role in an org that neither exists nor is declared', () => {
    const user = localUser('ana', { orgRoles: { Nowhere: 'Viewer' }, line: 4 })
    const plan = buildPlan(
      config({ users: [user] }),
      observed({ caller, users: everyone, orgs: [] }),
    )
    expect(plan.changes).toEqual([])
    expect(plan.errors).toMatchObject([
      { code: 'org-missing', org: 'Nowhere', source: user.orgRoles[0]!.source },
    ])
  })

  it('holds back demotions from an org binding whose group is unreadable', () => {
    const plan = buildPlan(
      config({
        orgs: [org('Main Org.', { admins: ['admin'], adminGroups: ['Admins'], viewers: ['ana'] })],
      }),
      observed({
        caller,
        users: everyone,
        orgs: [
          liveOrg(1, 'Main Org.', [
            [admin, 'Admin'],
            [ana, 'Admin'],
          ]),
        ],
        groups: [unreadable('Admins')],
      }),
    )
    expect(plan.changes).toEqual([])
    expect(plan.heldBack).toEqual([
      {
        org: 'Main Org.',
        reason: 'Okta group "Admins" could not be read',
        removals: 1,
        users: ['ana@acme.example (Admin → Viewer)'],
      },
    ])
    expect(plan.errors).toMatchObject([{ code: 'okta-group-unreadable', org: 'Main Org.' }])
  })
})
