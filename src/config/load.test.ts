import { afterEach, describe, expect, it } from 'vitest'
import type { DesiredConfig } from '../model.ts'
import { describeConfig, loadConfig } from './index.ts'
import { configFixture, type ConfigFixture } from '../../test/fixtures/config.ts'

let fixture: ConfigFixture | undefined
afterEach(async () => {
  await fixture?.remove()
  fixture = undefined
})

async function loads(files: Record<string, string>, env: Record<string, string> = {}) {
  fixture = await configFixture(files)
  const result = await fixture.load(env)
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2))
  return result.config
}

const at = (file: string, line: number, col: number) => ({ file: `teams/${file}`, line, col })
const none = { users: [], oktaGroups: [] }

describe('loadConfig on a valid config', () => {
  it('normalizes teams, orgs and users with a source position for every entry and principal', async () => {
    const config = await loads(
      {
        'platform.yaml': `teams:
  - name: Platform
    email: platform@acme.example
    preferences: { theme: dark, timezone: Europe/Berlin }
    members:
      users: [carol@acme.example]
      oktaGroups: [Platform-Engineers, "id:00g1abc"]
    admins: { users: [bob] }
  - name: Support
    org: Partners
`,
        'orgs.yaml': `orgs:
  - name: Partners
    renamedFrom: External
    viewers: { oktaGroups: [Everyone] }
users:
  - login: office-tv
    email: tv@acme.example
    name: Office TV
    password: { env: TV_PASSWORD }
    disabled: false
    orgRoles: { Main Org.: Viewer, Partners: Editor }
`,
      },
      { TV_PASSWORD: 's3cret' },
    )

    expect(config.files).toEqual(['teams/orgs.yaml', 'teams/platform.yaml'])
    expect(config.teams).toEqual([
      {
        name: 'Platform',
        org: 'Main Org.',
        email: 'platform@acme.example',
        preferences: { theme: 'dark', timezone: 'Europe/Berlin' },
        members: {
          users: [{ value: 'carol@acme.example', source: at('platform.yaml', 6, 15) }],
          oktaGroups: [
            { value: 'Platform-Engineers', source: at('platform.yaml', 7, 20) },
            { value: 'id:00g1abc', source: at('platform.yaml', 7, 40) },
          ],
        },
        admins: { users: [{ value: 'bob', source: at('platform.yaml', 8, 23) }], oktaGroups: [] },
        source: at('platform.yaml', 2, 5),
      },
      {
        name: 'Support',
        org: 'Partners',
        members: none,
        admins: none,
        source: at('platform.yaml', 9, 5),
      },
    ] satisfies DesiredConfig['teams'])
    expect(config.orgs).toEqual([
      {
        name: 'Partners',
        renamedFrom: 'External',
        admins: none,
        editors: none,
        viewers: { users: [], oktaGroups: [{ value: 'Everyone', source: at('orgs.yaml', 4, 29) }] },
        source: at('orgs.yaml', 2, 5),
      },
    ])
    expect(config.users).toEqual([
      {
        login: 'office-tv',
        email: 'tv@acme.example',
        name: 'Office TV',
        passwordEnv: 'TV_PASSWORD',
        disabled: false,
        orgRoles: [
          { org: 'Main Org.', role: 'Viewer', source: at('orgs.yaml', 11, 17) },
          { org: 'Partners', role: 'Editor', source: at('orgs.yaml', 11, 36) },
        ],
        source: at('orgs.yaml', 6, 5),
      },
    ])
    expect(JSON.stringify(config)).not.toContain('s3cret')
  })

  it('applies every default when settings are absent', async () => {
    const config = await loads({ 'teams.yaml': 'teams:\n  - name: A\n' })
    expect(config.settings).toEqual({
      defaultOrg: 'Main Org.',
      identity: 'email',
      missingUsers: 'skip',
      prune: { teamMembers: true, teams: false, orgUsers: false },
      safety: {
        maxRemovals: { kind: 'percent', value: 25 },
        maxRemovalsPerTeam: { kind: 'percent', value: 50 },
        protectedUsers: ['admin'],
      },
      okta: { memberStatuses: ['ACTIVE', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'RECOVERY'] },
    })
    expect(config.orgs).toEqual([])
    expect(config.users).toEqual([])
  })

  it('merges settings keys from several files and puts teams without an org in defaultOrg', async () => {
    const config = await loads({
      'a.yaml': 'settings:\n  defaultOrg: Engineering\n  safety: { maxRemovals: 10 }\n',
      'b.yaml': `settings:
  identity: login
  prune: { teams: true }
  safety: { maxRemovalsPerTeam: "12.5%", protectedUsers: [] }
  okta: { memberStatuses: [ACTIVE] }
teams:
  - name: A
`,
    })
    expect(config.settings).toEqual({
      defaultOrg: 'Engineering',
      identity: 'login',
      missingUsers: 'skip',
      prune: { teamMembers: true, teams: true, orgUsers: false },
      safety: {
        maxRemovals: { kind: 'count', value: 10 },
        maxRemovalsPerTeam: { kind: 'percent', value: 12.5 },
        protectedUsers: [],
      },
      okta: { memberStatuses: ['ACTIVE'] },
    })
    expect(config.teams.map((t) => t.org)).toEqual(['Engineering'])
  })

  it('turns mappings into teams of the default org, merging entries for one team', async () => {
    const config = await loads({
      'mappings.yaml': `settings: { defaultOrg: Ops }
mappings:
  - okta_group: Frontend-Engineers
    grafana_team: Frontend
  - okta_group: Security
    grafana_team: Security
`,
      'more/mappings.yaml': `mappings:
  - okta_group: Frontend-Contractors
    grafana_team: Frontend
  - okta_group: Frontend-Engineers
    grafana_team: Frontend
`,
    })
    expect(config.files).toEqual(['teams/mappings.yaml', 'teams/more/mappings.yaml'])
    expect(config.teams).toEqual([
      {
        name: 'Frontend',
        org: 'Ops',
        members: {
          users: [],
          oktaGroups: [
            { value: 'Frontend-Engineers', source: at('mappings.yaml', 3, 17) },
            { value: 'Frontend-Contractors', source: at('more/mappings.yaml', 2, 17) },
          ],
        },
        admins: none,
        source: at('mappings.yaml', 3, 5),
      },
      {
        name: 'Security',
        org: 'Ops',
        members: {
          users: [],
          oktaGroups: [{ value: 'Security', source: at('mappings.yaml', 5, 17) }],
        },
        admins: none,
        source: at('mappings.yaml', 5, 5),
      },
    ])
  })

  it('replaces ${VAR} in string values from env and keeps $${ as a literal', async () => {
    const config = await loads(
      {
        'teams.yaml': `teams:
  - name: \${TEAM}-Team
    org: \${ORG}
    email: \${TEAM_EMAIL}
    members: { oktaGroups: ["Price$\${USD}"] }
`,
      },
      { TEAM: 'Platform', ORG: 'Main Org.', TEAM_EMAIL: 'platform@acme.example' },
    )
    expect(config.teams[0]).toMatchObject({
      name: 'Platform-Team',
      org: 'Main Org.',
      email: 'platform@acme.example',
      members: { oktaGroups: [{ value: 'Price${USD}' }] },
    })
  })

  it('reads files in sorted order of their path, recursively, .yaml and .yml alike', async () => {
    const config = await loads({
      'b.yml': 'teams: [{ name: B }]\n',
      'a/z.yaml': 'teams: [{ name: AZ }]\n',
      'a.yaml': 'teams: [{ name: A }]\n',
      'notes.txt': 'not config',
      'empty.yaml': '# nothing declared here yet\n',
    })
    expect(config.files).toEqual([
      'teams/a.yaml',
      'teams/a/z.yaml',
      'teams/b.yml',
      'teams/empty.yaml',
    ])
    expect(config.teams.map((t) => t.name)).toEqual(['A', 'AZ', 'B'])
  })

  it('points a principal reached through a YAML alias at the alias', async () => {
    const config = await loads({
      'teams.yaml': `teams:
  - name: A
    members: &engineers
      users: [ana@acme.example]
  - name: B
    members: *engineers
`,
    })
    expect(config.teams[1]!.members.users).toEqual([
      { value: 'ana@acme.example', source: at('teams.yaml', 6, 14) },
    ])
  })

  it('accepts a single YAML file as the config path', async () => {
    fixture = await configFixture({ 'one.yaml': 'teams: [{ name: A }]\n' })
    const result = await loadConfig('teams/one.yaml', { env: {}, cwd: fixture.cwd })
    expect(result.ok && result.config.files).toEqual(['teams/one.yaml'])
  })
})

describe('describeConfig', () => {
  it('counts files, teams, distinct groups, people and local users, and lists the orgs', async () => {
    const config = await loads(
      {
        'a.yaml': `orgs:
  - name: Partners
    viewers: { users: [Ana@acme.example] }
teams:
  - name: A
    members: { users: [ana@acme.example, bob], oktaGroups: [G2, G1] }
    admins: { oktaGroups: [G1] }
users:
  - login: tv
    orgRoles: { Kiosk: Viewer }
`,
        'b.yaml': 'mappings: [{ okta_group: G3, grafana_team: B }]\n',
      },
      {},
    )
    expect(describeConfig(config)).toEqual({
      files: 2,
      orgs: ['Kiosk', 'Main Org.', 'Partners'],
      teams: 2,
      oktaGroups: ['G1', 'G2', 'G3'],
      people: 2,
      users: 1,
    })
  })
})
