import { generateKeyPairSync } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { createOktaClient, type OktaClientOptions } from './client.ts'
import { createOktaTokenCache } from './oauth.ts'
import { privateKeySecrets, readSigningKey } from './keys.ts'
import type { FakeOktaOAuthOptions } from '../../test/fakes/okta-oauth.ts'
import { startFakeOkta, type FakeOkta } from '../../test/fakes/okta.ts'

const CLIENT_ID = '0oaunittestclient01'
const TOKEN_PATH = '/oauth2/v1/token'

function ecKey() {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return {
    pem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    privateJwk: pair.privateKey.export({ format: 'jwk' }),
    publicJwk: { ...pair.publicKey.export({ format: 'jwk' }), kid: 'ec1' },
  }
}

let okta: FakeOkta | undefined
afterEach(async () => {
  await okta?.close()
  okta = undefined
})

async function world(opts: Omit<FakeOktaOAuthOptions, 'apps'> = {}, groups = 1) {
  const key = ecKey()
  okta = await startFakeOkta({
    oauth: {
      apps: [
        {
          clientId: CLIENT_ID,
          publicKeys: [key.publicJwk],
          grantedScopes: ['okta.groups.read', 'okta.users.read'],
          requireDpop: true,
        },
      ],
      ...opts,
    },
  })
  const ids: string[] = []
  for (let g = 0; g < groups; g++) {
    const id = okta.addGroup({ name: `G${g}` })
    okta.addMember(id, okta.addUser({ login: `u${g}@acme.example` }))
    ids.push(id)
  }
  const learnt: string[] = []
  const url = okta.url
  /** A client of the app, as each run of serve makes one; `learnt` gets what this one learns. */
  const clientOf = (more: Partial<OktaClientOptions> = {}, into = learnt) =>
    createOktaClient({
      domain: url,
      oauth: { clientId: CLIENT_ID, privateKey: key.pem, keyId: 'ec1' },
      onSecret: (s) => into.push(s),
      concurrency: 4,
      ...more,
    })
  return { okta, client: clientOf(), clientOf, ids, learnt }
}

const tokenAnswers = (o: FakeOkta) =>
  o.requests.filter((r) => r.path === TOKEN_PATH).map((r) => r.status)

describe('OAuth token client', () => {
  it('reuses one token for every call while it is valid, and reports what it learnt', async () => {
    const { okta, client, ids, learnt } = await world({}, 3)
    for (const id of ids) await client.listMembers(id)
    expect(tokenAnswers(okta)).toEqual([400, 400, 200])
    const token = okta.oauth!.issued[0]!.value
    expect(learnt).toContain(token)
    // Each token request carries a new assertion: all three are known secrets too.
    expect(learnt.filter((s) => s !== token)).toHaveLength(3)
    const stats = client.stats().find((s) => s.endpoint === `POST ${TOKEN_PATH}`)
    expect(stats?.requests).toBe(3)
  })

  it('renews the token before it expires, without a refused call', async () => {
    const { okta, client, ids } = await world({ tokenLifetimeSeconds: 2 })
    await client.listMembers(ids[0]!)
    // Renewed once a quarter of its life is left: 1.5 s after it was got.
    await new Promise((resolve) => setTimeout(resolve, 1600))
    await client.listMembers(ids[0]!)
    expect(tokenAnswers(okta)).toEqual([400, 400, 200, 200])
    expect(okta.requests.filter((r) => r.status === 401)).toEqual([])
  })

  it('renews once when several calls in flight are refused together', async () => {
    // The first token serves the search and four member listings, then Okta takes it as expired.
    const { okta, client, ids } = await world({ tokenMaxUses: 5 }, 8)
    await client.findGroups(['G0'])
    const members = await Promise.all(ids.map((id) => client.listMembers(id)))
    expect(members.flat()).toHaveLength(8)
    expect(okta.requests.filter((r) => r.status === 401).length).toBeGreaterThan(0)
    expect(tokenAnswers(okta)).toEqual([400, 400, 200, 200])
  })
})

describe('OAuth token cache: one token for the clients of several runs', () => {
  it('lets a later client use the token: no token request, its own counters, its scrubbers told', async () => {
    const { okta, clientOf, ids } = await world({}, 2)
    const tokens = createOktaTokenCache()
    const first = clientOf({ tokens })
    await first.listMembers(ids[0]!)
    const told: string[] = []
    const second = clientOf({ tokens }, told)
    await second.listMembers(ids[1]!)
    expect(tokenAnswers(okta)).toEqual([400, 400, 200])
    const [token] = okta.oauth!.issued
    expect(okta.oauth!.issued).toHaveLength(1)
    expect(told).toEqual([token!.value])
    const tokenStats = (c: typeof first) =>
      c.stats().find((s) => s.endpoint === `POST ${TOKEN_PATH}`)?.requests ?? 0
    expect([tokenStats(first), tokenStats(second)]).toEqual([3, 0])
  })

  it('renews a token near its end for the next client, with the DPoP key and nonce it learnt', async () => {
    const { okta, clientOf, ids } = await world({ tokenLifetimeSeconds: 2 })
    const tokens = createOktaTokenCache()
    await clientOf({ tokens }).listMembers(ids[0]!)
    await new Promise((resolve) => setTimeout(resolve, 1600))
    await clientOf({ tokens }).listMembers(ids[0]!)
    // Okta's nonce changed meanwhile: one refusal naming the new one, then the token.
    okta.oauth!.rotateNonce()
    await new Promise((resolve) => setTimeout(resolve, 1600))
    await clientOf({ tokens }).listMembers(ids[0]!)
    expect(tokenAnswers(okta)).toEqual([400, 400, 200, 200, 400, 200])
    expect(okta.requests.filter((r) => r.status === 401)).toEqual([])
    const [first, ...renewed] = okta.oauth!.issued
    expect(renewed.map((t) => t.jkt)).toEqual([first!.jkt, first!.jkt])
  })

  it('gives the next client nothing of a client that halted on a token request', async () => {
    const { okta, clientOf, ids } = await world()
    const tokens = createOktaTokenCache()
    okta.faults.inject({ path: TOKEN_PATH, delayMs: 500 })
    const halted = clientOf({ tokens, timeoutMs: 100, retryBaseMs: 1 })
    await expect(halted.listMembers(ids[0]!)).rejects.toThrow(/did not answer|timed out/i)
    okta.faults.clear()
    okta.clearRequests()
    const members = await clientOf({ tokens }).listMembers(ids[0]!)
    expect(members).toHaveLength(1)
    expect(tokenAnswers(okta)).toEqual([400, 400, 200])
  })

  it('never hands a token to a client of another app or key', async () => {
    const { okta, clientOf, ids } = await world()
    const tokens = createOktaTokenCache()
    await clientOf({ tokens }).listMembers(ids[0]!)
    const otherKey = ecKey()
    const other = clientOf({
      tokens,
      oauth: { clientId: CLIENT_ID, privateKey: otherKey.pem, keyId: 'ec1' },
    })
    // The fake knows only the first key: a client given another must ask, and be refused.
    await expect(other.listMembers(ids[0]!)).rejects.toThrow(/invalid_client/)
    expect(okta.oauth!.issued).toHaveLength(1)
    expect(okta.requests.filter((r) => r.path !== TOKEN_PATH).map((r) => r.status)).toEqual([200])
  })
})

describe('OAuth token client: nonce on API calls', () => {
  it('answers a use_dpop_nonce challenge on an API call with the nonce, once', async () => {
    const { okta, client, ids } = await world({ apiNonce: true }, 3)
    for (const id of ids) await client.listMembers(id)
    const api = okta.requests.filter((r) => r.path !== TOKEN_PATH)
    expect(api.map((r) => r.status)).toEqual([401, 200, 200, 200])
    expect(tokenAnswers(okta)).toEqual([400, 400, 200])
  })
})

describe('okta-private-key', () => {
  it('takes PEM PKCS#8 (RSA and EC) and JWK JSON, with the kid of the JWK or okta-key-id', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const rsaPem = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    expect(readSigningKey(rsaPem, 'k9')).toMatchObject({ alg: 'RS256', kid: 'k9' })
    const ec = ecKey()
    expect(readSigningKey(ec.pem)).toMatchObject({ alg: 'ES256', kid: undefined })
    const jwk = JSON.stringify({ ...ec.privateJwk, kid: 'from-jwk' })
    expect(readSigningKey(jwk)).toMatchObject({ alg: 'ES256', kid: 'from-jwk' })
    expect(readSigningKey(jwk, 'given')).toMatchObject({ kid: 'given' })
    // Pasted into a one-line variable.
    expect(readSigningKey(ec.pem.replace(/\n/g, '\\n')).alg).toBe('ES256')
  })

  it('says what is wrong with a key it cannot use, without quoting it', () => {
    const ec = ecKey()
    const ed = generateKeyPairSync('ed25519')
    const edPem = ed.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    const cases: [string, RegExp][] = [
      [JSON.stringify(ec.publicJwk), /public JWK; the private one/],
      [JSON.stringify({ keys: [ec.privateJwk] }), /JWK set/],
      ['{not json', /not valid JSON/],
      ['ssh-rsa AAAA', /neither a PEM PKCS#8 private key/],
      [edPem, /ed25519 key; Okta accepts RSA or EC/],
      ['-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', /copied whole/],
    ]
    for (const [input, message] of cases) {
      const thrown = messageOf(() => readSigningKey(input))
      expect(thrown).toMatch(message)
      expect(thrown).not.toContain(input.slice(0, 30))
    }
  })

  it('lists the key, each PEM line and each private JWK member as secrets', () => {
    const ec = ecKey()
    const pemSecrets = privateKeySecrets(ec.pem)
    const bodyLines = ec.pem.split('\n').filter((l) => l && !l.startsWith('-----'))
    for (const line of bodyLines) expect(pemSecrets).toContain(line)
    const jwk = JSON.stringify(ec.privateJwk)
    expect(privateKeySecrets(jwk)).toEqual(expect.arrayContaining([jwk, ec.privateJwk.d]))
    expect(privateKeySecrets(undefined)).toEqual([])
  })
})

function messageOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return (err as Error).message
  }
  return 'no error'
}
