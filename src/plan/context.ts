import type { Observed, Principals, Settings, SourceRef } from '../model.ts'
import { groupView, type GroupView } from './okta.ts'
import { lower, userRef, type People, type Person } from './people.ts'
import type { PlanOutput } from './output.ts'
import { addWant, type Want } from './wants.ts'

/** Everything the planning steps share for one run. */
export interface PlanContext {
  settings: Settings
  observed: Observed
  people: People
  out: PlanOutput
  groups: Map<string, GroupView>
  /** The people of each readable group, resolved once however many scopes use the group. */
  groupPeople: Map<string, Person[]>
  /** Reused by `peopleOf`; its length is the largest group so far, its contents stale. */
  scratchPeople: Person[]
  protectedValues: Set<string>
}

/**
 * The people a readable group's accepted members are (members without a login or email are skipped).
 * Collected in a scratch array the next group reuses, then copied once at their exact number.
 */
export function peopleOf(ctx: PlanContext, view: GroupView): Person[] {
  let people = ctx.groupPeople.get(view.ref)
  if (!people) {
    const { members } = view
    const scratch = ctx.scratchPeople
    let count = 0
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!
      if (view.state !== 'ok' || !view.accepts(member)) continue
      const person = ctx.people.fromOkta(member)
      if (person) scratch[count++] = person
    }
    people = scratch.slice(0, count)
    ctx.groupPeople.set(view.ref, people)
  }
  return people
}

export function isProtected(ctx: PlanContext, user: { login: string; email: string }): boolean {
  return ctx.protectedValues.has(lower(user.login)) || ctx.protectedValues.has(lower(user.email))
}

export function isCaller(ctx: PlanContext, userId: number): boolean {
  const { caller } = ctx.observed
  return caller.auth === 'basic' && caller.userId === userId
}

export type Account = { ok: true; dependsOn: string[] } | { ok: false; blocked: boolean }

/** The answer for everyone who has an account: shared, so never changed by callers. */
const HAS_ACCOUNT: Account = Object.freeze({
  ok: true,
  dependsOn: Object.freeze([]) as unknown as string[],
})

/**
 * An account for the person: the existing one, one a `users:` entry creates, one planned for
 * `missingUsers: create`, or none (the caller records the person as pending).
 */
export function ensureAccount(ctx: PlanContext, person: Person): Account {
  if (person.user) return HAS_ACCOUNT
  if (person.blocked) return { ok: false, blocked: true }
  if (!person.createId && ctx.settings.missingUsers === 'create') {
    person.createId = ctx.out.add(
      {
        kind: 'create-user',
        id: `create-user:${person.identity}`,
        dependsOn: [],
        user: userRef(person),
        name: person.identity,
        // Empty: SSO people never sign in with it; apply generates a random one.
        passwordEnv: '',
      },
      { identity: person.identity },
    ).id
  }
  return person.createId
    ? { ok: true, dependsOn: [person.createId] }
    : { ok: false, blocked: false }
}

export interface Scope {
  org: string
  team?: string
}

export function describeScope(scope: Scope): string {
  return scope.team === undefined
    ? `org "${scope.org}"`
    : `team "${scope.team}" in org "${scope.org}"`
}

/**
 * Adds the people of a principals list (named people and Okta group members) to `wants` at one level.
 * Returns why the scope's removals cannot be trusted: each Okta group that is unreadable or empty.
 */
export function expandPrincipals<L extends string>(
  ctx: PlanContext,
  principals: Principals,
  level: L,
  rank: number,
  wants: Map<string, Want<L>>,
  scope: Scope,
): string[] {
  for (const p of principals.users) {
    addWant(wants, ctx.people.fromYaml(p.value), level, rank, { yaml: p.source })
  }
  const distrust: string[] = []
  for (const p of principals.oktaGroups) {
    const view = groupView(ctx.groups, p.value)
    if (view.state !== 'ok') {
      distrust.push(reportUntrusted(ctx, view, p.source, scope))
      continue
    }
    const source = { group: view.name }
    for (const person of peopleOf(ctx, view)) addWant(wants, person, level, rank, source)
  }
  return distrust
}

/** Why a scope's removals cannot be trusted because of this group. */
export function untrustedReason(view: GroupView): string {
  return view.state === 'unreadable'
    ? `Okta group "${view.name}" could not be read`
    : `Okta group "${view.name}" has no members`
}

export function reportUntrusted(
  ctx: PlanContext,
  view: GroupView,
  source: SourceRef,
  scope: Scope,
): string {
  const at = { source, org: scope.org, ...(scope.team === undefined ? {} : { team: scope.team }) }
  const kept = `${describeScope(scope)} removes and demotes no one until it is readable and not empty`
  if (view.state === 'unreadable') {
    ctx.out.error(
      'okta-group-unreadable',
      `Okta group "${view.name}" could not be read: ${view.error}; ${kept}`,
      at,
    )
  } else {
    ctx.out.warn(
      'okta-group-empty',
      `Okta group "${view.name}" has no members with an accepted status (settings.okta.memberStatuses); ${kept}`,
      at,
    )
  }
  return untrustedReason(view)
}
