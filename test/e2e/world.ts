// Fake Grafana, Okta and GitHub on loopback with a small team config, shared by the e2e tests.
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from '../fakes/github.ts'
import { startFakeGrafana, type FakeGrafana } from '../fakes/grafana.ts'
import { startFakeOkta, type FakeOkta, type FakeOktaOptions } from '../fakes/okta.ts'
import { existsSync, readFileSync } from 'node:fs'
import { expect } from 'vitest'
import { makeWorkspace, REPOSITORY, visibleLog, type ActionRan, type Workspace } from './harness.ts'

export const GRAFANA_ADMIN_PASSWORD = 'Adm1n-pw-e2e-SECRET'
export const OKTA_TOKEN = '00okta-SECRET-token-e2e'
export const GITHUB_TOKEN = 'ghs_SECRET_github_token_e2e'

export const PLATFORM_YAML = `settings:
  defaultOrg: Main Org.
teams:
  - name: Platform
    email: platform@acme.example
    members:
      users: [carol@acme.example]
      oktaGroups: [Platform-Engineers]
    admins:
      users: [bob@acme.example]
`

/** The config example of the product contract, verbatim: every key it shows must be accepted. */
export const CONTRACT_EXAMPLE_YAML = `settings:                       # at most one file may set a given key
  defaultOrg: Main Org.         # org for teams/bindings that name none
  identity: email               # email | login — how people are matched (always case-insensitive)
  missingUsers: skip            # skip | create — people with no Grafana account yet
  prune:
    teamMembers: true           # remove members of declared teams that the config does not list
    teams: false                # delete undeclared teams in declared orgs
    orgUsers: false             # remove undeclared users from declared orgs
  safety:
    maxRemovals: "25%"          # whole run: number or percent of current managed memberships; see §4
    maxRemovalsPerTeam: "50%"   # one team: number or percent of its current members
    protectedUsers: [admin]     # logins or emails: never removed, demoted or disabled
  okta:
    memberStatuses: [ACTIVE, PASSWORD_EXPIRED, LOCKED_OUT, RECOVERY]

orgs:
  - name: Main Org.
    renamedFrom: Old Name       # optional: rename instead of create
    admins:  { users: [ana@acme.example], oktaGroups: [Grafana-Admins] }
    editors: { oktaGroups: [Engineering] }
    viewers: { oktaGroups: [Everyone] }

users:                          # local (non-SSO) accounts, e.g. an office TV
  - login: office-tv
    email: tv@acme.example
    name: Office TV
    password: { env: OFFICE_TV_PASSWORD }   # used only to create; never in YAML, never logged
    isGrafanaAdmin: false
    disabled: false
    orgRoles: { Main Org.: Viewer }

teams:
  - name: Platform
    org: Main Org.              # default: settings.defaultOrg, else "Main Org."
    email: platform@acme.example
    preferences: { theme: dark, timezone: utc, weekStart: monday, homeDashboardUid: abc123 }
    members: { users: [carol@acme.example], oktaGroups: [Platform-Engineers] }
    admins:  { users: [bob@acme.example],   oktaGroups: [Platform-Leads] }

mappings:                       # the compact form: one Okta group -> one team in the default org
  - okta_group: Group1
    grafana_team: Team1
`

export interface World {
  grafana: FakeGrafana
  okta: FakeOkta
  github: FakeGitHub
  ws: Workspace
  /** Service-account token (Admin of Main Org.). */
  grafanaToken: string
  users: Record<'bob' | 'carol' | 'dave' | 'erin' | 'mallory', number>
  oktaGroup: string
  oktaUsers: Record<'dave' | 'erin' | 'frank', string>
  /** Every secret of the world: none may appear in logs, summaries, comments or plan files. */
  secrets: string[]
  /** `with:` values giving the action token access to Grafana and Okta. */
  credentials: Record<string, string>
  close(): Promise<void>
}

export async function startWorld(
  files: Record<string, string> = { 'teams/platform.yaml': PLATFORM_YAML },
  opts: { github?: FakeGitHubOptions; oktaOAuth?: FakeOktaOptions['oauth'] } = {},
): Promise<World> {
  const grafana = await startFakeGrafana({ adminPassword: GRAFANA_ADMIN_PASSWORD })
  const okta = await startFakeOkta({ token: OKTA_TOKEN, oauth: opts.oktaOAuth })
  const github = await startFakeGitHub({ token: GITHUB_TOKEN, ...opts.github })
  const ws = makeWorkspace(files)
  const person = (login: string) =>
    grafana.addUser({ login, email: `${login}@acme.example`, name: login, orgs: { 1: 'Viewer' } })
  const users = {
    bob: person('bob'),
    carol: person('carol'),
    dave: person('dave'),
    erin: person('erin'),
    mallory: person('mallory'),
  }
  const oktaGroup = okta.addGroup({ name: 'Platform-Engineers' })
  const oktaPerson = (login: string) =>
    okta.addUser({ login: `${login}@acme.example`, firstName: login, lastName: 'Example' })
  const oktaUsers = {
    dave: oktaPerson('dave'),
    erin: oktaPerson('erin'),
    frank: oktaPerson('frank'),
  }
  okta.addMember(oktaGroup, oktaUsers.dave)
  okta.addMember(oktaGroup, oktaUsers.erin)
  const grafanaToken = grafana.addServiceAccountToken(1, 'Admin')
  return {
    grafana,
    okta,
    github,
    ws,
    grafanaToken,
    users,
    oktaGroup,
    oktaUsers,
    secrets: [
      grafanaToken,
      GRAFANA_ADMIN_PASSWORD,
      Buffer.from(`admin:${GRAFANA_ADMIN_PASSWORD}`).toString('base64'),
      OKTA_TOKEN,
      GITHUB_TOKEN,
    ],
    credentials: {
      'grafana-url': grafana.url,
      'grafana-token': grafanaToken,
      'okta-domain': okta.url,
      'okta-api-token': OKTA_TOKEN,
    },
    async close() {
      await Promise.all([grafana.close(), okta.close(), github.close()])
      ws.remove()
    },
  }
}

/** Members of a team by login, with `A` for admins, e.g. `['bob:A', 'carol']`. */
export function teamMembers(grafana: FakeGrafana, team: string): string[] {
  const snap = grafana.snapshot()
  const t = snap.teams.find((x) => x.name === team)
  if (!t) return []
  const login = (id: number) => snap.users.find((u) => u.id === id)?.login ?? `#${id}`
  return snap.teamMembers
    .filter((m) => m.teamId === t.id)
    .map((m) => `${login(m.userId)}${m.permission === 4 ? ':A' : ''}`)
    .sort()
}

export const repoPayload = {
  full_name: REPOSITORY,
  default_branch: 'main',
  name: 'grafana-access',
  owner: { login: 'acme' },
}

/** A pull request's event; `shas` names its head and base commits (the base config is read there). */
export function pullRequestPayload(
  number: number,
  headRepo = REPOSITORY,
  shas?: { head: string; base: string },
) {
  return {
    action: 'synchronize',
    number,
    pull_request: {
      number,
      head: { ref: 'feature', sha: shas?.head ?? 'f00d', repo: { full_name: headRepo } },
      base: shas
        ? { ref: 'main', sha: shas.base, repo: { full_name: REPOSITORY } }
        : { ref: 'main' },
    },
    repository: repoPayload,
  }
}

/**
 * No secret of the world in anything a person or a later step can read: the log (without the
 * `::add-mask::` lines that register them), stderr, the job summary, the outputs, the plan file and
 * every comment; and no service receives another service's secret.
 */
export function expectNoSecrets(w: World, ran: ActionRan, issues: number[] = [12, 31, 42]): void {
  const planFile = ran.outputs['plan-file']
  const places: Record<string, string> = {
    log: visibleLog(ran.stdout),
    stderr: ran.stderr,
    summary: ran.summary,
    outputs: JSON.stringify(ran.outputs),
    planFile: planFile && existsSync(planFile) ? readFileSync(planFile, 'utf8') : '',
    comments: issues.flatMap((n) => w.github.comments(REPOSITORY, n).map((c) => c.body)).join('\n'),
  }
  const leaking = (texts: Record<string, string>, secrets: readonly string[]) =>
    Object.entries(texts)
      .filter(([, text]) => secrets.some((secret) => text.includes(secret)))
      .map(([where]) => where)
  expect(leaking(places, w.secrets)).toEqual([])
  const sent = (requests: unknown[]) => JSON.stringify(requests)
  const grafanaSecrets = w.secrets.filter((s) => s !== OKTA_TOKEN && s !== GITHUB_TOKEN)
  const leaks = {
    'GitHub got a Grafana or Okta secret': [
      sent(w.github.requests),
      [...grafanaSecrets, OKTA_TOKEN],
    ],
    'Grafana got the Okta or GitHub token': [sent(w.grafana.requests), [OKTA_TOKEN, GITHUB_TOKEN]],
    'Okta got a Grafana secret or the GitHub token': [
      sent(w.okta.requests),
      [...grafanaSecrets, GITHUB_TOKEN],
    ],
  } as const
  const received = Object.entries(leaks).filter(([, [text, secrets]]) =>
    secrets.some((secret) => text.includes(secret)),
  )
  expect(received.map(([what]) => what)).toEqual([])
}
