import { describe, expect, it } from 'vitest'
import type { GrafanaUser, Limit } from '../model.ts'
import {
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
} from '../../test/fixtures/plan.ts'
import { allowedRemovals } from './guards.ts'
import { buildPlan } from './index.ts'

const count = (value: number): Limit => ({ kind: 'count', value })
const percent = (value: number): Limit => ({ kind: 'percent', value })
const people = (n: number, from = 100): GrafanaUser[] =>
  Array.from({ length: n }, (_, i) => gUser(from + i, `u${from + i}`))

/** Team A with `size` members of which `remove` are no longer declared; team B with `other` members, all kept. */
function scenario(
  size: number,
  remove: number,
  safety: { maxRemovals?: Limit; maxRemovalsPerTeam?: Limit },
  other = 0,
) {
  const a = people(size)
  const b = people(other, 1000)
  const keep = (list: GrafanaUser[]) => list.map((u) => u.login)
  return buildPlan(
    config({
      settings: {
        safety: { maxRemovals: percent(100), maxRemovalsPerTeam: percent(100), ...safety },
      },
      teams: [team('A', { members: keep(a.slice(remove)) }), team('B', { members: keep(b) })],
    }),
    observed({
      caller: tokenCaller(1),
      users: [...a, ...b],
      orgs: [liveOrg(1, 'Main Org.', [...a, ...b], [liveTeam(10, 'A', a), liveTeam(11, 'B', b)])],
    }),
  )
}

describe('allowedRemovals', () => {
  it.each([
    [count(10), 0, 10],
    [count(0), 100, 3],
    [percent(25), 12, 3],
    [percent(25), 20, 5],
    [percent(25), 21, 5],
    [percent(50), 9, 4],
    [percent(14.3), 100, 14],
    [percent(0), 1000, 3],
  ])('%o of %i memberships allows %i', (limit, base, allowed) => {
    expect(allowedRemovals(limit, base)).toBe(allowed)
  })
})

describe('maxRemovals (whole run)', () => {
  it('passes at the count limit and trips one over it', () => {
    expect(scenario(10, 5, { maxRemovals: count(5) }).guards).toEqual([])
    expect(scenario(10, 6, { maxRemovals: count(5) }).guards).toEqual([
      { guard: 'maxRemovals', scope: 'run', limit: '5', allowed: 5, removals: 6 },
    ])
  })

  it('measures a percent against the members of all existing declared teams', () => {
    // 10 + 30 memberships, 25% → 10 allowed.
    expect(scenario(10, 10, { maxRemovals: percent(25) }, 30).guards).toEqual([])
    expect(scenario(12, 11, { maxRemovals: percent(25) }, 30).guards).toEqual([
      { guard: 'maxRemovals', scope: 'run', limit: '25%', allowed: 10, removals: 11 },
    ])
  })

  it('never trips at 3 removals or fewer', () => {
    expect(scenario(3, 3, { maxRemovals: count(0) }).guards).toEqual([])
    expect(scenario(4, 3, { maxRemovals: percent(1) }).guards).toEqual([])
    expect(scenario(4, 4, { maxRemovals: count(0) }).guards).toMatchObject([
      { guard: 'maxRemovals', allowed: 3, removals: 4 },
    ])
  })

  it('counts org-user removals and the members of deleted teams', () => {
    const a = people(4)
    const plan = buildPlan(
      config({
        settings: {
          prune: { orgUsers: true, teams: true, teamMembers: true },
          safety: { maxRemovals: count(4) },
        },
        orgs: [org('Main Org.', { admins: ['admin'] })],
      }),
      observed({
        caller: tokenCaller(1),
        users: [gUser(1, 'admin'), ...a],
        orgs: [
          liveOrg(
            1,
            'Main Org.',
            [[gUser(1, 'admin'), 'Admin'], a[0]!, a[1]!],
            [liveTeam(10, 'Old', a)],
          ),
        ],
      }),
    )
    expect(plan.counts).toEqual({ 'remove-org-user': 2, 'delete-team': 1 })
    expect(plan.guards).toEqual([
      { guard: 'maxRemovals', scope: 'run', limit: '4', allowed: 4, removals: 6 },
    ])
  })

  it('does not count removals held back for an untrusted group', () => {
    const a = people(10)
    const plan = buildPlan(
      config({
        settings: { safety: { maxRemovals: count(0), maxRemovalsPerTeam: count(0) } },
        teams: [team('A', { memberGroups: ['Eng'] })],
      }),
      observed({
        users: a,
        orgs: [liveOrg(1, 'Main Org.', a, [liveTeam(10, 'A', a)])],
        groups: [group('Eng', [])],
      }),
    )
    expect(plan.guards).toEqual([])
    expect(plan.heldBack[0]?.removals).toBe(10)
  })
})

describe('maxRemovalsPerTeam', () => {
  it('passes at the percent limit of the team and trips one over it', () => {
    // 50% of 10 members → 5.
    expect(scenario(10, 5, { maxRemovalsPerTeam: percent(50) }).guards).toEqual([])
    expect(scenario(10, 6, { maxRemovalsPerTeam: percent(50) }).guards).toEqual([
      {
        guard: 'maxRemovalsPerTeam',
        scope: 'Main Org. / A',
        limit: '50%',
        allowed: 5,
        removals: 6,
      },
    ])
  })

  it('passes at a count limit and trips one over it', () => {
    expect(scenario(10, 4, { maxRemovalsPerTeam: count(4) }).guards).toEqual([])
    expect(scenario(10, 5, { maxRemovalsPerTeam: count(4) }).guards).toMatchObject([
      { guard: 'maxRemovalsPerTeam', allowed: 4, removals: 5 },
    ])
  })

  it('never trips at 3 removals or fewer, even when that is the whole team', () => {
    expect(scenario(3, 3, { maxRemovalsPerTeam: percent(10) }).guards).toEqual([])
    expect(scenario(4, 4, { maxRemovalsPerTeam: percent(10) }).guards).toMatchObject([
      { allowed: 3, removals: 4 },
    ])
  })

  it('reports the run guard before the team guards, each team once', () => {
    const plan = scenario(10, 10, { maxRemovals: count(5), maxRemovalsPerTeam: count(5) })
    expect(plan.guards.map((g) => [g.guard, g.scope])).toEqual([
      ['maxRemovals', 'run'],
      ['maxRemovalsPerTeam', 'Main Org. / A'],
    ])
  })

  it('does not count additions', () => {
    const members = people(10)
    const plan = buildPlan(
      config({
        settings: { safety: { maxRemovalsPerTeam: count(0) } },
        teams: [team('A', { memberGroups: ['Eng'] })],
      }),
      observed({
        users: members,
        orgs: [liveOrg(1, 'Main Org.', members, [liveTeam(10, 'A')])],
        groups: [
          group(
            'Eng',
            members.map((u) => oktaMember(u.email)),
          ),
        ],
      }),
    )
    expect(plan.counts).toEqual({ 'add-team-member': 10 })
    expect(plan.guards).toEqual([])
  })
})
