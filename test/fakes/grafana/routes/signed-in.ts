// The signed-in caller (§1.4): who they are, their orgs, and switching their active org.
import type { Reply } from '../../http.ts'
import { signedIn } from '../auth.ts'
import { route, type Ctx, type Handler, type RouteDef } from '../context.ts'
import { userOrgList, userProfile } from '../dto.ts'
import { ok, plain } from '../replies.ts'
import type { User } from '../store.ts'

function currentUser({ caller }: Ctx): Reply {
  if (caller.user) return ok({ ...userProfile(caller.user), orgId: caller.orgId })
  const t = caller.token!
  return ok({
    id: t.saId,
    uid: t.uid,
    email: '',
    name: t.name,
    login: t.login,
    theme: '',
    orgId: t.orgId,
    isGrafanaAdmin: false,
    isDisabled: false,
    isExternal: false,
    isExternallySynced: false,
    isGrafanaAdminExternallySynced: false,
    isProvisioned: false,
    authLabels: null,
    updatedAt: '0001-01-01T00:00:00Z',
    createdAt: '0001-01-01T00:00:00Z',
    avatarUrl: '',
  })
}

/** /api/user/* endpoints answer service accounts with 304 in current Grafana (§1.4). */
const usersOnly = (then: (u: User, ctx: Ctx) => Reply): Handler => {
  return (ctx) =>
    ctx.caller.user ? then(ctx.caller.user, ctx) : plain(304, 'Endpoint only available for users')
}

const myOrgs = usersOnly((u, { fake }) => ok(userOrgList(fake.store, u)))

const switchOrg = usersOnly((u, { fake, params }) => {
  const orgId = Number(params.orgId)
  if (!Number.isInteger(orgId)) return plain(400, 'id is invalid')
  if (fake.store.roleOf(orgId, u.id) === undefined) return plain(401, 'Not a valid organization')
  u.activeOrgId = orgId
  fake.store.changed()
  return ok({ message: 'Active organization changed' })
})

export const SIGNED_IN_ROUTES: RouteDef[] = [
  route('GET', '/api/user', signedIn, currentUser),
  route('GET', '/api/user/orgs', signedIn, myOrgs),
  route('POST', '/api/user/using/:orgId', signedIn, switchOrg),
]
