import type { DesiredConfig } from '../model.ts'
import type { SettingProblem } from '../settings.ts'
import { lower } from './people.ts'
import { where } from './wants.ts'

/** The kinds of credential a run has. */
export interface Capabilities {
  token: boolean
  basic: boolean
  okta: boolean
}

/**
 * Problems the credentials make certain before any request: what the config asks for needs basic auth
 * of a server admin, or Okta credentials, that the run does not have.
 */
export function checkCapabilities(config: DesiredConfig, auth: Capabilities): SettingProblem[] {
  const problems: SettingProblem[] = []
  if (!auth.token && !auth.basic) {
    problems.push({ code: 'grafana-credentials-missing' })
  } else if (!auth.basic) {
    problems.push(
      ...needsBasicAuth(config).map((because) => ({ code: 'basic-auth-needed' as const, because })),
    )
  }
  const group = firstOktaGroup(config)
  if (group && !auth.okta) {
    problems.push({
      code: 'okta-credentials-missing',
      group: group.value,
      where: where(group.source),
    })
  }
  return problems
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
