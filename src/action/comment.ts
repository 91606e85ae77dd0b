import { createHash } from 'node:crypto'
import type { ReviewedPart } from '../model.ts'
import type { GitHubClient, RepoRef } from './github.ts'
import { statusOf } from './github.ts'
import { scrub } from './publish.ts'

/** Normalised so `teams`, `./teams` and `teams/` share one sticky comment. */
export function normaliseConfigPath(configPath: string): string {
  const path = configPath
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '')
  return path || '.'
}

const PLAN_MARKER = '<!-- grafana-team-sync:plan '

/** JSON that cannot end the HTML comment it sits in, whatever names it holds. */
function markerJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e')
}

/**
 * Hidden marker of the sticky plan comment, one per config path and target (a short hash of the
 * Grafana URL or the instances, see targetKey; without a target, the marker of earlier versions);
 * with the pull-request part's fingerprint (and its changes while they are few) for the merge to
 * compare with.
 */
export function planMarker(configPath: string, target?: string, reviewed?: ReviewedPart): string {
  const meta: Record<string, unknown> = { configPath: normaliseConfigPath(configPath) }
  if (target) meta.target = target
  if (reviewed) {
    meta.fingerprint = reviewed.fingerprint
    if (reviewed.sha) meta.sha = reviewed.sha
    if (reviewed.changes) meta.changes = reviewed.changes.map((c) => [c.id, c.digest])
  }
  return `${PLAN_MARKER}${markerJson(meta)} -->`
}

/**
 * What every plan marker of a config path and target starts with, with or without a fingerprint, so
 * a comment written before fingerprints is still found and updated.
 */
export function planMarkerKey(configPath: string, target?: string): string {
  const meta = { configPath: normaliseConfigPath(configPath), ...(target ? { target } : {}) }
  return `${PLAN_MARKER}${markerJson(meta).slice(0, -1)}`
}

/** The pull-request part a plan comment's marker recorded, if it recorded one. */
export function reviewedPartIn(
  body: string,
  configPath: string,
  target?: string,
): ReviewedPart | undefined {
  const key = planMarkerKey(configPath, target)
  const start = body.indexOf(key)
  if (start < 0) return undefined
  const end = body.indexOf(' -->', start)
  if (end < 0) return undefined
  let meta: unknown
  try {
    meta = JSON.parse(body.slice(start + PLAN_MARKER.length, end))
  } catch {
    return undefined
  }
  const m = meta as { fingerprint?: unknown; sha?: unknown; changes?: unknown }
  if (typeof m.fingerprint !== 'string') return undefined
  const part: ReviewedPart = { fingerprint: m.fingerprint }
  if (typeof m.sha === 'string') part.sha = m.sha
  if (Array.isArray(m.changes))
    part.changes = m.changes.flatMap((c: unknown) =>
      Array.isArray(c) && typeof c[0] === 'string' && typeof c[1] === 'string'
        ? [{ id: c[0], digest: c[1] }]
        : [],
    )
  return part
}

/** Marker of an apply-result comment; each apply posts a new one. */
export function applyMarker(configPath: string, sha: string, target?: string): string {
  const meta = { configPath: normaliseConfigPath(configPath), sha, ...(target ? { target } : {}) }
  return `<!-- grafana-team-sync:apply ${JSON.stringify(meta)} -->`
}

/** 12 hex digits naming what a run writes to: its Grafana URLs (with instance names), in order. */
export function targetKey(targets: readonly { name?: string; url: string }[]): string {
  const text = targets.map((t) => `${t.name ?? ''}=${normaliseUrl(t.url)}`).join('\n')
  return createHash('sha256').update(text).digest('hex').slice(0, 12)
}

/** `HTTPS://Grafana.example/` and `https://grafana.example` are one target. */
function normaliseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').toLowerCase()
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
  if (identity) return comment.user?.login === identity
  return comment.user?.type === 'Bot' || Boolean(comment.user?.login?.endsWith('[bot]'))
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

// Both writers scrub the body: a comment leaves by the network, where the guard on stdout and
// stderr does not reach.

/**
 * Updates the sticky comment in place (or not at all when the body is the same), else creates it. It
 * is found by `key`, which every version of its marker contains (default: the marker itself).
 */
export async function upsertStickyComment(
  client: GitHubClient,
  target: RepoRef & { issue: number },
  marker: string,
  body: string,
  key: string = marker,
  /** The marker of earlier versions: such a comment is updated (and takes `marker`) when none has it. */
  legacyMarker?: string,
): Promise<CommentWrite> {
  const text = scrub(withMarker(body, marker))
  const comments = await listAllComments(client, target)
  const identity = await tokenIdentity(client)
  const existing =
    pickStickyComment(comments, key, identity) ??
    (legacyMarker ? pickStickyComment(comments, legacyMarker, identity) : undefined)
  if (existing && sameBody(existing.body, text)) return { id: existing.id, action: 'unchanged' }
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

/** The newest comment carrying `key` that the token's identity wrote. */
export async function findStickyComment(
  client: GitHubClient,
  target: RepoRef & { issue: number },
  key: string,
) {
  const comments = await listAllComments(client, target)
  return pickStickyComment(comments, key, await tokenIdentity(client))
}

const PAGE_SIZE = 100

/**
 * Every comment of the issue, 100 a page, following `Link: rel="next"`; a full page without a Link
 * header (some proxies drop it) asks for the next page too.
 */
async function listAllComments(client: GitHubClient, target: RepoRef & { issue: number }) {
  const all = []
  for (let page = 1; page <= 1000; page++) {
    const { data, headers } = await client.rest.issues.listComments({
      ...repoOf(target),
      issue_number: target.issue,
      per_page: PAGE_SIZE,
      page,
    })
    all.push(...data)
    const link = headers.link
    if (link ? !/rel="next"/.test(link) : data.length < PAGE_SIZE) break
  }
  return all
}

/** GitHub may hand a body back with CRLF line ends or trimmed. */
function sameBody(a: string | null | undefined, b: string): boolean {
  const norm = (text: string) => text.replace(/\r\n/g, '\n').trim()
  return norm(a ?? '') === norm(b)
}

export async function createComment(
  client: GitHubClient,
  target: RepoRef & { issue: number },
  marker: string,
  body: string,
): Promise<CommentWrite> {
  const text = scrub(withMarker(body, marker))
  const { data } = await client.rest.issues.createComment({
    ...repoOf(target),
    issue_number: target.issue,
    body: text,
  })
  return { id: data.id, action: 'created' }
}

export const repoOf = (target: RepoRef) => ({ owner: target.owner, repo: target.repo })
