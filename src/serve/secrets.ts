// One scrubber for serve's logs, health answers and metrics: every secret of its environment, in
// every form the shared scrubber knows (raw, lower-case, URL-encoded, base64, JSON-escaped).
import { cliSecrets } from '../cli/secrets.ts'
import { createScrubber } from '../secrets/index.ts'

type Env = Record<string, string | undefined>

export function secretsOf(env: Env): string[] {
  return createScrubber(cliSecrets(env)).secrets.slice()
}

export function scrubberFor(env: Env): (text: string) => string {
  return createScrubber(cliSecrets(env)).scrub
}
