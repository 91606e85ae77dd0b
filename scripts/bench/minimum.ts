// The fewest requests Grafana's and Okta's APIs allow for a workload, and the fastest any client
// could make them at a given concurrency and latency. The bench compares real runs with these.
import { batchNames } from '../../src/okta/client.ts'

/** Largest page each listing allows (Grafana: 1000 by default, no enforced maximum; we ask 1000). */
export const GRAFANA_PAGE = 1000
/** `GET /api/v1/groups/{id}/users`: documented maximum page size. */
export const OKTA_MEMBERS_PAGE = 1000
/** `GET /api/v1/groups?search=…`: page size the client asks for. */
export const OKTA_GROUPS_PAGE = 200

/** What a plan must read, as counts: independent of how the workload was generated. */
export interface ReadShape {
  grafana: {
    /** Orgs in Grafana (the org listing pages through all of them). */
    orgs: number
    /** User accounts in Grafana, the server admin included. */
    users: number
    /** Each org the config refers to that exists: its teams, and which of them are declared. */
    referencedOrgs: { teams: number; declaredTeams: number; withPreferences: number }[]
  }
  okta: {
    /** Distinct group names the config refers to by name (ids need no search). */
    names: string[]
    /** Every distinct group the config refers to: its member count (all statuses) and how it is named. */
    groups: { members: number; byName: boolean }[]
  }
}

/** Writes of an apply, per phase of the apply order in docs/contract.md §4; a phase starts after the previous one ended. */
export interface WritePhase {
  name: string
  requests: number
  /** Longest run of requests one change must make one after the other (an Admin add: add, promote). */
  chain: number
}

export type Counts = Record<string, number>

const pages = (items: number, size: number) => Math.max(1, Math.ceil(items / size))

/**
 * Grafana: the signed-in user (1); the org listing, 0-based without a total, so it ends at the
 * first short page (⌊orgs / 1000⌋ + 1); the user search (⌈users / 1000⌉ pages); per referenced org
 * its users (one unpaged call) and its team search (⌈teams / 1000⌉ pages); per declared team that
 * exists, its members (one call: there is no listing of all memberships) and, when the config
 * declares preferences, its preferences (one call).
 */
export function minimumGrafanaReads(shape: ReadShape['grafana']): Counts {
  const orgs = shape.referencedOrgs
  const sum = (f: (o: (typeof orgs)[number]) => number) => orgs.reduce((n, o) => n + f(o), 0)
  return withoutZeros({
    'GET /api/user': 1,
    'GET /api/orgs': Math.floor(shape.orgs / GRAFANA_PAGE) + 1,
    'GET /api/users/search': pages(shape.users, GRAFANA_PAGE),
    'GET /api/orgs/:id/users': orgs.length,
    'GET /api/teams/search': sum((o) => pages(o.teams, GRAFANA_PAGE)),
    'GET /api/teams/:id/members': sum((o) => o.declaredTeams),
    'GET /api/teams/:id/preferences': sum((o) => o.withPreferences),
  })
}

/**
 * Okta: the names go into as few `search` requests as fit under the client's URL length limit
 * (greedy packing of `profile.name eq "…" or …`), each answering its one page (a name matches
 * one group, far below the 200 a page holds); then each distinct group's members, ⌈members /
 * 1000⌉ pages (at least one), whether it is named by name or id.
 */
export function minimumOktaReads(shape: ReadShape['okta'], origin: string): Counts {
  const searches = batchNames(origin, shape.names).reduce(
    (n, batch) => n + pages(batch.length, OKTA_GROUPS_PAGE),
    0,
  )
  return withoutZeros({
    'GET /api/v1/groups': searches,
    'GET /api/v1/groups/:id/users': shape.groups.reduce(
      (n, g) => n + pages(g.members, OKTA_MEMBERS_PAGE),
      0,
    ),
  })
}

export interface Bound {
  /** Latency rounds: the bound is rounds × latency. */
  rounds: number
  ms: number
}

export const total = (counts: Counts) => Object.values(counts).reduce((n, v) => n + v, 0)

/**
 * Each service has its own limit of `concurrency` requests in flight (the `concurrency` input),
 * so Okta and Grafana overlap and the slower one decides. A service needs at least
 * ⌈requests / concurrency⌉ rounds, and at least as many as its longest chain of requests that
 * wait for each other (Grafana: signed-in user → org listing → team search [→ later pages] →
 * members; Okta: search → each page of a group, a cursor away from the previous one).
 */
export function readBound(
  shape: ReadShape,
  grafana: Counts,
  okta: Counts,
  concurrency: number,
  latencyMs: number,
): Bound {
  const manyTeamPages = shape.grafana.referencedOrgs.some((o) => o.teams > GRAFANA_PAGE)
  const grafanaChain = 4 + (manyTeamPages ? 1 : 0)
  const oktaChain = shape.okta.groups.reduce(
    (longest, g) => Math.max(longest, (g.byName ? 1 : 0) + pages(g.members, OKTA_MEMBERS_PAGE)),
    0,
  )
  const rounds = Math.max(
    Math.max(Math.ceil(total(grafana) / concurrency), grafanaChain),
    total(okta) > 0 ? Math.max(Math.ceil(total(okta) / concurrency), oktaChain) : 0,
  )
  return { rounds, ms: rounds * latencyMs }
}

/** An apply reads first (the plan is built on all of it), then writes phase after phase. */
export function applyBound(
  read: Bound,
  phases: WritePhase[],
  concurrency: number,
  latencyMs: number,
): Bound {
  const writeRounds = phases
    .filter((p) => p.requests > 0)
    .reduce((n, p) => n + Math.max(Math.ceil(p.requests / concurrency), p.chain), 0)
  const rounds = read.rounds + writeRounds
  return { rounds, ms: rounds * latencyMs }
}

function withoutZeros(counts: Counts): Counts {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0))
}
