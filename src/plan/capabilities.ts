import type { DesiredConfig } from '../model.ts'
import type { SettingProblem } from '../model.ts'
import { lower } from './people.ts'
import { where } from './wants.ts'

/** The kinds of credential a run has. */
export interface Capabilities {
  token: boolean
  basic: boolean
  okta: boolean
  /** Okta credentials that contradict or half-fill each other. */
  oktaProblem?: SettingProblem
}

/**
 * Problems the credentials make certain before any request: what the config asks for needs basic auth
 * of a server admin, or Okta credentials, that the run does not have.
 */
export function checkCapabilities(config: DesiredConfig, auth: Capabilities): SettingProblem[] {
  const problems: SettingProblem[] = []
  if (auth.oktaProblem) problems.push(auth.oktaProblem)
  if (!auth.token && !auth.basic) {
    problems.push({ code: 'grafana-credentials-missing' })
  } else if (!auth.basic) {
    problems.push(
      ...needsBasicAuth(config).map((because) => ({ code: 'basic-auth-needed' as const, because })),
    )
  }
  const group = firstOktaGroup(config)
  if (group && !auth.okta && !auth.oktaProblem) {
    problems.push({
      code: 'okta-credentials-missing',
      group: group.value,
      where: where(group.source),
    })
  }
  return problems
}

export interface OktaCredentials {
  domain?: string
  token?: string
  clientId?: string
  privateKey?: string
  keyId?: string
}

/** Whether the Okta credentials are complete: an API token, or an app's client id and key. */
export function hasOktaCredentials(okta: OktaCredentials | undefined): boolean {
  if (!okta?.domain?.trim()) return false
  return Boolean(okta.token?.trim() || (okta.clientId?.trim() && okta.privateKey?.trim()))
}

/** Okta credentials that contradict or half-fill each other, whatever the config asks. */
export function oktaCredentialProblem(
  okta: OktaCredentials | undefined,
): SettingProblem | undefined {
  const token = Boolean(okta?.token?.trim())
  const clientId = Boolean(okta?.clientId?.trim())
  const key = Boolean(okta?.privateKey?.trim())
  if (token && (clientId || key)) return { code: 'okta-credentials-conflict' }
  if (clientId && !key) {
    return { code: 'okta-app-incomplete', given: 'oktaClientId', missing: 'oktaPrivateKey' }
  }
  if (key && !clientId) {
    return { code: 'okta-app-incomplete', given: 'oktaPrivateKey', missing: 'oktaClientId' }
  }
  return undefined
}

/** What the config asks that a service-account token cannot do. */
function needsBasicAuth(config: DesiredConfig): string[] {
  const problems: string[] = []
  const [org] = config.orgs
  if (org) {
    problems.push(
      `\`orgs:\` is declared (${where(org.source)}): creating, renaming and binding roles in orgs needs basic auth, a service-account token cannot`,
    )
  }
  const [user] = config.users
  if (user) {
    problems.push(
      `\`users:\` is declared (${where(user.source)}): managing Grafana accounts needs basic auth, a service-account token cannot`,
    )
  }
  if (config.settings.missingUsers === 'create') {
    problems.push(
      `settings.missingUsers is "create": creating Grafana accounts needs basic auth, a service-account token cannot`,
    )
  }
  const orgNames = new Map<string, string>()
  for (const team of config.teams) orgNames.set(lower(team.org), team.org)
  for (const u of config.users)
    for (const role of u.orgRoles) orgNames.set(lower(role.org), role.org)
  if (!org && orgNames.size > 1) {
    const names = [...orgNames.values()].sort().map((n) => `"${n}"`)
    problems.push(
      `teams and roles are in ${orgNames.size} orgs (${names.join(', ')}), but a service-account token works in its own org only`,
    )
  }
  return problems
}

function firstOktaGroup(config: DesiredConfig) {
  for (const team of config.teams) {
    const group = team.members.oktaGroups[0] ?? team.admins.oktaGroups[0]
    if (group) return group
  }
  for (const org of config.orgs) {
    const group = org.admins.oktaGroups[0] ?? org.editors.oktaGroups[0] ?? org.viewers.oktaGroups[0]
    if (group) return group
  }
  return undefined
}
