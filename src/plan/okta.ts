import type { OktaGroupRead, OktaMember } from '../model.ts'

/**
 * One Okta group reference as the planner sees it: readable with members, empty, or unreadable. A
 * readable group's `members` are as read; those `accepts` refuses (by status) are not its people.
 */
export type GroupView =
  | {
      ref: string
      name: string
      state: 'ok'
      members: OktaMember[]
      accepts: (member: OktaMember) => boolean
    }
  | { ref: string; name: string; state: 'empty'; members: [] }
  | { ref: string; name: string; state: 'unreadable'; error: string; members: [] }

/** Accepts only members whose Okta status the config accepts; a group left with nobody is `empty`. */
export function viewGroups(
  reads: Record<string, OktaGroupRead>,
  memberStatuses: string[],
): Map<string, GroupView> {
  const accepted = new Set(memberStatuses.map((s) => s.toUpperCase()))
  // Statuses are a handful of values repeated across every membership: each is upper-cased once.
  const verdicts = new Map<string, boolean>()
  const accepts = (m: OktaMember) => {
    let verdict = verdicts.get(m.status)
    if (verdict === undefined)
      verdicts.set(m.status, (verdict = accepted.has(m.status.toUpperCase())))
    return verdict
  }
  const views = new Map<string, GroupView>()
  for (const [ref, read] of Object.entries(reads)) {
    if (!read.ok) {
      views.set(ref, { ref, name: ref, state: 'unreadable', error: read.error, members: [] })
      continue
    }
    // Not filtered into a copy: the people of a group are resolved once, skipping the refused.
    views.set(
      ref,
      read.members.some(accepts)
        ? { ref, name: read.name, state: 'ok', members: read.members, accepts }
        : { ref, name: read.name, state: 'empty', members: [] },
    )
  }
  return views
}

export function groupView(views: Map<string, GroupView>, ref: string): GroupView {
  return (
    views.get(ref) ?? {
      ref,
      name: ref,
      state: 'unreadable',
      error: 'the group was not read',
      members: [],
    }
  )
}
