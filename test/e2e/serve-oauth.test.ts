// `serve` with Okta as an API Services app (private_key_jwt and DPoP), started as the image starts
// it: one access token serves every run while it is valid, a new one is got once it has expired,
// token requests are counted under their own endpoint, and no key, assertion, proof or token shows.
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { FakeOkta, RecordedRequest } from '../fakes/okta.ts'
import { requireBuild, runCli } from './harness.ts'
import {
  metricsOf,
  parsePrometheus,
  startServe,
  value,
  type Sample,
  type Service,
} from './service.ts'
import { startWorld, type World } from './world.ts'

const CLIENT_ID = '0oa1serveapp00000x7'
const TOKEN_PATH = '/oauth2/v1/token'
const TOKEN_ENDPOINT = `POST ${TOKEN_PATH}`
/** Okta's fixed hour, shortened: the client renews a quarter of it (2 s) before it ends. */
const TOKEN_LIFETIME_S = 8

let world: World | undefined
let service: Service | undefined
beforeAll(requireBuild)
afterEach(async () => {
  await service?.kill()
  await world?.close()
  service = undefined
  world = undefined
})

function appKey() {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  const { d } = pair.privateKey.export({ format: 'jwk' })
  const publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'serve-ec-1', use: 'sig' }
  const pemLines = pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))
  return { pem, publicJwk, secrets: [pem, d!, ...pemLines] }
}

/** The fakes with an app that requires DPoP, and the service's environment for it (no API token). */
async function oauthWorld(key: ReturnType<typeof appKey>) {
  const w = await startWorld(undefined, {
    oktaOAuth: {
      apps: [
        {
          clientId: CLIENT_ID,
          publicKeys: [key.publicJwk],
          grantedScopes: ['okta.groups.read', 'okta.users.read'],
          requireDpop: true,
        },
      ],
      tokenLifetimeSeconds: TOKEN_LIFETIME_S,
    },
  })
  const env = {
    GRAFANA_URL: w.grafana.url,
    GRAFANA_TOKEN: w.grafanaToken,
    OKTA_DOMAIN: w.okta.url,
    OKTA_CLIENT_ID: CLIENT_ID,
    OKTA_PRIVATE_KEY: key.pem,
    OKTA_KEY_ID: 'serve-ec-1',
  }
  return { w, env }
}

const tokenRequests = (okta: FakeOkta) => okta.requests.filter((r) => r.path === TOKEN_PATH)
const apiRequests = (okta: FakeOkta) => okta.requests.filter((r) => r.path !== TOKEN_PATH)
const statuses = (requests: RecordedRequest[]) => requests.map((r) => r.status)
/** The distinct access tokens API calls were made with. */
const tokensUsed = (requests: RecordedRequest[]) => [
  ...new Set(requests.map((r) => String(r.headers.authorization).replace(/^DPoP /, ''))),
]

/** Every secret of the run: the key, each assertion and proof Okta received, each token issued. */
function secretsOf(w: World, key: ReturnType<typeof appKey>): string[] {
  const oauth = w.okta.oauth!
  return [...key.secrets, ...oauth.received, ...oauth.issued.map((t) => t.value), ...w.secrets]
}

/** Okta's requests as the metrics count them: the token endpoint apart from the API reads. */
function expectOktaCounted(samples: Sample[], okta: FakeOkta) {
  const sent = (labels: Record<string, string>) =>
    value(samples, 'grafana_team_sync_requests_total', { service: 'okta', ...labels })
  expect(sent({ endpoint: TOKEN_ENDPOINT })).toBe(tokenRequests(okta).length)
  expect(sent({})).toBe(okta.requests.length)
  expect(value(samples, 'grafana_team_sync_request_failures_total', { service: 'okta' })).toBe(0)
}

async function runNow(s: Service, run: number) {
  s.child.kill('SIGHUP')
  expect(await s.finished(run)).toMatchObject({ result: 'success' })
}

describe('serve with an Okta API Services app', () => {
  it('keeps one token for the runs in its life and gets the next once it expired', async () => {
    const key = appKey()
    const { w, env } = await oauthWorld(key)
    world = w
    service = await startServe(w.ws.dir, env, ['--interval', '1h'])
    expect(await service.finished(1)).toMatchObject({ result: 'success', applied: 5 })
    // The DPoP dance once: without a proof, with one, with Okta's nonce.
    expect(statuses(tokenRequests(w.okta))).toEqual([400, 400, 200])

    await runNow(service, 2)
    await runNow(service, 3)
    const [first] = w.okta.oauth!.issued
    // Three runs, each reading Okta, within the first token's life: no token request since run 1.
    expect(Date.now()).toBeLessThan(first!.expiresAt)
    expect(statuses(tokenRequests(w.okta))).toEqual([400, 400, 200])
    const apiSoFar = apiRequests(w.okta)
    expect(apiSoFar.length).toBeGreaterThanOrEqual(3)
    expect(tokensUsed(apiSoFar)).toEqual([first!.value])

    await new Promise((resolve) => setTimeout(resolve, first!.expiresAt - Date.now() + 100))
    await runNow(service, 4)
    // One token request for the next token: the DPoP key and nonce are those run 1 learnt.
    expect(statuses(tokenRequests(w.okta))).toEqual([400, 400, 200, 200])
    const [, second] = w.okta.oauth!.issued
    expect(w.okta.oauth!.issued).toHaveLength(2)
    expect(second!.jkt).toBe(first!.jkt)
    const run4 = apiRequests(w.okta).slice(apiSoFar.length)
    expect(run4.length).toBeGreaterThan(0)
    expect(tokensUsed(run4)).toEqual([second!.value])
    expect(statuses(apiRequests(w.okta)).every((s) => s === 200)).toBe(true)

    const { samples, text } = await metricsOf(service)
    expect(value(samples, 'grafana_team_sync_runs_total', { result: 'success' })).toBe(4)
    expectOktaCounted(samples, w.okta)
    const leaking = secretsOf(w, key).filter(
      (s) => text.includes(s) || service!.stderr().includes(s),
    )
    expect(leaking).toEqual([])
  })
})

describe('apply --metrics-file with an Okta API Services app', () => {
  it('counts the token requests under their own endpoint, apart from the API reads', async () => {
    const key = appKey()
    const { w, env } = await oauthWorld(key)
    world = w
    w.ws.write('metrics/.keep', '')
    const ran = await runCli(['apply', '--metrics-file', 'metrics/sync.prom'], w.ws, env)
    expect(ran.code).toBe(0)
    const text = readFileSync(join(w.ws.dir, 'metrics/sync.prom'), 'utf8')
    const { samples } = parsePrometheus(text)
    expect(statuses(tokenRequests(w.okta))).toEqual([400, 400, 200])
    expectOktaCounted(samples, w.okta)
    expect(
      value(samples, 'grafana_team_sync_requests_total', {
        service: 'okta',
        endpoint: 'GET /api/v1/groups',
      }),
    ).toBeGreaterThan(0)
    const leaking = secretsOf(w, key).filter(
      (s) => text.includes(s) || ran.stderr.includes(s) || ran.stdout.includes(s),
    )
    expect(leaking).toEqual([])
  })
})
