// The Grafana client: credentials and the HTTP service, the mapping of failures to the setting to
// fix, and the endpoints grouped by resource (orgs, users, org users, teams, members, preferences).
import { HttpError, createHttpService, type HttpService } from '../http/index.ts'
import { rejectedCredentialMessage } from '../rejected-credential.ts'
import { basicAuthHeader, grafanaAuth, grafanaSecrets, type GrafanaAuth } from '../secrets/index.ts'
import { SettingError } from '../settings.ts'
import { GrafanaApi } from './api.ts'
import { memberEndpoints } from './members.ts'
import { orgUserEndpoints } from './org-users.ts'
import { orgEndpoints } from './orgs.ts'
import { preferenceEndpoints } from './preferences.ts'
import { teamEndpoints } from './teams.ts'
import type { GrafanaClient } from './types.ts'
import { userEndpoints } from './users.ts'

export interface GrafanaClientOptions {
  url: string
  /** Service-account token (`glsa_…`), bound to one org. */
  token?: string
  /** Basic auth of a Grafana server admin; preferred over the token when both are given. */
  username?: string
  password?: string
  concurrency?: number
  timeoutMs?: number
  retries?: number
  retryBaseMs?: number
  sleep?: (ms: number) => Promise<void>
  /** Told once per retry what is retried and why (a progress line). */
  onRetry?: (line: string) => void
}

const USER_AGENT = 'grafana-team-sync'

interface Auth {
  kind: 'token' | 'basic'
  header: string
  secrets: string[]
  username?: string
}

function resolveAuth(opts: GrafanaClientOptions, auth: GrafanaAuth): Auth {
  if (auth.basic) {
    return {
      kind: 'basic',
      header: basicAuthHeader(auth.basic),
      secrets: grafanaSecrets(opts),
      username: auth.basic.username,
    }
  }
  if (auth.token)
    return { kind: 'token', header: `Bearer ${auth.token}`, secrets: grafanaSecrets(opts) }
  throw new SettingError({ code: 'grafana-credentials-missing' })
}

export function createGrafanaClient(opts: GrafanaClientOptions): GrafanaClient {
  const parsed = grafanaAuth(opts)
  if (!parsed) {
    throw new SettingError({
      code: 'setting-invalid',
      setting: 'grafanaUrl',
      expected: 'https://grafana.example.com',
    })
  }
  const auth = resolveAuth(opts, parsed)
  const http = createHttpService({
    service: 'grafana',
    baseUrl: parsed.url,
    headers: { Authorization: auth.header, Accept: 'application/json', 'User-Agent': USER_AGENT },
    secrets: auth.secrets,
    rateLimitStyle: 'retry-after',
    concurrency: opts.concurrency,
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    retryBaseMs: opts.retryBaseMs,
    sleep: opts.sleep,
    onRetry: opts.onRetry,
  })
  const api = new GrafanaApi(http, auth.kind, (err) => explain(err, http, auth))
  return {
    auth: api.auth,
    whoami: () => api.whoami(),
    ...orgEndpoints(api),
    ...userEndpoints(api),
    ...orgUserEndpoints(api),
    ...teamEndpoints(api),
    ...memberEndpoints(api),
    ...preferenceEndpoints(api),
    stats: () => api.stats(),
  }
}

/** A failure told in terms of what to fix: the URL, the rejected credential, a missing permission. */
function explain(err: unknown, http: HttpService, auth: Auth): unknown {
  if (!(err instanceof HttpError)) return err
  // Every run starts with one of these two; a 404 there means the URL does not lead to Grafana's API.
  if (
    err.status === 404 &&
    err.method === 'GET' &&
    ['/api/user', '/api/org'].includes(err.endpoint)
  ) {
    return new HttpError(
      err,
      http.scrub(
        `${err.message} — the Grafana URL must be the address Grafana is served at, including any sub-path (e.g. https://example.com/grafana)`,
      ),
    )
  }
  if (err.unsent) return err
  if (err.status === 401) {
    const credential = auth.kind === 'token' ? 'grafana-token' : 'grafana-basic'
    return new HttpError({ ...err, credential }, rejectedCredentialMessage(err, credential))
  }
  if (err.status !== 403) return err
  const hint =
    auth.kind === 'token'
      ? 'the service account behind the token lacks permission: give it the Admin role in its org; organizations and users need the basic auth of a Grafana server admin instead'
      : `the user "${auth.username ?? ''}" lacks permission: it must be a Grafana server admin and an Admin of every org it manages`
  return new HttpError(err, http.scrub(`${err.message} — ${hint}`))
}
