// Okta's org authorization server for API Services apps, faithful to shared/reference/okta-api.md
// §2.2–§2.4: client credentials with a private_key_jwt assertion verified against the app's
// registered public keys, single-use `jti`, DPoP proofs bound to the token (`cnf.jkt`, `ath`),
// the `use_dpop_nonce` dance, token expiry and scopes checked per endpoint.
import { createHash } from 'node:crypto'
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  EmbeddedJWK,
  importJWK,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose'
import { randomChars, type FakeRequest, type Reply } from './http.ts'

export interface FakeOktaApp {
  clientId: string
  /** Registered public keys (each with its `kid`). */
  publicKeys: JWK[]
  /** Scopes granted on the Okta API Scopes tab. */
  grantedScopes: string[]
  /** "Require DPoP header in token requests" (on by default for new apps). */
  requireDpop: boolean
  /** An admin role (e.g. Read-only Administrator) is assigned to the app; default true. */
  adminRole?: boolean
}

export interface FakeOktaOAuthOptions {
  apps: FakeOktaApp[]
  /** `expires_in` of the tokens, enforced; default 3600 (Okta's fixed hour). */
  tokenLifetimeSeconds?: number
  /**
   * The server takes a token as expired after this many API calls although its `expires_in` has
   * not run out (the client's clock is behind, or the token was revoked): drives the 401 renewal.
   */
  tokenMaxUses?: number
  /**
   * Ask for the nonce in the proofs of API calls too (401 `use_dpop_nonce` with `DPoP-Nonce`), as
   * RFC 9449 §9 allows a resource server; Okta does not today.
   */
  apiNonce?: boolean
  /** Refuse assertions whose `iat`/`exp` disagree with this clock offset (ms) of the server. */
  clockOffsetMs?: number
}

export interface IssuedToken {
  value: string
  clientId: string
  scopes: string[]
  expiresAt: number
  /** DPoP key thumbprint the token is bound to. */
  jkt?: string
  uses: number
}

export interface FakeOktaAuthServer {
  /** `POST /oauth2/v1/token`. */
  token(req: FakeRequest, origin: string): Promise<Reply>
  /** Checks a Bearer or DPoP credential for `scope`; undefined when the call may go on. */
  authenticate(req: FakeRequest, origin: string, scope: string): Promise<Reply | undefined>
  /** Whether the Authorization scheme is one this server answers (Bearer, DPoP). */
  handles(scheme: string): boolean
  issued: IssuedToken[]
  /** Every DPoP proof and assertion received: tests check none is shown anywhere. */
  received: string[]
  /** The nonce Okta currently asks for; rotating it makes clients do the dance again. */
  rotateNonce(): void
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const ASSERTION_ALGS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512']
const PROOF_MAX_AGE_S = 300

const oauthError = (
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): Reply => ({
  status,
  body: { error, error_description: description },
  headers: { 'cache-control': 'no-store', pragma: 'no-cache', ...headers },
})

class Refusal extends Error {
  readonly reply: Reply
  constructor(reply: Reply) {
    super(String((reply.body as { error?: string } | undefined)?.error))
    this.reply = reply
  }
}

export function createOktaAuthServer(opts: FakeOktaOAuthOptions): FakeOktaAuthServer {
  const lifetime = opts.tokenLifetimeSeconds ?? 3600
  const usedAssertionIds = new Set<string>()
  const usedProofIds = new Set<string>()
  const tokens = new Map<string, IssuedToken>()
  const issued: IssuedToken[] = []
  const received: string[] = []
  let nonce = randomChars(32)
  const now = () => Date.now() + (opts.clockOffsetMs ?? 0)
  const nowSeconds = () => Math.floor(now() / 1000)

  function appOf(assertion: string): FakeOktaApp | undefined {
    try {
      const { iss } = decodeJwt(assertion)
      return opts.apps.find((a) => a.clientId === iss)
    } catch {
      return undefined
    }
  }

  async function verifyAssertion(assertion: string, tokenUrl: string): Promise<FakeOktaApp> {
    const invalid = (description: string) =>
      new Refusal(oauthError(401, 'invalid_client', description))
    let header: ReturnType<typeof decodeProtectedHeader>
    let claims: JWTPayload
    try {
      header = decodeProtectedHeader(assertion)
      claims = decodeJwt(assertion)
    } catch {
      throw invalid('The client_assertion token is invalid.')
    }
    const app = opts.apps.find((a) => a.clientId === claims.iss)
    if (!app) throw invalid('The client_assertion token is invalid: no client with this client_id.')
    if (claims.sub !== app.clientId) throw invalid('The client_assertion sub claim is invalid.')
    const key = header.kid
      ? app.publicKeys.find((k) => k.kid === header.kid)
      : app.publicKeys.length === 1
        ? app.publicKeys[0]
        : undefined
    if (!key) throw invalid('The client_assertion JWT kid is invalid.')
    if (!header.alg || !ASSERTION_ALGS.includes(header.alg)) {
      throw invalid('The client_assertion algorithm is not supported.')
    }
    try {
      await jwtVerify(assertion, await importJWK(key, header.alg), {
        algorithms: [header.alg],
        currentDate: new Date(now()),
        clockTolerance: 0,
      })
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'ERR_JWT_EXPIRED') throw invalid('The client_assertion token is expired.')
      throw invalid('The client_assertion signature is invalid.')
    }
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    if (!audience.includes(tokenUrl)) {
      throw invalid(
        'The audience claim for client_assertion must be the endpoint invoked for the request.',
      )
    }
    if (typeof claims.exp !== 'number') throw invalid('The client_assertion token is invalid.')
    if (claims.exp > nowSeconds() + 3600) {
      throw invalid('The client_assertion token has an expiration too far into the future.')
    }
    if (typeof claims.iat === 'number' && claims.iat > nowSeconds() + 5) {
      throw invalid('The client_assertion token has an issued-at time in the future.')
    }
    if (typeof claims.jti === 'string') {
      if (usedAssertionIds.has(claims.jti)) {
        throw invalid('The client_assertion token has already been used.')
      }
      usedAssertionIds.add(claims.jti)
    }
    return app
  }

  /** Verifies a proof (signature by its embedded key, claims) and returns its key's thumbprint. */
  async function verifyProof(
    proof: string,
    method: string,
    htu: string,
    expected: { ath?: string; nonce?: boolean },
  ): Promise<string> {
    const invalid = (description: string) =>
      new Refusal(oauthError(400, 'invalid_dpop_proof', description))
    received.push(proof)
    let payload: JWTPayload
    let jwk: JWK
    try {
      const verified = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: ASSERTION_ALGS,
        currentDate: new Date(now()),
      })
      payload = verified.payload
      jwk = verified.protectedHeader.jwk as JWK
    } catch {
      throw invalid('The DPoP proof JWT is invalid.')
    }
    if ('d' in jwk) throw invalid('The DPoP proof JWT is invalid.')
    if (payload.htm !== method) throw invalid("'htm' claim in the DPoP proof JWT is invalid.")
    if (payload.htu !== htu) throw invalid("'htu' claim in the DPoP proof JWT is invalid.")
    if (typeof payload.iat !== 'number' || payload.iat < nowSeconds() - PROOF_MAX_AGE_S) {
      throw invalid('The DPoP proof JWT is issued more than five minutes in the past.')
    }
    if (payload.iat > nowSeconds() + 60)
      throw invalid('The DPoP proof JWT is issued in the future.')
    if (typeof payload.jti !== 'string' || usedProofIds.has(payload.jti)) {
      throw invalid('The DPoP proof JWT has already been used.')
    }
    if (expected.ath !== undefined && payload.ath !== expected.ath) {
      throw invalid("'ath' claim in the DPoP proof does not match the presented access_token.")
    }
    if (expected.nonce && payload.nonce !== nonce) {
      throw new Refusal(
        oauthError(400, 'use_dpop_nonce', 'Authorization server requires nonce in DPoP proof.', {
          'dpop-nonce': nonce,
        }),
      )
    }
    usedProofIds.add(payload.jti)
    return calculateJwkThumbprint(jwk)
  }

  async function token(req: FakeRequest, origin: string): Promise<Reply> {
    if (req.method !== 'POST') {
      return oauthError(405, 'invalid_request', 'The endpoint does not support the HTTP method.')
    }
    const reply = await tokenReply(req, origin)
    reply.headers = { ...reply.headers, date: new Date(now()).toUTCString() }
    return reply
  }

  async function tokenReply(req: FakeRequest, origin: string): Promise<Reply> {
    const tokenUrl = `${origin}/oauth2/v1/token`
    const form = new URLSearchParams(req.rawBody)
    try {
      if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
        throw new Refusal(oauthError(400, 'invalid_request', 'The request body is not a form.'))
      }
      if (form.get('grant_type') !== 'client_credentials') {
        throw new Refusal(
          oauthError(400, 'unsupported_grant_type', 'The grant_type is not supported.'),
        )
      }
      const assertion = form.get('client_assertion')
      if (form.get('client_assertion_type') !== ASSERTION_TYPE || !assertion) {
        throw new Refusal(oauthError(401, 'invalid_client', 'No client credentials found.'))
      }
      received.push(assertion)
      // The proof is checked before the client (the nonce dance precedes client authentication).
      const requireDpop = appOf(assertion)?.requireDpop ?? false
      const proof = req.headers.dpop
      let jkt: string | undefined
      if (requireDpop) {
        if (typeof proof !== 'string' || proof === '') {
          throw new Refusal(
            oauthError(400, 'invalid_dpop_proof', 'The DPoP proof JWT header is missing.'),
          )
        }
        jkt = await verifyProof(proof, 'POST', tokenUrl, { nonce: true })
      }
      const app = await verifyAssertion(assertion, tokenUrl)
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean)
      if (scopes.length === 0) {
        throw new Refusal(oauthError(400, 'invalid_scope', 'No scopes were requested.'))
      }
      const denied = scopes.filter((s) => !app.grantedScopes.includes(s))
      if (denied.length > 0) {
        throw new Refusal(
          oauthError(
            400,
            'invalid_scope',
            `The following scopes are not allowed for this request: [${denied.join(', ')}]`,
          ),
        )
      }
      const value = `okta-at-${randomChars(40)}`
      const t: IssuedToken = {
        value,
        clientId: app.clientId,
        scopes,
        expiresAt: now() + lifetime * 1000,
        jkt,
        uses: 0,
      }
      tokens.set(value, t)
      issued.push(t)
      return {
        status: 200,
        body: {
          token_type: jkt ? 'DPoP' : 'Bearer',
          expires_in: lifetime,
          access_token: value,
          scope: scopes.join(' '),
        },
        headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
      }
    } catch (err) {
      if (err instanceof Refusal) return err.reply
      throw err
    }
  }

  function invalidToken(origin: string): Reply {
    return {
      status: 401,
      body: {
        errorCode: 'E0000011',
        errorSummary: 'Invalid token provided',
        errorLink: 'E0000011',
        errorId: `oae${randomChars(22)}`,
        errorCauses: [],
      },
      headers: {
        'www-authenticate': `Bearer authorization_uri="${origin}/oauth2/v1/authorize", realm="${origin}", error="invalid_token", error_description="The access token is invalid."`,
      },
    }
  }

  async function authenticate(
    req: FakeRequest,
    origin: string,
    scope: string,
  ): Promise<Reply | undefined> {
    const [scheme = '', value = ''] = (req.headers.authorization ?? '').trim().split(/\s+/)
    const t = tokens.get(value)
    if (!t || now() >= t.expiresAt) return invalidToken(origin)
    t.uses++
    if (opts.tokenMaxUses !== undefined && t.uses > opts.tokenMaxUses) return invalidToken(origin)
    if (t.jkt) {
      if (scheme.toLowerCase() !== 'dpop') {
        return oauthError(
          400,
          'invalid_request',
          'The resource request must use the DPoP authentication scheme when using a DPoP bound token.',
        )
      }
      const proof = req.headers.dpop
      if (typeof proof !== 'string' || proof === '') {
        return oauthError(400, 'invalid_request', 'The resource request requires a DPoP proof.')
      }
      const ath = createHash('sha256').update(value).digest('base64url')
      try {
        const jkt = await verifyProof(proof, req.method, `${origin}${req.path}`, {
          ath,
          nonce: opts.apiNonce,
        })
        if (jkt !== t.jkt) {
          return oauthError(
            400,
            'invalid_dpop_proof',
            'The DPoP proof JWT key does not match the access token binding.',
          )
        }
      } catch (err) {
        if (!(err instanceof Refusal)) throw err
        if ((err.reply.body as { error?: string }).error !== 'use_dpop_nonce') return err.reply
        return {
          status: 401,
          headers: {
            'www-authenticate':
              'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
            'dpop-nonce': nonce,
          },
        }
      }
    } else if (scheme.toLowerCase() !== 'bearer') {
      return invalidToken(origin)
    }
    const app = opts.apps.find((a) => a.clientId === t.clientId)
    if (!t.scopes.includes(scope)) {
      return {
        status: 403,
        headers: {
          'www-authenticate': `Bearer authorization_uri="${origin}/oauth2/v1/authorize", realm="${origin}", scope="${scope}", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="${req.path}"`,
        },
      }
    }
    if (app?.adminRole === false) {
      return {
        status: 403,
        body: {
          errorCode: 'E0000006',
          errorSummary: 'You do not have permission to perform the requested action',
          errorLink: 'E0000006',
          errorId: `oae${randomChars(22)}`,
          errorCauses: [],
        },
      }
    }
    return undefined
  }

  return {
    token,
    authenticate,
    handles: (scheme) => ['bearer', 'dpop'].includes(scheme.toLowerCase()),
    issued,
    received,
    rotateNonce: () => void (nonce = randomChars(32)),
  }
}
