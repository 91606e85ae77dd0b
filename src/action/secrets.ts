import { withScheme } from '../grafana/client.ts'
import { privateKeySecrets } from '../okta/index.ts'
import { readInput } from './inputs.ts'

type Env = Record<string, string | undefined>

/**
 * Secrets and the values derived from them that could reach a log line, read from the raw inputs so
 * they can be masked before anything is parsed or logged (an input error may echo a value).
 */
export function secretInputs(env: Env): string[] {
  const input = (name: string) => readInput(env, name) || undefined
  const url = parseUrl(input('grafana-url'))
  const secrets = [
    input('grafana-token'),
    input('grafana-password'),
    input('okta-api-token'),
    input('github-token') ?? (env.GITHUB_TOKEN?.trim() || undefined),
    ...privateKeySecrets(input('okta-private-key')),
  ]
  if (url?.password) secrets.push(url.password, safeDecode(url.password))
  const username = input('grafana-username') || (url && safeDecode(url.username))
  const password = input('grafana-password') || (url && safeDecode(url.password))
  if (username && password) secrets.push(Buffer.from(`${username}:${password}`).toString('base64'))
  return [...new Set(secrets.filter((s): s is string => Boolean(s)))]
}

function parseUrl(value: string | undefined): URL | undefined {
  try {
    return value ? new URL(withScheme(value)) : undefined
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

/** Replaces every secret input in a message built from a remote answer. */
export function withoutSecrets(env: Env, text: string): string {
  return secretInputs(env).reduce((clean, secret) => clean.split(secret).join('***'), text)
}
