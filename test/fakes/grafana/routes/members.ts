// Team members (§2.6–2.10): list, add by user id, change the permission (0 Member, 4 Admin),
// remove, and the bulk set by email of Grafana ≥ 11.1.
import type { Reply } from '../../http.ts'
import { onTeam } from '../auth.ts'
import { int } from '../binding.ts'
import { route, type Ctx, type RouteDef } from '../context.ts'
import { membersJsonOf } from '../listings.ts'
import { ok, plain, teamNotFound, traced } from '../replies.ts'
import type { TeamPermission } from '../types.ts'

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

/** §2.10: the lists replace all members; unknown emails abort before any change. */
function setMembers({ fake: { store }, team, body }: Ctx): Reply {
  if (!team) return teamNotFound()
  const admins = ((body.admins as (string | null)[] | undefined) ?? []).map((e) => e ?? '')
  const members = ((body.members as (string | null)[] | undefined) ?? []).map((e) => e ?? '')
  const wanted = new Map<number, TeamPermission>()
  const unchanged = new Set<number>()
  for (const [userId, m] of team.members) {
    const email = store.users.get(userId)?.email ?? ''
    const want = admins.includes(email) ? 4 : members.includes(email) ? 0 : undefined
    if (want === undefined) continue
    wanted.set(userId, want)
    if (want === m.permission) unchanged.add(userId)
  }
  const listed: [string, TeamPermission][] = [
    ...members.map((e): [string, TeamPermission] => [e, 0]),
    ...admins.map((e): [string, TeamPermission] => [e, 4]),
  ]
  for (const [email, permission] of listed) {
    const user = store.usersByEmail.get(email.toLowerCase())
    if (!user) return plain(404, 'user not found')
    if (unchanged.has(user.id)) continue
    const current = wanted.get(user.id)
    wanted.set(user.id, current === 4 ? 4 : permission)
  }
  for (const userId of [...team.members.keys()]) {
    if (!wanted.has(userId)) store.removeTeamMember(team, userId)
  }
  for (const [userId, permission] of wanted) {
    if (team.members.get(userId)?.permission !== permission) {
      store.setTeamMember(team, userId, permission)
    }
  }
  return ok({ message: 'Team memberships have been updated' })
}

export const MEMBER_ROUTES: RouteDef[] = [
  route('GET', '/api/teams/:teamId/members', onTeam('teams.permissions:read'), listMembers),
  route('POST', '/api/teams/:teamId/members', onTeam('teams.permissions:write'), addMember, {
    bind: { userId: { type: 'int', required: true } },
  }),
  route('PUT', '/api/teams/:teamId/members', onTeam('teams.permissions:write'), setMembers, {
    bind: { members: { type: 'strings' }, admins: { type: 'strings' } },
    minVersion: '11.1',
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
