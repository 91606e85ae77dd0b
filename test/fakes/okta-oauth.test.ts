import { createHash, randomUUID } from 'node:crypto'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import type { FakeOktaApp, FakeOktaOAuthOptions } from './okta-oauth.ts'
import { startFakeOkta, type FakeOkta } from './okta.ts'

const CLIENT_ID = '0oafakeoauthtest01'
const SCOPES = 'okta.groups.read okta.users.read'

let okta: FakeOkta | undefined
afterEach(async () => {
  await okta?.close()
  okta = undefined
})

interface Keys {
  client: CryptoKey
  publicJwk: JWK
  dpop: CryptoKey
  dpopJwk: JWK
}

async function keys(): Promise<Keys> {
  const client = await generateKeyPair('RS256')
  const dpop = await generateKeyPair('ES256')
  return {
    client: client.privateKey,
    publicJwk: { ...(await exportJWK(client.publicKey)), kid: 'k1' },
    dpop: dpop.privateKey,
    dpopJwk: await exportJWK(dpop.publicKey),
  }
}

async function start(
  k: Keys,
  app: Partial<FakeOktaApp> = {},
  opts: Omit<FakeOktaOAuthOptions, 'apps'> = {},
): Promise<FakeOkta> {
  okta = await startFakeOkta({
    oauth: {
      apps: [
        {
          clientId: CLIENT_ID,
          publicKeys: [k.publicJwk],
          grantedScopes: SCOPES.split(' '),
          requireDpop: false,
          ...app,
        },
      ],
      ...opts,
    },
  })
  okta.addGroup({ name: 'G' })
  return okta
}

const tokenUrl = (o: FakeOkta) => `${o.url}/oauth2/v1/token`

function assertion(
  o: FakeOkta,
  k: Keys,
  claims: { aud?: string; exp?: number; jti?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(CLIENT_ID)
    .setSubject(CLIENT_ID)
    .setAudience(claims.aud ?? tokenUrl(o))
    .setIssuedAt(now)
    .setExpirationTime(claims.exp ?? now + 300)
    .setJti(claims.jti ?? randomUUID())
    .sign(k.client)
}

function proof(
  k: Keys,
  claims: Record<string, unknown>,
  key: { priv: CryptoKey; jwk: JWK } = { priv: k.dpop, jwk: k.dpopJwk },
): Promise<string> {
  return new SignJWT({ jti: randomUUID(), ...claims })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk })
    .setIssuedAt()
    .sign(key.priv)
}

async function requestToken(
  o: FakeOkta,
  signed: string,
  headers: Record<string, string> = {},
  scope = SCOPES,
) {
  const res = await fetch(tokenUrl(o), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: signed,
    }),
  })
  return { res, body: (await res.json()) as Record<string, string> }
}

const groupsUrl = (o: FakeOkta) => `${o.url}/api/v1/groups`

/** A DPoP-bound token got through the nonce dance. */
async function dpopToken(o: FakeOkta, k: Keys): Promise<string> {
  const first = await requestToken(o, await assertion(o, k), {
    DPoP: await proof(k, { htm: 'POST', htu: tokenUrl(o) }),
  })
  expect(first.body.error).toBe('use_dpop_nonce')
  const nonce = first.res.headers.get('dpop-nonce')!
  const second = await requestToken(o, await assertion(o, k), {
    DPoP: await proof(k, { htm: 'POST', htu: tokenUrl(o), nonce }),
  })
  expect(second.body.token_type).toBe('DPoP')
  return second.body.access_token!
}

const ath = (token: string) => createHash('sha256').update(token).digest('base64url')

describe('fake Okta authorization server: client assertion', () => {
  it('issues a Bearer token and refuses the same assertion (jti) twice', async () => {
    const k = await keys()
    const o = await start(k)
    const signed = await assertion(o, k)
    const first = await requestToken(o, signed)
    expect(first.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: SCOPES })
    const again = await requestToken(o, signed)
    expect(again.res.status).toBe(401)
    expect(again.body.error_description).toBe('The client_assertion token has already been used.')
    const api = await fetch(groupsUrl(o), {
      headers: { authorization: `Bearer ${first.body.access_token}` },
    })
    expect(api.status).toBe(200)
  })

  it('checks the audience, the expiry horizon and the signature', async () => {
    const k = await keys()
    const o = await start(k)
    const wrongAud = await requestToken(
      o,
      await assertion(o, k, { aud: `${o.url}/oauth2/default/v1/token` }),
    )
    expect(wrongAud.body.error_description).toMatch(/audience claim/)
    const far = Math.floor(Date.now() / 1000) + 7200
    const tooFar = await requestToken(o, await assertion(o, k, { exp: far }))
    expect(tooFar.body.error_description).toMatch(/too far into the future/)
    const other = await keys()
    const forged = await requestToken(o, await assertion(o, other))
    expect(forged.body).toMatchObject({
      error: 'invalid_client',
      error_description: 'The client_assertion signature is invalid.',
    })
  })

  it('refuses scopes that are not granted', async () => {
    const k = await keys()
    const o = await start(k, { grantedScopes: ['okta.groups.read'] })
    const { res, body } = await requestToken(o, await assertion(o, k))
    expect(res.status).toBe(400)
    expect(body.error_description).toBe(
      'The following scopes are not allowed for this request: [okta.users.read]',
    )
  })
})

describe('fake Okta authorization server: DPoP', () => {
  it('asks for the proof, then the nonce, and binds the token to the proof key', async () => {
    const k = await keys()
    const o = await start(k, { requireDpop: true })
    const missing = await requestToken(o, await assertion(o, k))
    expect(missing.body.error_description).toBe('The DPoP proof JWT header is missing.')
    const token = await dpopToken(o, k)
    const htu = groupsUrl(o)
    const ok = await fetch(`${htu}?limit=5`, {
      headers: {
        authorization: `DPoP ${token}`,
        dpop: await proof(k, { htm: 'GET', htu, ath: ath(token) }),
      },
    })
    expect(ok.status).toBe(200)
    expect(o.oauth!.issued[0]!.jkt).toBeDefined()
  })

  it('refuses a bound token with a Bearer scheme, a wrong ath, htu or key, and a replayed proof', async () => {
    const k = await keys()
    const o = await start(k, { requireDpop: true })
    const token = await dpopToken(o, k)
    const htu = groupsUrl(o)
    const call = async (headers: Record<string, string>) => {
      const res = await fetch(htu, { headers })
      return { status: res.status, body: (await res.json()) as Record<string, string> }
    }
    const bearer = await call({ authorization: `Bearer ${token}` })
    expect(bearer.body.error_description).toMatch(/must use the DPoP authentication scheme/)
    const wrongAth = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof(k, { htm: 'GET', htu, ath: ath('another') }),
    })
    expect(wrongAth.body.error_description).toMatch(/'ath' claim/)
    const wrongHtu = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof(k, { htm: 'GET', htu: `${htu}/x`, ath: ath(token) }),
    })
    expect(wrongHtu.body.error_description).toMatch(/'htu' claim/)
    const other = await generateKeyPair('ES256')
    const otherKey = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof(
        k,
        { htm: 'GET', htu, ath: ath(token) },
        { priv: other.privateKey, jwk: await exportJWK(other.publicKey) },
      ),
    })
    expect(otherKey.body.error_description).toMatch(/does not match the access token binding/)
    const once = await proof(k, { htm: 'GET', htu, ath: ath(token) })
    expect((await call({ authorization: `DPoP ${token}`, dpop: once })).status).toBe(200)
    const replay = await call({ authorization: `DPoP ${token}`, dpop: once })
    expect(replay.body.error_description).toBe('The DPoP proof JWT has already been used.')
  })
})

describe('fake Okta authorization server: tokens on the API', () => {
  it('expires tokens after their lifetime with 401 invalid_token', async () => {
    const k = await keys()
    const o = await start(k, {}, { tokenLifetimeSeconds: 1 })
    const { body } = await requestToken(o, await assertion(o, k))
    expect(body.expires_in).toBe(1)
    const headers = { authorization: `Bearer ${body.access_token}` }
    expect((await fetch(groupsUrl(o), { headers })).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const expired = await fetch(groupsUrl(o), { headers })
    expect(expired.status).toBe(401)
    expect(expired.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
  })

  it('answers 403 insufficient_scope with an empty body for a token without okta.groups.read', async () => {
    const k = await keys()
    const o = await start(k)
    const { body } = await requestToken(o, await assertion(o, k), {}, 'okta.users.read')
    const res = await fetch(groupsUrl(o), {
      headers: { authorization: `Bearer ${body.access_token}` },
    })
    expect(res.status).toBe(403)
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/)
    expect(await res.text()).toBe('')
  })

  it('answers 403 E0000006 when the app has no admin role', async () => {
    const k = await keys()
    const o = await start(k, { adminRole: false })
    const { body } = await requestToken(o, await assertion(o, k))
    const res = await fetch(groupsUrl(o), {
      headers: { authorization: `Bearer ${body.access_token}` },
    })
    expect(res.status).toBe(403)
    expect(((await res.json()) as { errorCode: string }).errorCode).toBe('E0000006')
  })
})
