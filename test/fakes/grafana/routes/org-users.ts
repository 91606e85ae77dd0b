// Org users (§5), under the current org (`/api/org/users`) and under a path org
// (`/api/orgs/:orgId/users`): list, add by login or email, change the role, remove.
import { intParam, JsonArrayBytes } from '../../http.ts'
import { callerRank, inOrg, inPathOrg } from '../auth.ts'
import { parseRole, str, type Schema } from '../binding.ts'
import {
  currentOrg,
  pathOrg,
  route,
  type Ctx,
  type Fake,
  type Handler,
  type RouteDef,
} from '../context.ts'
import { orgUsersJson } from '../listings.ts'
import { matchesUserQuery, userParam } from '../query.ts'
import { badRequestData, ok, plain, traced } from '../replies.ts'
import { ROLE_RANK } from '../store.ts'

type OrgOf = (ctx: Ctx) => number

function orgUsers({ store }: Fake, orgId: number, q: string) {
  const all = store.orgUsersSorted(orgId)
  return q === '' ? all : all.filter((m) => matchesUserQuery(m.user, q))
}

/** The current-org route reads `query` and `limit`; the path-org route lists everyone. */
function listOrgUsers(orgIdOf: OrgOf, withParams: boolean): Handler {
  return (ctx) => {
    const orgId = orgIdOf(ctx)
    const q = withParams ? (ctx.req.query.get('query') ?? '').toLowerCase() : ''
    const limit = withParams ? (intParam(ctx.req.query, 'limit') ?? 0) : 0
    const rows = orgUsers(ctx.fake, orgId, q)
    const slice = limit > 0 ? rows.slice(0, limit) : rows
    return { status: 200, json: orgUsersJson(orgId, slice, new JsonArrayBytes()) }
  }
}

function addOrgUser(orgIdOf: OrgOf): Handler {
  return (ctx) => {
    const { store } = ctx.fake
    const orgId = orgIdOf(ctx)
    const role = parseRole(str(ctx.body, 'role'))
    if (!role) return badRequestData()
    if (ROLE_RANK[role] > callerRank(store, ctx.caller, orgId)) {
      return plain(403, "Cannot assign a role higher than user's role")
    }
    const user = store.findByLoginOrEmail(str(ctx.body, 'loginOrEmail'))
    if (!user) return plain(404, 'User not found')
    if (!store.orgs.has(orgId)) return traced(500, 'Could not add user to organization')
    if (store.roleOf(orgId, user.id) !== undefined) {
      return {
        status: 409,
        body: { message: 'User is already member of this organization', userId: user.id },
      }
    }
    store.setOrgMember(orgId, user.id, role)
    return ok({ message: 'User added to organization', userId: user.id })
  }
}

function updateOrgUser(orgIdOf: OrgOf): Handler {
  return (ctx) => {
    const { store } = ctx.fake
    const orgId = orgIdOf(ctx)
    const role = parseRole(str(ctx.body, 'role'))
    if (!role) return badRequestData()
    if (ROLE_RANK[role] > callerRank(store, ctx.caller, orgId)) {
      return plain(403, "Cannot assign a role higher than user's role")
    }
    const user = userParam(ctx.fake, ctx.params.userId)
    const current = user ? store.roleOf(orgId, user.id) : undefined
    if (!user || current === undefined) return traced(500, 'Failed update org user')
    if (current === 'Admin' && role !== 'Admin' && store.adminCount(orgId) <= 1) {
      return plain(400, 'Cannot change role so that there is no organization admin left')
    }
    store.setOrgMember(orgId, user.id, role)
    return ok({ message: 'Organization user updated' })
  }
}

/** With `deleteOrphan` (the current-org route), a user left in no org is deleted (§0.2). */
function removeOrgUser(orgIdOf: OrgOf, deleteOrphan: boolean): Handler {
  return (ctx) => {
    const { store } = ctx.fake
    const orgId = orgIdOf(ctx)
    const user = userParam(ctx.fake, ctx.params.userId)
    if (!user) return traced(500, 'Failed to remove user from organization')
    const role = store.roleOf(orgId, user.id)
    if (role === 'Admin' && store.adminCount(orgId) <= 1) {
      return plain(400, 'Cannot remove last organization admin')
    }
    if (role !== undefined) store.removeOrgMember(orgId, user.id)
    if (deleteOrphan && (store.userOrgs.get(user.id)?.size ?? 0) === 0) {
      store.deleteUser(user)
      return ok({ message: 'User deleted' })
    }
    return ok({ message: 'User removed from organization' })
  }
}

const ORG_ROLE_SCHEMA: Schema = { role: { type: 'string', required: true } }
const ADD_ORG_USER_SCHEMA: Schema = {
  loginOrEmail: { type: 'string', required: true },
  role: { type: 'string', required: true },
}

export const ORG_USER_ROUTES: RouteDef[] = [
  route('GET', '/api/org/users', inOrg('org.users:read'), listOrgUsers(currentOrg, true)),
  route('POST', '/api/org/users', inOrg('org.users:add'), addOrgUser(currentOrg), {
    bind: ADD_ORG_USER_SCHEMA,
  }),
  route('PATCH', '/api/org/users/:userId', inOrg('org.users:write'), updateOrgUser(currentOrg), {
    bind: ORG_ROLE_SCHEMA,
  }),
  route(
    'DELETE',
    '/api/org/users/:userId',
    inOrg('org.users:remove'),
    removeOrgUser(currentOrg, true),
  ),
  route('GET', '/api/orgs/:orgId/users', inPathOrg('org.users:read'), listOrgUsers(pathOrg, false)),
  route('POST', '/api/orgs/:orgId/users', inPathOrg('org.users:add'), addOrgUser(pathOrg), {
    bind: ADD_ORG_USER_SCHEMA,
  }),
  route(
    'PATCH',
    '/api/orgs/:orgId/users/:userId',
    inPathOrg('org.users:write'),
    updateOrgUser(pathOrg),
    {
      bind: ORG_ROLE_SCHEMA,
    },
  ),
  route(
    'DELETE',
    '/api/orgs/:orgId/users/:userId',
    inPathOrg('org.users:remove'),
    removeOrgUser(pathOrg, false),
  ),
]
