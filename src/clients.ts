// The one place where credentials become clients: a URL with a token or basic auth becomes a
// GrafanaClient, an Okta domain with an API token an OktaClient. The engine is given the clients.
import { createGrafanaClient } from './grafana/index.ts'
import type { GrafanaClient } from './grafana/types.ts'
import { createOktaClient, type OktaTokenCache } from './okta/index.ts'
import type { OktaClient } from './okta/types.ts'
import { SettingError } from './settings.ts'

export interface GrafanaCredentials {
  url: string
  token?: string
  username?: string
  password?: string
}

/** An API token, or an API Services app's client id and private key (PEM PKCS#8 or JWK). */
export interface OktaCredentials {
  domain: string
  token?: string
  clientId?: string
  privateKey?: string
  keyId?: string
}

export interface Credentials {
  grafana?: GrafanaCredentials
  okta?: OktaCredentials
}

export interface ClientOptions {
  /** Requests in flight at once, per service. */
  concurrency: number
  /** One attempt's limit (the HTTP layer's default when unset). */
  timeoutMs?: number
  /** Told of each retry, e.g. a rate limit being waited out. */
  onRetry?: (message: string) => void
  /** Learns each secret got at run time (Okta access tokens, assertions), e.g. to scrub it. */
  onSecret?: (secret: string) => void
  /** An API Services app's token, kept from one run's clients to the next's (serve). */
  oktaTokens?: OktaTokenCache
}

/** What one engine run talks to. Okta is absent when the run does not read Okta. */
export interface Clients {
  grafana: GrafanaClient
  okta?: OktaClient
}

/** Throws SettingError (or the client's own error) when a credential cannot make a client. */
export function createClients(credentials: Credentials, options: ClientOptions): Clients {
  const { grafana, okta } = credentials
  const { onSecret, oktaTokens, ...http } = options
  if (!grafana?.url.trim()) {
    throw new SettingError({
      code: 'setting-unset',
      setting: 'grafanaUrl',
      neededFor: 'to read Grafana',
    })
  }
  const clients: Clients = {
    grafana: createGrafanaClient({
      url: grafana.url,
      token: grafana.token || undefined,
      username: grafana.username || undefined,
      password: grafana.password || undefined,
      ...http,
    }),
  }
  if (okta) clients.okta = oktaClient(okta, http, onSecret, oktaTokens)
  return clients
}

/** Tests shorten one attempt's limit (default 30 s) with `GRAFANA_TEAM_SYNC_HTTP_TIMEOUT_MS`. */
export function requestTimeoutMs(env: Record<string, string | undefined>): number | undefined {
  const ms = Number(env.GRAFANA_TEAM_SYNC_HTTP_TIMEOUT_MS)
  return Number.isInteger(ms) && ms > 0 ? ms : undefined
}

function oktaClient(
  { domain, token, clientId, privateKey, keyId }: OktaCredentials,
  http: Omit<ClientOptions, 'onSecret' | 'oktaTokens'>,
  onSecret: ClientOptions['onSecret'],
  tokens: OktaTokenCache | undefined,
): OktaClient {
  const auth = clientId?.trim()
    ? { oauth: { clientId, privateKey: privateKey ?? '', keyId }, onSecret, tokens }
    : { token }
  return createOktaClient({ domain, ...auth, ...http })
}
