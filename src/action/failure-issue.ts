// Unattended runs have no pull request to comment on: a scheduled or dispatched apply that fails
// opens one issue (found again by its marker), comments on it while later runs fail, and closes it
// when a run succeeds (SPEC §11, input `failure-issue`).
import { isOwnComment, normaliseConfigPath, repoOf, tokenIdentity } from './comment.ts'
import {
  createGitHubClient,
  repoFromEnv,
  statusOf,
  type GitHubClient,
  type RepoRef,
} from './github.ts'
import { scrub } from './publish.ts'
import type { ActionRun } from './run.ts'

const UNATTENDED_EVENTS: Record<string, string> = {
  schedule: 'scheduled',
  workflow_dispatch: 'dispatched',
}
/** Issue bodies and comments are limited to 65,536 characters; the summary gets what is left. */
const SUMMARY_BUDGET = 55_000
const PAGE_SIZE = 100
const MAX_PAGES = 20

export function failureMarker(configPath: string): string {
  return `<!-- grafana-team-sync:failure ${JSON.stringify({ configPath: normaliseConfigPath(configPath) })} -->`
}

export function wantsFailureIssue(ctx: ActionRun): boolean {
  return ctx.mode === 'apply' && ctx.inputs.failureIssue && ctx.event.name in UNATTENDED_EVENTS
}

/**
 * After an unattended apply: opens or comments on the failure issue when `failed`, closes it when
 * not. GitHub refusing never fails the run; the job summary has the report.
 */
export async function syncFailureIssue(
  ctx: ActionRun,
  failed: boolean,
  summary: (budget: number) => string,
): Promise<void> {
  const repo = repoFromEnv(ctx.env)
  if (!wantsFailureIssue(ctx) || !ctx.inputs.githubToken || !repo) return
  try {
    const client = await createGitHubClient(ctx.inputs.githubToken, ctx.env, ctx.io)
    const marker = failureMarker(ctx.inputs.configPath)
    const open = await findOpenIssue(client, repo, marker)
    const run = `[run ${ctx.env.GITHUB_RUN_ID ?? ''}](${ctx.summaryUrl})`
    const what = `${UNATTENDED_EVENTS[ctx.event.name]} apply of \`${normaliseConfigPath(ctx.inputs.configPath)}\``
    if (failed && !open) {
      const { data } = await client.rest.issues.create({
        ...repoOf(repo),
        title: `grafana-team-sync: the ${what} fails`,
        body: scrub(
          `${marker}\n\nThe ${what} failed in ${run}. This issue is closed by the first run that succeeds.\n\n${summary(SUMMARY_BUDGET)}`,
        ),
      })
      ctx.io.info(`Opened issue #${data.number} for the failed apply.`)
    } else if (failed && open) {
      await comment(
        client,
        repo,
        open,
        `The ${what} failed again in ${run}.\n\n${summary(SUMMARY_BUDGET)}`,
      )
      ctx.io.info(`Commented on issue #${open} for the failed apply.`)
    } else if (open) {
      await comment(client, repo, open, `The ${what} succeeded in ${run}: closing.`)
      await client.rest.issues.update({
        ...repoOf(repo),
        issue_number: open,
        state: 'closed',
        state_reason: 'completed',
      })
      ctx.io.info(`Closed issue #${open}: the apply succeeded.`)
    }
  } catch (error) {
    const status = statusOf(error)
    const fix =
      status === 403 || status === 404 ? ' Give the apply job `permissions: issues: write`.' : ''
    const why = status
      ? `GitHub answered ${status}: ${(error as Error).message}`
      : (error as Error).message
    ctx.io.warning(`Could not update the failure issue (${why}).${fix}`)
  }
}

/** The newest open issue that carries the marker and that the token's identity opened. */
async function findOpenIssue(
  client: GitHubClient,
  repo: RepoRef,
  marker: string,
): Promise<number | undefined> {
  const identity = await tokenIdentity(client)
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data, headers } = await client.rest.issues.listForRepo({
      ...repoOf(repo),
      state: 'open',
      per_page: PAGE_SIZE,
      page,
    })
    const found = data.find((i) => !i.pull_request && isOwnComment(i, marker, identity))
    if (found) return found.number
    const link = headers.link
    if (link ? !/rel="next"/.test(link) : data.length < PAGE_SIZE) return undefined
  }
  return undefined
}

async function comment(client: GitHubClient, repo: RepoRef, issue: number, body: string) {
  await client.rest.issues.createComment({
    ...repoOf(repo),
    issue_number: issue,
    body: scrub(body),
  })
}
