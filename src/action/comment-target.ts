import type { ReviewedPart } from '../model.ts'
import {
  applyMarker,
  createComment,
  planMarker,
  planMarkerKey,
  targetKey,
  upsertStickyComment,
} from './comment.ts'
import { findMergedPullRequest, lookupDelays } from './merged-pr.ts'
import { createGitHubClient, repoFromEnv, statusOf, type RepoRef } from './github.ts'
import { pullRequestNumber } from './event.ts'
import { isPreMergeEvent } from './mode.ts'
import { COMMENT_BUDGET } from '../report/index.ts'
import type { ActionRun } from './run.ts'
import { parseGrafanaUrl } from '../secrets/index.ts'

export interface CommentTarget {
  /** Renders the body within `budget` characters, carrying `marker`. */
  render: (budget: number, marker: string) => string
}

/**
 * Posts the report where people look: the sticky plan comment on a pull request, or a new comment
 * with the apply result on the pull request merged by this push. Failing to comment never fails the
 * run; the job summary has everything. Returns the comment id.
 */
export async function publishComment(
  ctx: ActionRun,
  render: CommentTarget['render'],
  reviewed?: ReviewedPart,
  markerTarget: MarkerTarget = markerTargetOf(ctx),
): Promise<string | undefined> {
  const { inputs, event, mode } = ctx
  const planOnPullRequest =
    mode === 'plan' && isPreMergeEvent(event.name) && pullRequestNumber(event) !== undefined
  const applyOnPush = mode === 'apply' && event.name === 'push' && Boolean(event.sha)
  if (!inputs.comment || !(planOnPullRequest || applyOnPush)) return undefined
  const repo = repoFromEnv(ctx.env)
  if (!inputs.githubToken || !repo) {
    ctx.io.info('No github-token or GITHUB_REPOSITORY: the report is only in the job summary.')
    return undefined
  }
  try {
    const client = await createGitHubClient(inputs.githubToken, ctx.env, ctx.io)
    if (planOnPullRequest) {
      const target = { ...repo, issue: pullRequestNumber(event)! }
      const marker = planMarker(inputs.configPath, markerTarget.key, reviewed)
      // A comment of an earlier version (config path only) is the one Grafana of the inputs' comment.
      const legacy = markerTarget.single ? planMarker(inputs.configPath) : undefined
      const write = await upsertStickyComment(
        client,
        target,
        marker,
        fit(render, marker, ctx.summaryUrl),
        planMarkerKey(inputs.configPath, markerTarget.key),
        legacy,
      )
      ctx.io.info(`Plan comment ${write.id} ${write.action} on pull request #${target.issue}.`)
      return String(write.id)
    }
    const issue =
      ctx.mergedPullRequest === undefined
        ? await findMergedPullRequest(client, repo, event.sha, lookupDelays(ctx.env))
        : (ctx.mergedPullRequest ?? undefined)
    if (issue === undefined) {
      ctx.io.info(
        `No merged pull request found for ${event.sha}: the apply result is only in the job summary.`,
      )
      return undefined
    }
    const marker = applyMarker(inputs.configPath, event.sha, markerTarget.key)
    const write = await createComment(
      client,
      { ...repo, issue },
      marker,
      fit(render, marker, ctx.summaryUrl),
    )
    ctx.io.info(`Apply result commented on pull request #${issue} (comment ${write.id}).`)
    return String(write.id)
  } catch (error) {
    // GitHub's error message is shown as given (a proxy may echo the request's token in it): the log
    // guard scrubs it.
    const message = commentFailure(error, repo, ctx.summaryUrl)
    ctx.io.warning(message)
    return undefined
  }
}

/** What a comment is about besides its config path: one per target, so runs on other Grafanas keep theirs. */
export interface MarkerTarget {
  key: string
  /** The one Grafana of the inputs: a comment with the marker of earlier versions is this one's. */
  single: boolean
}

/** What this run's comments are about: the instances of the config, else the Grafana of the inputs. */
export function markerTargetOf(ctx: ActionRun): MarkerTarget {
  return ctx.commentTarget ?? singleTarget(ctx)
}

/** The target of a run on the Grafana of the inputs. */
function singleTarget(ctx: ActionRun): MarkerTarget {
  const given = ctx.inputs.grafanaUrl ?? ''
  return { key: targetKey([{ url: parseGrafanaUrl(given)?.url ?? given }]), single: true }
}

/** The target of a run on the instances of the config. */
export function instancesTarget(instances: readonly { name: string; url: string }[]): MarkerTarget {
  return { key: targetKey(instances), single: false }
}

/** Bodies not made by the budgeted renderer (validation, failures) are cut to the comment limit. */
function fit(render: CommentTarget['render'], marker: string, summaryUrl: string): string {
  const body = render(COMMENT_BUDGET, marker)
  if (body.length <= COMMENT_BUDGET) return body
  const link = `\n\n…cut to fit a comment; the full report is in the [job summary](${summaryUrl}).\n`
  return body.slice(0, COMMENT_BUDGET - link.length - marker.length - 1) + link
}

function commentFailure(error: unknown, repo: RepoRef, summaryUrl: string): string {
  const status = statusOf(error)
  const why = status
    ? `GitHub answered ${status}: ${(error as Error).message}`
    : (error as Error).message
  const fix =
    status === 403 || status === 404
      ? ' Give the job `permissions: pull-requests: write` (pull requests from forks get a read-only token).'
      : ''
  return `Could not comment on ${repo.owner}/${repo.repo} (${why}).${fix} The report is in the job summary: ${summaryUrl}`
}
