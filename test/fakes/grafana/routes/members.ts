// Team members (§2.6–2.9): list, add by user id, change the permission (0 Member, 4 Admin), remove.
import type { Reply } from '../../http.ts'
import { onTeam } from '../auth.ts'
import { int } from '../binding.ts'
import { route, type Ctx, type RouteDef } from '../context.ts'
import { membersJsonOf } from '../listings.ts'
import { ok, plain, teamNotFound, traced } from '../replies.ts'

function listMembers({ fake, team }: Ctx): Reply {
  if (!team) return ok([])
  const body = membersJsonOf(fake.store, team)
  body.sending++
  return { status: 200, json: body.json, onSent: () => body.sending-- }
}

function addMember({ fake: { store }, team, body }: Ctx): Reply {
  if (!team) return teamNotFound()
  const user = store.users.get(int(body, 'userId'))
  if (!user) return traced(500, 'Failed to add Member to Team')
  if (team.members.has(user.id)) return plain(400, 'User is already added to this team')
  store.setTeamMember(team, user.id, 0)
  return ok({ message: 'Member added to Team' })
}

function updateMember({ fake: { store }, team, params, body }: Ctx): Reply {
  const userId = Number(params.userId)
  if (!team || !team.members.has(userId)) return plain(404, 'Team member not found.')
  store.setTeamMember(team, userId, int(body, 'permission') === 4 ? 4 : 0)
  return ok({ message: 'Team member updated' })
}

function removeMember({ fake: { store }, team, params }: Ctx): Reply {
  if (!team) return teamNotFound()
  const userId = Number(params.userId)
  if (!team.members.has(userId)) return plain(404, 'Team member not found')
  store.removeTeamMember(team, userId)
  return ok({ message: 'Team Member removed' })
}

export const MEMBER_ROUTES: RouteDef[] = [
  route('GET', '/api/teams/:teamId/members', onTeam('teams.permissions:read'), listMembers),
  route('POST', '/api/teams/:teamId/members', onTeam('teams.permissions:write'), addMember, {
    bind: { userId: { type: 'int', required: true } },
  }),
  route(
    'PUT',
    '/api/teams/:teamId/members/:userId',
    onTeam('teams.permissions:write'),
    updateMember,
    { bind: { permission: { type: 'int' } } },
  ),
  route(
    'DELETE',
    '/api/teams/:teamId/members/:userId',
    onTeam('teams.permissions:write'),
    removeMember,
  ),
]
