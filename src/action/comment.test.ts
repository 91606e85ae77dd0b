import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startFakeGitHub, type FakeGitHub } from '../../test/fakes/github.ts'
import {
  applyMarker,
  pickStickyComment,
  planMarker,
  targetKey,
  upsertStickyComment,
} from './comment.ts'
import { findMergedPullRequest, lookupDelays } from './merged-pr.ts'
import { createGitHubClient, type GitHubClient } from './github.ts'

let gh: FakeGitHub
let client: GitHubClient
const target = { owner: 'acme', repo: 'grafana', issue: 12 }
const marker = planMarker('teams')
const silent = { warning: () => {}, debug: () => {} }

beforeEach(async () => {
  gh = await startFakeGitHub()
  client = await createGitHubClient(gh.token, { GITHUB_API_URL: gh.url }, silent)
})
afterEach(async () => {
  await gh.close()
})

describe('markers', () => {
  it('keys the plan marker by the normalised config path', () => {
    expect(planMarker('./teams/')).toBe('<!-- grafana-team-sync:plan {"configPath":"teams"} -->')
    expect(planMarker('grafana/prod')).not.toBe(planMarker('grafana/staging'))
    expect(applyMarker('teams', 'abc')).toBe(
      '<!-- grafana-team-sync:apply {"configPath":"teams","sha":"abc"} -->',
    )
  })
})

describe('pickStickyComment', () => {
  const bot = { login: 'github-actions[bot]', type: 'Bot' }
  it('takes the newest comment with the marker by the identity', () => {
    const comments = [
      { id: 1, body: `${marker} old`, user: bot },
      { id: 5, body: `${marker} planted`, user: { login: 'mallory', type: 'User' } },
      { id: 3, body: `${marker} new`, user: bot },
      { id: 7, body: `${planMarker('other')} other path`, user: bot },
    ]
    expect(pickStickyComment(comments, marker, undefined)?.id).toBe(3)
    expect(pickStickyComment(comments, marker, 'mallory')?.id).toBe(5)
    expect(pickStickyComment(comments, marker, 'someone-else')).toBeUndefined()
  })
})

describe('upsertStickyComment', () => {
  it('creates, then updates in place, then skips an unchanged body', async () => {
    const first = await upsertStickyComment(client, target, marker, 'plan A')
    expect(first.action).toBe('created')
    const second = await upsertStickyComment(client, target, marker, 'plan B')
    expect(second).toEqual({ id: first.id, action: 'updated' })
    gh.clearRequests()
    const third = await upsertStickyComment(client, target, marker, 'plan B')
    expect(third).toEqual({ id: first.id, action: 'unchanged' })
    expect(gh.writes()).toEqual([])
    expect(gh.comments('acme/grafana', 12).map((c) => c.body)).toEqual([`${marker}\nplan B`])
  })

  it('finds its comment beyond the first page of 100', async () => {
    gh.addComment('acme/grafana', 12, {
      body: `${marker}\nold plan`,
      login: 'github-actions[bot]',
      type: 'Bot',
    })
    for (let i = 0; i < 150; i++) gh.addComment('acme/grafana', 12, { body: `chatter ${i}` })
    const write = await upsertStickyComment(client, target, marker, 'new plan')
    expect(write.action).toBe('updated')
    expect(
      gh.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/comments')),
    ).toHaveLength(2)
    expect(gh.requests.find((r) => r.path.endsWith('/comments'))?.query.per_page).toBe('100')
  })

  it('ignores a marker planted by a person and creates its own comment', async () => {
    gh.addComment('acme/grafana', 12, {
      body: `${marker}\nfake plan`,
      login: 'mallory',
      type: 'User',
    })
    expect((await upsertStickyComment(client, target, marker, 'real plan')).action).toBe('created')
    expect(gh.comments('acme/grafana', 12)).toHaveLength(2)
  })

  it('matches by login when the token may read GET /user', async () => {
    gh.installationToken = false
    gh.identity = { login: 'sync-bot', type: 'User' }
    gh.addComment('acme/grafana', 12, { body: `${marker}\nmine`, login: 'sync-bot', type: 'User' })
    gh.addComment('acme/grafana', 12, {
      body: `${marker}\nother bot`,
      login: 'other[bot]',
      type: 'Bot',
    })
    const write = await upsertStickyComment(client, target, marker, 'plan')
    expect(write).toMatchObject({ action: 'updated' })
    expect(gh.comments('acme/grafana', 12)[0]!.body).toBe(`${marker}\nplan`)
  })

  it('surfaces 403 of a read-only token as an error with the status', async () => {
    gh.readOnly = true
    await expect(upsertStickyComment(client, target, marker, 'plan')).rejects.toMatchObject({
      status: 403,
    })
  })
})

describe('findMergedPullRequest', () => {
  it('retries until GitHub associates the merge commit, ignoring open PRs with the commit', async () => {
    gh.addPullRequest('acme/grafana', { number: 4, commits: ['abc'] })
    gh.addPullRequest(
      'acme/grafana',
      { number: 8, mergedAt: '2026-11-01T00:00:00Z', mergeCommitSha: 'abc' },
      { visibleAfterCalls: 2 },
    )
    const slept: number[] = []
    const found = await findMergedPullRequest(client, target, 'abc', [0, 10, 20], (ms) => {
      slept.push(ms)
      return Promise.resolve()
    })
    expect(found).toBe(8)
    expect(slept).toEqual([10, 20])
  })

  it('gives up after the last try', async () => {
    gh.addPullRequest('acme/grafana', {
      number: 4,
      mergedAt: '2026-11-01T00:00:00Z',
      mergeCommitSha: 'other',
      commits: ['abc'],
    })
    expect(await findMergedPullRequest(client, target, 'abc', [0, 0, 0])).toBeUndefined()
    expect(gh.requests).toHaveLength(3)
  })

  it('reads its delays from the environment', () => {
    expect(lookupDelays({})).toEqual([0, 1000, 2000])
    expect(lookupDelays({ GRAFANA_TEAM_SYNC_PR_LOOKUP_DELAYS_MS: '0, 5' })).toEqual([0, 5])
    expect(lookupDelays({ GRAFANA_TEAM_SYNC_PR_LOOKUP_DELAYS_MS: 'x' })).toEqual([0, 1000, 2000])
  })
})

describe('createGitHubClient', () => {
  it('never sends the token to another origin than GITHUB_API_URL', async () => {
    const other = await startFakeGitHub({ token: gh.token })
    try {
      await expect(client.request(`GET ${other.url}/user`)).rejects.toThrow(
        /refusing to send the GitHub token/,
      )
      expect(other.requests).toEqual([])
    } finally {
      await other.close()
    }
  })
})

describe('one sticky comment per config path and target', () => {
  const prod = planMarker('teams', targetKey([{ url: 'https://grafana.acme.example' }]))
  const staging = planMarker('teams', targetKey([{ url: 'https://staging.acme.example/' }]))

  it('keys the marker by a short hash of the target', () => {
    expect(prod).toMatch(
      /^<!-- grafana-team-sync:plan \{"configPath":"teams","target":"[0-9a-f]{12}"\} -->$/,
    )
    expect(prod).not.toBe(staging)
    expect(targetKey([{ url: 'HTTPS://Grafana.acme.example/' }])).toBe(
      targetKey([{ url: 'https://grafana.acme.example' }]),
    )
    expect(targetKey([{ name: 'a', url: 'https://x' }])).not.toBe(
      targetKey([{ name: 'b', url: 'https://x' }]),
    )
  })

  it('keeps separate comments for two Grafana URLs with one config path', async () => {
    await upsertStickyComment(client, target, prod, 'prod plan', undefined, marker)
    await upsertStickyComment(client, target, staging, 'staging plan', undefined, marker)
    await upsertStickyComment(client, target, prod, 'prod plan 2', undefined, marker)
    expect(gh.comments('acme/grafana', 12).map((c) => c.body)).toEqual([
      `${prod}\nprod plan 2`,
      `${staging}\nstaging plan`,
    ])
  })

  it('updates a comment with the marker of earlier versions instead of adding one', async () => {
    const old = await upsertStickyComment(client, target, marker, 'plan by the old version')
    const write = await upsertStickyComment(client, target, prod, 'plan now', undefined, marker)
    expect(write).toEqual({ id: old.id, action: 'updated' })
    expect(gh.comments('acme/grafana', 12).map((c) => c.body)).toEqual([`${prod}\nplan now`])
  })
})
