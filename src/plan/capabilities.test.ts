import { describe, expect, it } from 'vitest'
import { config, localUser, org, team } from '../../test/fixtures/plan.ts'
import { checkCapabilities, hasOktaCredentials, oktaCredentialProblem } from './index.ts'

const token = { token: true, basic: false, okta: true }
const basic = { token: false, basic: true, okta: true }

describe('checkCapabilities', () => {
  it('finds nothing for teams in one org with a token', () => {
    expect(checkCapabilities(config({ teams: [team('A'), team('B')] }), token)).toEqual([])
  })

  it.each([
    {
      what: 'orgs:',
      cfg: config({ orgs: [org('Research')] }),
      mention: '`orgs:` is declared (teams/orgs.yaml:1)',
    },
    {
      what: 'users:',
      cfg: config({ users: [localUser('kiosk', { line: 4 })] }),
      mention: '`users:` is declared (teams/users.yaml:4)',
    },
    {
      what: 'missingUsers: create',
      cfg: config({ settings: { missingUsers: 'create' } }),
      mention: 'missingUsers is "create"',
    },
    {
      what: 'teams in two orgs',
      cfg: config({ teams: [team('A'), team('B', { org: 'Research' })] }),
      mention: 'teams and roles are in 2 orgs ("Main Org.", "Research")',
    },
  ])('asks for basic auth when $what needs it and only a token is set', ({ cfg, mention }) => {
    const problems = checkCapabilities(cfg, token)
    expect(problems).toEqual([
      { code: 'basic-auth-needed', because: expect.stringContaining(mention) as string },
    ])
    expect(checkCapabilities(cfg, basic)).toEqual([])
    expect(checkCapabilities(cfg, { ...basic, token: true })).toEqual([])
  })

  it('counts org roles of local users among the orgs a token would need', () => {
    const cfg = config({ teams: [team('A')], users: [] })
    cfg.users = [localUser('kiosk', { orgRoles: { Other: 'Viewer' } })]
    const problems = checkCapabilities(cfg, token)
    expect(
      problems.some((p) => p.code === 'basic-auth-needed' && p.because.includes('2 orgs')),
    ).toBe(true)
  })

  it('asks for Okta credentials when a group is referenced, naming the group and its line', () => {
    const cfg = config({ teams: [team('A', { members: ['ana'], adminGroups: ['Leads'] })] })
    expect(checkCapabilities(cfg, { ...token, okta: false })).toEqual([
      { code: 'okta-credentials-missing', group: 'Leads', where: 'teams/a.yaml:3' },
    ])
    const byOrg = config({ orgs: [org('Main Org.', { viewerGroups: ['Everyone'] })] })
    expect(checkCapabilities(byOrg, { ...basic, okta: false })).toEqual([
      expect.objectContaining({ code: 'okta-credentials-missing', group: 'Everyone' }),
    ])
    expect(
      checkCapabilities(config({ teams: [team('A', { members: ['ana'] })] }), {
        ...token,
        okta: false,
      }),
    ).toEqual([])
  })

  it('asks for Grafana credentials when there are none at all', () => {
    const problems = checkCapabilities(config({ orgs: [org('Research')] }), {
      token: false,
      basic: false,
      okta: false,
    })
    expect(problems).toEqual([{ code: 'grafana-credentials-missing' }])
  })
})

describe('Okta credentials', () => {
  const oktaTeam = () => config({ teams: [team('A', { memberGroups: ['Eng'] })] })

  it('accepts an API token or an app client id with its key', () => {
    const domain = 'acme.okta.com'
    expect(hasOktaCredentials({ domain, token: 't' })).toBe(true)
    expect(hasOktaCredentials({ domain, clientId: '0oa1', privateKey: 'k' })).toBe(true)
    expect(hasOktaCredentials({ domain, clientId: '0oa1' })).toBe(false)
    expect(hasOktaCredentials({ token: 't' })).toBe(false)
  })

  it.each([
    [{ token: 't', clientId: '0oa1', privateKey: 'k' }, { code: 'okta-credentials-conflict' }],
    [
      { clientId: '0oa1' },
      { code: 'okta-app-incomplete', given: 'oktaClientId', missing: 'oktaPrivateKey' },
    ],
    [
      { privateKey: 'k' },
      { code: 'okta-app-incomplete', given: 'oktaPrivateKey', missing: 'oktaClientId' },
    ],
  ])('refuses contradicting or half-set credentials: %j', (okta, expected) => {
    const oktaProblem = oktaCredentialProblem({ domain: 'acme.okta.com', ...okta })
    expect(oktaProblem).toEqual(expected)
    const problems = checkCapabilities(oktaTeam(), { ...token, okta: false, oktaProblem })
    expect(problems).toEqual([expected])
  })

  it('names the group and its place when an Okta group has no credentials', () => {
    const [problem] = checkCapabilities(oktaTeam(), { ...token, okta: false })
    expect(problem).toMatchObject({ code: 'okta-credentials-missing', group: 'Eng' })
  })
})
