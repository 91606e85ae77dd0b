// The action's contract as a runner exercises it: the auto-mode table, outputs on every path,
// secrets in no artefact on any path, the sticky comment among many, and GitHub Enterprise Server.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { FakeGitHubOptions } from '../fakes/github.ts'
import {
  commands,
  OUTPUT_NAMES,
  REPOSITORY,
  requireBuild,
  runAction,
  type ActionOptions,
  type ActionRan,
} from './harness.ts'
import {
  expectNoSecrets,
  GITHUB_TOKEN,
  OKTA_TOKEN,
  PLATFORM_YAML,
  pullRequestPayload,
  repoPayload,
  startWorld,
  type World,
} from './world.ts'

let world: World | undefined
beforeAll(requireBuild)
afterEach(async () => {
  await world?.close()
  world = undefined
})

async function freshWorld(
  files?: Record<string, string>,
  github?: FakeGitHubOptions,
): Promise<World> {
  world = await startWorld(files, { github })
  return world
}

function run(w: World, opts: ActionOptions): Promise<ActionRan> {
  return runAction(w.ws, { githubToken: GITHUB_TOKEN, apiUrl: w.github.url, ...opts })
}

const pr = (w: World, inputs = w.credentials): ActionOptions => ({
  event: 'pull_request',
  ref: 'refs/pull/12/merge',
  payload: pullRequestPayload(12),
  inputs,
})

describe('mode auto follows the event', () => {
  const push = (ref: string, defaultBranch = 'main') => ({
    event: 'push',
    ref,
    payload: { ref, repository: { ...repoPayload, default_branch: defaultBranch } },
  })
  it.each<[string, Omit<ActionOptions, 'inputs'>, Record<string, string>, string]>([
    [
      'pull_request_target',
      { event: 'pull_request_target', ref: 'refs/heads/main', payload: pullRequestPayload(12) },
      {},
      'plan',
    ],
    [
      'merge_group',
      {
        event: 'merge_group',
        ref: 'refs/heads/gh-readonly-queue/main/pr-12-f00d',
        payload: {
          merge_group: { head_sha: 'f00d', base_ref: 'refs/heads/main' },
          repository: repoPayload,
        },
      },
      {},
      'plan',
    ],
    ['push to another branch', push('refs/heads/feature'), {}, 'plan'],
    ['push to main when the default branch is trunk', push('refs/heads/main', 'trunk'), {}, 'plan'],
    ['push to the default branch trunk', push('refs/heads/trunk', 'trunk'), {}, 'apply'],
    [
      'push to the default branch with dry-run',
      push('refs/heads/main'),
      { 'dry-run': 'true' },
      'plan',
    ],
    [
      'schedule with dry-run',
      { event: 'schedule', payload: { schedule: '0 5 * * *' } },
      { 'dry-run': 'true' },
      'plan',
    ],
    [
      'workflow_dispatch with the dry-run input',
      { event: 'workflow_dispatch', payload: { inputs: {}, repository: repoPayload } },
      { 'dry-run': 'true' },
      'plan',
    ],
    [
      'workflow_dispatch',
      { event: 'workflow_dispatch', payload: { inputs: {}, repository: repoPayload } },
      {},
      'apply',
    ],
  ])('%s → %s', async (_name, event, inputs, mode) => {
    const w = await freshWorld()
    const ran = await run(w, { ...event, inputs: { ...w.credentials, ...inputs } })
    expect(ran.code).toBe(0)
    expect(ran.outputs.mode).toBe(mode)
    expect(w.grafana.writes().length > 0).toBe(mode === 'apply')
  })

  it('explicit modes win over the event: validate reads nothing, plan writes nothing', async () => {
    const w = await freshWorld()
    const validate = await run(w, {
      event: 'schedule',
      inputs: { ...w.credentials, mode: 'validate' },
    })
    expect(validate.outputs.mode).toBe('validate')
    expect(w.grafana.requests).toEqual([])
    const plan = await run(w, { event: 'schedule', inputs: { ...w.credentials, mode: 'plan' } })
    expect(plan.outputs).toMatchObject({ mode: 'plan', 'has-changes': 'true' })
    expect(w.grafana.writes()).toEqual([])
  })

  it('refuses apply on every pull request event, naming the event', async () => {
    const w = await freshWorld()
    for (const event of ['pull_request_target', 'merge_group']) {
      const ran = await run(w, { ...pr(w, { ...w.credentials, mode: 'apply' }), event })
      expect(ran.code).toBe(1)
      expect(commands(ran.stdout, 'error').join('\n')).toContain(`refused on ${event} events`)
    }
    expect(w.grafana.requests).toEqual([])
  })

  it('validates a Dependabot pull request that has no Grafana secret, with a notice, exit 0', async () => {
    const w = await freshWorld()
    const ran = await run(w, { ...pr(w, {}), env: { GITHUB_ACTOR: 'dependabot[bot]' } })
    expect(ran.code).toBe(0)
    expect(ran.outputs.mode).toBe('validate')
    expect(commands(ran.stdout, 'notice').join('\n')).toContain('Dependabot')
  })
})

describe('outputs', () => {
  const expectAllOutputs = (ran: ActionRan) => {
    expect(Object.keys(ran.outputs).sort()).toEqual(OUTPUT_NAMES)
    expect(ran.summary.trim()).not.toBe('')
  }
  const nothingPlanned = {
    'has-changes': 'false',
    'change-count': '0',
    'pr-change-count': '0',
    counts: '{}',
    'plan-file': '',
    applied: '0',
    failed: '0',
    'comment-id': '',
  }

  it('are all set, with the summary, when only validating', async () => {
    const w = await freshWorld()
    const ran = await run(w, { event: 'push', inputs: { mode: 'validate' } })
    expectAllOutputs(ran)
    expect(ran.outputs).toEqual({ ...nothingPlanned, mode: 'validate' })
  })

  it('are all set when the config is invalid', async () => {
    const w = await freshWorld({ 'teams/bad.yaml': 'teams:\n  - name: T\n    colour: red\n' })
    const ran = await run(w, { event: 'schedule', inputs: w.credentials })
    expect(ran.code).toBe(1)
    expectAllOutputs(ran)
    expect(ran.outputs).toEqual({ ...nothingPlanned, mode: 'apply' })
  })

  it('are all set, mode empty, when an input is invalid or apply is refused', async () => {
    const w = await freshWorld()
    for (const inputs of [{ mode: 'sync' }, { ...w.credentials, mode: 'apply' }]) {
      const ran = await run(w, { ...pr(w), inputs })
      expect(ran.code).toBe(1)
      expectAllOutputs(ran)
      expect(ran.outputs).toEqual({ ...nothingPlanned, mode: '' })
    }
  })

  it('are all set when Grafana refuses the credentials', async () => {
    const w = await freshWorld()
    w.grafana.faults.inject({ status: 401 })
    const ran = await run(w, pr(w))
    expect(ran.code).toBe(1)
    expectAllOutputs(ran)
    expect(ran.outputs).toEqual({
      ...nothingPlanned,
      mode: 'plan',
      'comment-id': ran.outputs['comment-id'],
    })
  })

  it('still name the plan file when it had to be written into a fresh RUNNER_TEMP', async () => {
    const w = await freshWorld()
    const temp = join(mkdtempSync(join(tmpdir(), 'gts-temp-')), 'not', 'yet')
    const ran = await run(w, { ...pr(w), env: { RUNNER_TEMP: temp } })
    expect(ran.code).toBe(0)
    expect(ran.outputs['plan-file']).toBe(join(temp, 'grafana-team-sync-plan.json'))
  })
})

describe('secrets appear in no artefact', () => {
  // Each service echoes what it received, as a misconfigured proxy or a verbose error page might.
  const grafanaEcho = (w: World) =>
    `upstream rejected Authorization: Bearer ${w.grafanaToken} / Basic ${w.secrets[2]} (${w.secrets[1]})`
  const oktaEcho = () => `upstream rejected Authorization: SSWS ${OKTA_TOKEN}`
  const githubEcho = () => `upstream rejected Authorization: token ${GITHUB_TOKEN}`
  const basicAuth = (w: World) => ({
    ...w.credentials,
    'grafana-username': 'admin',
    'grafana-password': w.secrets[1]!,
  })
  const merged = (w: World) =>
    w.github.addPullRequest(REPOSITORY, {
      number: 31,
      mergedAt: '2026-11-20T10:00:00Z',
      mergeCommitSha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    })
  it.each<[string, (w: World) => ActionOptions, number]>([
    ['plan on a pull request', (w) => pr(w), 0],
    [
      'apply with basic auth and a token',
      (w) => (
        merged(w),
        { event: 'push', payload: { repository: repoPayload }, inputs: basicAuth(w) }
      ),
      0,
    ],
    [
      'apply with the password in the Grafana URL',
      (w) => {
        const url = new URL(w.grafana.url)
        url.username = 'admin'
        url.password = w.secrets[1]!
        return {
          event: 'schedule',
          inputs: { ...w.credentials, 'grafana-url': url.toString(), 'grafana-token': '' },
        }
      },
      0,
    ],
    [
      'Grafana answers 401 echoing the credentials',
      (w) => (w.grafana.faults.inject({ status: 401, body: grafanaEcho(w) }), pr(w, basicAuth(w))),
      1,
    ],
    [
      'Grafana answers 500 echoing the credentials',
      (w) => (w.grafana.faults.inject({ status: 500, body: grafanaEcho(w) }), pr(w, basicAuth(w))),
      1,
    ],
    [
      'Grafana fails writes with 500',
      (w) => (
        w.grafana.faults.inject({ method: 'POST', status: 500, body: grafanaEcho(w) }),
        { event: 'schedule', inputs: basicAuth(w) }
      ),
      1,
    ],
    [
      'Okta answers 401 echoing the token',
      (w) => (w.okta.faults.inject({ status: 401, body: oktaEcho() }), pr(w)),
      1,
    ],
    [
      'Okta answers 500',
      (w) => (
        w.okta.faults.inject({ status: 500, body: oktaEcho() }),
        { event: 'schedule', inputs: w.credentials }
      ),
      1,
    ],
    [
      'GitHub refuses the comment echoing the token',
      (w) => (
        w.github.faults.inject({
          method: 'POST',
          status: 403,
          body: JSON.stringify({ message: githubEcho() }),
        }),
        pr(w)
      ),
      0,
    ],
    [
      'an invalid input',
      (w) =>
        pr(w, {
          ...basicAuth(w),
          'grafana-url': `ftp://admin:${w.secrets[1]}@grafana.example`,
          concurrency: '0',
        }),
      1,
    ],
    [
      'an invalid config',
      (w) => (
        w.ws.write('teams/bad.yaml', 'teams:\n  - name: T\n    colour: red\n'),
        pr(w, basicAuth(w))
      ),
      1,
    ],
    ['apply refused on a pull request', (w) => pr(w, { ...basicAuth(w), mode: 'apply' }), 1],
  ])('%s', async (_name, scenario, code) => {
    const w = await freshWorld()
    const ran = await run(w, scenario(w))
    expect(ran.code).toBe(code)
    expectNoSecrets(w, ran)
  })
})

describe('sticky plan comment', () => {
  const OWN = { login: 'github-actions[bot]', type: 'Bot' } as const

  it('finds its comment among more than 100 by marker and author, and updates only that one', async () => {
    const w = await freshWorld()
    const first = await run(w, pr(w))
    const [own] = w.github.comments(REPOSITORY, 12)
    for (let i = 0; i < 130; i++) w.github.addComment(REPOSITORY, 12, { body: `review note ${i}` })
    const planted = w.github.addComment(REPOSITORY, 12, { body: own!.body, login: 'mallory' })
    w.github.addComment(REPOSITORY, 12, { body: 'LGTM', ...OWN })
    w.okta.addMember(w.oktaGroup, w.oktaUsers.frank)
    w.github.clearRequests()
    const second = await run(w, pr(w))
    expect(second.outputs['comment-id']).toBe(first.outputs['comment-id'])
    expect(w.github.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `PATCH /repos/${REPOSITORY}/issues/comments/${own!.id}`,
    ])
    const comments = w.github.comments(REPOSITORY, 12)
    expect(comments.find((c) => c.id === planted)?.body).toBe(own!.body)
    expect(comments.find((c) => c.id === own!.id)?.body).not.toBe(own!.body)
  })

  it('leaves the comment alone when only the reads differ (a retry, more data), not the plan', async () => {
    const w = await freshWorld()
    await run(w, pr(w))
    w.grafana.addUser({ login: 'zed', email: 'zed@acme.example', orgs: { 1: 'Viewer' } })
    w.grafana.faults.inject({ path: '/api/teams/search', status: 503, times: 1 })
    w.github.clearRequests()
    const again = await run(w, pr(w))
    expect(again.code).toBe(0)
    expect(again.summary).toContain('1 retry')
    expect(w.github.writes()).toEqual([])
  })

  it('pages on without Link headers and keeps one comment', async () => {
    const w = await freshWorld(undefined, { noLinkHeaders: true })
    for (let i = 0; i < 100; i++) w.github.addComment(REPOSITORY, 12, { body: `note ${i}` })
    await run(w, pr(w))
    w.okta.addMember(w.oktaGroup, w.oktaUsers.frank)
    await run(w, pr(w))
    expect(w.github.comments(REPOSITORY, 12).filter((c) => c.user.type === 'Bot')).toHaveLength(1)
  })

  it('keeps one comment per config path', async () => {
    const w = await freshWorld({
      'teams/platform.yaml': PLATFORM_YAML,
      'staging/platform.yaml': PLATFORM_YAML,
    })
    await run(w, pr(w))
    await run(w, pr(w, { ...w.credentials, 'config-path': 'staging' }))
    await run(w, pr(w))
    expect(w.github.comments(REPOSITORY, 12)).toHaveLength(2)
  })

  it('talks to GitHub Enterprise Server at GITHUB_API_URL only', async () => {
    const w = await freshWorld(undefined, { pathPrefix: '/api/v3' })
    const ran = await run(w, pr(w))
    expect(ran.code).toBe(0)
    expect(w.github.comments(REPOSITORY, 12)).toHaveLength(1)
    expect(ran.outputs['comment-id']).toBe(String(w.github.comments(REPOSITORY, 12)[0]!.id))
    expectNoSecrets(w, ran)
  })
})

describe('annotations', () => {
  it('name files relative to GITHUB_WORKSPACE whatever the working directory and config path', async () => {
    const w = await freshWorld({ 'teams/bad.yaml': 'teams:\n  - name: T\n    colour: red\n' })
    const ran = await run(w, {
      event: 'push',
      inputs: { mode: 'validate', 'config-path': join(w.ws.dir, 'teams') },
      cwd: tmpdir(),
    })
    expect(ran.code).toBe(1)
    expect(commands(ran.stdout, 'error')[0]).toMatch(
      /^::error file=teams\/bad\.yaml,line=3,col=5::/,
    )
  })
})
