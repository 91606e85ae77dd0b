// The signed-in caller (§1.4): who they are and their orgs.
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

export const SIGNED_IN_ROUTES: RouteDef[] = [
  route('GET', '/api/user', signedIn, currentUser),
  route('GET', '/api/user/orgs', signedIn, myOrgs),
]
