import { describe, expect, it } from 'vitest'
import { SETTING_ENV, SettingError, describeSetting } from './settings.ts'

describe('describeSetting', () => {
  const invalid = {
    code: 'setting-invalid',
    setting: 'grafana-url',
    expected: 'https://grafana.example.com',
  } as const

  it('lets each adapter name the setting its own way', () => {
    expect(describeSetting(invalid, (s) => SETTING_ENV[s])).toBe(
      'GRAFANA_URL is not a valid URL (expected e.g. https://grafana.example.com)',
    )
    expect(describeSetting(invalid, (s) => `the \`${s}\` input`)).toBe(
      'the `grafana-url` input is not a valid URL (expected e.g. https://grafana.example.com)',
    )
  })

  it('names both when no adapter words it, and carries the fields on the error', () => {
    const error = new SettingError({
      code: 'setting-unset',
      setting: 'grafana-url',
      neededFor: 'to read Grafana',
    })
    expect(error.message).toBe(
      'grafana-url (CLI: GRAFANA_URL) is not set: it is needed to read Grafana',
    )
    expect(error.problem).toMatchObject({ code: 'setting-unset', setting: 'grafana-url' })
  })
})
