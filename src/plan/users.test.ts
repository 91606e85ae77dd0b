import { describe, expect, it } from 'vitest'
import type { Plan } from '../model.ts'
import {
  basicCaller,
  config,
  gUser,
  liveOrg,
  liveTeam,
  localUser,
  observed,
  team,
} from '../../test/fixtures/plan.ts'
import { buildPlan } from './index.ts'

const admin = gUser(1, 'admin', 'admin@localhost', { isGrafanaAdmin: true })
const tv = gUser(6, 'office-tv', 'tv@acme.example', { name: 'Office TV' })
const caller = basicCaller(admin)

function ids(plan: Plan): string[] {
  return plan.changes.map((c) => c.id)
}

function world(users = [admin, tv]) {
  return observed({
    caller,
    users,
    orgs: [
      liveOrg(
        1,
        'Main Org.',
        [[admin, 'Admin'], ...users.filter((u) => u !== admin)],
        [liveTeam(10, 'Screens')],
      ),
    ],
  })
}

describe('local users', () => {
  it('creates a missing user with its password variable and flags, then its org roles', () => {
    const plan = buildPlan(
      config({
        users: [
          localUser('Kiosk', {
            email: 'Kiosk@acme.example',
            name: 'Kiosk',
            passwordEnv: 'KIOSK_PASSWORD',
            isGrafanaAdmin: false,
            disabled: false,
            orgRoles: { 'Main Org.': 'Editor' },
          }),
        ],
      }),
      world(),
    )
    expect(plan.changes).toEqual([
      {
        kind: 'create-user',
        id: 'create-user:kiosk@acme.example',
        dependsOn: [],
        user: { login: 'kiosk', email: 'kiosk@acme.example' },
        name: 'Kiosk',
        passwordEnv: 'KIOSK_PASSWORD',
        isGrafanaAdmin: false,
        disabled: false,
      },
      expect.objectContaining({
        kind: 'add-org-user',
        id: 'add-org-user:Main Org./kiosk@acme.example',
        role: 'Editor',
        dependsOn: ['create-user:kiosk@acme.example'],
      }),
    ])
  })

  it('fails a missing user without a password and plans nothing for it', () => {
    const kiosk = localUser('kiosk', { orgRoles: { 'Main Org.': 'Viewer' }, line: 3 })
    const plan = buildPlan(
      config({
        settings: { missingUsers: 'create' },
        users: [kiosk],
        teams: [team('Screens', { members: ['kiosk'] })],
      }),
      world(),
    )
    expect(plan.changes).toEqual([])
    expect(plan.pending).toEqual([])
    expect(plan.errors).toEqual([
      {
        code: 'user-no-password',
        message: expect.stringContaining('user kiosk does not exist and has no password'),
        source: kiosk.source,
      },
    ])
  })

  it('lets teams name a user the plan creates, by login or email, without creating it twice', () => {
    const plan = buildPlan(
      config({
        settings: { missingUsers: 'create' },
        users: [localUser('kiosk', { email: 'kiosk@acme.example', passwordEnv: 'P' })],
        teams: [team('Screens', { members: ['KIOSK', 'kiosk@acme.example'] })],
      }),
      world(),
    )
    expect(ids(plan)).toEqual([
      'create-user:kiosk@acme.example',
      'add-org-user:Main Org./kiosk@acme.example',
      'add-team-member:Main Org./Screens/kiosk@acme.example',
    ])
    expect(plan.changes[2]!.dependsOn).toEqual([
      'add-org-user:Main Org./kiosk@acme.example',
      'create-user:kiosk@acme.example',
    ])
  })

  it.each([
    { declared: { name: 'Lobby TV' }, from: { name: 'Office TV' }, to: { name: 'Lobby TV' } },
    {
      declared: { email: 'lobby@acme.example' },
      from: { email: 'tv@acme.example' },
      to: { email: 'lobby@acme.example' },
    },
    {
      declared: { isGrafanaAdmin: true },
      from: { isGrafanaAdmin: false },
      to: { isGrafanaAdmin: true },
    },
    { declared: { disabled: true }, from: { disabled: false }, to: { disabled: true } },
  ])('updates only the drifted declared key: $declared', ({ declared, from, to }) => {
    const plan = buildPlan(config({ users: [localUser('office-tv', declared)] }), world())
    expect(plan.changes).toEqual([
      {
        kind: 'update-user',
        id: 'update-user:tv@acme.example',
        dependsOn: [],
        user: { id: 6, login: 'office-tv', email: 'tv@acme.example' },
        from,
        to,
      },
    ])
  })

  it('leaves an account alone when declared keys match, emails compared case-insensitively', () => {
    const plan = buildPlan(
      config({
        users: [
          localUser('OFFICE-TV', {
            email: 'TV@acme.example',
            name: 'Office TV',
            isGrafanaAdmin: false,
            disabled: false,
            passwordEnv: 'IGNORED_ONCE_CREATED',
            orgRoles: { 'Main Org.': 'Viewer' },
          }),
        ],
      }),
      world(),
    )
    expect(plan.changes).toEqual([])
  })

  it('re-enables a disabled account and removes a server admin flag when declared', () => {
    const disabledTv = { ...tv, isDisabled: true, isGrafanaAdmin: true }
    const plan = buildPlan(
      config({ users: [localUser('office-tv', { disabled: false, isGrafanaAdmin: false })] }),
      world([admin, disabledTv]),
    )
    expect(plan.changes).toMatchObject([
      {
        from: { isGrafanaAdmin: true, disabled: true },
        to: { isGrafanaAdmin: false, disabled: false },
      },
    ])
  })

  it('never disables or demotes a protected user or the caller', () => {
    const plan = buildPlan(
      config({
        settings: { safety: { protectedUsers: ['office-tv'] } },
        users: [
          localUser('office-tv', { disabled: true, name: 'Renamed' }),
          localUser('admin', { isGrafanaAdmin: false, disabled: true }),
        ],
      }),
      world(),
    )
    expect(plan.changes).toMatchObject([
      { kind: 'update-user', from: { name: 'Office TV' }, to: { name: 'Renamed' } },
    ])
    expect(plan.warnings.map((w) => w.code).sort()).toEqual([
      'caller-kept',
      'caller-kept',
      'protected-user',
    ])
  })
})
