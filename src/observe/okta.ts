import { firstAnswered, isCredentialRejected } from '../http/index.ts'
import { messageOf, type DesiredConfig, type OktaGroupRead, type OktaMember } from '../model.ts'
import type { OktaClient, OktaGroup } from '../okta/types.ts'
import type { Progress } from './progress.ts'

export const OKTA_NOT_CONFIGURED = 'Okta is not configured: no Okta domain and API token were given'

/** Every Okta group reference in the config, as written, each once, in config order. */
export function collectOktaRefs(config: DesiredConfig): string[] {
  const refs = new Set<string>()
  for (const team of config.teams) {
    for (const p of [...team.members.oktaGroups, ...team.admins.oktaGroups]) refs.add(p.value)
  }
  for (const org of config.orgs) {
    for (const p of [
      ...org.admins.oktaGroups,
      ...org.editors.oktaGroups,
      ...org.viewers.oktaGroups,
    ]) {
      refs.add(p.value)
    }
  }
  return [...refs]
}

/** `group Platform-Engineers`, or `group id:00g…` for a group known by its id only. */
function aboutGroup(group: OktaGroup | undefined): string | undefined {
  if (!group) return undefined
  return group.name && group.name !== group.id ? `group ${group.name}` : `group id:${group.id}`
}

/**
 * Resolves every reference and reads each distinct group's members once. One unreadable group is a
 * result (`ok: false`), never an exception: the planner holds back that group's removals. A rejected
 * token is the exception: it rejects, once, for the whole run.
 */
export async function readOktaGroups(
  refs: string[],
  okta: OktaClient | undefined,
  progress: Progress,
): Promise<Record<string, OktaGroupRead>> {
  const reads: Record<string, OktaGroupRead> = {}
  if (refs.length === 0) return reads
  if (!okta) {
    for (const ref of refs) reads[ref] = { ref, ok: false, error: OKTA_NOT_CONFIGURED }
    return reads
  }
  let found: Map<string, OktaGroup | undefined | Error>
  try {
    found = await okta.findGroups(refs)
  } catch (err) {
    if (isCredentialRejected(err)) throw err
    for (const ref of refs) reads[ref] = { ref, ok: false, error: messageOf(err) }
    return reads
  }
  const rejected = firstAnswered([...found.values()].filter(isCredentialRejected))
  if (rejected) throw rejected

  const byId = new Map<string, OktaGroup>()
  for (const group of found.values()) {
    if (!group || group instanceof Error) continue
    // Prefer a group's real name (from a name lookup) over the bare id an `id:` reference yields.
    const known = byId.get(group.id)
    if (!known || (known.name === known.id && group.name !== group.id)) byId.set(group.id, group)
  }
  progress.groups.total = byId.size
  const members = new Map<string, Promise<OktaMember[] | Error>>()
  for (const id of byId.keys()) {
    members.set(
      id,
      okta
        .listMembers(id, aboutGroup(byId.get(id)))
        .then(
          (list) => list,
          (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
        )
        .finally(() => progress.groups.done++),
    )
  }

  const lists = await Promise.all(members.values())
  const refused = firstAnswered(lists.filter(isCredentialRejected))
  if (refused) throw refused
  await Promise.all(
    refs.map(async (ref) => {
      const group = found.get(ref)
      if (group instanceof Error) {
        reads[ref] = { ref, ok: false, error: group.message }
        return
      }
      if (!group) {
        reads[ref] = { ref, ok: false, error: `Okta group "${ref}" not found` }
        return
      }
      const list = await members.get(group.id)
      const name = byId.get(group.id)?.name ?? group.name
      reads[ref] =
        list === undefined || list instanceof Error
          ? { ref, ok: false, error: list?.message ?? `Okta group ${ref} was not read` }
          : { ref, ok: true, id: group.id, name, members: list }
    }),
  )
  // Keys in config order, whatever order the reads finished in.
  return Object.fromEntries(refs.map((ref) => [ref, reads[ref] as OktaGroupRead]))
}
