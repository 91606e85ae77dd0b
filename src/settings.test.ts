import { describe, expect, it } from 'vitest'
import { inputNames } from './action/settings.ts'
import { variableNames } from './cli/settings.ts'
import { SettingError, describeSetting, type SettingProblem } from './settings.ts'

const invalid = {
  code: 'setting-invalid',
  setting: 'grafanaUrl',
  expected: 'https://grafana.example.com',
} as const

const basicAuth: SettingProblem = {
  code: 'basic-auth-needed',
  because: '`orgs:` is declared (teams/orgs.yaml:1): creating orgs needs basic auth',
}

describe('describeSetting', () => {
  it('lets each adapter name the setting its own way', () => {
    expect(describeSetting(invalid, variableNames)).toBe(
      'GRAFANA_URL is not a valid URL (expected e.g. https://grafana.example.com)',
    )
    expect(describeSetting(invalid, inputNames)).toBe(
      'the `grafana-url` input is not a valid URL (expected e.g. https://grafana.example.com)',
    )
  })

  it('names the basic-auth settings as the Action inputs or the CLI variables', () => {
    expect(describeSetting(basicAuth, inputNames)).toBe(
      '`orgs:` is declared (teams/orgs.yaml:1): creating orgs needs basic auth; set the `grafana-username` and `grafana-password` inputs to the basic auth of a Grafana server admin',
    )
    expect(describeSetting(basicAuth, variableNames)).toContain(
      'set GRAFANA_USERNAME and GRAFANA_PASSWORD to the basic auth',
    )
  })

  it('names the Grafana and Okta credentials each adapter reads', () => {
    const none: SettingProblem = { code: 'grafana-credentials-missing' }
    expect(describeSetting(none, inputNames)).toBe(
      'No Grafana credentials: set the `grafana-url` and `grafana-token` inputs, or the `grafana-username` and `grafana-password` inputs for basic auth',
    )
    expect(describeSetting(none, variableNames)).toBe(
      'No Grafana credentials: set GRAFANA_URL and GRAFANA_TOKEN, or GRAFANA_USERNAME and GRAFANA_PASSWORD for basic auth',
    )
    const okta: SettingProblem = {
      code: 'okta-credentials-missing',
      group: 'Leads',
      where: 'teams/a.yaml:3',
    }
    expect(describeSetting(okta, inputNames)).toBe(
      'Okta group "Leads" is referenced (teams/a.yaml:3) but Okta credentials are missing: set the `okta-domain` and `okta-api-token` inputs, or the `okta-domain`, `okta-client-id` and `okta-private-key` inputs of an API Services app',
    )
    expect(describeSetting(okta, variableNames)).toMatch(
      /set OKTA_DOMAIN and OKTA_API_TOKEN, or OKTA_DOMAIN, OKTA_CLIENT_ID and OKTA_PRIVATE_KEY of an API Services app$/,
    )
  })

  it('words a setting by what it is when no adapter names it, and carries the fields on the error', () => {
    const error = new SettingError({
      code: 'setting-unset',
      setting: 'grafanaUrl',
      neededFor: 'to read Grafana',
    })
    expect(error.message).toBe('the Grafana URL is not set: it is needed to read Grafana')
    expect(error.problem).toMatchObject({ code: 'setting-unset', setting: 'grafanaUrl' })
  })
})
