// Team members: list, add by user id, set the permission (Member or Admin), remove.
import type { TeamMember, TeamPermission } from '../model.ts'
import type { GrafanaApi } from './api.ts'
import type { GrafanaClient } from './types.ts'
import { ADMIN_PERMISSION, TEAM_MEMBER_FIELDS, permissionOf, type WireTeamMember } from './wire.ts'

/** Shared by every member Grafana lists without labels (frozen: a planner must not add any). */
const NO_LABELS = Object.freeze([]) as unknown as string[]

type MemberEndpoints = Pick<
  GrafanaClient,
  'listTeamMembers' | 'addTeamMember' | 'setTeamPermission' | 'removeTeamMember'
>

export function memberEndpoints(api: GrafanaApi): MemberEndpoints {
  /** Label-free team members, shared by every team that lists the user with that permission. */
  const members = new Map<number, Partial<Record<TeamPermission, TeamMember>>>()

  /** One frozen object per user and permission: a person in forty teams is one member, not forty. */
  function plainMember(
    userId: number,
    login: string,
    email: string,
    permission: TeamPermission,
  ): TeamMember {
    let byPermission = members.get(userId)
    if (byPermission === undefined) {
      byPermission = {}
      members.set(userId, byPermission)
    }
    const known = byPermission[permission]
    if (known && known.login === login && known.email === email) return known
    const member: TeamMember = Object.freeze({
      userId,
      login,
      email,
      permission,
      labels: NO_LABELS,
    })
    byPermission[permission] = member
    return member
  }

  async function listTeamMembers(
    orgId: number,
    teamId: number,
    about?: string,
  ): Promise<TeamMember[]> {
    const listed = await api.get<WireTeamMember[]>(`/api/teams/${teamId}/members`, {
      orgId,
      pick: TEAM_MEMBER_FIELDS,
      about,
    })
    return listed.map((m) => {
      const permission = permissionOf(m.permission)
      if (m.labels && m.labels.length > 0) {
        return { userId: m.userId, login: m.login, email: m.email, permission, labels: m.labels }
      }
      return plainMember(m.userId, m.login, m.email, permission)
    })
  }

  function addTeamMember(
    orgId: number,
    teamId: number,
    userId: number,
  ): Promise<'done' | 'already-done'> {
    return api.write('POST', `/api/teams/${teamId}/members`, {
      body: { userId },
      orgId,
      alreadyDone: { status: 400, message: /already added/i },
    })
  }

  async function setTeamPermission(
    orgId: number,
    teamId: number,
    userId: number,
    permission: TeamPermission,
  ): Promise<void> {
    await api.call('PUT', `/api/teams/${teamId}/members/${userId}`, {
      body: { permission: permission === 'Admin' ? ADMIN_PERMISSION : 0 },
      orgId,
    })
  }

  function removeTeamMember(
    orgId: number,
    teamId: number,
    userId: number,
  ): Promise<'done' | 'already-done'> {
    return api.write('DELETE', `/api/teams/${teamId}/members/${userId}`, {
      orgId,
      alreadyDone: { status: 404 },
    })
  }

  return { listTeamMembers, addTeamMember, setTeamPermission, removeTeamMember }
}
