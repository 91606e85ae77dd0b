import { describe, expect, it } from 'vitest'
import {
  applyBound,
  minimumGrafanaReads,
  minimumOktaReads,
  readBound,
  type ReadShape,
} from '../scripts/bench/minimum.ts'
import { batchNames } from '../src/okta/client.ts'

const ORIGIN = 'https://acme.okta.com'

function shape(over: Partial<ReadShape['grafana']> = {}, okta?: ReadShape['okta']): ReadShape {
  return {
    grafana: {
      orgs: 2,
      users: 2_500,
      referencedOrgs: [
        { teams: 1_200, declaredTeams: 1_000, withPreferences: 250 },
        { teams: 10, declaredTeams: 5, withPreferences: 0 },
      ],
      ...over,
    },
    okta: okta ?? { names: [], groups: [] },
  }
}

describe('minimum requests of the bench', () => {
  it('counts Grafana pages of 1,000, one members call per declared team and preferences only where declared', () => {
    expect(minimumGrafanaReads(shape().grafana)).toEqual({
      'GET /api/user': 1,
      'GET /api/orgs': 1,
      'GET /api/users/search': 3,
      'GET /api/orgs/:id/users': 2,
      'GET /api/teams/search': 3,
      'GET /api/teams/:id/members': 1_005,
      'GET /api/teams/:id/preferences': 250,
    })
  })

  it('needs a second org page when the first one is exactly full (the listing has no total)', () => {
    expect(minimumGrafanaReads(shape({ orgs: 1_000 }).grafana)['GET /api/orgs']).toBe(2)
    expect(minimumGrafanaReads(shape({ orgs: 999 }).grafana)['GET /api/orgs']).toBe(1)
  })

  it('batches Okta names under the URL limit and reads every group in pages of 1,000, empty ones too', () => {
    const names = Array.from({ length: 300 }, (_, i) => `grafana-platform-${i}`)
    const counts = minimumOktaReads(
      {
        names,
        groups: [0, 1, 1_000, 1_001, 5_000].map((members) => ({ members, byName: true })),
      },
      ORIGIN,
    )
    const batches = batchNames(ORIGIN, names).length
    expect(batches).toBeGreaterThan(1)
    expect(batches).toBeLessThan(10)
    expect(counts).toEqual({
      'GET /api/v1/groups': batches,
      'GET /api/v1/groups/:id/users': 1 + 1 + 1 + 2 + 5,
    })
  })
})

describe('lower bound of the bench', () => {
  it('takes the slower service: each has its own concurrency limit, so Okta and Grafana overlap', () => {
    const s = shape()
    const grafana = { reads: 1_600 }
    const okta = { reads: 800 }
    expect(readBound(s, grafana, okta, 8, 20)).toEqual({ rounds: 200, ms: 4_000 })
  })

  it('is never shorter than the longest chain of requests that wait for each other', () => {
    const s = shape({}, { names: ['big'], groups: [{ members: 5_000, byName: true }] })
    // Okta: the search, then five pages one cursor after the other.
    expect(readBound(s, { reads: 3 }, { reads: 6 }, 8, 20).rounds).toBe(6)
    // Grafana alone: user → orgs → team search → its second page → members.
    expect(readBound(shape(), { reads: 3 }, {}, 8, 20).rounds).toBe(5)
    expect(
      readBound(
        shape({ referencedOrgs: [{ teams: 5, declaredTeams: 5, withPreferences: 0 }] }),
        { reads: 3 },
        {},
        8,
        20,
      ).rounds,
    ).toBe(4)
  })

  it('adds the apply phases one after the other, an Admin add taking two requests in a row', () => {
    const read = { rounds: 10, ms: 200 }
    const phases = [
      { name: 'member adds', requests: 17, chain: 2 },
      { name: 'member removals', requests: 1, chain: 1 },
      { name: 'nothing', requests: 0, chain: 1 },
    ]
    expect(applyBound(read, phases, 8, 20)).toEqual({ rounds: 10 + 3 + 1, ms: 280 })
  })
})
