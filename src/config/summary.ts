import type { DesiredConfig, Principals } from '../model.ts'
import type { ConfigSummary } from './types.ts'

/** Counts for the validation report: what the config declares, before any request. */
export function describeConfig(config: DesiredConfig): ConfigSummary {
  const orgs = new Set<string>()
  const groups = new Set<string>()
  const people = new Set<string>()
  const addAll = (p: Principals) => {
    for (const user of p.users) people.add(user.value.toLowerCase())
    for (const group of p.oktaGroups) groups.add(group.value)
  }
  for (const org of config.orgs) {
    orgs.add(org.name)
    addAll(org.admins)
    addAll(org.editors)
    addAll(org.viewers)
  }
  for (const team of config.teams) {
    orgs.add(team.org)
    addAll(team.members)
    addAll(team.admins)
  }
  for (const user of config.users) {
    for (const binding of user.orgRoles) orgs.add(binding.org)
  }
  return {
    files: config.files.length,
    orgs: [...orgs].sort(byCodeUnit),
    teams: config.teams.length,
    oktaGroups: [...groups].sort(byCodeUnit),
    people: people.size,
    users: config.users.length,
  }
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
