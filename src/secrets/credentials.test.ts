import { describe, expect, it } from 'vitest'
import {
  basicAuthValue,
  grafanaAuth,
  grafanaSecrets,
  hasGrafanaAuth,
  parseGrafanaUrl,
  secretLookingEnv,
  withoutUserInfo,
} from './credentials.ts'

describe('parseGrafanaUrl', () => {
  it('splits the userinfo from the address and decodes it', () => {
    expect(parseGrafanaUrl('https://sync%2Badmin:p%40ss@grafana.acme.example/grafana/')).toEqual({
      url: 'https://grafana.acme.example/grafana/',
      username: 'sync+admin',
      password: 'p@ss',
    })
  })

  it('means https when there is no scheme, with or without userinfo', () => {
    expect(parseGrafanaUrl('admin:pw@grafana.acme.example')).toEqual({
      url: 'https://grafana.acme.example/',
      username: 'admin',
      password: 'pw',
    })
    expect(parseGrafanaUrl('localhost:3000')).toEqual({ url: 'https://localhost:3000/' })
  })

  it('takes the last @ of the authority as the end of the userinfo, as browsers do', () => {
    expect(parseGrafanaUrl('http://admin:p@ss@127.0.0.1:3000')).toMatchObject({
      url: 'http://127.0.0.1:3000/',
      password: 'p@ss',
    })
  })

  it('is undefined for what is not a URL', () => {
    expect(parseGrafanaUrl('')).toBeUndefined()
    expect(parseGrafanaUrl('https://exa mple.com')).toBeUndefined()
  })
})

describe('grafanaAuth', () => {
  it('prefers basic auth, and an explicit username or password over the URL one, half by half', () => {
    expect(
      grafanaAuth({ url: 'https://admin:url-pw@g.example', password: 'explicit', token: 't' }),
    ).toEqual({
      url: 'https://g.example/',
      basic: { username: 'admin', password: 'explicit' },
      token: 't',
    })
  })

  it('drops a "Bearer " copied with the token', () => {
    expect(grafanaAuth({ url: 'g.example', token: ' Bearer glsa_abc ' })?.token).toBe('glsa_abc')
  })

  it('needs a URL and a token or both halves of basic auth; the CLI and the client agree', () => {
    expect(hasGrafanaAuth({ url: 'admin:pw@g.example' })).toBe(true)
    expect(hasGrafanaAuth({ url: 'admin@g.example', password: 'pw' })).toBe(true)
    expect(hasGrafanaAuth({ url: 'admin@g.example' })).toBe(false)
    expect(hasGrafanaAuth({ url: 'g.example', username: 'admin' })).toBe(false)
    expect(hasGrafanaAuth({ url: '', token: 'glsa_abc' })).toBe(false)
    expect(hasGrafanaAuth({ url: 'g.example', token: 'Bearer ' })).toBe(false)
  })

  it('counts given credentials beside a URL that does not parse: the URL is reported on its own', () => {
    expect(hasGrafanaAuth({ url: 'http://[not-a-host', token: 'glsa_abc' })).toBe(true)
    expect(hasGrafanaAuth({ url: 'http://[not-a-host', username: 'a', password: 'p' })).toBe(true)
    expect(hasGrafanaAuth({ url: 'http://[not-a-host' })).toBe(false)
  })
})

describe('grafanaSecrets', () => {
  it('lists the token, the password as written and decoded, and the basic-auth value', () => {
    const secrets = grafanaSecrets({ url: 'admin:p%40ss@g.example', token: 'Bearer glsa_abcd' })
    expect(secrets.sort()).toEqual(
      ['Bearer glsa_abcd', 'glsa_abcd', 'p%40ss', 'p@ss', basicAuthValue('admin', 'p@ss')].sort(),
    )
  })

  it('still finds the password of a URL that does not parse', () => {
    const secrets = grafanaSecrets({ url: 'https://admin:hunter22@exa mple.com/x' })
    expect(secrets).toContain('hunter22')
    expect(secrets).toContain(basicAuthValue('admin', 'hunter22'))
  })

  it('pairs an explicit username with the password of the URL', () => {
    const secrets = grafanaSecrets({ url: 'https://:from-url@g.example', username: 'sync' })
    expect(secrets).toContain(basicAuthValue('sync', 'from-url'))
  })
})

describe('withoutUserInfo', () => {
  it('hides the userinfo of URLs that parse and of those that do not', () => {
    expect(withoutUserInfo('ftp://admin:hunter2@g.example/x')).toBe('ftp://***@g.example/x')
    expect(withoutUserInfo('admin:hunter2@exa mple')).toBe('***@exa mple')
    expect(withoutUserInfo('https://g.example/a@b')).toBe('https://g.example/a@b')
  })
})

describe('secretLookingEnv', () => {
  it('takes the values of variables named like secrets, leaving words, settings, paths and short values', () => {
    const env = {
      ACTIONS_RUNTIME_TOKEN: 'eyJhbGciOi.runtime',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG',
      DB_PASSWORD: 'correct horse',
      FEATURE_TOKEN_ENABLED: 'true',
      TOKEN_COUNT: '12',
      SHORT_TOKEN: 'abc',
      PWD: '/home/runner/work',
      TOKEN_FILE: '/run/secrets/grafana',
      TEAM_SECRET_NAME: 'platform',
      GRAFANA_URL: 'https://g.example',
    }
    expect(secretLookingEnv(env).sort()).toEqual(
      ['eyJhbGciOi.runtime', 'wJalrXUtnFEMI/K7MDENG', 'correct horse'].sort(),
    )
  })
})
