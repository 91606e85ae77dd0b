// A stateful fake of Grafana's HTTP API (orgs, users, org roles, teams, team members, team
// preferences) on 127.0.0.1, faithful to shared/reference/grafana-api.md: its auth, RBAC, body
// binding, paging bases, odd statuses and exact messages.
import { startFakeServer } from '../http.ts'
import { Logins } from './auth.ts'
import type { Fake } from './context.ts'
import { faultReply, handle } from './dispatch.ts'
import { seeding } from './seed.ts'
import { Store } from './store.ts'
import type { FakeGrafana, FakeGrafanaOptions, GrafanaVersion } from './types.ts'

export type { FaultControl, FaultRule } from '../faults.ts'
export type { RecordedRequest } from '../http.ts'
export type {
  FakeGrafana,
  FakeGrafanaOptions,
  FakeGrafanaSnapshot,
  GrafanaVersion,
  OrgRole,
  TeamPermission,
} from './types.ts'

const VERSION_RANK: Record<GrafanaVersion, number> = { '11.0': 110, '11.1': 111, '12.0': 120 }

export async function startFakeGrafana(opts: FakeGrafanaOptions = {}): Promise<FakeGrafana> {
  const version = opts.version ?? '12.0'
  const fake: Fake = {
    store: new Store(),
    opts,
    logins: new Logins(),
    atLeast: (v) => VERSION_RANK[version] >= VERSION_RANK[v],
  }
  addServerAdmin(fake)
  const basePath = (opts.basePath ?? '').replace(/\/+$/, '')
  const server = await startFakeServer({
    latencyMs: opts.latencyMs,
    record: opts.recordRequests,
    jsonContentType: opts.jsonContentType,
    handle: (req) => handle(fake, basePath, req),
    faultReply,
  })
  return {
    url: `${server.url}${basePath}`,
    version,
    ...seeding(fake),
    requests: server.requests,
    clearRequests: () => void server.requests.splice(0),
    writes: () => server.requests.filter((r) => r.method !== 'GET'),
    faults: server.faults,
    close: () => server.close(),
  }
}

/** A fresh Grafana: `Main Org.` and the server admin, user id 1, Admin of it. */
function addServerAdmin({ store, opts }: Fake): void {
  const mainOrg = store.createOrg('Main Org.')
  const admin = store.createUser({
    login: opts.adminLogin ?? 'admin',
    email: 'admin@localhost',
    name: '',
    password: opts.adminPassword ?? 'admin',
    isAdmin: true,
    isDisabled: false,
  })
  store.setOrgMember(mainOrg.id, admin.id, 'Admin')
}
