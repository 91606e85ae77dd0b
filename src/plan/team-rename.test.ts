import { describe, expect, it } from 'vitest'
import { config, gUser, liveOrg, liveTeam, observed, team } from '../../test/fixtures/plan.ts'
import { buildPlan } from './index.ts'

const ana = gUser(2, 'ana')
const ben = gUser(3, 'ben')

describe('renamedFrom on a team', () => {
  it('renames the live team in place, keeping its id, and plans its members against it', () => {
    const desired = config({
      teams: [
        {
          ...team('SRE', { members: ['ana@acme.example', 'ben@acme.example'] }),
          renamedFrom: 'Ops',
        },
      ],
    })
    const live = observed({
      users: [ana, ben],
      orgs: [liveOrg(1, 'Main Org.', [ana, ben], [liveTeam(7, 'Ops', [ana], { email: 'ops@x' })])],
    })
    const plan = buildPlan(desired, live)
    expect(plan.changes.map((c) => c.kind)).toEqual(['rename-team', 'add-team-member'])
    expect(plan.changes[0]).toMatchObject({
      team: 'SRE',
      from: 'Ops',
      teamId: 7,
      email: 'ops@x',
    })
    expect(plan.changes[1]).toMatchObject({ teamId: 7, user: { login: 'ben' } })
  })

  it('creates the team when neither name exists, and plans nothing once renamed', () => {
    const desired = config({
      teams: [{ ...team('SRE', { members: ['ana@acme.example'] }), renamedFrom: 'Ops' }],
    })
    const none = buildPlan(
      desired,
      observed({ users: [ana], orgs: [liveOrg(1, 'Main Org.', [ana])] }),
    )
    expect(none.changes.map((c) => c.kind)).toEqual(['create-team', 'add-team-member'])
    const done = buildPlan(
      desired,
      observed({
        users: [ana],
        orgs: [liveOrg(1, 'Main Org.', [ana], [liveTeam(7, 'SRE', [ana])])],
      }),
    )
    expect(done.changes).toEqual([])
  })

  it('is an error when both names exist: the new one is managed, the old one left and not pruned', () => {
    const desired = config({
      settings: { prune: { teams: true } },
      teams: [{ ...team('SRE', { members: ['ana@acme.example'] }), renamedFrom: 'Ops' }],
    })
    const live = observed({
      users: [ana],
      orgs: [
        liveOrg(1, 'Main Org.', [ana], [liveTeam(7, 'Ops', [ana]), liveTeam(8, 'SRE', [ana])]),
      ],
    })
    const plan = buildPlan(desired, live)
    expect(plan.changes).toEqual([])
    expect(plan.errors).toEqual([
      expect.objectContaining({
        code: 'team-rename-ambiguous',
        message: expect.stringContaining('team "SRE" exists (id 8), and so does team "Ops" (id 7)'),
      }),
    ])
  })
})
