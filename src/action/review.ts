// What the engine needs from GitHub to tell a pull request's changes from those already pending
// (SPEC §11): the base commit's config and, at merge, the part the plan comment recorded at review.
import type { EngineInputs } from '../engine.ts'
import { readBaseConfig } from './base-config.ts'
import { findStickyComment, planMarkerKey, reviewedPartIn } from './comment.ts'
import { markerTargetOf } from './comment-target.ts'
import { createGitHubClient, repoFromEnv, statusOf, type GitHubClient } from './github.ts'
import { findMergedPullRequest, lookupDelays } from './merged-pr.ts'
import { isPreMergeEvent } from './mode.ts'
import type { ActionRun } from './run.ts'

type ReviewInputs = Pick<EngineInputs, 'base' | 'reviewed'>

const NO_COMMIT = /^0+$/

/** The PR's base commit on a pull request; nothing for other events. */
export function pullRequestBaseSha(ctx: ActionRun): string | undefined {
  if (!isPreMergeEvent(ctx.event.name)) return undefined
  const base = ctx.event.payload.pull_request?.base as { sha?: unknown } | undefined
  return typeof base?.sha === 'string' && base.sha ? base.sha : undefined
}

/** The PR's head commit, which the plan comment names. */
export function pullRequestHeadSha(ctx: ActionRun): string | undefined {
  const head = ctx.event.payload.pull_request?.head as { sha?: unknown } | undefined
  return typeof head?.sha === 'string' && head.sha ? head.sha : undefined
}

/**
 * Plan on a pull request: the base config. Apply on a push to the default branch: the merged pull
 * request's reviewed part and the config before the merge (`before`, the merge's first parent).
 * Failing to read either never fails the run: the plan is then one list.
 */
export async function reviewInputs(ctx: ActionRun): Promise<ReviewInputs> {
  const repo = repoFromEnv(ctx.env)
  const token = ctx.inputs.githubToken
  const baseSha = pullRequestBaseSha(ctx)
  const atMerge = ctx.mode === 'apply' && ctx.event.name === 'push' && Boolean(ctx.event.sha)
  if (ctx.mode !== 'plan' && !atMerge) return {}
  if (ctx.mode === 'plan' && !baseSha) return {}
  if (!repo || !token) {
    if (!baseSha) return {}
    return { base: { ref: baseSha, unreadable: 'no github-token to read it with' } }
  }
  const client = await createGitHubClient(token, ctx.env, ctx.io)
  const tempRoot = ctx.env.RUNNER_TEMP || undefined
  if (baseSha) {
    return { base: await readBaseConfig(client, repo, baseSha, ctx.inputs.configPath, tempRoot) }
  }
  const reviewed = await reviewedAtMerge(ctx, client)
  if (!reviewed) return {}
  const before = await firstParent(ctx, client)
  if (!before) return {}
  return {
    base: await readBaseConfig(client, repo, before, ctx.inputs.configPath, tempRoot),
    reviewed: { part: reviewed, onChanged: ctx.inputs.onPlanChanged },
  }
}

/** The part recorded by the plan comment of the pull request this push merged, if any. */
async function reviewedAtMerge(ctx: ActionRun, client: GitHubClient) {
  const repo = repoFromEnv(ctx.env)!
  try {
    const issue = await findMergedPullRequest(client, repo, ctx.event.sha, lookupDelays(ctx.env))
    ctx.mergedPullRequest = issue ?? null
    if (issue === undefined) return undefined
    const target = markerTargetOf(ctx).key
    const key = planMarkerKey(ctx.inputs.configPath, target)
    const comment = await findStickyComment(client, { ...repo, issue }, key)
    const part = comment?.body
      ? reviewedPartIn(comment.body, ctx.inputs.configPath, target)
      : undefined
    if (!part) ctx.io.info(`Pull request #${issue} has no reviewed plan to compare with.`)
    return part
  } catch (error) {
    ctx.io.warning(
      `Could not read the reviewed plan (GitHub answered ${statusOf(error) ?? (error as Error).message}); the apply is not compared with it.`,
    )
    return undefined
  }
}

/** The merge commit's first parent: the push's `before`, else asked of the commits API. */
async function firstParent(ctx: ActionRun, client: GitHubClient): Promise<string | undefined> {
  const before = ctx.event.payload.before
  if (typeof before === 'string' && before && !NO_COMMIT.test(before)) return before
  const repo = repoFromEnv(ctx.env)!
  try {
    const { data } = await client.rest.repos.getCommit({
      owner: repo.owner,
      repo: repo.repo,
      ref: ctx.event.sha,
    })
    return data.parents[0]?.sha
  } catch {
    return undefined
  }
}
