import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startFakeGitHub, type FakeGitHub } from './github.ts'

let gh: FakeGitHub
beforeEach(async () => {
  gh = await startFakeGitHub()
})
afterEach(async () => {
  await gh.close()
})

async function call(method: string, path: string, body?: unknown, token = gh.token) {
  const res = await fetch(gh.url + path, {
    method,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return {
    status: res.status,
    link: res.headers.get('link'),
    body: text ? JSON.parse(text) : undefined,
  }
}

const bodies = (list: unknown) => (list as { body: string }[]).map((c) => c.body)

describe('fake GitHub issue comments', () => {
  it('pages with per_page and page and links next and last', async () => {
    for (let i = 0; i < 5; i++) gh.addComment('acme/app', 3, { body: `c${i}` })
    const first = await call('GET', '/repos/acme/app/issues/3/comments?per_page=2')
    expect(bodies(first.body)).toEqual(['c0', 'c1'])
    expect(first.link).toContain(
      `<${gh.url}/repos/acme/app/issues/3/comments?per_page=2&page=2>; rel="next"`,
    )
    expect(first.link).toContain('page=3>; rel="last"')
    const last = await call('GET', '/repos/acme/app/issues/3/comments?per_page=2&page=3')
    expect(bodies(last.body)).toEqual(['c4'])
    expect(last.link).not.toContain('rel="next"')
  })

  it('creates as the token identity with 201 and edits in place', async () => {
    const created = await call('POST', '/repos/acme/app/issues/3/comments', { body: 'hello' })
    expect(created.status).toBe(201)
    expect(created.body.user).toMatchObject({ login: 'github-actions[bot]', type: 'Bot' })
    const edited = await call('PATCH', `/repos/acme/app/issues/comments/${created.body.id}`, {
      body: 'bye',
    })
    expect(edited.status).toBe(200)
    expect(gh.comments('acme/app', 3).map((c) => c.body)).toEqual(['bye'])
  })

  it('rejects bodies over 65,536 characters with GitHub 422 message', async () => {
    const res = await call('POST', '/repos/acme/app/issues/3/comments', {
      body: 'x'.repeat(65_537),
    })
    expect(res.status).toBe(422)
    expect(res.body.errors[0].message).toBe('Body is too long (maximum is 65536 characters)')
    expect(
      (await call('POST', '/repos/acme/app/issues/3/comments', { body: 'x'.repeat(65_536) }))
        .status,
    ).toBe(201)
  })

  it('answers writes of a read-only token with 403 Resource not accessible by integration', async () => {
    gh.readOnly = true
    const res = await call('POST', '/repos/acme/app/issues/3/comments', { body: 'x' })
    expect(res.status).toBe(403)
    expect(res.body.message).toBe('Resource not accessible by integration')
    expect((await call('GET', '/repos/acme/app/issues/3/comments')).status).toBe(200)
  })

  it('answers a wrong token with 401 and records every request', async () => {
    expect((await call('GET', '/repos/acme/app/issues/3/comments', undefined, 'nope')).status).toBe(
      401,
    )
    expect(gh.requests).toHaveLength(1)
    expect(gh.requests[0]).toMatchObject({ method: 'GET', status: 401 })
  })
})

describe('fake GitHub identity and pulls', () => {
  it('refuses GET /user for an installation token and answers it for a user token', async () => {
    expect((await call('GET', '/user')).body.message).toBe('Resource not accessible by integration')
    gh.installationToken = false
    gh.identity = { login: 'sync-bot', type: 'User' }
    expect((await call('GET', '/user')).body).toMatchObject({ login: 'sync-bot', type: 'User' })
  })

  it('associates a merged PR with its merge commit only after N lookups', async () => {
    gh.addPullRequest(
      'acme/app',
      { number: 9, mergedAt: '2026-11-01T00:00:00Z', mergeCommitSha: 'abc' },
      { visibleAfterCalls: 2 },
    )
    expect((await call('GET', '/repos/acme/app/commits/abc/pulls')).body).toEqual([])
    expect((await call('GET', '/repos/acme/app/commits/abc/pulls')).body).toEqual([])
    const found = await call('GET', '/repos/acme/app/commits/abc/pulls')
    expect(found.body).toMatchObject([{ number: 9, merge_commit_sha: 'abc', state: 'closed' }])
  })
})

describe('fake GitHub faults', () => {
  it('answers an injected 502 and then recovers', async () => {
    gh.faults.inject({ method: 'GET', path: /\/comments$/, status: 502, times: 1 })
    expect((await call('GET', '/repos/acme/app/issues/3/comments')).status).toBe(502)
    expect((await call('GET', '/repos/acme/app/issues/3/comments')).status).toBe(200)
    expect(gh.requests.map((r) => r.status)).toEqual([502, 200])
  })
})

describe('fake GitHub git trees and blobs', () => {
  beforeEach(() => {
    gh.addCommit('acme/app', {
      sha: 'c0ffee',
      files: { 'teams/a.yaml': 'teams: []\n', 'teams/link.yaml': { symlink: 'a.yaml' } },
      parents: ['beef'],
    })
  })

  it('lists every level with recursive=1, only the top without, with git blob ids and modes', async () => {
    const top = await call('GET', '/repos/acme/app/git/trees/c0ffee')
    const topTree = (top.body as { tree: { path: string }[] }).tree
    expect(topTree.map((e) => e.path)).toEqual(['teams'])
    const all = await call('GET', '/repos/acme/app/git/trees/c0ffee?recursive=1')
    expect(all.body.truncated).toBe(false)
    expect(all.body.tree).toEqual([
      expect.objectContaining({ path: 'teams', mode: '040000', type: 'tree' }),
      expect.objectContaining({
        path: 'teams/a.yaml',
        mode: '100644',
        type: 'blob',
        // `printf 'teams: []\n' | git hash-object --stdin`
        sha: '6ebd35e0739ee4413f470261b957347a039333ff',
        size: 10,
      }),
      expect.objectContaining({ path: 'teams/link.yaml', mode: '120000', type: 'blob' }),
    ])
  })

  it('serves a blob as base64 and its commit with parents', async () => {
    const tree = await call('GET', '/repos/acme/app/git/trees/c0ffee?recursive=1')
    const sha = (tree.body.tree as { path: string; sha: string }[]).find(
      (e) => e.path === 'teams/a.yaml',
    )!.sha
    const blob = await call('GET', `/repos/acme/app/git/blobs/${sha}`)
    expect(blob.body.encoding).toBe('base64')
    const content = (blob.body as { content: string }).content
    expect(Buffer.from(content, 'base64').toString()).toBe('teams: []\n')
    const commit = await call('GET', '/repos/acme/app/commits/c0ffee')
    expect(commit.body.parents).toEqual([expect.objectContaining({ sha: 'beef' })])
  })

  it('answers 403 without contents read and 404 for an unknown commit', async () => {
    expect((await call('GET', '/repos/acme/app/git/trees/nope')).status).toBe(404)
    gh.contentsRead = false
    expect((await call('GET', '/repos/acme/app/git/trees/c0ffee')).status).toBe(403)
  })
})
