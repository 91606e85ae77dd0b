// Org users: list, add by login or email, change the role, remove. A token acts in its own org
// through `/api/org/users`; basic auth names the org in the path.
import type { OrgRole } from '../model.ts'
import type { GrafanaApi } from './api.ts'
import type { GrafanaClient } from './types.ts'
import { ORG_USER_FIELDS, orgUserOf, type GrafanaOrgUser, type WireOrgUser } from './wire.ts'

type OrgUserEndpoints = Pick<
  GrafanaClient,
  'listOrgUsers' | 'addOrgUser' | 'setOrgRole' | 'removeOrgUser'
>

export function orgUserEndpoints(api: GrafanaApi): OrgUserEndpoints {
  async function listOrgUsers(orgId: number, about?: string): Promise<GrafanaOrgUser[]> {
    const req = { pick: ORG_USER_FIELDS, about }
    const users =
      api.auth === 'token'
        ? await api.get<WireOrgUser[]>('/api/org/users', { ...req, orgId })
        : await api.get<WireOrgUser[]>(`/api/orgs/${orgId}/users`, req)
    return users.map(orgUserOf)
  }

  function addOrgUser(
    orgId: number,
    loginOrEmail: string,
    role: OrgRole,
  ): Promise<'done' | 'already-done'> {
    const path = api.auth === 'token' ? '/api/org/users' : `/api/orgs/${orgId}/users`
    return api.write('POST', path, {
      body: { loginOrEmail, role },
      orgId,
      alreadyDone: { status: 409 },
    })
  }

  async function setOrgRole(orgId: number, userId: number, role: OrgRole): Promise<void> {
    const path =
      api.auth === 'token' ? `/api/org/users/${userId}` : `/api/orgs/${orgId}/users/${userId}`
    await api.call('PATCH', path, { body: { role }, orgId })
  }

  /**
   * Always the org-qualified route: `DELETE /api/org/users/:id` deletes the whole user when it was their
   * last org.
   */
  function removeOrgUser(orgId: number, userId: number): Promise<'done' | 'already-done'> {
    return api.write('DELETE', `/api/orgs/${orgId}/users/${userId}`, {
      orgId,
      alreadyDone: { status: 404 },
    })
  }

  return { listOrgUsers, addOrgUser, setOrgRole, removeOrgUser }
}
