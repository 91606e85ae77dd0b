// The CLI's names for the run's settings: the environment variables it reads them from.
import { and, type Setting, type SettingNames } from '../settings.ts'

export const SETTING_ENV: Record<Setting, string> = {
  grafanaUrl: 'GRAFANA_URL',
  grafanaToken: 'GRAFANA_TOKEN',
  grafanaUsername: 'GRAFANA_USERNAME',
  grafanaPassword: 'GRAFANA_PASSWORD',
  oktaDomain: 'OKTA_DOMAIN',
  oktaToken: 'OKTA_API_TOKEN',
  oktaClientId: 'OKTA_CLIENT_ID',
  oktaPrivateKey: 'OKTA_PRIVATE_KEY',
}

/** "GRAFANA_URL", "GRAFANA_USERNAME and GRAFANA_PASSWORD". */
export const variableNames: SettingNames = (settings) => and(settings.map((s) => SETTING_ENV[s]))
