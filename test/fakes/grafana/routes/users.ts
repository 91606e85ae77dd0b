// Users, for a Grafana server admin (§3): look up, search, create, update, the server-admin flag,
// disable and enable.
import { JsonArrayBytes, type Reply } from '../../http.ts'
import { global } from '../auth.ts'
import { int, str } from '../binding.ts'
import { route, type Ctx, type Handler, type RouteDef } from '../context.ts'
import { userProfile } from '../dto.ts'
import { hitJson } from '../listings.ts'
import { matchesUserQuery, page1, totalCountJson, withUser } from '../query.ts'
import { ok, plain, structured, traced } from '../replies.ts'
import type { FakeGrafanaOptions, OrgRole } from '../types.ts'

const userNotFound = () => plain(404, 'user not found')

function lookupUser({ fake, req }: Ctx): Reply {
  const value = req.query.get('loginOrEmail') ?? ''
  const u = value === '' ? undefined : fake.store.findByLoginOrEmail(value)
  if (!u) return userNotFound()
  return ok({ ...userProfile(u), authLabels: null, avatarUrl: '' })
}

function searchUsers({ fake, req }: Ctx): Reply {
  const q = (req.query.get('query') ?? '').toLowerCase()
  const all = fake.store.usersSorted()
  const hits = q === '' ? all : all.filter((u) => matchesUserQuery(u, q))
  const { page, perPage, offset } = page1(fake, req.query)
  const total = totalCountJson(fake, hits.length)
  const body = new JsonArrayBytes(`{${total}"users":`, `,"page":${page},"perPage":${perPage}}`)
  for (const u of hits.slice(offset, offset + perPage)) {
    body.item(hitJson(u))
  }
  return { status: 200, json: body }
}

function createUser({ fake, body }: Ctx): Reply {
  const { store, opts } = fake
  const autoAssignOrg = opts.autoAssignOrg ?? true
  let login = str(body, 'login')
  let email = str(body, 'email')
  const password = str(body, 'password')
  if (login === '') login = email
  if (login === '') {
    return structured(
      400,
      'user.empty-username-and-email',
      'Need to specify either username or email',
    )
  }
  let orgId = 0
  const requested = int(body, 'orgId')
  if (autoAssignOrg) {
    orgId = requested !== 0 ? requested : 1
    if (!store.orgs.has(orgId)) return traced(400, 'organization not found')
  }
  if (email === '') email = login
  if (store.usersByEmail.has(email.toLowerCase()) || store.usersByLogin.has(login.toLowerCase())) {
    return traced(412, `User with email '${email}' or username '${login}' already exists`)
  }
  const weak = passwordWeakness(opts, password)
  if (weak) return weak
  let role: OrgRole = 'Viewer'
  if (!autoAssignOrg) {
    const personal = email || login
    orgId = (store.orgByName(personal) ?? store.createOrg(personal)).id
    role = 'Admin'
  }
  const user = store.createUser({
    login,
    email,
    name: str(body, 'name'),
    password,
    isAdmin: false,
    isDisabled: false,
  })
  store.setOrgMember(orgId, user.id, role)
  return ok({ id: user.id, uid: user.uid, message: 'User created' })
}

/** The service's password check on create (§3.4 step 6): default minimum 4, or the strict policy. */
function passwordWeakness(opts: FakeGrafanaOptions, password: string): Reply | undefined {
  const tooShort = () =>
    structured(400, 'password.password-policy-too-short', 'New password is too short')
  if (!opts.passwordPolicy) return password.length < 4 ? tooShort() : undefined
  if (password.length < 12) return tooShort()
  const classes = [/[A-Z]/, /[a-z]/, /\d/, /[^A-Za-z0-9]/]
  if (classes.every((c) => c.test(password))) return undefined
  return structured(
    400,
    'password.password-policy-infringe',
    "New password doesn't comply with the password policy",
  )
}

function updateUser(ctx: Ctx): Reply {
  const { fake, body } = ctx
  const email = str(body, 'email').trim()
  let login = str(body, 'login').trim()
  const name = str(body, 'name').trim()
  if (login === '') login = email
  if (login === '') {
    return structured(
      400,
      'user.empty-username-and-email',
      'Need to specify either username or email',
    )
  }
  return withUser(
    ctx,
    'id',
    () => traced(500, 'Failed to update user'),
    (u) => {
      const { store } = fake
      const byLogin = store.usersByLogin.get(login.toLowerCase())
      const byEmail = email === '' ? undefined : store.usersByEmail.get(email.toLowerCase())
      if ((byLogin && byLogin !== u) || (byEmail && byEmail !== u)) {
        return traced(409, 'Update would result in user login conflict')
      }
      if (fake.opts.verifyEmail && email !== '' && email.toLowerCase() !== u.email) {
        return ok({ message: 'Email sent for verification' })
      }
      store.updateUser(u, {
        login,
        ...(email !== '' ? { email } : {}),
        ...(name !== '' ? { name } : {}),
      })
      return ok({ message: 'User updated' })
    },
  )
}

function setServerAdmin(ctx: Ctx): Reply {
  return withUser(ctx, 'id', userNotFound, (u) => {
    const { store } = ctx.fake
    const isAdmin = ctx.body.isGrafanaAdmin === true
    if (u.isAdmin && !isAdmin && store.serverAdminCount() <= 1) {
      return plain(400, 'cannot remove last grafana admin')
    }
    u.isAdmin = isAdmin
    store.userChanged(u)
    return ok({ message: 'User permissions updated' })
  })
}

function setDisabled(disabled: boolean): Handler {
  return (ctx) =>
    withUser(ctx, 'id', userNotFound, (u) => {
      u.isDisabled = disabled
      ctx.fake.store.userChanged(u)
      return ok({ message: disabled ? 'User disabled' : 'User enabled' })
    })
}

export const USER_ROUTES: RouteDef[] = [
  route('GET', '/api/users/lookup', global('users:read'), lookupUser),
  route('GET', '/api/users/search', global('users:read'), searchUsers),
  route('PUT', '/api/users/:id', global('users:write'), updateUser, {
    bind: {
      email: { type: 'string' },
      login: { type: 'string' },
      name: { type: 'string' },
    },
  }),
  route('POST', '/api/admin/users', global('users:create'), createUser, {
    bind: {
      login: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string', required: true },
      orgId: { type: 'int' },
    },
  }),
  route(
    'PUT',
    '/api/admin/users/:id/permissions',
    global('users.permissions:write'),
    setServerAdmin,
    { bind: { isGrafanaAdmin: { type: 'bool' } } },
  ),
  route('POST', '/api/admin/users/:id/disable', global('users:disable'), setDisabled(true)),
  route('POST', '/api/admin/users/:id/enable', global('users:enable'), setDisabled(false)),
]
