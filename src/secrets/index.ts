export { createScrubber, encodedForms, MIN_SCRUBBED_LENGTH, REDACTED } from './scrubber.ts'
export type { Scrubber, ScrubberOptions } from './scrubber.ts'
export {
  basicAuthHeader,
  basicAuthValue,
  bearerToken,
  grafanaAuth,
  grafanaSecrets,
  hasGrafanaAuth,
  parseGrafanaUrl,
  secretLookingEnv,
  unique,
  withoutUserInfo,
  withScheme,
} from './credentials.ts'
export type { GrafanaAuth, GrafanaCredentialInputs, GrafanaUrl } from './credentials.ts'
