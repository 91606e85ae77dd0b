// Teams of the current org (§2): search, create, update, delete.
import type { Reply } from '../../http.ts'
import { anyTeamReadable, inOrg, onTeam, orgAllows, teamAllows } from '../auth.ts'
import { str, type Schema } from '../binding.ts'
import { route, type Ctx, type RouteDef } from '../context.ts'
import { teamDto } from '../dto.ts'
import { envelope, page1 } from '../query.ts'
import { ok, plain, teamNotFound, traced } from '../replies.ts'
import { avatarOf } from '../store.ts'

function searchTeams(ctx: Ctx): Reply {
  const { fake, caller, req } = ctx
  const { store } = fake
  const q = (req.query.get('query') ?? '').toLowerCase()
  const exact = req.query.get('name')
  const seesAll = orgAllows(store, caller, caller.orgId, 'teams:read')
  const teams = store
    .orgTeamsSorted(caller.orgId)
    .filter(
      (t) =>
        (seesAll || teamAllows(store, caller, t, 'teams:read')) &&
        (q === '' || t.name.toLowerCase().includes(q)) &&
        (exact === null || t.name === exact),
    )
  const { page, perPage, offset } = page1(fake, req.query)
  return ok(
    envelope(fake, teams.length, {
      teams: teams.slice(offset, offset + perPage).map((t) => teamDto(fake, t)),
      page,
      perPage,
    }),
  )
}

function createTeam({ fake: { store }, caller, body }: Ctx): Reply {
  const name = str(body, 'name')
  if (store.teamByName(caller.orgId, name)) return traced(409, 'Team name taken')
  const team = store.createTeam(caller.orgId, name, str(body, 'email'))
  // Since Grafana 9 a user (never a service account) creating a team becomes its admin.
  if (caller.kind === 'user' && caller.user) store.setTeamMember(team, caller.user.id, 4)
  return ok({ teamId: team.id, uid: team.uid, message: 'Team created' })
}

function updateTeam({ fake, team, body }: Ctx): Reply {
  const { store } = fake
  if (!team) return fake.atLeast('12.0') ? teamNotFound() : traced(500, 'Failed to update Team')
  const name = str(body, 'name')
  if (name !== '') {
    const other = store.teamByName(team.orgId, name)
    if (other && other !== team) return traced(400, 'Team name taken')
    if (name !== team.name) store.renameTeam(team, name)
  }
  team.email = str(body, 'email')
  team.avatarUrl = avatarOf(team.email, team.name)
  store.changed()
  return ok({ message: 'Team updated' })
}

function deleteTeam({ fake, team }: Ctx): Reply {
  if (!team) {
    return fake.atLeast('12.0') ? teamNotFound() : plain(404, 'Failed to delete Team. ID not found')
  }
  fake.store.deleteTeam(team)
  return ok({ message: 'Team deleted' })
}

const TEAM_SCHEMA: Schema = { name: { type: 'string' }, email: { type: 'string' } }

export const TEAM_ROUTES: RouteDef[] = [
  route('GET', '/api/teams/search', anyTeamReadable, searchTeams),
  route('POST', '/api/teams', inOrg('teams:create'), createTeam, {
    bind: { name: { type: 'string', required: true }, email: { type: 'string' } },
  }),
  route('PUT', '/api/teams/:teamId', onTeam('teams:write'), updateTeam, { bind: TEAM_SCHEMA }),
  route('DELETE', '/api/teams/:teamId', onTeam('teams:delete'), deleteTeam),
]
