// Teams of the current org (§2): search, create, read, update, delete.
import type { Reply } from '../../http.ts'
import { anyTeamReadable, inOrg, onTeam, orgAllows, teamAllows } from '../auth.ts'
import { str, type Schema } from '../binding.ts'
import { route, type Ctx, type RouteDef } from '../context.ts'
import { teamDto } from '../dto.ts'
import { envelope, page1 } from '../query.ts'
import { ok, plain, structured, teamNotFound, traced } from '../replies.ts'
import { avatarOf, compare, type Team } from '../store.ts'

function searchTeams(ctx: Ctx): Reply {
  const { fake, caller, req } = ctx
  const { store } = fake
  const q = (req.query.get('query') ?? '').toLowerCase()
  const exact = req.query.get('name')
  const ids = new Set(req.query.getAll('teamId').map(Number))
  const sorts = (req.query.get('sort') ?? '').split(',').filter((s) => s !== '')
  const sorters: ((a: Team, b: Team) => number)[] = []
  for (const s of sorts) {
    const m = /^(name|email|memberCount)-(asc|desc)$/.exec(s)
    if (!m) return structured(400, 'sortopts.invalid', `invalid sort option: ${s}`)
    const dir = m[2] === 'desc' ? -1 : 1
    if (m[1] === 'memberCount') sorters.push((a, b) => dir * (a.members.size - b.members.size))
    else if (m[1] === 'email') sorters.push((a, b) => dir * compare(a.email, b.email))
    else sorters.push((a, b) => dir * compare(a.name, b.name))
  }
  const seesAll = orgAllows(store, caller, caller.orgId, 'teams:read')
  let teams = store
    .orgTeamsSorted(caller.orgId)
    .filter(
      (t) =>
        (seesAll || teamAllows(store, caller, t, 'teams:read')) &&
        (q === '' || t.name.toLowerCase().includes(q)) &&
        (exact === null || t.name === exact) &&
        (ids.size === 0 || ids.has(t.id)),
    )
  if (sorters.length > 0) {
    teams = [...teams].sort((a, b) => {
      for (const s of sorters) {
        const d = s(a, b)
        if (d !== 0) return d
      }
      return a.id - b.id
    })
  }
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

function getTeam({ fake, team }: Ctx): Reply {
  return team ? ok(teamDto(fake, team)) : teamNotFound()
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
  route('GET', '/api/teams/:teamId', onTeam('teams:read'), getTeam),
  route('PUT', '/api/teams/:teamId', onTeam('teams:write'), updateTeam, { bind: TEAM_SCHEMA }),
  route('DELETE', '/api/teams/:teamId', onTeam('teams:delete'), deleteTeam),
]
