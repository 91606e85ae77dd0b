// Organizations (§4): the current org (any org Admin) and all orgs (a Grafana server admin).
import { intParam, type Reply } from '../../http.ts'
import { global, inOrg, inPathOrg } from '../auth.ts'
import { str, type Schema } from '../binding.ts'
import { route, type Ctx, type Fake, type RouteDef } from '../context.ts'
import { orgDetails } from '../dto.ts'
import { perPageOf } from '../query.ts'
import { ok, traced } from '../replies.ts'

const orgNotFound = () => traced(404, 'Organization not found')

/** 0-based paging, no total and no maximum (§0.1); `query` is a name prefix. */
function listOrgs({ fake, req }: Ctx): Reply {
  const { store } = fake
  const q = (req.query.get('query') ?? '').toLowerCase()
  const name = req.query.get('name')
  const perPage = perPageOf(fake, req.query)
  const page = Math.max(0, intParam(req.query, 'page') ?? 0)
  const orgs = store
    .cached('orgs', () => [...store.orgs.values()].sort((a, b) => a.id - b.id))
    .filter(
      (o) => (q === '' || o.name.toLowerCase().startsWith(q)) && (name === null || o.name === name),
    )
  const offset = perPage * page
  return ok(orgs.slice(offset, offset + perPage).map((o) => ({ id: o.id, name: o.name })))
}

function currentOrgDetails({ fake, caller }: Ctx): Reply {
  return ok(orgDetails(fake.store.orgs.get(caller.orgId)!))
}

function getOrgByName({ fake, params }: Ctx): Reply {
  const org = fake.store.orgByName(params.name ?? '')
  return org ? ok(orgDetails(org)) : orgNotFound()
}

function createOrg({ fake: { store }, caller, body }: Ctx): Reply {
  const name = str(body, 'name')
  if (store.orgByName(name)) return traced(409, 'Organization name taken')
  const org = store.createOrg(name)
  if (caller.user) store.setOrgMember(org.id, caller.user.id, 'Admin')
  return ok({ orgId: org.id, message: 'Organization created' })
}

function renameOrg({ store }: Fake, orgId: number, name: string): Reply {
  const org = store.orgs.get(orgId)
  if (!org) return traced(500, 'Failed to update organization')
  const other = store.orgByName(name)
  if (other && other !== org) return traced(400, 'Organization name taken')
  store.renameOrg(org, name)
  return ok({ message: 'Organization updated' })
}

const ORG_NAME_SCHEMA: Schema = { name: { type: 'string', required: true } }

export const ORG_ROUTES: RouteDef[] = [
  route('GET', '/api/org', inOrg('orgs:read'), currentOrgDetails),
  route(
    'PUT',
    '/api/org',
    inOrg('orgs:write'),
    ({ fake, caller, body }) => renameOrg(fake, caller.orgId, str(body, 'name')),
    { bind: ORG_NAME_SCHEMA },
  ),
  route('GET', '/api/orgs', global('orgs:read'), listOrgs),
  route('POST', '/api/orgs', global('orgs:create'), createOrg, { bind: ORG_NAME_SCHEMA }),
  route('GET', '/api/orgs/name/:name', global('orgs:read'), getOrgByName),
  route(
    'PUT',
    '/api/orgs/:orgId',
    inPathOrg('orgs:write'),
    ({ fake, params, body }) => renameOrg(fake, Number(params.orgId), str(body, 'name')),
    { bind: ORG_NAME_SCHEMA },
  ),
]
