// A problem with the run's settings, as a code and fields. Lower layers name a setting by what it is
// (`grafanaToken`); each adapter names it its own way: the Action as an input (`grafana-token`), the
// CLI as an environment variable (GRAFANA_TOKEN). No layer below the adapters knows those names.

export type { Setting, SettingProblem } from './model.ts'
import type { Setting, SettingProblem } from './model.ts'

/** How an adapter names one or more settings in a sentence, e.g. "the `a` and `b` inputs" or "A and B". */
export type SettingNames = (settings: Setting[]) => string

/** The wording when no adapter names the settings: what they are, without any adapter's name. */
const WHAT: Record<Setting, string> = {
  grafanaUrl: 'the Grafana URL',
  grafanaToken: 'the service-account token',
  grafanaUsername: 'the username',
  grafanaPassword: 'the password',
  oktaDomain: 'the Okta domain',
  oktaToken: 'the Okta API token',
  oktaClientId: 'the Okta client id',
  oktaPrivateKey: 'the Okta private key',
}

export const NEUTRAL_NAMES: SettingNames = (settings) => and(settings.map((s) => WHAT[s]))

/** `a`, `a and b`, `a, b and c`. */
export function and(words: string[]): string {
  return words.length <= 1
    ? (words[0] ?? '')
    : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`
}

const BASIC: Setting[] = ['grafanaUsername', 'grafanaPassword']

export function describeSetting(
  problem: SettingProblem,
  names: SettingNames = NEUTRAL_NAMES,
): string {
  switch (problem.code) {
    case 'setting-unset':
      return `${names([problem.setting])} is not set: it is needed ${problem.neededFor}`
    case 'setting-invalid':
      return `${names([problem.setting])} is not a valid URL (expected e.g. ${problem.expected})`
    case 'grafana-credentials-missing':
      return `No Grafana credentials: set ${names(['grafanaUrl', 'grafanaToken'])}, or ${names(BASIC)} for basic auth`
    case 'basic-auth-needed':
      return `${problem.because}; set ${names(BASIC)} to the basic auth of a Grafana server admin`
    case 'okta-credentials-missing':
      return `Okta group "${problem.group}" is referenced (${problem.where}) but Okta credentials are missing: set ${names(['oktaDomain', 'oktaToken'])}, or ${names(['oktaDomain', 'oktaClientId', 'oktaPrivateKey'])} of an API Services app`
    case 'okta-credentials-conflict':
      return `${names(['oktaToken'])} is set together with ${names(['oktaClientId', 'oktaPrivateKey'])}: Okta is reached one way, an API token or an API Services app; remove one`
    case 'grafana-settings-with-instances': {
      const them = problem.settings.length > 1 ? 'them' : 'it'
      return `\`instances:\` is declared (${problem.where}): each instance brings its own URL and credentials, so ${names(problem.settings)} must be unset; remove ${them}`
    }
    case 'okta-app-incomplete':
      return problem.missing === 'oktaPrivateKey'
        ? `${names([problem.given])} is set without ${names([problem.missing])}: give the private key whose public key is registered on the API Services app`
        : `${names([problem.given])} is set without ${names([problem.missing])}: give the Client ID of the API Services app`
  }
}

/** Thrown by a lower layer; the message is the neutral wording, `problem` lets an adapter word it. */
export class SettingError extends Error {
  readonly problem: SettingProblem

  constructor(problem: SettingProblem) {
    super(describeSetting(problem))
    this.name = 'SettingError'
    this.problem = problem
  }
}
