// Pull-request review on several Grafana instances (SPEC §9, §11): each instance's list leads with
// this PR's changes and folds those already pending, from the base commit read through the GitHub fake.
import { readFileSync } from 'node:fs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFakeGrafana, type FakeGrafana } from '../fakes/grafana.ts'
import { REPOSITORY, requireBuild, runAction, type ActionRan } from './harness.ts'
import {
  expectNoSecrets,
  GITHUB_TOKEN,
  OKTA_TOKEN,
  pullRequestPayload,
  startWorld,
  type World,
} from './world.ts'

const BASE_SHA = 'b45e0000000000000000000000000000000000c2'
const HEAD_SHA = 'f00d000000000000000000000000000000000f02'
const PR = 12

let world: World | undefined
let eu: FakeGrafana | undefined
beforeAll(requireBuild)
afterEach(async () => {
  await Promise.all([world?.close(), eu?.close()])
  world = eu = undefined
})

/** Platform on both instances, Canary on production only. */
const TEAMS = `teams:
  - name: Platform
    members: { users: [carol@acme.example], oktaGroups: [Platform-Engineers] }
  - name: Canary
    instances: [production]
    members: { users: [bob@acme.example] }
`
/** The PR's one change: mallory joins Canary, which only production manages. */
const TEAMS_WITH_MALLORY = TEAMS.replace(
  'users: [bob@acme.example]',
  'users: [bob@acme.example, mallory@acme.example]',
)

function instancesYaml(euUrl: string): string {
  return `instances:
  - name: production
    url: \${PROD_URL}
    token: { env: GRAFANA_PROD_TOKEN }
  - name: eu
    url: ${euUrl}
    token: { env: GRAFANA_EU_TOKEN }
`
}

/**
 * Both instances hold Platform with carol only; Okta's group holds dave and erin, so each instance has
 * two adds pending whatever the PR does. The base commit holds `baseFiles` (default: the config with
 * TEAMS).
 */
async function start(baseFiles?: Record<string, string>) {
  eu = await startFakeGrafana({ version: '11.1' })
  const euUsers: Record<string, number> = {}
  for (const login of ['bob', 'carol', 'dave', 'erin']) {
    euUsers[login] = eu.addUser({ login, email: `${login}@acme.example`, orgs: { 1: 'Viewer' } })
  }
  eu.addTeam(1, 'Platform', { members: [{ userId: euUsers.carol! }] })
  const instances = instancesYaml(eu.url)
  const w = await startWorld({
    'teams/instances.yaml': instances,
    'teams/teams.yaml': TEAMS_WITH_MALLORY,
  })
  w.grafana.addTeam(1, 'Platform', { members: [{ userId: w.users.carol }] })
  w.grafana.addTeam(1, 'Canary', { members: [{ userId: w.users.bob }] })
  w.github.addCommit(REPOSITORY, {
    sha: BASE_SHA,
    files: baseFiles ?? { 'teams/instances.yaml': instances, 'teams/teams.yaml': TEAMS },
  })
  const euToken = eu.addServiceAccountToken(1)
  w.secrets.push(euToken)
  world = w
  return {
    w,
    env: { PROD_URL: w.grafana.url, GRAFANA_PROD_TOKEN: w.grafanaToken, GRAFANA_EU_TOKEN: euToken },
  }
}

function planOnPullRequest(w: World, env: Record<string, string>): Promise<ActionRan> {
  return runAction(w.ws, {
    githubToken: GITHUB_TOKEN,
    apiUrl: w.github.url,
    event: 'pull_request',
    ref: `refs/pull/${PR}/merge`,
    payload: pullRequestPayload(PR, REPOSITORY, { head: HEAD_SHA, base: BASE_SHA }),
    inputs: { 'okta-domain': w.okta.url, 'okta-api-token': OKTA_TOKEN },
    env,
  })
}

interface InstancesPlanFile {
  instances: {
    name: string
    plan: { changes: { id: string; origin?: string }[]; review?: { base: { read: boolean } } }
  }[]
}

function originsByInstance(ran: ActionRan): Record<string, [string, string | undefined][]> {
  const doc = JSON.parse(readFileSync(ran.outputs['plan-file']!, 'utf8')) as InstancesPlanFile
  return Object.fromEntries(
    doc.instances.map((i) => [i.name, i.plan.changes.map((c) => [c.id, c.origin])]),
  )
}

/** The comment's section of one instance: from its heading to the next instance's. */
function sectionOf(body: string, name: string): string {
  const start = body.indexOf(
    `## grafana-team-sync plan for <code>teams</code> on <code>${name}</code>`,
  )
  expect(start).toBeGreaterThan(0)
  const next = body.indexOf('\n## grafana-team-sync', start + 1)
  return body.slice(start, next < 0 ? undefined : next)
}

function theComment(w: World): string {
  const comments = w.github.comments(REPOSITORY, PR)
  expect(comments).toHaveLength(1)
  return comments[0]!.body
}

describe('a pull request plan on several instances against its base commit', () => {
  it("leads each instance with the PR's changes and folds the Okta drift pending on both", async () => {
    const { w, env } = await start()
    const ran = await planOnPullRequest(w, env)
    expect(ran.code).toBe(0)
    expect(ran.outputs).toMatchObject({ 'change-count': '5', 'pr-change-count': '1' })
    expect(originsByInstance(ran)).toEqual({
      production: [
        ['add-team-member:Main Org./Canary/mallory@acme.example', 'pull-request'],
        ['add-team-member:Main Org./Platform/dave@acme.example', 'pending'],
        ['add-team-member:Main Org./Platform/erin@acme.example', 'pending'],
      ],
      eu: [
        ['add-team-member:Main Org./Platform/dave@acme.example', 'pending'],
        ['add-team-member:Main Org./Platform/erin@acme.example', 'pending'],
      ],
    })
    const body = theComment(w)
    expect(body).toContain('| <code>production</code> | changes | 3 | 0 | 0 | 1 |')
    expect(body).toContain('| <code>eu</code> | changes | 2 | 0 | 0 | 0 |')
    const production = sectionOf(body, 'production')
    expect(production).toContain('**This pull request: 1 to add.** Already pending: 2 to add')
    const own = production.indexOf('+ mallory@acme.example')
    const folded = production.indexOf('### Already pending: 2 changes')
    expect(own).toBeGreaterThan(0)
    expect(folded).toBeGreaterThan(own)
    expect(production.indexOf('+ dave@acme.example')).toBeGreaterThan(folded)
    const euPart = sectionOf(body, 'eu')
    expect(euPart).toContain(
      '**This pull request changes nothing in Grafana.** Already pending: 2 to add',
    )
    expect(euPart).not.toContain('mallory')
    // The base is read once for all instances; each instance is observed once for both configs,
    // and the shared Okta client reads the group once.
    const treeReads = w.github.requests.filter((r) => r.path.includes('/git/trees/'))
    expect(treeReads.map((r) => r.path)).toEqual([`/repos/${REPOSITORY}/git/trees/${BASE_SHA}`])
    expect(w.okta.requests.filter((r) => r.path.endsWith('/users'))).toHaveLength(1)
    for (const grafana of [w.grafana, eu!]) {
      const teamSearches = grafana.requests.filter((r) => r.path === '/api/teams/search')
      expect(teamSearches).toHaveLength(1)
    }
    expectNoSecrets(w, ran)
  })

  it('keeps one list per instance, with the notice, when the base config declares no instances', async () => {
    const { w, env } = await start({ 'teams/teams.yaml': TEAMS.split('  - name: Canary')[0]! })
    const ran = await planOnPullRequest(w, env)
    expect(ran.code).toBe(0)
    expect(ran.outputs).toMatchObject({ 'change-count': '5', 'pr-change-count': '5' })
    const origins = Object.values(originsByInstance(ran)).flat()
    expect(origins.map(([, origin]) => origin)).toEqual(Array(5).fill(undefined))
    const body = theComment(w)
    for (const name of ['production', 'eu']) {
      expect(sectionOf(body, name)).toContain(
        'could not be read (the base config declares no instances)',
      )
    }
    expect(body).not.toContain('Already pending')
  })
})
