import {
  compareText,
  APPLY_ORDER,
  ORG_ROLE_RANK,
  type Change,
  type DesiredConfig,
  type DesiredOrg,
  type ObservedOrg,
  type ObservedTeam,
  type OrgRole,
  type Provenance,
  type SourceRef,
} from '../model.ts'
import {
  ensureAccount,
  expandPrincipals,
  isCaller,
  isProtected,
  type PlanContext,
} from './context.ts'
import { ImpliedMembers } from './implied.ts'
import { lower, userRef, type Person } from './people.ts'
import { notDeclared, provenanceOf, type Want } from './wants.ts'

/** One org the config refers to, and what the plan does in it. */
export interface OrgState {
  name: string
  declared?: DesiredOrg
  live?: ObservedOrg
  /** Id of the `create-org` change when the org does not exist yet. */
  createId?: string
  /** Current role by user id; a created org starts with its creator (the caller) as Admin. */
  roles: Map<number, OrgRole | 'None'>
  /** Roles bound under `orgs:` and `users[].orgRoles`. */
  explicit: Map<string, Want<OrgRole>>
  /** Memberships team members need (Viewer unless a binding says more). */
  implied: ImpliedMembers
  /** Unreadable or empty Okta groups in role bindings: hold back demotions and removals. */
  bindingDistrust: string[]
  /** Same, in the org's teams: their members may be wanted, so hold back org-user removals. */
  teamDistrust: string[]
  /** `add-org-user` change id per person key. */
  addIds: Map<string, string>
  /** Ids of every change in this org (the caller's membership, when added, goes before them). */
  changeIds: string[]
  /** Live teams taken by a declared team. */
  claimedTeams: Set<number>
  /** The first YAML place that makes the sync manage this org. */
  anchor: SourceRef
  /** Declared teams live here, or undeclared ones are pruned: the caller must be able to use its teams. */
  teamWork: boolean
  /** Demotions and removals of Admins that only the caller, joining as Admin, keeps from emptying the org. */
  waitForCaller: string[]
  teamIndex?: TeamIndex
}

interface TeamIndex {
  exact: Map<string, ObservedTeam>
  folded: Map<string, ObservedTeam[]>
}

export function exists(org: OrgState): boolean {
  return org.live !== undefined || org.createId !== undefined
}

/** Adds a change that happens inside an org: it waits for the org's creation. */
export function addOrgChange<C extends Change>(
  ctx: PlanContext,
  org: OrgState,
  change: C,
  key: { team?: string; identity?: string; tier?: number } = {},
): C {
  if (org.createId) change.dependsOn.push(org.createId)
  org.changeIds.push(change.id)
  return ctx.out.add(change, { org: org.name, ...key })
}

function findByName<T extends { id: number; name: string }>(
  items: T[],
  name: string,
): T | undefined {
  const byId = (a: T, b: T) => a.id - b.id
  const exact = items.filter((i) => i.name === name).sort(byId)
  if (exact.length > 0) return exact[0]
  const folded = lower(name)
  return items.filter((i) => lower(i.name) === folded).sort(byId)[0]
}

/** Org states by lower-case name. */
export class Orgs {
  readonly #byName = new Map<string, OrgState>()

  get(name: string): OrgState | undefined {
    return this.#byName.get(lower(name))
  }

  all(): OrgState[] {
    return [...new Set(this.#byName.values())]
  }

  alias(name: string, org: OrgState): void {
    if (!this.#byName.has(lower(name))) this.#byName.set(lower(name), org)
  }

  ensure(name: string, make: () => OrgState): OrgState {
    let org = this.#byName.get(lower(name))
    if (!org) {
      org = make()
      this.#byName.set(lower(name), org)
    }
    return org
  }

  /** Resolves every org the config names; plans create-org and rename-org. */
  static resolve(ctx: PlanContext, config: DesiredConfig): Orgs {
    const orgs = new Orgs()
    const declared = new Map<string, DesiredOrg>()
    // A reference to an org's old name means the renamed org.
    for (const o of config.orgs) if (o.renamedFrom) declared.set(lower(o.renamedFrom), o)
    for (const o of config.orgs) declared.set(lower(o.name), o)
    const refer = (name: string, anchor: SourceRef) => {
      const org = declared.get(lower(name))
      const state = orgs.ensure(org?.name ?? name, () => newOrgState(ctx, org ?? { name }, anchor))
      if (org) orgs.alias(name, state)
      return state
    }
    for (const org of config.orgs) refer(org.name, org.source).teamWork ||= ctx.settings.prune.teams
    for (const team of config.teams) refer(team.org, team.source).teamWork = true
    for (const user of config.users) for (const role of user.orgRoles) refer(role.org, role.source)
    return orgs
  }
}

function newOrgState(
  ctx: PlanContext,
  declared: DesiredOrg | { name: string },
  anchor: SourceRef,
): OrgState {
  const org: OrgState = {
    name: declared.name,
    roles: new Map(),
    explicit: new Map(),
    implied: new ImpliedMembers(),
    bindingDistrust: [],
    teamDistrust: [],
    addIds: new Map(),
    changeIds: [],
    claimedTeams: new Set(),
    anchor,
    teamWork: false,
    waitForCaller: [],
  }
  if ('source' in declared) org.declared = declared
  const liveOrgs = ctx.observed.orgs
  org.live = findByName(liveOrgs, declared.name)
  const renamedFrom = 'renamedFrom' in declared ? declared.renamedFrom : undefined
  if (org.live && renamedFrom !== undefined && org.declared) {
    warnRenameLeftOver(ctx, org.declared, org.live)
  }
  if (!org.live && renamedFrom !== undefined) {
    org.live = findByName(liveOrgs, renamedFrom)
    if (org.live) {
      ctx.out.add(
        {
          kind: 'rename-org',
          id: `rename-org:${org.name}`,
          dependsOn: [],
          org: org.name,
          orgId: org.live.id,
          from: org.live.name,
        },
        { org: org.name },
      )
    }
  }
  if (org.live) {
    // An org only teams refer to is named as Grafana names it.
    if (!org.declared) org.name = org.live.name
    for (const user of org.live.users) org.roles.set(user.userId, user.role)
  } else if (org.declared) {
    org.createId = ctx.out.add(
      { kind: 'create-org', id: `create-org:${org.name}`, dependsOn: [], org: org.name },
      { org: org.name },
    ).id
    const { caller } = ctx.observed
    // Grafana makes the creator of an org its Admin.
    if (caller.auth === 'basic' && caller.userId !== undefined)
      org.roles.set(caller.userId, 'Admin')
  }
  return org
}

/** Both names exist: the org of the new name is managed, the old one is left alone, and the user told. */
function warnRenameLeftOver(ctx: PlanContext, declared: DesiredOrg, live: ObservedOrg): void {
  const from = declared.renamedFrom!
  const old = findByName(ctx.observed.otherOrgs ?? [], from)
  if (!old || old.id === live.id) return
  ctx.out.warn(
    'rename-both-exist',
    `org "${declared.name}" exists, and so does org "${old.name}" (id ${old.id}) named by renamedFrom: ` +
      `the sync manages "${declared.name}" and leaves "${old.name}" as it is; move what is left in it and delete it in Grafana, then remove renamedFrom`,
    { org: declared.name, source: declared.source },
  )
}

const ROLE_LEVELS: [keyof Pick<DesiredOrg, 'admins' | 'editors' | 'viewers'>, OrgRole][] = [
  ['admins', 'Admin'],
  ['editors', 'Editor'],
  ['viewers', 'Viewer'],
]

/** Expands the `orgs:` role bindings into wanted roles. */
export function collectOrgBindings(ctx: PlanContext, orgs: Orgs): void {
  for (const org of orgs.all()) {
    if (!org.declared || !exists(org)) continue
    for (const [field, role] of ROLE_LEVELS) {
      org.bindingDistrust.push(
        ...expandPrincipals(ctx, org.declared[field], role, ORG_ROLE_RANK[role], org.explicit, {
          org: org.name,
        }),
      )
    }
  }
}

interface Downgrade {
  person: Person
  from: OrgRole | 'None'
  change: Change
}

/** Plans the memberships and roles of one org: adds, role changes, pruning, last-admin protection. */
export function planOrgMembers(ctx: PlanContext, org: OrgState): void {
  if (!exists(org)) return
  const downgrades: Downgrade[] = []
  const held: string[] = []
  const newAdmins: string[] = []

  for (const want of org.explicit.values()) {
    const change = planRole(ctx, org, want, held, downgrades)
    if (change && want.level === 'Admin') newAdmins.push(change.id)
  }
  for (const person of org.implied.people) {
    if (org.explicit.has(person.key)) continue
    const account = ensureAccount(ctx, person)
    const user = person.user
    if (!account.ok || (user && org.roles.has(user.id))) continue
    addOrgUser(ctx, org, person, 'Viewer', org.implied.provenance(person), account.dependsOn)
  }
  if (org.declared && org.live && ctx.settings.prune.orgUsers) {
    pruneOrgUsers(ctx, org, org.live, held, downgrades)
  }
  protectLastAdmin(ctx, org, downgrades, newAdmins)

  if (held.length > 0) {
    ctx.out.heldBack.push({
      org: org.name,
      reason: [...new Set([...org.bindingDistrust, ...org.teamDistrust])].join('; '),
      removals: held.length,
      users: held.sort(compareText),
    })
  }
}

function planRole(
  ctx: PlanContext,
  org: OrgState,
  want: Want<OrgRole>,
  held: string[],
  downgrades: Downgrade[],
): Change | undefined {
  const { person } = want
  const account = ensureAccount(ctx, person)
  if (!account.ok) {
    if (!account.blocked) ctx.out.pending(person.identity, org.name, undefined, want)
    return undefined
  }
  const current = person.user ? org.roles.get(person.user.id) : undefined
  if (current === undefined)
    return addOrgUser(ctx, org, person, want.level, provenanceOf(want), account.dependsOn)
  if (current === want.level) return undefined
  const promotion = ORG_ROLE_RANK[want.level] > ORG_ROLE_RANK[current]
  // Promotions first: a demotion of the last Admin waits for the new one.
  const change = (): Change =>
    addOrgChange(
      ctx,
      org,
      {
        kind: 'set-org-role',
        id: `set-org-role:${org.name}/${person.identity}`,
        dependsOn: [],
        org: org.name,
        orgId: org.live?.id ?? 0,
        user: userRef(person),
        from: current,
        to: want.level,
        provenance: provenanceOf(want),
      },
      { identity: person.identity, tier: promotion ? 0 : 1 },
    )
  if (promotion) return change()

  // A demotion.
  const user = person.user!
  if (isCaller(ctx, user.id)) {
    ctx.out.warn(
      'caller-kept',
      `${person.identity} stays ${current} in org "${org.name}" (the config wants ${want.level}): the sync's own Grafana user is never demoted`,
      { org: org.name },
    )
  } else if (isProtected(ctx, user)) {
    ctx.out.warn(
      'protected-user',
      `${person.identity} is protected (settings.safety.protectedUsers): stays ${current} in org "${org.name}" (the config wants ${want.level})`,
      { org: org.name },
    )
  } else if (org.bindingDistrust.length > 0) {
    held.push(`${person.identity} (${current} → ${want.level})`)
  } else {
    downgrades.push({ person, from: current, change: change() })
  }
  return undefined
}

function addOrgUser(
  ctx: PlanContext,
  org: OrgState,
  person: Person,
  role: OrgRole,
  provenance: Provenance,
  dependsOn: string[],
): Change {
  const change = addOrgChange(
    ctx,
    org,
    {
      kind: 'add-org-user',
      id: `add-org-user:${org.name}/${person.identity}`,
      dependsOn: [...dependsOn],
      org: org.name,
      ...(org.live ? { orgId: org.live.id } : {}),
      user: userRef(person),
      role,
      provenance,
    },
    { identity: person.identity },
  )
  org.addIds.set(person.key, change.id)
  return change
}

function pruneOrgUsers(
  ctx: PlanContext,
  org: OrgState,
  live: ObservedOrg,
  held: string[],
  downgrades: Downgrade[],
): void {
  const wanted = new Set<number>()
  for (const want of org.explicit.values()) if (want.person.user) wanted.add(want.person.user.id)
  for (const person of org.implied.people) if (person.user) wanted.add(person.user.id)
  const distrusted = org.bindingDistrust.length > 0 || org.teamDistrust.length > 0
  for (const member of live.users) {
    if (wanted.has(member.userId) || isCaller(ctx, member.userId)) continue
    const person = personOf(ctx, member)
    if (isProtected(ctx, member)) {
      ctx.out.warn(
        'protected-user',
        `${person.identity} is protected (settings.safety.protectedUsers): not removed from org "${org.name}"`,
        { org: org.name },
      )
      continue
    }
    if (distrusted) {
      held.push(person.identity)
      continue
    }
    const change = addOrgChange(
      ctx,
      org,
      {
        kind: 'remove-org-user',
        id: `remove-org-user:${org.name}/${person.identity}`,
        dependsOn: [],
        org: org.name,
        orgId: live.id,
        user: userRef(person),
        role: member.role,
        provenance: notDeclared(),
      },
      { identity: person.identity },
    )
    downgrades.push({ person, from: member.role, change })
  }
}

export function personOf(
  ctx: PlanContext,
  member: { userId: number; login: string; email: string },
): Person {
  return ctx.people.ofMember(member)
}

/**
 * Grafana refuses to leave an org without an Admin; the plan never tries. When every current Admin is
 * demoted or removed, those changes wait for the new Admins, or one current Admin is kept.
 */
function protectLastAdmin(
  ctx: PlanContext,
  org: OrgState,
  downgrades: Downgrade[],
  newAdmins: string[],
): void {
  const leaving = downgrades.filter((d) => d.from === 'Admin')
  if (leaving.length === 0) return
  const leavingIds = new Set(leaving.map((d) => d.person.user!.id))
  const staying = [...org.roles].some(([id, role]) => role === 'Admin' && !leavingIds.has(id))
  if (staying) return
  // The caller becomes an Admin there (ensureCallerMembership): the others leave after it did.
  if (joiningCaller(ctx, org)) {
    org.waitForCaller.push(...leaving.map((d) => d.change.id))
    return
  }
  if (newAdmins.length > 0) {
    for (const d of leaving) d.change.dependsOn.push(...newAdmins)
    return
  }
  const kept = [...leaving].sort((a, b) => compareText(a.person.identity, b.person.identity))[0]!
  ctx.out.drop(kept.change.id)
  org.changeIds = org.changeIds.filter((id) => id !== kept.change.id)
  ctx.out.warn(
    'last-admin',
    `${kept.person.identity} stays Admin of org "${org.name}": it would be left without an Admin`,
    { org: org.name },
  )
}

/**
 * The caller when it must become an Admin of this existing org first: Grafana shows an org's teams, and
 * lets them be changed, only to its members (team permissions to its Admins). Org users and roles need no
 * membership: a server admin changes them through `/api/orgs/:orgId/users`.
 */
function joiningCaller(
  ctx: PlanContext,
  org: OrgState,
): { userId: number; orgId: number; role?: OrgRole | 'None' } | undefined {
  const { caller } = ctx.observed
  if (caller.auth !== 'basic' || !caller.isServerAdmin || caller.userId === undefined) return
  if (!org.live || !org.teamWork) return undefined
  const role = org.roles.get(caller.userId)
  if (role === 'Admin') return undefined
  return { userId: caller.userId, orgId: org.live.id, ...(role === undefined ? {} : { role }) }
}

/** Every change to a team or its members or preferences: the kinds named after teams. */
const TEAM_KINDS: ReadonlySet<Change['kind']> = new Set(
  APPLY_ORDER.filter((kind) => kind.includes('team')),
)

/**
 * Makes the caller an Admin of an existing org whose teams the config manages, before any team change
 * there. While it is not one, Grafana did not show the org's teams: the plan says so, and apply reads and
 * plans them once the caller is an Admin.
 */
export function ensureCallerMembership(ctx: PlanContext, org: OrgState): void {
  const joining = joiningCaller(ctx, org)
  if (!joining) return
  const { caller } = ctx.observed
  const person = ctx.people.existing(
    ctx.people.byId(joining.userId) ?? {
      id: joining.userId,
      login: caller.login ?? '',
      email: caller.email ?? '',
      name: '',
    },
  )
  const gate =
    joining.role === undefined
      ? joinAsAdmin(ctx, org, person)
      : promoteToAdmin(ctx, org, person, joining.role)
  for (const id of org.changeIds) {
    const change = ctx.out.get(id)
    if (id !== gate && change && TEAM_KINDS.has(change.kind)) change.dependsOn.push(gate)
  }
  for (const id of org.waitForCaller) ctx.out.get(id)?.dependsOn.push(gate)
  if (org.live?.teamsUnread) {
    ctx.out.warn(
      'org-teams-unread',
      `the teams of org "${org.name}" were not read: ${person.identity} is no Admin of it, and Grafana shows an org's teams only to its members. ` +
        'This plan makes it an Admin first; apply then reads the teams and changes them as the config says',
      { org: org.name },
    )
  }
}

function joinAsAdmin(ctx: PlanContext, org: OrgState, person: Person): string {
  const planned = org.addIds.get(person.key)
  if (planned) {
    const change = ctx.out.get(planned)
    if (change?.kind === 'add-org-user') change.role = 'Admin'
    ctx.out.putFirst(planned)
    return planned
  }
  return addOrgChange(
    ctx,
    org,
    {
      kind: 'add-org-user',
      id: `add-org-user:${org.name}/${person.identity}`,
      dependsOn: [],
      org: org.name,
      orgId: org.live!.id,
      user: userRef(person),
      role: 'Admin',
      provenance: { oktaGroups: [], yaml: [org.anchor] },
    },
    { identity: person.identity, tier: 0 },
  ).id
}

function promoteToAdmin(
  ctx: PlanContext,
  org: OrgState,
  person: Person,
  current: OrgRole | 'None',
): string {
  const id = `set-org-role:${org.name}/${person.identity}`
  const planned = ctx.out.get(id)
  if (planned?.kind === 'set-org-role') {
    planned.to = 'Admin'
    ctx.out.putFirst(id)
    return id
  }
  return addOrgChange(
    ctx,
    org,
    {
      kind: 'set-org-role',
      id,
      dependsOn: [],
      org: org.name,
      orgId: org.live!.id,
      user: userRef(person),
      from: current,
      to: 'Admin',
      provenance: { oktaGroups: [], yaml: [org.anchor] },
    },
    { identity: person.identity, tier: 0 },
  ).id
}

/**
 * The live team a declared team manages: exact name first, else a case variant (Grafana compares team
 * names by database collation) that no other declared team names exactly.
 */
export function findTeam(
  org: OrgState,
  name: string,
  declaredNames: Set<string>,
): ObservedTeam | undefined {
  if (!org.live) return undefined
  org.teamIndex ??= indexTeams(org.live.teams)
  const exact = org.teamIndex.exact.get(name)
  if (exact) return exact
  return org.teamIndex.folded.get(lower(name))?.find((t) => !declaredNames.has(t.name))
}

function indexTeams(teams: ObservedTeam[]): TeamIndex {
  const index: TeamIndex = { exact: new Map(), folded: new Map() }
  for (const team of [...teams].sort((a, b) => a.id - b.id)) {
    if (!index.exact.has(team.name)) index.exact.set(team.name, team)
    const key = lower(team.name)
    const variants = index.folded.get(key)
    if (variants) variants.push(team)
    else index.folded.set(key, [team])
  }
  return index
}
