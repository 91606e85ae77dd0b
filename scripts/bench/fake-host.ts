// One fake (Grafana or Okta) in its own process, seeded with a benchmark workload, so its CPU
// never competes with the engine's or the other fake's. Driven by the bench over IPC:
//   node scripts/bench/fake-host.ts <grafana|okta> <size> <seed> <latencyMs>
import { generateKeyPairSync } from 'node:crypto'
import { endpointOf } from '../../src/http/endpoint.ts'
import { startFakeGrafana, type FakeGrafana } from '../../test/fakes/grafana.ts'
import { startFakeOkta, type FakeOkta } from '../../test/fakes/okta.ts'
import {
  generateWorkload,
  MAIN_ORG,
  PARTNER_ORG,
  seededMembers,
  SIZES,
  TEAM_PREFERENCES,
  type Workload,
} from './workload.ts'

export const ADMIN_PASSWORD = 'bench-admin-password'
/** Okta's default groups bucket is 500–600 requests a minute; the bench measures the engine, not the quota. */
export const OKTA_RATE_LIMIT = 1_000_000

/** The fake Okta's API Services app (DPoP required, as for new apps): its key pair is made per run. */
export const OKTA_CLIENT_ID = '0oabenchserviceapp1'
const OKTA_KEY_ID = 'bench-es256'

export interface OktaApp {
  clientId: string
  keyId: string
  /** PEM PKCS#8, for the engine run; never leaves the bench's processes. */
  privateKey: string
}

export type HostRequest = { type: 'counts' } | { type: 'reset' } | { type: 'close' }
export type HostMessage =
  | { type: 'ready'; url: string; token?: string; app?: OktaApp; seedMs: number }
  | { type: 'counts'; counts: Record<string, number>; retryable: number; cpuMs: number }
  | { type: 'reset' }

interface Recorder {
  requests: { method: string; path: string; status: number }[]
  clearRequests(): void
  serialiseListings(): void
  close(): Promise<void>
}

async function seedGrafana(w: Workload, latencyMs: number): Promise<FakeGrafana> {
  const grafana = await startFakeGrafana({ latencyMs, adminPassword: ADMIN_PASSWORD })
  // Created through the API, as a server admin would: the creator becomes its Admin.
  const res = await fetch(`${grafana.url}/api/orgs`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ name: PARTNER_ORG }),
  })
  const partnerOrg = ((await res.json()) as { orgId: number }).orgId
  const orgIds: Record<string, number> = { [MAIN_ORG]: 1, [PARTNER_ORG]: partnerOrg }
  const admins = new Set(w.groups[w.orgAdminGroup]!.members)
  const userIds = new Map<number, number>()
  w.people.forEach((person, p) => {
    if (!person.hasAccount) return
    const orgs: Record<number, 'Viewer' | 'Admin'> = {
      1: admins.has(p) && !person.suspended ? 'Admin' : 'Viewer',
    }
    if (w.partnerOrgMembers.has(p)) orgs[partnerOrg] = 'Viewer'
    const name = `${person.first} ${person.last}`
    userIds.set(p, grafana.addUser({ login: person.login, email: person.email, name, orgs }))
  })
  const seeded = seededMembers(w)
  w.teams.forEach((team, t) => {
    const members = [...seeded[t]!].map(([p, permission]) => ({
      userId: userIds.get(p)!,
      permission: permission === 'Admin' ? (4 as const) : (0 as const),
    }))
    const id = grafana.addTeam(orgIds[team.org]!, team.name, { email: team.email, members })
    if (team.preferences) grafana.setTeamPreferences(id, TEAM_PREFERENCES)
  })
  for (const team of w.undeclared) {
    grafana.addTeam(orgIds[team.org]!, team.name, {
      members: team.members.map((p) => ({ userId: userIds.get(p)! })),
    })
  }
  grafana.clearRequests()
  return grafana
}

function oktaApp(): { app: OktaApp; publicJwk: Record<string, unknown> } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const privateKey = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  const publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: OKTA_KEY_ID }
  return { app: { clientId: OKTA_CLIENT_ID, keyId: OKTA_KEY_ID, privateKey }, publicJwk }
}

async function seedOkta(w: Workload, latencyMs: number, app: ReturnType<typeof oktaApp>) {
  const okta = await startFakeOkta({
    latencyMs,
    rateLimit: OKTA_RATE_LIMIT,
    oauth: {
      apps: [
        {
          clientId: app.app.clientId,
          publicKeys: [app.publicJwk],
          grantedScopes: ['okta.groups.read', 'okta.users.read'],
          requireDpop: true,
        },
      ],
    },
  })
  for (const person of w.people) {
    okta.addUser({
      id: person.oktaId,
      login: person.email,
      email: person.email,
      firstName: person.first,
      lastName: person.last,
      status: person.suspended ? 'SUSPENDED' : 'ACTIVE',
    })
  }
  for (const group of w.groups) {
    okta.addGroup({ id: group.id, name: group.name })
    for (const p of group.members) okta.addMember(group.id, w.people[p]!.oktaId)
  }
  return okta satisfies FakeOkta
}

/** Requests per endpoint, and how many answers asked the client to retry (429, 5xx, dropped). */
function countsOf(fake: Recorder): { counts: Record<string, number>; retryable: number } {
  const counts: Record<string, number> = {}
  let retryable = 0
  for (const r of fake.requests) {
    const key = `${r.method} ${endpointOf(r.path)}`
    counts[key] = (counts[key] ?? 0) + 1
    if (r.status === 0 || r.status === 429 || r.status >= 500) retryable++
  }
  return { counts, retryable }
}

async function main(): Promise<void> {
  const [kind, sizeName, seed, latency] = process.argv.slice(2)
  const size = SIZES[sizeName ?? '']
  if (!size || (kind !== 'grafana' && kind !== 'okta')) {
    throw new Error('usage: fake-host.ts <grafana|okta> <small|medium|large> <seed> <latencyMs>')
  }
  const start = performance.now()
  const workload = generateWorkload(size, Number(seed))
  const latencyMs = Number(latency)
  const app = kind === 'okta' ? oktaApp() : undefined
  const fake: Recorder & { url: string; token?: string } = app
    ? await seedOkta(workload, latencyMs, app)
    : await seedGrafana(workload, latencyMs)
  fake.serialiseListings()
  const send = (message: HostMessage) => process.send?.(message)
  let cpu = process.cpuUsage()
  process.on('message', (message: HostRequest) => {
    if (message.type === 'counts') {
      const used = process.cpuUsage(cpu)
      send({ type: 'counts', ...countsOf(fake), cpuMs: (used.user + used.system) / 1000 })
    } else if (message.type === 'reset') {
      fake.clearRequests()
      cpu = process.cpuUsage()
      send({ type: 'reset' })
    } else void fake.close().then(() => process.exit(0))
  })
  send({
    type: 'ready',
    url: fake.url,
    ...(fake.token ? { token: fake.token } : {}),
    ...(app ? { app: app.app } : {}),
    seedMs: performance.now() - start,
  })
}

if (import.meta.main) await main()
