// Users, as a Grafana server admin: list, create, find by login or email, update, the server-admin
// flag, disable and enable. With a token, finding a user searches the token's org instead.
import { HttpError, endpointOf } from '../http/index.ts'
import type { GrafanaUser } from '../model.ts'
import type { GrafanaApi } from './api.ts'
import type { GrafanaClient } from './types.ts'
import { idOf, userOf, type WireOrgUser, type WireUserHit } from './wire.ts'

type UserEndpoints = Pick<
  GrafanaClient,
  'listUsers' | 'createUser' | 'findUser' | 'updateUser' | 'setServerAdmin' | 'setDisabled'
>

export function userEndpoints(api: GrafanaApi): UserEndpoints {
  async function listUsers(): Promise<GrafanaUser[]> {
    const hits = await api.paged<WireUserHit>('/api/users/search', 'users')
    return hits.map(userOf)
  }

  async function createUser(user: {
    login: string
    email: string
    name: string
    password: string
    orgId?: number
  }): Promise<{ id: number } | 'already-done'> {
    const res = await api.call<{ id?: number }>('POST', '/api/admin/users', {
      body: user,
      okStatuses: [412],
    })
    if (res.status === 412) return 'already-done'
    const id =
      idOf(res.body?.id) ??
      (await findUser(user.login || user.email))?.id ??
      (user.email ? (await findUser(user.email))?.id : undefined)
    if (id === undefined) {
      throw api.missingId('POST', '/api/admin/users', `user ${user.login || user.email}`)
    }
    return { id }
  }

  async function findUser(loginOrEmail: string): Promise<GrafanaUser | undefined> {
    if (api.auth === 'token') {
      const own = await api.tokenOrg()
      const wanted = loginOrEmail.toLowerCase()
      const hits = await api.get<WireOrgUser[]>('/api/org/users', {
        query: { query: loginOrEmail },
        orgId: own.id,
      })
      const hit = hits.find(
        (u) => u.login.toLowerCase() === wanted || u.email.toLowerCase() === wanted,
      )
      return hit && { id: hit.userId, login: hit.login, email: hit.email, name: hit.name ?? '' }
    }
    const res = await api.call<WireUserHit>('GET', '/api/users/lookup', {
      query: { loginOrEmail },
      okStatuses: [404],
    })
    return res.status === 404 ? undefined : userOf(res.body)
  }

  async function updateUser(
    userId: number,
    fields: { login: string; email: string; name: string },
  ): Promise<void> {
    const path = `/api/users/${userId}`
    const res = await api.call<{ message?: unknown } | undefined>('PUT', path, { body: fields })
    const message = typeof res.body?.message === 'string' ? res.body.message : ''
    // With SMTP and `verify_email_enabled`, Grafana mails the new address and changes nothing yet.
    if (/verification/i.test(message)) {
      throw new HttpError({
        service: 'grafana',
        method: 'PUT',
        endpoint: endpointOf(path),
        status: res.status,
        serviceMessage:
          `${message}: Grafana (verify_email_enabled) changes the email to ${fields.email} only once that ` +
          'address is confirmed from the mail it just sent; until then the user keeps the old email',
      })
    }
  }

  async function setServerAdmin(userId: number, isGrafanaAdmin: boolean): Promise<void> {
    await api.call('PUT', `/api/admin/users/${userId}/permissions`, { body: { isGrafanaAdmin } })
  }

  async function setDisabled(userId: number, disabled: boolean): Promise<void> {
    await api.call('POST', `/api/admin/users/${userId}/${disabled ? 'disable' : 'enable'}`)
  }

  return { listUsers, createUser, findUser, updateUser, setServerAdmin, setDisabled }
}
