// Credentials of a run, read once: the Grafana URL split from any `user:password@` in it, how the run
// authenticates to Grafana, and every value that must never appear in an output.

/** `grafana.example.com`, `localhost:3000` and `user:pw@host` mean https://…, as for okta-domain. */
export function withScheme(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`
}

export interface GrafanaUrl {
  /** The address without any userinfo, with a scheme. */
  url: string
  /** Decoded from the URL's userinfo, when there is one. */
  username?: string
  password?: string
}

/** The URL split from its userinfo; undefined when it is not a URL even with https:// in front. */
export function parseGrafanaUrl(raw: string): GrafanaUrl | undefined {
  if (!raw.trim()) return undefined
  let url: URL
  try {
    url = new URL(withScheme(raw.trim()))
  } catch {
    return undefined
  }
  const parts: GrafanaUrl = { url: '' }
  if (url.username) parts.username = safeDecode(url.username)
  if (url.password) parts.password = safeDecode(url.password)
  url.username = ''
  url.password = ''
  parts.url = url.href
  return parts
}

export interface GrafanaCredentialInputs {
  url: string
  token?: string
  username?: string
  password?: string
}

export interface GrafanaAuth {
  /** The address requests go to, without userinfo. */
  url: string
  /** Basic auth of a server admin: given explicitly, or in the URL. Preferred over the token. */
  basic?: { username: string; password: string }
  /** The service-account token without a `Bearer ` copied with it. */
  token?: string
}

/**
 * How a run authenticates to Grafana. An explicit username or password wins over the one in the URL,
 * half by half. Undefined when the URL is not a URL.
 */
export function grafanaAuth(given: GrafanaCredentialInputs): GrafanaAuth | undefined {
  const parsed = parseGrafanaUrl(given.url)
  if (!parsed) return undefined
  const auth: GrafanaAuth = { url: parsed.url }
  const username = given.username || parsed.username
  const password = given.password || parsed.password
  if (username && password) auth.basic = { username, password }
  const token = bearerToken(given.token)
  if (token) auth.token = token
  return auth
}

/**
 * A URL and either a token or both halves of basic auth: whether credentials are given, not whether
 * the URL is valid (an invalid one is reported as such where it is used).
 */
export function hasGrafanaAuth(given: GrafanaCredentialInputs): boolean {
  if (!given.url.trim()) return false
  const fromUrl = parseGrafanaUrl(given.url)
  const username = given.username || fromUrl?.username
  const password = given.password || fromUrl?.password
  return Boolean(bearerToken(given.token) || (username && password))
}

/** A value copied with its scheme (`Bearer glsa_…`) would be sent as `Bearer Bearer glsa_…`. */
export function bearerToken(token: string | undefined): string | undefined {
  return token?.trim().replace(/^bearer(?:\s+|$)/i, '') || undefined
}

/** The value of an `Authorization: Basic` header. */
export function basicAuthValue(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64')
}

export function basicAuthHeader(basic: { username: string; password: string }): string {
  return `Basic ${basicAuthValue(basic.username, basic.password)}`
}

/**
 * Every secret of the Grafana credentials: the token, the password as given and as written in the URL,
 * and the basic-auth value. A URL too broken to parse still gives up the password of its userinfo.
 */
export function grafanaSecrets(given: GrafanaCredentialInputs): string[] {
  const written = writtenUserInfo(given.url.trim())
  const username = given.username || written.username
  const password = given.password || written.password
  const secrets = [given.token, bearerToken(given.token), given.password]
  secrets.push(written.rawPassword, written.password)
  if (username && password) secrets.push(basicAuthValue(username, password))
  return unique(secrets)
}

/** The userinfo of `scheme://user:password@host…` or `user:password@host…`, decoded and as written. */
function writtenUserInfo(url: string): {
  username?: string
  password?: string
  rawPassword?: string
} {
  const { userinfo } = splitUserInfo(url)
  if (!userinfo) return {}
  const colon = userinfo.indexOf(':')
  const rawUser = colon >= 0 ? userinfo.slice(0, colon) : userinfo
  const rawPassword = colon >= 0 ? userinfo.slice(colon + 1) : ''
  return {
    username: safeDecode(rawUser) || undefined,
    password: safeDecode(rawPassword) || undefined,
    rawPassword: rawPassword || undefined,
  }
}

/** A URL, even one that does not parse, with any `user:password@` replaced by `***@`, for messages. */
export function withoutUserInfo(url: string): string {
  const { scheme, userinfo, rest } = splitUserInfo(url)
  return userinfo === undefined ? url : `${scheme}***@${rest}`
}

/** The scheme, the userinfo (before the authority's last `@`) and what follows it, as written. */
function splitUserInfo(url: string): { scheme: string; userinfo?: string; rest: string } {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? ''
  const afterScheme = url.slice(scheme.length)
  const authorityEnd = afterScheme.search(/[/?#]/)
  const authority = authorityEnd < 0 ? afterScheme : afterScheme.slice(0, authorityEnd)
  const at = authority.lastIndexOf('@')
  if (at < 0) return { scheme, rest: afterScheme }
  return { scheme, userinfo: authority.slice(0, at), rest: afterScheme.slice(at + 1) }
}

/** Names of environment variables whose values are secrets by their look: `*_TOKEN`, `*_PASSWORD`… */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i
/** Values that are settings rather than secrets, however their variable is called. */
const NOT_SECRET_VALUE = /^(?:true|false|yes|no|on|off|null|none|\d{1,12})$/i
/** A file path (`TOKEN_FILE=/run/secrets/token`): the path is not the secret. */
const PATH_VALUE = /^(?:[/~.]|[A-Za-z]:\\)/
const MIN_GUESSED_LENGTH = 8

/**
 * Values of environment variables named like secrets (the runner's own tokens, a cloud key), so a
 * `${VAR}` in a config or an echoed environment cannot carry them out. Values that look like a word,
 * a setting or a path are left alone: scrubbing `true` or `platform` would shred the outputs.
 */
export function secretLookingEnv(env: Record<string, string | undefined>): string[] {
  return unique(
    Object.entries(env)
      .filter(([name]) => SECRET_NAME.test(name))
      .map(([, value]) => value?.trim() ?? '')
      .filter(looksSecret),
  )
}

function looksSecret(value: string): boolean {
  if (value.length < MIN_GUESSED_LENGTH || NOT_SECRET_VALUE.test(value)) return false
  if (PATH_VALUE.test(value)) return false
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z\d]/].filter((c) => c.test(value))
  return classes.length >= 2
}

export function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => Boolean(v)))]
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
