import type { GitHubClient, RepoRef } from './github.ts'
import { repoOf } from './comment.ts'

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
