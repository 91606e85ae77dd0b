// Pull-request review (SPEC §11): this PR's changes apart from those already pending, read from the
// base commit through the GitHub fake's trees and blobs, with the built bundle.
import { readdirSync, readFileSync } from 'node:fs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { planMarkerKey } from '../../src/action/comment.ts'
import { REPOSITORY, requireBuild, runAction, type ActionRan, snapshotBody } from './harness.ts'
import {
  expectNoSecrets,
  GITHUB_TOKEN,
  PLATFORM_YAML,
  pullRequestPayload,
  repoPayload,
  startWorld,
  type World,
} from './world.ts'

let world: World
beforeAll(requireBuild)
afterEach(async () => {
  await world?.close()
})

const BASE_SHA = 'b45e0000000000000000000000000000000000b1'
const HEAD_SHA = 'f00d000000000000000000000000000000000f01'
const PR = 12

/** PLATFORM_YAML with mallory added as a member: the one change this pull request makes. */
const WITH_MALLORY = PLATFORM_YAML.replace(
  'users: [carol@acme.example]',
  'users: [carol@acme.example, mallory@acme.example]',
)

/** Grafana holds bob (admin) and carol; Okta's group holds dave and erin: two adds are pending anyway. */
async function reviewWorld(head: string, opts: Parameters<typeof startWorld>[1] = {}) {
  const w = await startWorld({ 'teams/platform.yaml': head }, opts)
  w.grafana.addTeam(1, 'Platform', {
    email: 'platform@acme.example',
    members: [
      { userId: w.users.bob, permission: 4 },
      { userId: w.users.carol, permission: 0 },
    ],
  })
  w.github.addCommit(REPOSITORY, {
    sha: BASE_SHA,
    files: { 'teams/platform.yaml': PLATFORM_YAML, 'README.md': '# access\n' },
  })
  return w
}

function planOnPullRequest(w: World): Promise<ActionRan> {
  return runAction(w.ws, {
    githubToken: GITHUB_TOKEN,
    apiUrl: w.github.url,
    event: 'pull_request',
    ref: `refs/pull/${PR}/merge`,
    payload: pullRequestPayload(PR, REPOSITORY, { head: HEAD_SHA, base: BASE_SHA }),
    inputs: w.credentials,
  })
}

interface PlanFile {
  plan: { changes: { id: string; origin?: string }[]; review?: { base: { read: boolean } } }
}

function planFile(ran: ActionRan): PlanFile {
  return JSON.parse(readFileSync(ran.outputs['plan-file']!, 'utf8')) as PlanFile
}

function comment(w: World): string {
  const comments = w.github.comments(REPOSITORY, PR)
  expect(comments).toHaveLength(1)
  return comments[0]!.body
}

describe('a pull request plan against its base commit', () => {
  it('shows the one member this PR adds apart from the two adds Okta drift makes anyway', async () => {
    world = await reviewWorld(WITH_MALLORY)
    const ran = await planOnPullRequest(world)
    expect(ran.code).toBe(0)
    expect(ran.outputs).toMatchObject({ 'change-count': '3', 'pr-change-count': '1' })
    const origins = planFile(ran).plan.changes.map((c) => [c.id, c.origin])
    expect(origins).toEqual([
      ['add-team-member:Main Org./Platform/dave@acme.example', 'pending'],
      ['add-team-member:Main Org./Platform/erin@acme.example', 'pending'],
      ['add-team-member:Main Org./Platform/mallory@acme.example', 'pull-request'],
    ])
    const body = comment(world)
    expect(body).toContain(
      'Planned at commit <code>f00d000</code> in [run 4242](https://github.com/acme/grafana-access/actions/runs/4242).',
    )
    expect(body).toContain('**This pull request: 1 to add.** Already pending: 2 to add')
    // The PR's own change comes before the collapsed pending section.
    const own = body.indexOf('+ mallory@acme.example')
    const pending = body.indexOf('### Already pending: 2 changes')
    expect(own).toBeGreaterThan(0)
    expect(pending).toBeGreaterThan(own)
    expect(body.indexOf('+ dave@acme.example')).toBeGreaterThan(pending)
    // The downloaded base config does not stay on the runner.
    expect(
      readdirSync(world.ws.runnerTemp).filter((f) => f.startsWith('grafana-team-sync-base-')),
    ).toEqual([])
    const treeReads = world.github.requests.filter((r) => r.path.includes('/git/trees/'))
    expect(treeReads.map((r) => [r.path, r.query.recursive])).toEqual([
      [`/repos/${REPOSITORY}/git/trees/${BASE_SHA}`, '1'],
    ])
    // One read of Grafana and Okta serves both plans.
    const groupReads = world.okta.requests.filter((r) => r.path.endsWith('/users'))
    expect(groupReads).toHaveLength(1)
    expectNoSecrets(world, ran)
    await expect(snapshotBody(body)).toMatchFileSnapshot(
      '__snapshots__/review-one-pr-change.md.txt',
    )
  })

  it('counts a PR that only edits a YAML comment as no change of its own', async () => {
    const edited = `# Owners: the platform team\n${PLATFORM_YAML.replace('teams:', 'teams: # reviewed weekly')}`
    world = await reviewWorld(edited)
    const ran = await planOnPullRequest(world)
    expect(ran.code).toBe(0)
    expect(ran.outputs).toMatchObject({ 'change-count': '2', 'pr-change-count': '0' })
    const body = comment(world)
    expect(body).toContain(
      '**This pull request changes nothing in Grafana.** Already pending: 2 to add',
    )
    expect(body).not.toContain('removes access')
    await expect(snapshotBody(body)).toMatchFileSnapshot('__snapshots__/review-comment-only.md.txt')
  })

  it('names the Okta group that members this PR takes off a team came from', async () => {
    const withoutGroup = PLATFORM_YAML.replace('      oktaGroups: [Platform-Engineers]\n', '')
    world = await startWorld({ 'teams/platform.yaml': withoutGroup })
    const { bob, carol, dave, erin } = world.users
    world.grafana.addTeam(1, 'Platform', {
      email: 'platform@acme.example',
      members: [
        { userId: bob, permission: 4 },
        ...[carol, dave, erin].map((userId) => ({ userId, permission: 0 as const })),
      ],
    })
    world.github.addCommit(REPOSITORY, {
      sha: BASE_SHA,
      files: { 'teams/platform.yaml': PLATFORM_YAML },
    })
    const ran = await planOnPullRequest(world)
    expect(ran.code).toBe(0)
    expect(ran.outputs).toMatchObject({ 'change-count': '2', 'pr-change-count': '2' })
    const body = comment(world)
    expect(body).toContain(
      '- dave@acme.example  ← no longer in any declared source (was: okta Platform-Engineers)',
    )
    expect(body).not.toContain('not declared')
  })

  it('says in one line that the base could not be read (403) and shows one list', async () => {
    world = await reviewWorld(WITH_MALLORY, { github: { contentsRead: false } })
    const ran = await planOnPullRequest(world)
    expect(ran.code).toBe(0)
    expect(ran.outputs).toMatchObject({ 'change-count': '3', 'pr-change-count': '3' })
    expect(planFile(ran).plan.changes.every((c) => c.origin === undefined)).toBe(true)
    expect(planFile(ran).plan.review?.base.read).toBe(false)
    const body = comment(world)
    const notices = body.split('\n').filter((line) => line.includes('could not be read'))
    expect(notices).toEqual([
      expect.stringMatching(
        /^> The base config \(<code>b45e000<\/code>\) could not be read \(GitHub answered 403.*contents: read permission\)/,
      ),
    ])
    expect(body).not.toContain('Already pending')
    expect(body).toContain('**3 to add, 0 to change, 0 to remove**')
    await expect(snapshotBody(body)).toMatchFileSnapshot(
      '__snapshots__/review-base-unreadable.md.txt',
    )
  })

  it('refuses a symbolic link in the base tree like on disk, and shows one list', async () => {
    world = await reviewWorld(WITH_MALLORY)
    world.github.addCommit(REPOSITORY, {
      sha: BASE_SHA,
      files: { 'teams/platform.yaml': { symlink: '/etc/passwd.yaml' } },
    })
    const ran = await planOnPullRequest(world)
    expect(ran.outputs['pr-change-count']).toBe('3')
    expect(comment(world)).toContain(
      '(teams/platform.yaml is a symbolic link; config files must be regular files)',
    )
    expect(world.github.requests.filter((r) => r.path.includes('/git/blobs/'))).toEqual([])
  })

  it('degrades to one list when GitHub truncates the tree', async () => {
    world = await reviewWorld(WITH_MALLORY)
    world.github.addCommit(REPOSITORY, {
      sha: BASE_SHA,
      files: { 'teams/platform.yaml': PLATFORM_YAML },
      truncated: true,
    })
    const ran = await planOnPullRequest(world)
    expect(ran.outputs['pr-change-count']).toBe('3')
    expect(comment(world)).toContain('too large for GitHub to return whole')
  })

  it('finds and updates a comment written with the marker before fingerprints', async () => {
    world = await reviewWorld(WITH_MALLORY)
    const old = world.github.addComment(REPOSITORY, PR, {
      body: '<!-- grafana-team-sync:plan {"configPath":"teams"} -->\nold plan',
      login: 'github-actions[bot]',
      type: 'Bot',
    })
    const ran = await planOnPullRequest(world)
    expect(ran.outputs['comment-id']).toBe(String(old))
    const body = comment(world)
    expect(body.startsWith(planMarkerKey('teams'))).toBe(true)
    expect(body).toMatch(/"fingerprint":"[0-9a-f]{16}"/)
  })
})

const OTHER_SHA = '07e40000000000000000000000000000000000c2'
const MERGE_SHA = '3e7e0000000000000000000000000000000000d3'

/** Another pull request, merged first, made mallory an admin of Platform. */
const MALLORY_ADMIN = PLATFORM_YAML.replace(
  'users: [bob@acme.example]',
  'users: [bob@acme.example, mallory@acme.example]',
)
const BOTH_MERGED = MALLORY_ADMIN.replace(
  'users: [carol@acme.example]',
  'users: [carol@acme.example, mallory@acme.example]',
)

function applyOnMerge(
  w: World,
  inputs: Record<string, string> = {},
  /** null: a payload without `before`. */
  before: string | null = OTHER_SHA,
): Promise<ActionRan> {
  return runAction(w.ws, {
    githubToken: GITHUB_TOKEN,
    apiUrl: w.github.url,
    event: 'push',
    ref: 'refs/heads/main',
    sha: MERGE_SHA,
    payload: {
      ref: 'refs/heads/main',
      ...(before ? { before } : {}),
      after: MERGE_SHA,
      repository: repoPayload,
    },
    inputs: { ...w.credentials, ...inputs },
  })
}

/** The plan of PR 12 is reviewed; then it merges, after the other pull request or alone. */
async function reviewedThenMerged(mergedConfig: string, before: string): Promise<World> {
  const w = await reviewWorld(WITH_MALLORY)
  expect((await planOnPullRequest(w)).outputs['pr-change-count']).toBe('1')
  w.github.addCommit(REPOSITORY, { sha: OTHER_SHA, files: { 'teams/platform.yaml': before } })
  w.github.addPullRequest(REPOSITORY, {
    number: PR,
    mergedAt: '2026-12-04T10:00:00Z',
    mergeCommitSha: MERGE_SHA,
  })
  w.ws.write('teams/platform.yaml', mergedConfig)
  w.grafana.clearRequests()
  return w
}

function applyComment(w: World): string {
  const bodies = w.github.comments(REPOSITORY, PR).map((c) => c.body)
  const applied = bodies.filter((b) => b.startsWith('<!-- grafana-team-sync:apply'))
  expect(applied).toHaveLength(1)
  return applied[0]!
}

describe('at merge, the pull-request part compared with the one reviewed', () => {
  it('says it is unchanged when the PR merges alone', async () => {
    world = await reviewedThenMerged(WITH_MALLORY, PLATFORM_YAML)
    const ran = await applyOnMerge(world)
    expect(ran.code).toBe(0)
    const body = applyComment(world)
    expect(body).toContain('Unchanged since review')
    expect(ran.summary).toContain('Unchanged since review')
  })

  it('reports the difference when another PR merged first, and applies with warn', async () => {
    world = await reviewedThenMerged(BOTH_MERGED, MALLORY_ADMIN)
    const ran = await applyOnMerge(world)
    expect(ran.code).toBe(0)
    expect(ran.stdout).toMatch(/::warning::The merged pull request's changes differ/)
    const body = applyComment(world)
    expect(body).toContain('**Changed since review:**')
    expect(body).toContain(
      'reviewed, no longer planned: add team member Main Org./Platform/mallory@acme.example',
    )
    expect(ran.summary).toContain('**Changed since review:**')
    expect(world.grafana.writes().length).toBeGreaterThan(0)
    await expect(snapshotBody(body)).toMatchFileSnapshot(
      '__snapshots__/review-changed-at-merge.md.txt',
    )
  })

  it('finds the first parent through the commits API when the payload has no before', async () => {
    world = await reviewedThenMerged(BOTH_MERGED, MALLORY_ADMIN)
    world.github.addCommit(REPOSITORY, { sha: MERGE_SHA, files: {}, parents: [OTHER_SHA, 'f00d'] })
    const ran = await applyOnMerge(world, {}, null)
    expect(world.github.requests.map((r) => r.path)).toContain(
      `/repos/${REPOSITORY}/commits/${MERGE_SHA}`,
    )
    expect(applyComment(world)).toContain('**Changed since review:**')
    expect(ran.code).toBe(0)
  })

  it('says the apply was not compared when the config before the merge is unknown (404)', async () => {
    world = await reviewedThenMerged(BOTH_MERGED, MALLORY_ADMIN)
    const ran = await applyOnMerge(world, { 'on-plan-changed': 'fail' }, 'deadbeef'.repeat(5))
    const body = applyComment(world)
    expect(body).toContain('(GitHub answered 404 for deadbee), so this apply was not compared')
    expect(body).not.toContain('Changed since review')
    expect(ran.code).toBe(0)
  })

  it('writes nothing with on-plan-changed: fail', async () => {
    world = await reviewedThenMerged(BOTH_MERGED, MALLORY_ADMIN)
    const ran = await applyOnMerge(world, { 'on-plan-changed': 'fail' })
    expect(ran.code).toBe(1)
    expect(world.grafana.writes()).toEqual([])
    expect(ran.outputs).toMatchObject({ applied: '0', failed: '0' })
    const body = applyComment(world)
    expect(body).toContain(
      '**Not applied: the pull-request part changed since review; nothing was written.**',
    )
    expect(body).toContain('**Changed since review: nothing was written**')
    expectNoSecrets(world, ran)
    await expect(snapshotBody(body)).toMatchFileSnapshot(
      '__snapshots__/review-changed-at-merge-fail.md.txt',
    )
  })
})
