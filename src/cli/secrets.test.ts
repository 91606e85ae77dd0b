import { describe, expect, it } from 'vitest'
import { createScrubber } from '../secrets/index.ts'
import { cliSecrets } from './secrets.ts'

const scrubberOf = (env: Record<string, string | undefined>) =>
  createScrubber(cliSecrets(env)).scrub

describe('the secrets of the environment, scrubbed', () => {
  const env = {
    GRAFANA_URL: 'https://sync:url%40pass@grafana.example',
    GRAFANA_TOKEN: 'glsa_Token"With\\Quotes',
    OKTA_API_TOKEN: '00okta-API-token',
    GRAFANA_USERNAME: 'admin',
    GRAFANA_PASSWORD: 'Adm1n-Pass',
  }

  it('knows the tokens, passwords, the URL password and the basic-auth header value', () => {
    expect(cliSecrets(env)).toEqual(
      expect.arrayContaining([
        'glsa_Token"With\\Quotes',
        '00okta-API-token',
        'Adm1n-Pass',
        'url%40pass',
        'url@pass',
        Buffer.from('admin:Adm1n-Pass').toString('base64'),
      ]),
    )
  })

  it('removes each secret raw, lower-cased, URL-encoded, base64 and JSON-escaped', () => {
    const scrub = scrubberOf(env)
    const forms = [
      '00okta-API-token',
      '00okta-api-token',
      encodeURIComponent('glsa_Token"With\\Quotes'),
      Buffer.from('00okta-API-token').toString('base64'),
      JSON.stringify({ t: 'glsa_Token"With\\Quotes' }),
    ]
    for (const form of forms) expect(scrub(`x ${form} y`)).not.toMatch(/token|Quotes/i)
  })

  it('leaves text alone when no secret is set', () => {
    expect(scrubberOf({})('nothing to hide')).toBe('nothing to hide')
  })
})
