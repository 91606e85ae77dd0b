// Okta as an API Services app, end to end through the bundle: private_key_jwt tokens, DPoP and its
// nonce, renewal on 401, the admin-console fixes in errors, and no secret in any output.
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { FakeOktaApp, FakeOktaOAuthOptions } from '../fakes/okta-oauth.ts'
import { startFakeOkta, type FakeOkta, type RecordedRequest } from '../fakes/okta.ts'
import { startFakeGrafana, type FakeGrafana } from '../fakes/grafana.ts'
import {
  makeWorkspace,
  requireBuild,
  runAction,
  runCli,
  visibleLog,
  type Ran,
  type Workspace,
} from './harness.ts'
import { PLATFORM_YAML } from './world.ts'

const CLIENT_ID = '0oa1servicesapp0x7'
const SSWS_TOKEN = '00ssws-SECRET-token-oauth-e2e'
const TOKEN_PATH = '/oauth2/v1/token'

interface Key {
  alg: 'RS256' | 'ES256'
  kid: string
  /** The private key as the input takes it. */
  input: string
  publicJwk: Record<string, unknown>
  /** Every piece of it that must never be shown. */
  secrets: string[]
}

function makeKey(alg: Key['alg'], format: 'pem' | 'jwk', kid: string): Key {
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const privateJwk = pair.privateKey.export({ format: 'jwk' })
  const publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, use: 'sig' }
  const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  const input = format === 'pem' ? pem : JSON.stringify({ ...privateJwk, kid })
  const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi']
    .map((m) => (privateJwk as Record<string, unknown>)[m])
    .filter((v): v is string => typeof v === 'string')
  const pemLines = pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))
  return { alg, kid, input, publicJwk, secrets: [input, ...privateMembers, ...pemLines] }
}

const keys = {
  rsaPem: makeKey('RS256', 'pem', 'rsa-pem-1'),
  rsaJwk: makeKey('RS256', 'jwk', 'rsa-jwk-1'),
  ecPem: makeKey('ES256', 'pem', 'ec-pem-1'),
  ecJwk: makeKey('ES256', 'jwk', 'ec-jwk-1'),
}
const unregistered = makeKey('RS256', 'pem', 'rsa-pem-1')

interface Setup {
  grafana: FakeGrafana
  okta: FakeOkta
  ws: Workspace
  grafanaToken: string
  env(key: Key, extra?: Record<string, string>): Record<string, string>
  close(): Promise<void>
}

let setup: Setup | undefined
beforeAll(requireBuild)
afterEach(async () => {
  await setup?.close()
  setup = undefined
})

function app(key: Key, overrides: Partial<FakeOktaApp> = {}): FakeOktaApp {
  return {
    clientId: CLIENT_ID,
    publicKeys: [key.publicJwk],
    grantedScopes: ['okta.groups.read', 'okta.users.read'],
    requireDpop: false,
    ...overrides,
  }
}

async function start(
  oauth: FakeOktaOAuthOptions,
  opts: { members?: number; latencyMs?: number } = {},
): Promise<Setup> {
  const grafana = await startFakeGrafana({})
  const okta = await startFakeOkta({ token: SSWS_TOKEN, oauth, latencyMs: opts.latencyMs })
  const ws = makeWorkspace({ 'teams/platform.yaml': PLATFORM_YAML })
  for (const login of ['bob', 'carol', 'dave', 'erin']) {
    grafana.addUser({ login, email: `${login}@acme.example`, name: login, orgs: { 1: 'Viewer' } })
  }
  const group = okta.addGroup({ name: 'Platform-Engineers' })
  for (const login of ['dave', 'erin']) {
    okta.addMember(group, okta.addUser({ login: `${login}@acme.example` }))
  }
  for (let i = 0; i < (opts.members ?? 0); i++) {
    okta.addMember(group, okta.addUser({ login: `user${String(i).padStart(5, '0')}@acme.example` }))
  }
  const grafanaToken = grafana.addServiceAccountToken(1, 'Admin')
  return {
    grafana,
    okta,
    ws,
    grafanaToken,
    env: (key, extra = {}) => ({
      GRAFANA_URL: grafana.url,
      GRAFANA_TOKEN: grafanaToken,
      OKTA_DOMAIN: okta.url,
      OKTA_CLIENT_ID: CLIENT_ID,
      OKTA_PRIVATE_KEY: key.input,
      ...(key.input.startsWith('{') ? {} : { OKTA_KEY_ID: key.kid }),
      ...extra,
    }),
    close: async () => {
      await Promise.all([grafana.close(), okta.close()])
      ws.remove()
    },
  }
}

const tokenRequests = (okta: FakeOkta) => okta.requests.filter((r) => r.path === TOKEN_PATH)
const apiRequests = (okta: FakeOkta) => okta.requests.filter((r) => r.path !== TOKEN_PATH)
const statuses = (requests: RecordedRequest[]) => requests.map((r) => r.status)
const asRead = (r: RecordedRequest) =>
  `${r.method} ${r.path}?${new URLSearchParams(r.query).toString()}`

/** Every secret of the run: the key, each assertion and proof Okta received, each token issued. */
function runSecrets(s: Setup, key: Key): string[] {
  const oauth = s.okta.oauth!
  return [...key.secrets, ...oauth.received, ...oauth.issued.map((t) => t.value), s.grafanaToken]
}

function expectNoSecretIn(texts: Record<string, string>, secrets: string[]) {
  const leaking = Object.entries(texts)
    .filter(([, text]) => secrets.some((secret) => text.includes(secret)))
    .map(([where]) => where)
  expect(leaking).toEqual([])
}

async function plan(s: Setup, key: Key, extra?: Record<string, string>): Promise<Ran> {
  return runCli(['plan', '--json'], s.ws, s.env(key, extra))
}

function planOf(ran: Ran) {
  expect(ran.stderr).not.toMatch(/^error:/m)
  expect(ran.code).toBe(0)
  const doc = JSON.parse(ran.stdout) as {
    plan: {
      changes: unknown[]
      errors: unknown[]
      stats: { requests: { endpoint: string; requests: number }[] }
    }
  }
  expect(doc.plan.errors).toEqual([])
  return doc.plan
}

describe('Okta API Services app (OAuth 2.0)', () => {
  it('gets a Bearer token with an RS256 PEM key when the app does not require DPoP', async () => {
    setup = await start({ apps: [app(keys.rsaPem)] })
    const ran = await plan(setup, keys.rsaPem)
    const result = planOf(ran)
    expect(JSON.stringify(result.changes)).toContain('dave@acme.example')
    expect(statuses(tokenRequests(setup.okta))).toEqual([200])
    const api = apiRequests(setup.okta)
    expect(api.length).toBeGreaterThan(0)
    for (const r of api) {
      expect(r.headers.authorization).toMatch(/^Bearer okta-at-/)
      expect(r.headers.dpop).toBeUndefined()
    }
    const token = setup.okta.oauth!.issued[0]!
    expect(token.scopes).toEqual(['okta.groups.read', 'okta.users.read'])
    // Token requests are counted apart from the API reads.
    const endpoints = result.stats.requests.map((r) => r.endpoint)
    expect(endpoints).toContain(`POST ${TOKEN_PATH}`)
  })

  it('does the DPoP nonce dance with an ES256 JWK and signs every API call with a bound proof', async () => {
    setup = await start({ apps: [app(keys.ecJwk, { requireDpop: true })] })
    planOf(await plan(setup, keys.ecJwk))
    const tokens = tokenRequests(setup.okta)
    // Without DPoP (Okta says the proof is missing), with a proof (Okta asks for its nonce), with it.
    expect(statuses(tokens)).toEqual([400, 400, 200])
    expect(tokens[0]!.headers.dpop).toBeUndefined()
    expect(tokens[2]!.headers.dpop).toBeDefined()
    const api = apiRequests(setup.okta)
    expect(api.length).toBeGreaterThan(0)
    for (const r of api) {
      expect(r.status).toBe(200)
      expect(r.headers.authorization).toMatch(/^DPoP okta-at-/)
      expect(r.headers.dpop).toBeDefined()
    }
    expect(setup.okta.oauth!.issued[0]!.jkt).toBeDefined()
  })

  it('reads exactly the same groups and members as with an API token', async () => {
    setup = await start({ apps: [app(keys.ecPem, { requireDpop: true })] }, { members: 1500 })
    const ssws = planOf(
      await runCli(['plan', '--json'], setup.ws, {
        GRAFANA_URL: setup.grafana.url,
        GRAFANA_TOKEN: setup.grafanaToken,
        OKTA_DOMAIN: setup.okta.url,
        OKTA_API_TOKEN: SSWS_TOKEN,
      }),
    )
    const sswsReads = apiRequests(setup.okta).map(asRead)
    setup.okta.clearRequests()
    const oauth = planOf(await plan(setup, keys.ecPem))
    expect(apiRequests(setup.okta).map(asRead)).toEqual(sswsReads)
    expect(statuses(apiRequests(setup.okta)).every((s) => s === 200)).toBe(true)
    expect(oauth.changes).toEqual(ssws.changes)
  })

  it('renews an expired token once in the middle of a large read, reading no page twice', async () => {
    setup = await start(
      { apps: [app(keys.rsaJwk, { requireDpop: true })], tokenMaxUses: 3 },
      { members: 3500 },
    )
    // The last member, on the last page, has a Grafana account: the plan adds them.
    const last = 'user03499'
    setup.grafana.addUser({
      login: last,
      email: `${last}@acme.example`,
      name: last,
      orgs: { 1: 'Viewer' },
    })
    const result = planOf(await plan(setup, keys.rsaJwk))
    expect(JSON.stringify(result.changes)).toContain('user03499@acme.example')
    // The dance for the first token; the renewal reuses the nonce it learnt.
    expect(statuses(tokenRequests(setup.okta))).toEqual([400, 400, 200, 200])
    const api = apiRequests(setup.okta)
    expect(statuses(api).filter((s) => s === 401)).toHaveLength(1)
    const pages = api.filter((r) => r.status === 200 && r.path.endsWith('/users')).map(asRead)
    expect(pages).toHaveLength(4)
    expect(new Set(pages).size).toBe(pages.length)
    const [first, second] = setup.okta.oauth!.issued
    expect(second!.jkt).toBe(first!.jkt) // one DPoP key for the whole run
  })

  it('masks and never shows the key, assertions, tokens or proofs in the action', async () => {
    setup = await start({ apps: [app(keys.rsaPem, { requireDpop: true })] })
    const ran = await runAction(setup.ws, {
      event: 'workflow_dispatch',
      inputs: {
        mode: 'plan',
        'grafana-url': setup.grafana.url,
        'grafana-token': setup.grafanaToken,
        'okta-domain': setup.okta.url,
        'okta-client-id': CLIENT_ID,
        'okta-private-key': keys.rsaPem.input,
        'okta-key-id': keys.rsaPem.kid,
      },
    })
    expect(ran.outputs.mode).toBe('plan')
    expect(ran.outputs['has-changes']).toBe('true')
    const masked = ran.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'))
    const token = setup.okta.oauth!.issued[0]!.value
    expect(masked).toContain(`::add-mask::${token}`)
    // The key is masked line by line, before anything is read.
    const keyLine = keys.rsaPem.input.split('\n')[1]!
    expect(masked).toContain(`::add-mask::${keyLine}`)
    const planFile = ran.outputs['plan-file']
    expectNoSecretIn(
      {
        log: visibleLog(ran.stdout),
        stderr: ran.stderr,
        summary: ran.summary,
        outputs: JSON.stringify(ran.outputs),
        planFile: planFile && existsSync(planFile) ? readFileSync(planFile, 'utf8') : '',
      },
      runSecrets(setup, keys.rsaPem),
    )
    expect(setup.grafana.requests.some((r) => JSON.stringify(r).includes(token))).toBe(false)
  })
})

describe('Okta API Services app: errors naming the fix', () => {
  const expectFailure = (s: Setup, key: Key, ran: Ran, ...fragments: string[]) => {
    expect(ran.code).toBe(1)
    for (const fragment of fragments) expect(ran.stderr).toContain(fragment)
    expectNoSecretIn({ stdout: ran.stdout, stderr: ran.stderr }, runSecrets(s, key))
    expect(s.grafana.requests.filter((r) => r.method !== 'GET')).toEqual([])
  }

  it('names the public key and kid when the key is not registered', async () => {
    setup = await start({ apps: [app(keys.rsaPem)] })
    const ran = await plan(setup, unregistered)
    expect(ran.code).toBe(1)
    expectFailure(
      setup,
      unregistered,
      ran,
      'invalid_client',
      'signature is invalid',
      'PUBLIC KEYS',
      'kid rsa-pem-1',
    )
  })

  it('names okta-key-id when the kid is wrong', async () => {
    setup = await start({ apps: [app(keys.ecPem)] })
    const ran = await plan(setup, keys.ecPem, { OKTA_KEY_ID: 'not-the-kid' })
    expect(ran.code).toBe(1)
    expectFailure(setup, keys.ecPem, ran, 'kid is invalid', 'kid not-the-kid', 'PUBLIC KEYS')
  })

  it("names the app's Client ID when the client id is wrong", async () => {
    setup = await start({ apps: [app(keys.ecPem)] })
    const ran = await plan(setup, keys.ecPem, { OKTA_CLIENT_ID: '0oaWRONGclient00000' })
    expect(ran.code).toBe(1)
    expectFailure(setup, keys.ecPem, ran, 'invalid_client', "okta-client-id is the app's Client ID")
  })

  it('names the scopes and the Okta API Scopes tab when a scope is not granted', async () => {
    setup = await start({ apps: [app(keys.rsaPem, { grantedScopes: ['okta.groups.read'] })] })
    const ran = await plan(setup, keys.rsaPem)
    expect(ran.code).toBe(1)
    expectFailure(
      setup,
      keys.rsaPem,
      ran,
      'invalid_scope',
      'grant okta.groups.read and okta.users.read',
      'Okta API Scopes tab',
    )
  })

  it('names the Read-only Administrator role when the app has no admin role', async () => {
    setup = await start({ apps: [app(keys.ecJwk, { requireDpop: true, adminRole: false })] })
    const ran = await plan(setup, keys.ecJwk)
    expect(ran.code).toBe(1)
    expectFailure(setup, keys.ecJwk, ran, 'E0000006', 'Read-only Administrator', 'Admin roles tab')
  })

  it('says invalid_dpop_proof and how far the clock is off when proofs are too old', async () => {
    setup = await start({
      apps: [app(keys.ecPem, { requireDpop: true })],
      clockOffsetMs: 10 * 60_000,
    })
    const ran = await plan(setup, keys.ecPem)
    expect(ran.code).toBe(1)
    expectFailure(setup, keys.ecPem, ran, 'invalid_dpop_proof', 'NTP')
    expect(ran.stderr).toMatch(/clock is (59\d|60\d) s behind Okta's/)
  })

  it('gives a clock hint when Okta finds the assertion issued in the future', async () => {
    setup = await start({ apps: [app(keys.rsaJwk)], clockOffsetMs: -10 * 60_000 })
    const ran = await plan(setup, keys.rsaJwk)
    expect(ran.code).toBe(1)
    expectFailure(setup, keys.rsaJwk, ran, 'invalid_client', 'issued-at time in the future')
    expect(ran.stderr).toMatch(/clock is (59\d|60\d) s ahead of Okta's/)
  })

  it('refuses an API token and a client id together, naming both, before any request', async () => {
    setup = await start({ apps: [app(keys.rsaPem)] })
    const ran = await plan(setup, keys.rsaPem, { OKTA_API_TOKEN: SSWS_TOKEN })
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain('OKTA_API_TOKEN is set together with OKTA_CLIENT_ID')
    expect(setup.okta.requests).toEqual([])
    expect(setup.grafana.requests).toEqual([])
  })

  it('explains a PKCS#1 key and how to convert it', async () => {
    setup = await start({ apps: [app(keys.rsaPem)] })
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pkcs1 = pair.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString()
    const ran = await plan(setup, keys.rsaPem, { OKTA_PRIVATE_KEY: pkcs1 })
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain('openssl pkcs8 -topk8 -nocrypt')
    expect(ran.stderr).not.toContain(pkcs1.split('\n')[1]!)
    expect(setup.okta.requests).toEqual([])
  })
})
