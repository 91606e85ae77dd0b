import type { DesiredConfig } from '../model.ts'
import { lower } from './people.ts'
import { where } from './wants.ts'

const BASIC_AUTH =
  'set the `grafana-username` and `grafana-password` inputs (CLI: GRAFANA_USERNAME and GRAFANA_PASSWORD) to the basic auth of a Grafana server admin'

/**
 * Problems the credentials make certain before any request: what the config asks for needs basic auth
 * of a server admin, or Okta credentials, that the run does not have.
 */
export function checkCapabilities(
  config: DesiredConfig,
  auth: { token: boolean; basic: boolean; okta: boolean; oktaProblem?: string },
): string[] {
  const problems: string[] = []
  if (auth.oktaProblem) problems.push(auth.oktaProblem)
  if (!auth.token && !auth.basic) {
    problems.push(
      'No Grafana credentials: set the `grafana-url` and `grafana-token` inputs (CLI: GRAFANA_URL and GRAFANA_TOKEN), or `grafana-username`/`grafana-password` (GRAFANA_USERNAME/GRAFANA_PASSWORD) for basic auth',
    )
  } else if (!auth.basic) {
    problems.push(...needsBasicAuth(config))
  }
  const group = firstOktaGroup(config)
  if (group && !auth.okta && !auth.oktaProblem) {
    problems.push(
      `Okta group "${group.value}" is referenced (${where(group.source)}) but Okta credentials are missing: set the \`okta-domain\` input and either \`okta-api-token\` or \`okta-client-id\` with \`okta-private-key\` of an API Services app (CLI: OKTA_DOMAIN and OKTA_API_TOKEN, or OKTA_CLIENT_ID and OKTA_PRIVATE_KEY)`,
    )
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
export function oktaCredentialProblem(okta: OktaCredentials | undefined): string | undefined {
  const token = Boolean(okta?.token?.trim())
  const clientId = Boolean(okta?.clientId?.trim())
  const key = Boolean(okta?.privateKey?.trim())
  if (token && (clientId || key)) {
    return '`okta-api-token` (OKTA_API_TOKEN) and `okta-client-id`/`okta-private-key` (OKTA_CLIENT_ID/OKTA_PRIVATE_KEY) are both set: Okta is reached one way, an API token or an API Services app; remove one'
  }
  if (clientId && !key) {
    return '`okta-client-id` (OKTA_CLIENT_ID) is set without `okta-private-key` (OKTA_PRIVATE_KEY): give the private key whose public key is registered on the API Services app'
  }
  if (key && !clientId) {
    return '`okta-private-key` (OKTA_PRIVATE_KEY) is set without `okta-client-id` (OKTA_CLIENT_ID): give the Client ID of the API Services app'
  }
  return undefined
}

function needsBasicAuth(config: DesiredConfig): string[] {
  const problems: string[] = []
  const [org] = config.orgs
  if (org) {
    problems.push(
      `\`orgs:\` is declared (${where(org.source)}): creating, renaming and binding roles in orgs needs basic auth, a service-account token cannot; ${BASIC_AUTH}`,
    )
  }
  const [user] = config.users
  if (user) {
    problems.push(
      `\`users:\` is declared (${where(user.source)}): managing Grafana accounts needs basic auth, a service-account token cannot; ${BASIC_AUTH}`,
    )
  }
  if (config.settings.missingUsers === 'create') {
    problems.push(
      `settings.missingUsers is "create": creating Grafana accounts needs basic auth, a service-account token cannot; ${BASIC_AUTH}`,
    )
  }
  const orgNames = new Map<string, string>()
  for (const team of config.teams) orgNames.set(lower(team.org), team.org)
  for (const u of config.users)
    for (const role of u.orgRoles) orgNames.set(lower(role.org), role.org)
  if (!org && orgNames.size > 1) {
    const names = [...orgNames.values()].sort().map((n) => `"${n}"`)
    problems.push(
      `teams and roles are in ${orgNames.size} orgs (${names.join(', ')}), but a service-account token works in its own org only; ${BASIC_AUTH}`,
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
