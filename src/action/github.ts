import type { getOctokit } from '@actions/github'

export type GitHubClient = ReturnType<typeof getOctokit>

export interface RepoRef {
  owner: string
  repo: string
}

export interface Logger {
  warning: (message: string) => void
  debug: (message: string) => void
}

/**
 * Octokit with retries and rate-limit handling, pointed at GITHUB_API_URL (GitHub Enterprise Server,
 * or a local fake in tests). @actions/github is loaded lazily: it reads the event payload on import.
 */
export async function createGitHubClient(
  token: string,
  env: Record<string, string | undefined>,
  log: Logger,
): Promise<GitHubClient> {
  const [{ getOctokit }, { retry }, { throttling }] = await Promise.all([
    import('@actions/github'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ])
  const retryOnce =
    (what: string) =>
    (
      retryAfter: number,
      options: { method: string; url: string },
      _o: unknown,
      retryCount: number,
    ) => {
      log.warning(
        `GitHub ${what} on ${options.method} ${options.url}; retrying after ${retryAfter} s`,
      )
      return retryCount < 1
    }
  const baseUrl = env.GITHUB_API_URL || 'https://api.github.com'
  const client = getOctokit(
    token,
    {
      baseUrl,
      throttle: {
        onRateLimit: retryOnce('rate limit'),
        onSecondaryRateLimit: retryOnce('secondary rate limit'),
      },
      retry: { retries: 2 },
      log: { debug: log.debug, info: log.debug, warn: log.warning, error: log.debug },
    },
    retry,
    throttling,
  )
  // The token goes to GITHUB_API_URL only, even if a Link header points elsewhere.
  client.hook.before('request', (options) => {
    const url = new URL(String(options.url), `${baseUrl}/`)
    if (url.origin !== new URL(baseUrl).origin)
      throw new Error(`refusing to send the GitHub token to ${url.origin} (not ${baseUrl})`)
  })
  return client
}

/** `owner/repo` from GITHUB_REPOSITORY. */
export function repoFromEnv(env: Record<string, string | undefined>): RepoRef | undefined {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/')
  return owner && repo ? { owner, repo } : undefined
}

/** HTTP status of an Octokit RequestError, if it is one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' ? status : undefined
}
