import type { GitHubClient, RepoRef } from './github.ts'
import { statusOf } from './github.ts'

/** Normalised so `teams`, `./teams` and `teams/` share one sticky comment. */
export function normaliseConfigPath(configPath: string): string {
  const path = configPath
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '')
  return path || '.'
}

/** Hidden marker of the sticky plan comment, one per config path. */
export function planMarker(configPath: string): string {
  return `<!-- grafana-team-sync:plan ${JSON.stringify({ configPath: normaliseConfigPath(configPath) })} -->`
}

/** Marker of an apply-result comment; each apply posts a new one. */
export function applyMarker(configPath: string, sha: string): string {
  const meta = { configPath: normaliseConfigPath(configPath), sha }
  return `<!-- grafana-team-sync:apply ${JSON.stringify(meta)} -->`
}

export function withMarker(body: string, marker: string): string {
  return body.includes(marker) ? body : `${marker}\n${body}`
}

interface CommentLike {
  id: number
  body?: string | null
  user?: { login?: string; type?: string } | null
}

/**
 * The login behind the token, or undefined for installation tokens (GITHUB_TOKEN), which may not
 * call GET /user; their comments are then recognised as written by a bot.
 */
export async function tokenIdentity(client: GitHubClient): Promise<string | undefined> {
  try {
    const { data } = await client.rest.users.getAuthenticated()
    return data.login
  } catch (error) {
    if ([401, 403, 404].includes(statusOf(error) ?? 0)) return undefined
    throw error
  }
}

export function isOwnComment(
  comment: CommentLike,
  marker: string,
  identity: string | undefined,
): boolean {
  if (!comment.body?.includes(marker)) return false
  return identity ? comment.user?.login === identity : comment.user?.type === 'Bot'
}

/** Newest comment that carries the marker and was written by the token's identity. */
export function pickStickyComment<C extends CommentLike>(
  comments: C[],
  marker: string,
  identity: string | undefined,
): C | undefined {
  return comments
    .filter((c) => isOwnComment(c, marker, identity))
    .reduce<C | undefined>((newest, c) => (!newest || c.id > newest.id ? c : newest), undefined)
}

export interface CommentWrite {
  id: number
  action: 'created' | 'updated' | 'unchanged'
}

/** Updates the sticky comment in place (or not at all when the body is the same), else creates it. */
export async function upsertStickyComment(
  client: GitHubClient,
  target: RepoRef & { issue: number },
  marker: string,
  body: string,
): Promise<CommentWrite> {
  const text = withMarker(body, marker)
  const comments = await client.paginate(client.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issue,
    per_page: 100,
  })
  const existing = pickStickyComment(comments, marker, await tokenIdentity(client))
  if (existing && existing.body === text) return { id: existing.id, action: 'unchanged' }
  if (existing) {
    const { data } = await client.rest.issues.updateComment({
      ...repoOf(target),
      comment_id: existing.id,
      body: text,
    })
    return { id: data.id, action: 'updated' }
  }
  const { data } = await client.rest.issues.createComment({
    ...repoOf(target),
    issue_number: target.issue,
    body: text,
  })
  return { id: data.id, action: 'created' }
}

export async function createComment(
  client: GitHubClient,
  target: RepoRef & { issue: number },
  marker: string,
  body: string,
): Promise<CommentWrite> {
  const text = withMarker(body, marker)
  const { data } = await client.rest.issues.createComment({
    ...repoOf(target),
    issue_number: target.issue,
    body: text,
  })
  return { id: data.id, action: 'created' }
}

const repoOf = (target: RepoRef) => ({ owner: target.owner, repo: target.repo })

/**
 * The pull request merged as `sha`. GitHub associates a merge commit with its PR a little after the
 * push, so the lookup is retried after each of `delaysMs`.
 */
export async function findMergedPullRequest(
  client: GitHubClient,
  repo: RepoRef,
  sha: string,
  delaysMs: number[],
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<number | undefined> {
  for (const delay of delaysMs) {
    if (delay > 0) await sleep(delay)
    const { data } = await client.rest.repos.listPullRequestsAssociatedWithCommit({
      ...repoOf(repo),
      commit_sha: sha,
    })
    const merged = data.find((pr) => pr.merged_at && pr.merge_commit_sha === sha)
    if (merged) return merged.number
  }
  return undefined
}

/** Delays of the merged-PR lookup: `GRAFANA_TEAM_SYNC_PR_LOOKUP_DELAYS_MS` (e.g. `0,50`) or 0, 1 and 2 s. */
export function lookupDelays(env: Record<string, string | undefined>): number[] {
  const custom = env.GRAFANA_TEAM_SYNC_PR_LOOKUP_DELAYS_MS
  const parsed = custom?.split(',').map((part) => Number(part.trim()))
  if (parsed?.length && parsed.every((n) => Number.isFinite(n) && n >= 0)) return parsed
  return [0, 1000, 2000]
}
