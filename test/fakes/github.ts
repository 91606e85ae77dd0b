// A small, stateful fake of the GitHub REST API endpoints the action uses, on 127.0.0.1.
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { faultStatus, Faults, type FaultControl, type FaultRule } from './faults.ts'
import { listenOnLoopback } from './http.ts'

export interface GitHubIdentity {
  login: string
  type: 'Bot' | 'User'
}

export interface FakeGitHubOptions {
  /** The only token accepted (`token X` or `Bearer X`); default `ghs_fake_github_token`. */
  token?: string
  /** Who the token acts as; default the Actions bot, as for GITHUB_TOKEN. */
  identity?: GitHubIdentity
  /** Installation tokens, such as GITHUB_TOKEN, get 403 from GET /user; default true. */
  installationToken?: boolean
  /** A read-only token (fork pull requests): every write answers 403. */
  readOnly?: boolean
  /** Serve the API under a path, as GitHub Enterprise Server does (`/api/v3`); `url` includes it. */
  pathPrefix?: string
  /** Omit `Link` headers from comment listings (some proxies strip them). */
  noLinkHeaders?: boolean
  /** The token may read repository contents (`contents: read`); false: git endpoints answer 403. */
  contentsRead?: boolean
}

/** A file of a commit: its text, or a symbolic link (tree mode 120000) to a target path. */
export type FakeFile = string | { symlink: string }

export interface FakeCommit {
  sha: string
  files: Record<string, FakeFile>
  parents?: string[]
  /** The recursive tree listing is cut short (`truncated: true`), as GitHub does past its limits. */
  truncated?: boolean
}

export interface FakeComment {
  id: number
  body: string
  user: { login: string; id: number; type: 'Bot' | 'User' }
  created_at: string
  updated_at: string
}

export interface FakeIssue {
  number: number
  title: string
  body: string
  state: 'open' | 'closed'
  state_reason: 'completed' | 'not_planned' | 'reopened' | null
  user: { login: string; id: number; type: 'Bot' | 'User' }
  labels: { name: string }[]
  created_at: string
  updated_at: string
  closed_at: string | null
}

export interface FakePullRequest {
  number: number
  state?: 'open' | 'closed'
  /** ISO time; null or absent for an unmerged PR. */
  mergedAt?: string | null
  mergeCommitSha?: string | null
  baseRef?: string
  /** Commits the PR contains; `GET /commits/{sha}/pulls` finds it by any of them or its merge commit. */
  commits?: string[]
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  headers: Record<string, string>
  body: unknown
  status: number
}

export interface FakeGitHub {
  url: string
  token: string
  identity: GitHubIdentity
  readOnly: boolean
  installationToken: boolean
  addComment(
    repo: string,
    issue: number,
    comment: { body: string } & Partial<GitHubIdentity>,
  ): number
  comments(repo: string, issue: number): FakeComment[]
  /** `visibleAfterCalls`: the association is missing from the first N lookups (GitHub indexes it late). */
  addPullRequest(repo: string, pr: FakePullRequest, opts?: { visibleAfterCalls?: number }): void
  /** A commit whose tree and blobs the git endpoints serve, and whose parents the commits endpoint names. */
  addCommit(repo: string, commit: FakeCommit): void
  /** An issue opened by someone (default octocat); numbers are shared with pull requests. */
  addIssue(repo: string, issue: { title: string; body: string } & Partial<GitHubIdentity>): number
  issues(repo: string): FakeIssue[]
  contentsRead: boolean
  requests: RecordedRequest[]
  clearRequests(): void
  writes(): RecordedRequest[]
  faults: FaultControl
  close(): Promise<void>
}

const MAX_BODY = 65_536

/** Git's object id of a blob: SHA-1 over `blob <size>\0` and the bytes. */
function blobSha(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex')
}

function treeSha(seed: string): string {
  return createHash('sha1').update(`tree ${seed}`).digest('hex')
}
const DOCS = 'https://docs.github.com/rest'

interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export async function startFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const comments = new Map<string, FakeComment[]>()
  const pulls = new Map<string, { pr: FakePullRequest; hiddenFor: number }[]>()
  const userIds = new Map<string, number>()
  const commits = new Map<string, FakeCommit>()
  const issues = new Map<string, FakeIssue[]>()
  let nextIssueNumber = 500
  const blobs = new Map<string, Buffer>()
  let nextCommentId = 1_000_001
  let clock = Date.parse('2026-11-01T12:00:00Z')
  const requests: RecordedRequest[] = []
  const faults = new Faults()

  const userOf = (who: GitHubIdentity) => {
    if (!userIds.has(who.login)) userIds.set(who.login, 41_000 + userIds.size)
    return { login: who.login, id: userIds.get(who.login)!, type: who.type }
  }
  const thread = (repo: string, issue: number) => {
    const key = `${repo.toLowerCase()}#${issue}`
    if (!comments.has(key)) comments.set(key, [])
    return comments.get(key)!
  }
  const tick = () => new Date((clock += 1000)).toISOString()
  const fake: FakeGitHub = {
    url: '',
    token: opts.token ?? 'ghs_fake_github_token',
    identity: opts.identity ?? { login: 'github-actions[bot]', type: 'Bot' },
    readOnly: opts.readOnly ?? false,
    installationToken: opts.installationToken ?? true,
    addComment(repo, issue, c) {
      const at = tick()
      const user = userOf({ login: c.login ?? 'octocat', type: c.type ?? 'User' })
      const comment = { id: nextCommentId++, body: c.body, user, created_at: at, updated_at: at }
      thread(repo, issue).push(comment)
      return comment.id
    },
    comments: (repo, issue) => thread(repo, issue).map((c) => ({ ...c })),
    addPullRequest(repo, pr, o = {}) {
      const list = pulls.get(repo.toLowerCase()) ?? []
      list.push({ pr, hiddenFor: o.visibleAfterCalls ?? 0 })
      pulls.set(repo.toLowerCase(), list)
    },
    addCommit(repo, commit) {
      commits.set(`${repo.toLowerCase()}@${commit.sha}`, commit)
      for (const file of Object.values(commit.files)) {
        const bytes = Buffer.from(typeof file === 'string' ? file : file.symlink)
        blobs.set(blobSha(bytes), bytes)
      }
    },
    addIssue(repo, issue) {
      const user = userOf({ login: issue.login ?? 'octocat', type: issue.type ?? 'User' })
      return openIssue(repo, issue.title, issue.body, user).number
    },
    issues: (repo) => (issues.get(repo.toLowerCase()) ?? []).map((i) => ({ ...i })),
    contentsRead: opts.contentsRead ?? true,
    requests,
    clearRequests: () => void requests.splice(0),
    writes: () => requests.filter((r) => r.method !== 'GET'),
    faults,
    close: () => listening.close(),
  }

  const error = (status: number, message: string, doc: string, extra: object = {}): Reply => ({
    status,
    body: { message, documentation_url: `${DOCS}/${doc}`, status: String(status), ...extra },
  })
  const forbidden = (doc: string) => error(403, 'Resource not accessible by integration', doc)
  const notFound = () => error(404, 'Not Found', '')
  const validateBody = (body: unknown): Reply | string => {
    const text = (body as { body?: unknown } | undefined)?.body
    if (typeof text !== 'string')
      return error(422, 'Invalid request.\n\n"body" wasn\'t supplied.', 'issues/comments')
    if (text.length > MAX_BODY) {
      return error(422, 'Validation Failed', 'issues/comments', {
        errors: [
          {
            resource: 'IssueComment',
            code: 'custom',
            field: 'body',
            message: `Body is too long (maximum is ${MAX_BODY} characters)`,
          },
        ],
      })
    }
    return text
  }

  function listComments(
    repo: string,
    issue: number,
    query: Record<string, string>,
    path: string,
  ): Reply {
    const perPage = Math.min(Math.max(Number(query.per_page ?? 30) || 30, 1), 100)
    const page = Math.max(Number(query.page ?? 1) || 1, 1)
    const all = thread(repo, issue)
    const last = Math.max(Math.ceil(all.length / perPage), 1)
    const link = (p: number, rel: string) =>
      `<${fake.url}${path}?per_page=${perPage}&page=${p}>; rel="${rel}"`
    const links = []
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'))
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
    const headers: Record<string, string> =
      links.length && !opts.noLinkHeaders ? { link: links.join(', ') } : {}
    return { status: 200, body: all.slice((page - 1) * perPage, page * perPage), headers }
  }

  function pullsForCommit(repo: string, sha: string): Reply {
    const found = []
    for (const entry of pulls.get(repo.toLowerCase()) ?? []) {
      const { pr } = entry
      if (!(pr.commits ?? []).includes(sha) && pr.mergeCommitSha !== sha) continue
      if (entry.hiddenFor > 0) {
        entry.hiddenFor--
        continue
      }
      found.push({
        number: pr.number,
        state: pr.state ?? (pr.mergedAt ? 'closed' : 'open'),
        merged_at: pr.mergedAt ?? null,
        merge_commit_sha: pr.mergeCommitSha ?? null,
        base: { ref: pr.baseRef ?? 'main' },
        html_url: `https://github.com/${repo}/pull/${pr.number}`,
      })
    }
    return { status: 200, body: found }
  }

  /** GET /repos/{owner}/{repo}/git/trees/{sha}: blobs and their folders; `recursive` lists every level. */
  function tree(repo: string, sha: string, query: Record<string, string>): Reply {
    const commit = commits.get(`${repo.toLowerCase()}@${sha}`)
    if (!commit) return error(404, 'Not Found', 'git/trees#get-a-tree')
    const recursive = query.recursive !== undefined && query.recursive !== ''
    const entries = new Map<string, object>()
    for (const [path, file] of Object.entries(commit.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const parts = path.split('/')
      for (let i = 1; i < parts.length; i++) {
        const folder = parts.slice(0, i).join('/')
        if (!entries.has(folder))
          entries.set(folder, { path: folder, mode: '040000', type: 'tree', sha: treeSha(folder) })
      }
      const bytes = Buffer.from(typeof file === 'string' ? file : file.symlink)
      const mode = typeof file === 'string' ? '100644' : '120000'
      const blob = blobSha(bytes)
      entries.set(path, {
        path,
        mode,
        type: 'blob',
        sha: blob,
        size: bytes.length,
        url: `${fake.url}/repos/${repo}/git/blobs/${blob}`,
      })
    }
    const listed = [...entries.values()].filter(
      (e) => recursive || !(e as { path: string }).path.includes('/'),
    )
    return {
      status: 200,
      body: {
        sha: treeSha(sha),
        url: `${fake.url}/repos/${repo}/git/trees/${treeSha(sha)}`,
        tree: commit.truncated ? listed.slice(0, Math.ceil(listed.length / 2)) : listed,
        truncated: commit.truncated ?? false,
      },
    }
  }

  /** GET /repos/{owner}/{repo}/git/blobs/{sha}: base64 content in 60-character lines, as GitHub sends it. */
  function blob(repo: string, sha: string): Reply {
    const bytes = blobs.get(sha)
    if (!bytes) return error(404, 'Not Found', 'git/blobs#get-a-blob')
    const content = (bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n')
    return {
      status: 200,
      body: {
        sha,
        node_id: `B_${sha.slice(0, 12)}`,
        size: bytes.length,
        url: `${fake.url}/repos/${repo}/git/blobs/${sha}`,
        content: content ? `${content}\n` : '',
        encoding: 'base64',
      },
    }
  }

  /** GET /repos/{owner}/{repo}/commits/{ref}: the commit and its parents. */
  function commitOf(repo: string, sha: string): Reply {
    const commit = commits.get(`${repo.toLowerCase()}@${sha}`)
    if (!commit)
      return error(422, `No commit found for SHA: ${sha}`, 'commits/commits#get-a-commit')
    return {
      status: 200,
      body: {
        sha,
        parents: (commit.parents ?? []).map((p) => ({
          sha: p,
          url: `${fake.url}/repos/${repo}/commits/${p}`,
        })),
      },
    }
  }

  function openIssue(repo: string, title: string, body: string, user: FakeIssue['user']) {
    const at = tick()
    const issue: FakeIssue = {
      number: nextIssueNumber++,
      title,
      body,
      state: 'open',
      state_reason: null,
      user,
      labels: [],
      created_at: at,
      updated_at: at,
      closed_at: null,
    }
    const list = issues.get(repo.toLowerCase()) ?? []
    list.push(issue)
    issues.set(repo.toLowerCase(), list)
    return issue
  }

  const issueJson = (repo: string, issue: FakeIssue) => ({
    id: 7_000_000 + issue.number,
    ...issue,
    html_url: `https://github.com/${repo}/issues/${issue.number}`,
  })

  /** GET /repos/{owner}/{repo}/issues: open by default, newest first, paged like comments. */
  function listIssues(repo: string, query: Record<string, string>, path: string): Reply {
    const state = query.state ?? 'open'
    const all = (issues.get(repo.toLowerCase()) ?? [])
      .filter((i) => state === 'all' || i.state === state)
      .filter((i) => !query.creator || i.user.login === query.creator)
      .sort((a, b) => b.number - a.number)
    const perPage = Math.min(Math.max(Number(query.per_page ?? 30) || 30, 1), 100)
    const page = Math.max(Number(query.page ?? 1) || 1, 1)
    const last = Math.max(Math.ceil(all.length / perPage), 1)
    const headers: Record<string, string> =
      page < last && !opts.noLinkHeaders
        ? {
            link: `<${fake.url}${path}?state=${state}&per_page=${perPage}&page=${page + 1}>; rel="next"`,
          }
        : {}
    const body = all.slice((page - 1) * perPage, page * perPage).map((i) => issueJson(repo, i))
    return { status: 200, body, headers }
  }

  function issueRoute(
    method: string,
    repo: string,
    number: number | undefined,
    body: unknown,
    query: Record<string, string>,
    path: string,
  ): Reply {
    const fields = (body ?? {}) as {
      title?: unknown
      body?: unknown
      state?: unknown
      state_reason?: unknown
    }
    if (number === undefined && method === 'GET') return listIssues(repo, query, path)
    if (number === undefined && method === 'POST') {
      if (fake.readOnly) return forbidden('issues/issues#create-an-issue')
      if (typeof fields.title !== 'string' || !fields.title)
        return error(422, 'Validation Failed', 'issues/issues#create-an-issue', {
          errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
        })
      const text = typeof fields.body === 'string' ? fields.body : ''
      if (text.length > MAX_BODY)
        return error(422, 'Validation Failed', 'issues/issues#create-an-issue')
      return {
        status: 201,
        body: issueJson(repo, openIssue(repo, fields.title, text, userOf(fake.identity))),
      }
    }
    const issue = (issues.get(repo.toLowerCase()) ?? []).find((i) => i.number === number)
    if (!issue) return notFound()
    if (method === 'GET') return { status: 200, body: issueJson(repo, issue) }
    if (method !== 'PATCH') return notFound()
    if (fake.readOnly) return forbidden('issues/issues#update-an-issue')
    if (typeof fields.title === 'string') issue.title = fields.title
    if (typeof fields.body === 'string') issue.body = fields.body
    if (fields.state === 'closed' && issue.state === 'open') {
      issue.state = 'closed'
      issue.closed_at = tick()
      issue.state_reason = fields.state_reason === 'not_planned' ? 'not_planned' : 'completed'
    } else if (fields.state === 'open' && issue.state === 'closed') {
      issue.state = 'open'
      issue.closed_at = null
      issue.state_reason = 'reopened'
    }
    issue.updated_at = tick()
    return { status: 200, body: issueJson(repo, issue) }
  }

  function route(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
  ): Reply {
    if (method === 'GET' && path === '/user') {
      if (fake.installationToken) return forbidden('users/users#get-the-authenticated-user')
      return { status: 200, body: userOf(fake.identity) }
    }
    const issuePath = /^\/repos\/([^/]+\/[^/]+)\/issues(?:\/(\d+))?$/.exec(path)
    if (issuePath) {
      const number = issuePath[2] === undefined ? undefined : Number(issuePath[2])
      return issueRoute(method, issuePath[1]!, number, body, query, path)
    }
    let m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(path)
    if (m && method === 'GET') return listComments(m[1]!, Number(m[2]), query, path)
    if (m && method === 'POST') {
      if (fake.readOnly) return forbidden('issues/comments#create-an-issue-comment')
      const text = validateBody(body)
      if (typeof text !== 'string') return text
      const at = tick()
      const comment = {
        id: nextCommentId++,
        body: text,
        user: userOf(fake.identity),
        created_at: at,
        updated_at: at,
      }
      thread(m[1]!, Number(m[2])).push(comment)
      return { status: 201, body: comment }
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/.exec(path)
    if (m && method === 'PATCH') {
      const prefix = `${m[1]!.toLowerCase()}#`
      const comment = [...comments.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .flatMap(([, list]) => list)
        .find((c) => c.id === Number(m![2]))
      if (!comment) return notFound()
      if (fake.readOnly) return forbidden('issues/comments#update-an-issue-comment')
      const text = validateBody(body)
      if (typeof text !== 'string') return text
      comment.body = text
      comment.updated_at = tick()
      return { status: 200, body: comment }
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/commits\/([^/]+)\/pulls$/.exec(path)
    if (m && method === 'GET') return pullsForCommit(m[1]!, m[2]!)
    m = /^\/repos\/([^/]+\/[^/]+)\/(git\/trees|git\/blobs|commits)\/([^/]+)$/.exec(path)
    if (m && method === 'GET') {
      if (!fake.contentsRead) return forbidden(m[2] === 'commits' ? 'commits/commits' : m[2]!)
      if (m[2] === 'git/trees') return tree(m[1]!, m[3]!, query)
      if (m[2] === 'git/blobs') return blob(m[1]!, m[3]!)
      return commitOf(m[1]!, m[3]!)
    }
    return notFound()
  }

  function answer(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
    headers: Record<string, string>,
  ): Reply {
    const auth = headers.authorization ?? ''
    const authorized = auth === `token ${fake.token}` || auth === `Bearer ${fake.token}`
    return authorized ? route(method, path, query, body) : error(401, 'Bad credentials', '')
  }

  function faultReply(fault: FaultRule): Reply {
    const status = faultStatus(fault)!
    const reply =
      fault.body !== undefined
        ? { status, body: fault.body }
        : error(status, status === 429 ? 'API rate limit exceeded' : 'Server Error', '')
    if (fault.rateLimitResetSeconds !== undefined)
      reply.headers = { 'retry-after': String(fault.rateLimitResetSeconds) }
    return reply
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    let body: unknown
    try {
      body = raw ? JSON.parse(raw) : undefined
    } catch {
      body = raw
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const prefix = opts.pathPrefix ?? ''
    if (prefix && !url.pathname.startsWith(`${prefix}/`)) url.pathname = '/outside-the-api-prefix'
    else url.pathname = url.pathname.slice(prefix.length)
    const query = Object.fromEntries(url.searchParams)
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    )
    const method = req.method ?? 'GET'
    const fault = faults.take(method, url.pathname)
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
    if (fault?.drop) {
      requests.push({ method, path: url.pathname, query, headers, body, status: 0 })
      req.socket.destroy()
      return
    }
    const reply =
      fault && faultStatus(fault)
        ? faultReply(fault)
        : answer(method, url.pathname, query, body, headers)
    requests.push({ method, path: url.pathname, query, headers, body, status: reply.status })
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      ...reply.headers,
    })
    res.end(
      typeof reply.body === 'string'
        ? reply.body
        : reply.body === undefined
          ? ''
          : JSON.stringify(reply.body),
    )
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(500)
      res.end()
    })
  })
  const listening = await listenOnLoopback(server)
  fake.url = `${listening.url}${opts.pathPrefix ?? ''}`
  return fake
}
