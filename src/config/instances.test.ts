import { afterEach, describe, expect, it } from 'vitest'
import { configFixture, type ConfigFixture } from '../../test/fixtures/config.ts'

let fixture: ConfigFixture | undefined
afterEach(async () => {
  await fixture?.remove()
  fixture = undefined
})

async function load(files: Record<string, string>, env: Record<string, string> = {}) {
  fixture = await configFixture(files)
  return fixture.load(env)
}

const INSTANCES = `instances:
  - name: production
    url: https://grafana.acme.example
    token: { env: GRAFANA_PROD_TOKEN }
  - name: staging
    url: \${STAGING_URL}
    username: { env: STAGING_USER }
    password: { env: STAGING_PASSWORD }
`

describe('instances in the config', () => {
  it('reads each instance with its URL and the variable names of its credentials', async () => {
    const result = await load(
      {
        'instances.yaml': INSTANCES,
        'teams.yaml': `teams:
  - name: Platform
  - name: Canary
    instances: [staging]
`,
      },
      { STAGING_URL: 'https://staging.acme.example' },
    )
    if (!result.ok) throw new Error(JSON.stringify(result.problems))
    const [production, staging] = result.config.instances ?? []
    expect(production).toMatchObject({
      name: 'production',
      url: 'https://grafana.acme.example',
      token: { env: 'GRAFANA_PROD_TOKEN', source: { file: 'teams/instances.yaml', line: 4 } },
    })
    expect(staging).toMatchObject({
      url: 'https://staging.acme.example',
      username: { env: 'STAGING_USER' },
      password: { env: 'STAGING_PASSWORD' },
    })
    const [platform, canary] = result.config.teams
    expect(platform?.instances).toBeUndefined()
    expect(canary?.instances).toEqual([
      { value: 'staging', source: { file: 'teams/teams.yaml', line: 4, col: 17 } },
    ])
  })

  it('leaves a config without instances as it was', async () => {
    const result = await load({ 'teams.yaml': 'teams:\n  - name: Platform\n' })
    expect(result.ok && 'instances' in result.config).toBe(false)
  })

  it('reports an unknown instance name at its place, naming the declared ones', async () => {
    const result = await load(
      {
        'instances.yaml': INSTANCES,
        'teams.yaml': 'teams:\n  - name: Platform\n    instances: [prod]\n',
      },
      { STAGING_URL: 'https://s.example' },
    )
    expect(result.ok ? [] : result.problems).toEqual([
      {
        file: 'teams/teams.yaml',
        line: 3,
        col: 17,
        message: 'instance "prod" is not declared under `instances:`',
        hint: 'Name one of the declared instances ("production", "staging"), or declare it under `instances:`.',
      },
    ])
  })

  it('reports instances named on orgs and users when none are declared', async () => {
    const result = await load({
      'orgs.yaml': `orgs:
  - name: Ops
    instances: [production]
users:
  - login: tv
    instances: [staging]
`,
    })
    expect(result.ok ? [] : result.problems.map((p) => [p.line, p.message])).toEqual([
      [3, 'instance "production" is named, but no `instances:` are declared'],
      [6, 'instance "staging" is named, but no `instances:` are declared'],
    ])
  })

  it('reports an instance declared twice with both places', async () => {
    const result = await load({
      'a.yaml': 'instances:\n  - name: prod\n    url: https://a.example\n    token: { env: A }\n',
      'b.yaml': 'instances:\n  - name: Prod\n    url: https://b.example\n    token: { env: B }\n',
    })
    expect(result.ok ? [] : result.problems).toEqual([
      expect.objectContaining({
        file: 'teams/b.yaml',
        line: 2,
        message: 'instance "Prod" is declared twice: also at teams/a.yaml:2:5',
      }),
    ])
  })

  it('reports an instance without credentials or with half of basic auth', async () => {
    const result = await load({
      'a.yaml': `instances:
  - name: prod
    url: https://a.example
  - name: stage
    url: https://b.example
    username: { env: USER }
`,
    })
    expect(result.ok ? [] : result.problems.map((p) => [p.line, p.message])).toEqual([
      [2, 'instance "prod" has no credentials'],
      [4, 'instance "stage" has a username but no password'],
    ])
  })

  it('refuses a secret written in YAML instead of an environment variable', async () => {
    const result = await load({
      'a.yaml': 'instances:\n  - name: prod\n    url: https://a.example\n    token: glsa_secret\n',
    })
    expect(result.ok).toBe(false)
    expect(JSON.stringify(result)).not.toContain('glsa_secret')
  })
})
