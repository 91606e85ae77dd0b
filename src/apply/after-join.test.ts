import { describe, expect, it } from 'vitest'
import type { Change, GuardViolation } from '../model.ts'
import { planOf } from '../../test/fixtures/report.ts'
import { holdBackUnseenRemovals } from './after-join.ts'

const JOINED = 7
const eve = { id: 5, login: 'eve', email: 'eve@acme.example' }
const dan = { id: 6, login: 'dan', email: 'dan@acme.example' }
const notDeclared = { oktaGroups: [], yaml: [], notDeclared: true }

function removeMember(user: typeof eve, team = 'Guests', orgId = JOINED): Change {
  return {
    kind: 'remove-team-member',
    id: `remove-team-member:Partners/${team}/${user.email}`,
    dependsOn: [],
    org: orgId === JOINED ? 'Partners' : 'Main Org.',
    orgId,
    team,
    teamId: 3,
    user,
    permission: 'Member',
    provenance: notDeclared,
  }
}

function removeOrgUser(user: typeof eve): Change {
  return {
    kind: 'remove-org-user',
    id: `remove-org-user:Partners/${user.email}`,
    dependsOn: [],
    org: 'Partners',
    orgId: JOINED,
    user,
    role: 'Viewer',
    provenance: notDeclared,
  }
}

const addDan: Change = {
  kind: 'add-team-member',
  id: 'add-team-member:Partners/Guests/dan@acme.example',
  dependsOn: [],
  org: 'Partners',
  orgId: JOINED,
  team: 'Guests',
  teamId: 3,
  user: dan,
  permission: 'Member',
  provenance: { oktaGroups: [], yaml: [] },
}

describe('holdBackUnseenRemovals', () => {
  it('holds back the removals in joined orgs that the first plan did not list, and keeps the adds', () => {
    const fresh = planOf([addDan, removeMember(eve), removeMember(dan, 'Other')])
    const out = holdBackUnseenRemovals(planOf([]), fresh, new Set([JOINED]))
    expect(out.changes).toEqual([addDan])
    expect(out.counts).toEqual({ 'add-team-member': 1 })
    expect(out.heldBack.map((h) => [h.org, h.team, h.removals, h.users])).toEqual([
      ['Partners', 'Guests', 1, ['eve@acme.example']],
      ['Partners', 'Other', 1, ['dan@acme.example']],
    ])
    expect(out.warnings.map((w) => w.message)).toEqual([
      `held back: 2 removals in org "Partners", found only after the sync's user joined it to read its teams; shown by the next plan, applied by the run after`,
    ])
  })

  it('applies the removals a reviewer saw, those outside the joined orgs, and team removals a reviewed org removal implies', () => {
    const seenRemoval = removeOrgUser(eve)
    const outside = removeMember(dan, 'Ops', 1)
    const fresh = planOf([seenRemoval, removeMember(eve), outside])
    const out = holdBackUnseenRemovals(planOf([seenRemoval]), fresh, new Set([JOINED]))
    expect(out).toBe(fresh)
  })

  it('keeps only the guards the remaining removals still trip', () => {
    const guard = (scope: string, removals: number): GuardViolation => ({
      guard: scope === 'run' ? 'maxRemovals' : 'maxRemovalsPerTeam',
      scope,
      limit: '1',
      allowed: 1,
      removals,
    })
    const kept = [removeMember(eve, 'Ops', 1), removeMember(dan, 'Ops', 1)]
    const fresh = planOf([...kept, removeMember(eve)], {
      guards: [guard('run', 3), guard('Main Org. / Ops', 2), guard('Partners / Guests', 2)],
    })
    const out = holdBackUnseenRemovals(planOf([]), fresh, new Set([JOINED]))
    expect(out.guards).toEqual([guard('run', 2), guard('Main Org. / Ops', 2)])
  })
})
