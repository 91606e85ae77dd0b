// Every secret serve knows from its environment, and one scrubber for its logs, health answers and
// metrics: raw, lower-case, URL-encoded, base64 and JSON-escaped forms.
import { createScrubber } from '../http/errors.ts'

type Env = Record<string, string | undefined>

const SECRET_VARIABLES = [
  'GRAFANA_TOKEN',
  'GRAFANA_PASSWORD',
  'OKTA_API_TOKEN',
  'OKTA_PRIVATE_KEY',
  'OKTA_CLIENT_SECRET',
]

export function secretsOf(env: Env): string[] {
  const secrets = SECRET_VARIABLES.map((name) => env[name]?.trim() ?? '')
  const url = parseUrl(env.GRAFANA_URL)
  const password = env.GRAFANA_PASSWORD || (url ? safeDecode(url.password) : '')
  if (url?.password) secrets.push(url.password, safeDecode(url.password))
  const username = env.GRAFANA_USERNAME || (url ? safeDecode(url.username) : '')
  if (username && password) secrets.push(Buffer.from(`${username}:${password}`).toString('base64'))
  return [...new Set(secrets.filter((s) => s.length >= 4))]
}

export function scrubberFor(env: Env): (text: string) => string {
  const secrets = secretsOf(env)
  const jsonEscaped = secrets.map((s) => JSON.stringify(s).slice(1, -1)).filter((s) => s.length)
  return createScrubber([...secrets, ...jsonEscaped])
}

function parseUrl(value: string | undefined): URL | undefined {
  try {
    return value ? new URL(value) : undefined
  } catch {
    return undefined
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
