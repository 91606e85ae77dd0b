// The Action's names for the run's settings: its inputs.
import { and, type Setting, type SettingNames } from '../settings.ts'

export const SETTING_INPUTS: Record<Setting, string> = {
  grafanaUrl: 'grafana-url',
  grafanaToken: 'grafana-token',
  grafanaUsername: 'grafana-username',
  grafanaPassword: 'grafana-password',
  oktaDomain: 'okta-domain',
  oktaToken: 'okta-api-token',
  oktaClientId: 'okta-client-id',
  oktaPrivateKey: 'okta-private-key',
}

/** "the `grafana-url` input", "the `grafana-username` and `grafana-password` inputs". */
export const inputNames: SettingNames = (settings) => {
  const names = and(settings.map((s) => `\`${SETTING_INPUTS[s]}\``))
  return `the ${names} input${settings.length > 1 ? 's' : ''}`
}
