import { readFileSync } from 'node:fs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  commands,
  makeWorkspace,
  OUTPUT_NAMES,
  REPOSITORY,
  requireBuild,
  runAction,
  SUMMARY_URL,
  visibleLog,
  type ActionOptions,
  type ActionRan,
} from './harness.ts'
import {
  CONTRACT_EXAMPLE_YAML,
  expectNoSecrets,
  GITHUB_TOKEN,
  pullRequestPayload,
  repoPayload,
  startWorld,
  teamMembers,
  type World,
} from './world.ts'

let world: World
beforeAll(requireBuild)
afterEach(async () => {
  await world?.close()
})

const MERGE_SHA = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432'

function run(opts: ActionOptions, w: World = world): Promise<ActionRan> {
  return runAction(w.ws, { githubToken: GITHUB_TOKEN, apiUrl: w.github.url, ...opts })
}

const pullRequest = (
  w: World,
  inputs: Record<string, string> = w.credentials,
  number = 12,
): ActionOptions => ({
  event: 'pull_request',
  ref: `refs/pull/${number}/merge`,
  payload: pullRequestPayload(number),
  inputs,
})

const push = (w: World, inputs: Record<string, string> = w.credentials): ActionOptions => ({
  event: 'push',
  ref: 'refs/heads/main',
  sha: MERGE_SHA,
  payload: { ref: 'refs/heads/main', after: MERGE_SHA, repository: repoPayload },
  inputs,
})

describe('validate', () => {
  it('validates a valid config offline and writes the summary', async () => {
    world = await startWorld()
    const ran = await run({ event: 'push', inputs: { mode: 'validate' } })
    expect(ran.code).toBe(0)
    expect(ran.outputs).toMatchObject({
      mode: 'validate',
      'has-changes': 'false',
      'change-count': '0',
    })
    expect(ran.summary).toContain('Platform')
    expect(world.grafana.requests).toEqual([])
    expect(commands(ran.stdout, 'error')).toEqual([])
  })

  it('accepts the contract example verbatim, without the secret of its local user', async () => {
    const ws = makeWorkspace({ 'teams/example.yaml': CONTRACT_EXAMPLE_YAML })
    try {
      const ran = await runAction(ws, { event: 'push', inputs: { mode: 'validate' } })
      expect(commands(ran.stdout, 'error')).toEqual([])
      expect(ran.code).toBe(0)
      expect(ran.summary).toMatch(/\| Teams \| 2 \|/)
      expect(ran.summary).toMatch(/\| Okta groups referenced \| 6 \|/)
    } finally {
      ws.remove()
    }
  })

  it('names config-path when it does not exist', async () => {
    const ws = makeWorkspace({})
    try {
      const ran = await runAction(ws, {
        event: 'push',
        inputs: { mode: 'validate', 'config-path': 'grafana' },
      })
      expect(ran.code).toBe(1)
      expect(commands(ran.stdout, 'error')).toEqual([
        expect.stringMatching(
          /^::error file=grafana,line=1,col=1::config path `grafana` does not exist .*`config-path`/,
        ),
      ])
    } finally {
      ws.remove()
    }
  })

  it('annotates at most 10 problems on their YAML lines, notes the rest and lists all in the summary', async () => {
    const bad =
      'teams:\n' +
      Array.from({ length: 12 }, (_, i) => `  - name: T${i}\n    colour: red\n`).join('')
    world = await startWorld({ 'teams/bad.yaml': bad })
    const ran = await run({
      event: 'pull_request',
      payload: pullRequestPayload(12),
      inputs: { mode: 'validate' },
    })
    expect(ran.code).toBe(1)
    const errors = commands(ran.stdout, 'error')
    expect(errors).toHaveLength(10)
    errors.forEach((line, i) =>
      expect(line).toMatch(
        new RegExp(`^::error file=teams/bad\\.yaml,line=${3 + 2 * i},col=5::.*colour`),
      ),
    )
    expect(commands(ran.stdout, 'notice')).toEqual([
      '::notice::…and 2 more config problems, listed in the job summary.',
    ])
    for (let i = 0; i < 12; i++) expect(ran.summary).toContain(`teams/bad.yaml:${3 + 2 * i}:5`)
    expect(world.grafana.requests).toEqual([])
  })

  it('fails a plan on an invalid config without reading Grafana, and says so on the pull request', async () => {
    world = await startWorld({ 'teams/bad.yaml': 'teams:\n  - name: T\n    colour: red\n' })
    const ran = await run(pullRequest(world))
    expect(ran.code).toBe(1)
    expect(commands(ran.stdout, 'error')[0]).toMatch(
      /^::error file=teams\/bad\.yaml,line=3,col=5::/,
    )
    expect(world.grafana.requests).toEqual([])
    const [comment] = world.github.comments(REPOSITORY, 12)
    expect(comment?.body).toContain('<!-- grafana-team-sync:plan {"configPath":"teams","target":')
    expect(comment?.body).toContain('colour')
  })
})

describe('pull request plan', () => {
  it('creates one sticky comment, updates it when the plan changes and skips an unchanged body', async () => {
    world = await startWorld()
    const first = await run(pullRequest(world))
    expect(first.code).toBe(0)
    expect(first.outputs).toMatchObject({
      mode: 'plan',
      'has-changes': 'true',
      applied: '0',
      failed: '0',
    })
    const comments = world.github.comments(REPOSITORY, 12)
    expect(comments).toHaveLength(1)
    expect(comments[0]!.body).toContain(
      '<!-- grafana-team-sync:plan {"configPath":"teams","target":',
    )
    expect(comments[0]!.body.length).toBeLessThanOrEqual(60_000)
    expect(first.outputs['comment-id']).toBe(String(comments[0]!.id))
    expect(world.grafana.writes()).toEqual([])

    world.okta.addMember(world.oktaGroup, world.oktaUsers.frank)
    world.github.clearRequests()
    const second = await run(pullRequest(world))
    expect(second.code).toBe(0)
    expect(world.github.writes().map((r) => r.method)).toEqual(['PATCH'])
    expect(world.github.comments(REPOSITORY, 12)).toHaveLength(1)
    expect(world.github.comments(REPOSITORY, 12)[0]!.body).not.toBe(comments[0]!.body)
    expect(second.outputs['comment-id']).toBe(String(comments[0]!.id))

    world.github.clearRequests()
    const third = await run(pullRequest(world))
    expect(third.code).toBe(0)
    expect(world.github.writes()).toEqual([])
    expect(world.github.comments(REPOSITORY, 12)).toHaveLength(1)
    expectNoSecrets(world, third)
  })

  it('plans and comments for a minimal pull_request payload with only the number', async () => {
    world = await startWorld()
    const ran = await run({
      ...pullRequest(world, world.credentials, 42),
      payload: { pull_request: { number: 42 } },
    })
    expect(ran.code).toBe(0)
    expect(ran.outputs.mode).toBe('plan')
    expect(world.github.comments(REPOSITORY, 42)).toHaveLength(1)
  })

  it('writes the outputs, the plan file and the job summary', async () => {
    world = await startWorld()
    const ran = await run(pullRequest(world))
    const plan = JSON.parse(readFileSync(ran.outputs['plan-file']!, 'utf8')) as {
      plan?: { changes: unknown[] }
      changes?: unknown[]
    }
    const changes = (plan.plan ?? plan).changes!
    expect(ran.outputs['plan-file']).toBe(`${world.ws.runnerTemp}/grafana-team-sync-plan.json`)
    expect(ran.outputs['change-count']).toBe(String(changes.length))
    expect(changes.length).toBeGreaterThan(0)
    const counts = JSON.parse(ran.outputs.counts!) as Record<string, number>
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(changes.length)
    expect(counts['add-team-member']).toBeGreaterThan(0)
    expect(ran.summary).toContain('Platform')
    expect(Object.keys(ran.outputs).sort()).toEqual(OUTPUT_NAMES)
  })

  it('fails a plan with changes when fail-on-changes is set', async () => {
    world = await startWorld()
    const ran = await run(pullRequest(world, { ...world.credentials, 'fail-on-changes': 'true' }))
    expect(ran.code).toBe(1)
    expect(commands(ran.stdout, 'error').join('\n')).toContain('fail-on-changes')
  })

  it('refuses apply on a pull request event without touching Grafana', async () => {
    world = await startWorld()
    const ran = await run(pullRequest(world, { ...world.credentials, mode: 'apply' }))
    expect(ran.code).toBe(1)
    expect(commands(ran.stdout, 'error').join('\n')).toContain(
      '"apply" is refused on pull_request events',
    )
    expect(world.grafana.requests).toEqual([])
    expect(ran.summary).toContain('refused')
  })

  it('only validates a pull request from a fork, with a notice, and touches neither Grafana nor GitHub', async () => {
    world = await startWorld()
    const ran = await run({
      ...pullRequest(world),
      payload: pullRequestPayload(12, 'mallory/grafana-access'),
    })
    expect(ran.code).toBe(0)
    expect(ran.outputs.mode).toBe('validate')
    expect(commands(ran.stdout, 'notice').join('\n')).toContain('fork')
    expect(world.grafana.requests).toEqual([])
    expect(world.okta.requests).toEqual([])
    expect(world.github.requests).toEqual([])
    expect(ran.summary).toContain('fork')
  })

  it('only validates a fork pull request whose config has a local user, whose password secret forks do not get', async () => {
    world = await startWorld({ 'teams/example.yaml': CONTRACT_EXAMPLE_YAML })
    const ran = await run({
      ...pullRequest(world),
      payload: pullRequestPayload(12, 'mallory/grafana-access'),
      env: { OFFICE_TV_PASSWORD: '' },
    })
    expect(commands(ran.stdout, 'error')).toEqual([])
    expect(ran.code).toBe(0)
    expect(ran.outputs.mode).toBe('validate')
  })

  it('only validates without credentials, with a notice naming the inputs', async () => {
    world = await startWorld()
    const ran = await run(pullRequest(world, {}))
    expect(ran.code).toBe(0)
    expect(ran.outputs.mode).toBe('validate')
    expect(commands(ran.stdout, 'notice').join('\n')).toContain('grafana-url')
    expect(world.grafana.requests).toEqual([])
  })

  it('warns instead of failing when the GitHub token is read-only', async () => {
    world = await startWorld()
    world.github.readOnly = true
    const ran = await run(pullRequest(world))
    expect(ran.code).toBe(0)
    const warnings = commands(ran.stdout, 'warning').join('\n')
    expect(warnings).toContain('403')
    expect(warnings).toContain('job summary')
    expect(ran.summary).toContain('Platform')
    expect(ran.outputs['comment-id']).toBe('')
  })
})

describe('apply', () => {
  it('applies on a push to the default branch and comments the result on the merged pull request', async () => {
    world = await startWorld()
    world.github.addPullRequest(
      REPOSITORY,
      { number: 31, mergedAt: '2026-11-20T10:00:00Z', mergeCommitSha: MERGE_SHA },
      { visibleAfterCalls: 1 },
    )
    world.github.addPullRequest(REPOSITORY, { number: 30, commits: [MERGE_SHA] })
    const ran = await run(push(world))
    expect(ran.code).toBe(0)
    expect(teamMembers(world.grafana, 'Platform')).toEqual(['bob:A', 'carol', 'dave', 'erin'])
    expect(ran.outputs).toMatchObject({ mode: 'apply', failed: '0' })
    expect(Number(ran.outputs.applied)).toBeGreaterThan(0)
    const [comment] = world.github.comments(REPOSITORY, 31)
    expect(comment?.body).toContain('<!-- grafana-team-sync:apply')
    expect(ran.outputs['comment-id']).toBe(String(comment?.id))
    expect(world.github.comments(REPOSITORY, 30)).toEqual([])
    expectNoSecrets(world, ran)
  })

  it('applies with basic auth and never shows the password or the derived header', async () => {
    world = await startWorld()
    const basic = {
      ...world.credentials,
      'grafana-username': 'admin',
      'grafana-password': world.secrets[1]!,
    }
    delete (basic as Record<string, string>)['grafana-token']
    const ran = await run(push(world, basic))
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain(`::add-mask::${world.secrets[2]}`)
    expectNoSecrets(world, ran)
  })

  it('keeps the report in the summary when no merged pull request is found', async () => {
    world = await startWorld()
    const ran = await run(push(world))
    expect(ran.code).toBe(0)
    expect(ran.outputs['comment-id']).toBe('')
    expect(world.github.writes()).toEqual([])
    expect(world.github.requests.filter((r) => r.path.endsWith('/pulls'))).toHaveLength(3)
  })

  it('corrects drift on schedule: extra member removed, permission fixed, missing members added', async () => {
    world = await startWorld()
    world.grafana.addTeam(1, 'Platform', {
      email: 'platform@acme.example',
      members: [
        { userId: world.users.bob, permission: 0 },
        { userId: world.users.carol, permission: 0 },
        { userId: world.users.mallory, permission: 0 },
      ],
    })
    const ran = await run({
      event: 'schedule',
      payload: { schedule: '23 5 * * 1-5' },
      inputs: world.credentials,
    })
    expect(ran.code).toBe(0)
    expect(teamMembers(world.grafana, 'Platform')).toEqual(['bob:A', 'carol', 'dave', 'erin'])
    // A success only looks for a failure issue to close.
    expect(world.github.writes()).toEqual([])

    world.grafana.clearRequests()
    const again = await run({ event: 'schedule', inputs: world.credentials })
    expect(again.outputs).toMatchObject({
      mode: 'apply',
      'has-changes': 'false',
      'change-count': '0',
    })
    expect(world.grafana.writes()).toEqual([])
  })

  it('plans on workflow_dispatch with dry-run and applies without it', async () => {
    world = await startWorld()
    const dry = await run({
      event: 'workflow_dispatch',
      payload: { inputs: { 'dry-run': 'true' }, repository: repoPayload },
      inputs: world.credentials,
    })
    expect(dry.code).toBe(0)
    expect(dry.outputs).toMatchObject({ mode: 'plan', 'has-changes': 'true' })
    expect(world.grafana.writes()).toEqual([])

    const wet = await run({
      event: 'workflow_dispatch',
      payload: { inputs: { 'dry-run': false }, repository: repoPayload },
      inputs: world.credentials,
    })
    expect(wet.code).toBe(0)
    expect(wet.outputs.mode).toBe('apply')
    expect(teamMembers(world.grafana, 'Platform')).toEqual(['bob:A', 'carol', 'dave', 'erin'])
  })

  it('blocks an apply that trips a safety guard, naming the guard, and writes nothing', async () => {
    world = await startWorld()
    const { bob, carol, dave, erin, mallory } = world.users
    const extra = ['p1', 'p2', 'p3', 'p4'].map((login) =>
      world.grafana.addUser({ login, email: `${login}@acme.example`, orgs: { 1: 'Viewer' } }),
    )
    world.grafana.addTeam(1, 'Platform', {
      email: 'platform@acme.example',
      members: [bob, carol, dave, erin, mallory, ...extra].map(
        (userId) => ({ userId, permission: userId === bob ? 4 : 0 }) as const,
      ),
    })
    const ran = await run({ event: 'schedule', inputs: world.credentials })
    expect(ran.code).toBe(1)
    const errors = commands(ran.stdout, 'error').join('\n')
    expect(errors).toContain('Apply blocked by safety guards maxRemovals (run: 5 removals')
    expect(errors).toContain('maxRemovalsPerTeam (Main Org. / Platform: 5 removals')
    expect(errors).toContain('force: true')
    expect(world.grafana.writes()).toEqual([])
    expect(ran.outputs).toMatchObject({ mode: 'apply', applied: '0' })

    const forced = await run({ event: 'schedule', inputs: { ...world.credentials, force: 'true' } })
    expect(forced.code).toBe(0)
    expect(teamMembers(world.grafana, 'Platform')).toEqual(['bob:A', 'carol', 'dave', 'erin'])
  })

  it('applies the rest and fails when an Okta group cannot be read, removing nobody for it', async () => {
    world = await startWorld()
    world.grafana.addTeam(1, 'Platform', {
      email: 'platform@acme.example',
      members: [{ userId: world.users.mallory, permission: 0 }],
    })
    world.okta.faults.inject({ path: /^\/api\/v1\/groups\/[^/]+\/users$/, status: 403 })
    const ran = await run({ event: 'schedule', inputs: world.credentials })
    expect(ran.code).toBe(1)
    expect(commands(ran.stdout, 'error').join('\n')).toContain('error')
    expect(teamMembers(world.grafana, 'Platform')).toEqual(['bob:A', 'carol', 'mallory'])
  })

  it('fails when Grafana rejects the credentials, naming the problem without the token', async () => {
    world = await startWorld()
    const ran = await run(
      push(world, { ...world.credentials, 'grafana-token': 'glsa_wrong_SECRET_token' }),
    )
    expect(ran.code).toBe(1)
    expect(commands(ran.stdout, 'error')).not.toEqual([])
    expect(visibleLog(ran.stdout)).not.toContain('glsa_wrong_SECRET_token')
    expect(ran.summary).not.toContain('glsa_wrong_SECRET_token')
  })
})

describe('inputs', () => {
  it('fails with a message naming a bad input and its range', async () => {
    world = await startWorld()
    const ran = await run(pullRequest(world, { ...world.credentials, concurrency: '100' }))
    expect(ran.code).toBe(1)
    expect(commands(ran.stdout, 'error').join('\n')).toContain(
      'input "concurrency" must be a whole number from 1 to 64',
    )
    expect(ran.summary).toContain('concurrency')
  })

  it('keeps a large plan comment under 60,000 characters, linking to the full job summary', async () => {
    const big = 'teams:\n  - name: Everyone\n    members:\n      oktaGroups: [Everyone]\n'
    world = await startWorld({ 'teams/big.yaml': big })
    const group = world.okta.addGroup({ name: 'Everyone' })
    for (let i = 0; i < 1500; i++) {
      const login = `person.number${String(i).padStart(4, '0')}`
      world.grafana.addUser({ login, email: `${login}@acme.example`, orgs: { 1: 'Viewer' } })
      world.okta.addMember(group, world.okta.addUser({ login: `${login}@acme.example` }))
    }
    const ran = await run(pullRequest(world))
    expect(ran.code).toBe(0)
    expect(ran.outputs['change-count']).toBe('1501')
    const [comment] = world.github.comments(REPOSITORY, 12)
    expect(comment!.body.length).toBeLessThanOrEqual(60_000)
    expect(comment!.body).toContain(SUMMARY_URL)
    expect(ran.summary.length).toBeGreaterThan(comment!.body.length)
    expect(ran.summary).toContain('person.number1499')
  })
})
