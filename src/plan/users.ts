import { ORG_ROLE_RANK, type DesiredUser, type GrafanaUser } from '../model.ts'
import { isCaller, isProtected, type PlanContext } from './context.ts'
import { exists, type Orgs } from './orgs.ts'
import { lower, userRef, type Person } from './people.ts'
import { addWant } from './wants.ts'

type UserFields = { name?: string; email?: string; isGrafanaAdmin?: boolean; disabled?: boolean }

/** Local accounts under `users:`: create the missing, correct drift in declared keys, bind org roles. */
export function planLocalUsers(ctx: PlanContext, orgs: Orgs, users: DesiredUser[]): void {
  for (const declared of users) {
    const person = ctx.people.fromLocal(declared)
    if (person.user) planUserUpdate(ctx, person, person.user, declared)
    else planUserCreate(ctx, person, declared)

    for (const binding of declared.orgRoles) {
      const org = orgs.get(binding.org)
      if (!org || !exists(org)) {
        ctx.out.error(
          'org-missing',
          `user ${declared.login} has a role in org "${binding.org}", which does not exist in Grafana and is not declared under orgs:`,
          { source: binding.source, org: binding.org },
        )
        continue
      }
      addWant(org.explicit, person, binding.role, ORG_ROLE_RANK[binding.role], {
        yaml: binding.source,
      })
    }
  }
}

function planUserCreate(ctx: PlanContext, person: Person, declared: DesiredUser): void {
  if (declared.passwordEnv === undefined) {
    person.blocked = true
    ctx.out.error(
      'user-no-password',
      `user ${declared.login} does not exist and has no password: add password: { env: VARIABLE } to create it`,
      { source: declared.source },
    )
    return
  }
  person.createId = ctx.out.add(
    {
      kind: 'create-user',
      id: `create-user:${person.identity}`,
      dependsOn: [],
      user: { login: lower(declared.login), email: lower(declared.email) },
      name: declared.name ?? declared.login,
      passwordEnv: declared.passwordEnv,
      ...(declared.isGrafanaAdmin !== undefined ? { isGrafanaAdmin: declared.isGrafanaAdmin } : {}),
      ...(declared.disabled !== undefined ? { disabled: declared.disabled } : {}),
    },
    { identity: person.identity },
  ).id
}

function planUserUpdate(
  ctx: PlanContext,
  person: Person,
  user: GrafanaUser,
  declared: DesiredUser,
): void {
  const from: UserFields = {}
  const to: UserFields = {}
  if (declared.name !== undefined && declared.name !== user.name) {
    from.name = user.name
    to.name = declared.name
  }
  if (declared.email !== undefined && lower(declared.email) !== lower(user.email)) {
    from.email = user.email
    to.email = lower(declared.email)
  }
  // Unknown current flags (the account list did not include them) are left alone.
  if (
    declared.isGrafanaAdmin !== undefined &&
    user.isGrafanaAdmin !== undefined &&
    declared.isGrafanaAdmin !== user.isGrafanaAdmin &&
    mayLower(ctx, person, declared, declared.isGrafanaAdmin, 'lose the server admin flag')
  ) {
    from.isGrafanaAdmin = user.isGrafanaAdmin
    to.isGrafanaAdmin = declared.isGrafanaAdmin
  }
  if (
    declared.disabled !== undefined &&
    user.isDisabled !== undefined &&
    declared.disabled !== user.isDisabled &&
    mayLower(ctx, person, declared, !declared.disabled, 'be disabled')
  ) {
    from.disabled = user.isDisabled
    to.disabled = declared.disabled
  }
  if (Object.keys(to).length === 0) return
  ctx.out.add(
    {
      kind: 'update-user',
      id: `update-user:${person.identity}`,
      dependsOn: [],
      user: userRef(person),
      from,
      to,
    },
    { identity: person.identity },
  )
}

/** A change that takes something away is refused for protected users and the sync's own user. */
function mayLower(
  ctx: PlanContext,
  person: Person,
  declared: DesiredUser,
  grants: boolean,
  what: string,
): boolean {
  const user = person.user!
  if (grants) return true
  if (isCaller(ctx, user.id)) {
    ctx.out.warn(
      'caller-kept',
      `${person.identity} would ${what}: the sync's own Grafana user is never demoted or disabled`,
      { source: declared.source },
    )
    return false
  }
  if (isProtected(ctx, user)) {
    ctx.out.warn(
      'protected-user',
      `${person.identity} is protected (settings.safety.protectedUsers): would ${what}, left unchanged`,
      { source: declared.source },
    )
    return false
  }
  return true
}
