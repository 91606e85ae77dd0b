import { describe, expect, it } from 'vitest'
import {
  config,
  gUser,
  group,
  liveOrg,
  liveTeam,
  observed,
  oktaMember,
  team,
} from '../../test/fixtures/plan.ts'
import { provenanceText } from '../report/describe.ts'
import { buildPlan } from './index.ts'
import {
  compareWithReview,
  fingerprintOf,
  markOrigins,
  observationConfig,
  pullRequestChanges,
  reviewedPartOf,
  withFormerSources,
} from './review.ts'

const ana = gUser(2, 'ana')
const ben = gUser(3, 'ben')
const cy = gUser(4, 'cy')
const dee = gUser(5, 'dee')

/** Platform has ana; Okta's Platform-Engineers now also holds ben (drift an apply of main makes too). */
function world() {
  return observed({
    users: [ana, ben, cy, dee],
    orgs: [liveOrg(1, 'Main Org.', [ana, ben, cy, dee], [liveTeam(10, 'Platform', [ana])])],
    groups: [
      group('Platform-Engineers', [oktaMember('ana@acme.example'), oktaMember('ben@acme.example')]),
    ],
  })
}

const baseConfig = config({
  teams: [
    team('Platform', { members: ['ana@acme.example'], memberGroups: ['Platform-Engineers'] }),
  ],
})

describe('markOrigins', () => {
  it('marks the PR-only add as pull-request and the Okta drift as pending', () => {
    const live = world()
    const pr = config({
      teams: [
        team('Platform', {
          members: ['ana@acme.example', 'cy@acme.example'],
          memberGroups: ['Platform-Engineers'],
        }),
      ],
    })
    const plan = markOrigins(buildPlan(pr, live), buildPlan(baseConfig, live), 'abc')
    const origins = plan.changes.map((c) => [c.id, c.origin])
    expect(origins).toEqual([
      ['add-team-member:Main Org./Platform/ben@acme.example', 'pending'],
      ['add-team-member:Main Org./Platform/cy@acme.example', 'pull-request'],
    ])
    expect(plan.review).toEqual({
      base: { ref: 'abc', read: true },
      fingerprint: expect.any(String),
    })
  })

  it('ignores where a change is written: moved YAML lines are no pull-request change', () => {
    const live = world()
    const moved = config({
      teams: [
        team('Platform', {
          members: ['ana@acme.example'],
          memberGroups: ['Platform-Engineers'],
          line: 7,
        }),
      ],
    })
    const plan = markOrigins(buildPlan(moved, live), buildPlan(baseConfig, live), 'abc')
    expect(plan.changes.length).toBe(1)
    expect(pullRequestChanges(plan)).toEqual([])
    expect(plan.review?.fingerprint).toBe(fingerprintOf([]))
  })

  it('counts the same member with another permission as a pull-request change', () => {
    const live = world()
    const pr = config({
      teams: [
        team('Platform', {
          admins: ['ana@acme.example'],
          memberGroups: ['Platform-Engineers'],
        }),
      ],
    })
    const plan = markOrigins(buildPlan(pr, live), buildPlan(baseConfig, live), 'abc')
    expect(pullRequestChanges(plan).map((c) => c.kind)).toEqual(['set-team-permission'])
  })
})

describe('compareWithReview', () => {
  const live = world()
  const prOf = (...members: string[]) =>
    config({
      teams: [team('Platform', { members, memberGroups: ['Platform-Engineers'] })],
    })
  const planOf = (...members: string[]) =>
    markOrigins(buildPlan(prOf(...members), live), buildPlan(baseConfig, live), 'abc')

  it('finds no change when the same part is planned again', () => {
    const reviewed = reviewedPartOf(planOf('ana@acme.example', 'cy@acme.example'))!
    const since = compareWithReview(planOf('ana@acme.example', 'cy@acme.example'), reviewed, 'warn')
    expect(since).toMatchObject({ changed: false, added: [], removed: [] })
  })

  it('lists what was added and what is no longer planned', () => {
    const reviewed = reviewedPartOf(planOf('ana@acme.example', 'cy@acme.example'))!
    const since = compareWithReview(
      planOf('ana@acme.example', 'dee@acme.example'),
      reviewed,
      'fail',
    )
    expect(since).toMatchObject({
      changed: true,
      added: ['add-team-member:Main Org./Platform/dee@acme.example'],
      removed: ['add-team-member:Main Org./Platform/cy@acme.example'],
      onChanged: 'fail',
    })
  })

  it('says the removed ones are unknown when the reviewed list was too long to keep', () => {
    const reviewed = reviewedPartOf(planOf('ana@acme.example', 'cy@acme.example'), 'f00d', 10)!
    expect(reviewed.changes).toBeUndefined()
    const since = compareWithReview(planOf('ana@acme.example'), reviewed, 'warn')
    expect(since).toMatchObject({ changed: true, added: [], removed: 'unknown' })
  })
})

describe('observationConfig', () => {
  it('adds the teams, orgs and users only the base declares, and keeps the PR settings', () => {
    const pr = config({ settings: { prune: { teams: false } }, teams: [team('Platform')] })
    const base = config({
      settings: { prune: { teams: true } },
      teams: [team('Platform', { members: ['x'] }), team('Gone', { memberGroups: ['Old-Group'] })],
    })
    const union = observationConfig(pr, base)
    expect(union.teams.map((t) => [t.name, t.members.users.length])).toEqual([
      ['Platform', 0],
      ['Gone', 0],
    ])
    expect(union.settings.prune.teams).toBe(true)
    expect(union.teams[1]!.members.oktaGroups.map((g) => g.value)).toEqual(['Old-Group'])
  })

  it('reads the Okta groups the base declares on a team the PR declares too', () => {
    const pr = config({ teams: [team('Platform', { memberGroups: ['New'] })] })
    const base = config({ teams: [team('Platform', { memberGroups: ['Old', 'New'] })] })
    const union = observationConfig(pr, base)
    expect(union.teams).toHaveLength(1)
    expect(union.teams[0]!.members.oktaGroups.map((g) => g.value)).toEqual(['New', 'Old'])
    expect(union.settings.identity).toBe(pr.settings.identity)
  })
})

describe('withFormerSources', () => {
  it('names the Okta group a removed member came from when the PR takes it off the team', () => {
    const live = observed({
      users: [ana, ben],
      orgs: [liveOrg(1, 'Main Org.', [ana, ben], [liveTeam(10, 'Platform', [ana, ben])])],
      groups: [group('Platform-Leads', [oktaMember('ben@acme.example')])],
    })
    const base = config({
      teams: [
        team('Platform', { members: ['ana@acme.example'], memberGroups: ['Platform-Leads'] }),
      ],
    })
    const pr = config({ teams: [team('Platform', { members: ['ana@acme.example'] })] })
    const marked = markOrigins(buildPlan(pr, live), buildPlan(base, live), 'abc')
    const [removal] = withFormerSources(marked, base, live).changes
    expect(removal).toMatchObject({
      kind: 'remove-team-member',
      origin: 'pull-request',
      provenance: { notDeclared: true, was: { oktaGroups: ['Platform-Leads'], yaml: [] } },
    })
    expect(
      provenanceText(removal!.kind === 'remove-team-member' ? removal!.provenance : undefined),
    ).toBe('no longer in any declared source (was: okta Platform-Leads)')
  })
})
