// Teams of an org: list, create, find by name, update name and email, delete.
import type { GrafanaApi } from './api.ts'
import type { GrafanaClient, GrafanaTeamSummary } from './types.ts'
import { PAGE, idOf, teamSummary, type WireTeam } from './wire.ts'

type TeamEndpoints = Pick<
  GrafanaClient,
  'listTeams' | 'createTeam' | 'findTeam' | 'updateTeam' | 'deleteTeam'
>

export function teamEndpoints(api: GrafanaApi): TeamEndpoints {
  async function listTeams(orgId: number, about?: string): Promise<GrafanaTeamSummary[]> {
    const teams = await api.paged<WireTeam>('/api/teams/search', 'teams', orgId, about)
    return teams.map(teamSummary)
  }

  async function createTeam(
    orgId: number,
    name: string,
    email?: string,
  ): Promise<{ teamId: number } | 'already-done'> {
    const body = email === undefined ? { name } : { name, email }
    const res = await api.call<{ teamId?: number; message?: string }>('POST', '/api/teams', {
      body,
      orgId,
      okStatuses: [409],
    })
    if (res.status === 409) return 'already-done'
    const teamId = idOf(res.body?.teamId) ?? (await findTeam(orgId, name))?.id
    if (teamId === undefined) throw api.missingId('POST', '/api/teams', `team "${name}"`)
    return { teamId }
  }

  async function findTeam(orgId: number, name: string): Promise<GrafanaTeamSummary | undefined> {
    const body = await api.get<{ teams?: WireTeam[] }>('/api/teams/search', {
      query: { name, perpage: PAGE, page: 1 },
      orgId,
    })
    const team = (body.teams ?? []).find((t) => t.name === name)
    return team && teamSummary(team)
  }

  async function updateTeam(
    orgId: number,
    teamId: number,
    fields: { name: string; email: string },
  ): Promise<void> {
    await api.call('PUT', `/api/teams/${teamId}`, { body: fields, orgId })
  }

  function deleteTeam(orgId: number, teamId: number): Promise<'done' | 'already-done'> {
    return api.write('DELETE', `/api/teams/${teamId}`, { orgId, alreadyDone: { status: 404 } })
  }

  return { listTeams, createTeam, findTeam, updateTeam, deleteTeam }
}
