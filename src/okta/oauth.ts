// Okta as an OAuth 2.0 service app: client-credentials tokens got with a private_key_jwt client
// assertion, DPoP-bound when the app requires it (shared/reference/okta-api.md §2.2, §2.3).
import { createHash, randomUUID } from 'node:crypto'
import { HttpError, type HttpResponse, type HttpService } from '../http/index.ts'
import { readSigningKey, type SigningAlg, type SigningKeyInput } from './keys.ts'

type Jose = typeof import('./jose.ts')
type SigningKey = Awaited<ReturnType<Jose['importJWK']>>

/** Loaded on first use: a run with an API token, or `validate`, never evaluates it. */
let jose: Promise<Jose> | undefined
const loadJose = () => (jose ??= import('./jose.ts'))

export const OKTA_SCOPES = ['okta.groups.read', 'okta.users.read'] as const
export const TOKEN_PATH = '/oauth2/v1/token'
/** Okta accepts an assertion at most an hour ahead; five minutes is what its SDK sends. */
const ASSERTION_LIFETIME_S = 300
/** A token is renewed this long before it expires (a quarter of its life when that is shorter). */
const RENEW_BEFORE_MS = 5 * 60_000
/** No DPoP, then DPoP without nonce, then with the nonce Okta gave, and one nonce refresh. */
const MAX_TOKEN_ATTEMPTS = 4
/** A clock this far from Okta's is worth naming in an error about times. */
const SKEW_WORTH_NAMING_MS = 30_000

export interface OktaOAuthOptions {
  clientId: string
  privateKey: string
  keyId?: string
}

export interface OktaAuth {
  /** `Authorization` (and `DPoP`) headers for one attempt of an API call. */
  authorize(method: string, url: URL): Promise<Record<string, string>>
  /**
   * Which token requests made now use (getting the first one if need be): noted before a request
   * and passed to `renew` when it is answered 401.
   */
  generation(): Promise<number>
  /** Gets a new token, unless one was got since `seen` (several calls rejected at once renew once). */
  renew(seen: number): Promise<void>
  /** Okta asked for a nonce in the proofs of API calls (`use_dpop_nonce`). */
  useNonce(nonce: string): void
  readonly clientId: string
}

/**
 * What an API Services app's token clients keep from one to the next, e.g. across `serve`'s runs:
 * the access token, the DPoP key it is bound to, and what Okta taught them (that the app wants
 * DPoP, its nonces). Only this is shared: each run's client has its own HTTP services, counters
 * and halt, so a run that failed leaves the next nothing but a token it may still use.
 */
export interface OktaTokenCache {
  /** The state for one app and key at one origin; other credentials start afresh. */
  stateFor(owner: string): TokenState
}

export function createOktaTokenCache(): OktaTokenCache {
  let state: TokenState | undefined
  return {
    stateFor(owner) {
      if (state?.owner !== owner) state = newTokenState(owner)
      return state
    },
  }
}

interface TokenState {
  readonly owner: string
  dpopKey?: Promise<DpopKey>
  /** Learnt from Okta: the app wants DPoP (it said the proof is missing), and its latest nonces. */
  dpop: boolean
  tokenNonce?: string
  apiNonce?: string
  held?: Token
  /** Tokens got so far: a request notes it, and a 401 renews only if no newer token came since. */
  generation: number
}

const newTokenState = (owner: string): TokenState => ({ owner, dpop: false, generation: 0 })

interface Token {
  value: string
  scheme: 'Bearer' | 'DPoP'
  /** Epoch ms after which it is renewed before use. */
  renewAt: number
  /** base64url SHA-256 of the token: the `ath` of API-call proofs. */
  ath: string
}

interface TokenAnswer {
  token_type?: unknown
  access_token?: unknown
  expires_in?: unknown
  error?: unknown
  error_description?: unknown
}

interface DpopKey {
  privateKey: SigningKey
  jwk: Record<string, unknown>
}

/**
 * The token client. `http` is a service on the Okta origin without authorization of its own: the
 * token request goes there and nowhere else. `onSecret` learns each assertion and access token,
 * a token got by an earlier client of the same `cache` too. Without a cache it keeps its own.
 */
export function createOktaAuth(
  http: HttpService,
  options: OktaOAuthOptions,
  onSecret: (secret: string) => void,
  cache: OktaTokenCache = createOktaTokenCache(),
): OktaAuth {
  const clientId = options.clientId.trim()
  if (clientId === '') throw new Error('okta-client-id (OKTA_CLIENT_ID) is empty')
  const keyInput = readSigningKey(options.privateKey, options.keyId)
  const tokenUrl = `${http.origin}${TOKEN_PATH}`
  const state = cache.stateFor(ownerOf(tokenUrl, clientId, options))
  let signingKey: Promise<SigningKey> | undefined

  const key = () => (signingKey ??= importSigningKey(keyInput))
  const ephemeral = () => (state.dpopKey ??= newDpopKey())

  async function assertion(): Promise<string> {
    const { SignJWT } = await loadJose()
    const now = Math.floor(Date.now() / 1000)
    const signed = await new SignJWT({})
      .setProtectedHeader({
        alg: keyInput.alg,
        typ: 'JWT',
        ...(keyInput.kid && { kid: keyInput.kid }),
      })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(tokenUrl)
      .setIssuedAt(now)
      .setExpirationTime(now + ASSERTION_LIFETIME_S)
      .setJti(randomUUID())
      .sign(await key())
    onSecret(signed)
    return signed
  }

  async function proof(
    method: string,
    url: string,
    extra: { ath?: string; nonce?: string },
  ): Promise<string> {
    const [{ SignJWT }, { privateKey, jwk }] = await Promise.all([loadJose(), ephemeral()])
    return new SignJWT({
      htm: method,
      htu: url,
      jti: randomUUID(),
      ...(extra.ath && { ath: extra.ath }),
      ...(extra.nonce && { nonce: extra.nonce }),
    })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
      .setIssuedAt()
      .sign(privateKey)
  }

  async function requestToken(): Promise<Token> {
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = {}
      if (state.dpop) headers.DPoP = await proof('POST', tokenUrl, { nonce: state.tokenNonce })
      const res = await http.request<TokenAnswer>('POST', TOKEN_PATH, {
        form: {
          grant_type: 'client_credentials',
          scope: OKTA_SCOPES.join(' '),
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: await assertion(),
        },
        headers,
        okStatuses: [400, 401, 403],
      })
      if (res.status === 200) return tokenOf(res)
      const error = textOf(res.body?.error)
      const description = textOf(res.body?.error_description)
      const nonce = res.headers.get('dpop-nonce')
      const more = attempt < MAX_TOKEN_ATTEMPTS
      if (more && error === 'use_dpop_nonce' && nonce) {
        state.dpop = true
        state.tokenNonce = nonce
        continue
      }
      if (more && !state.dpop && error === 'invalid_dpop_proof' && /missing/i.test(description)) {
        state.dpop = true
        continue
      }
      throw tokenError(res, error, description)
    }
  }

  function tokenOf(res: HttpResponse<TokenAnswer>): Token {
    const { access_token: value, token_type: type, expires_in: expiresIn } = res.body ?? {}
    if (typeof value !== 'string' || value === '') {
      throw tokenFailure(res, 'Okta answered the token request without an access_token')
    }
    onSecret(value)
    const scheme = textOf(type).toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer'
    if (scheme === 'DPoP' && !state.dpop) {
      throw tokenFailure(res, 'Okta issued a DPoP-bound token to a request without a DPoP proof')
    }
    const lifetimeMs = (Number(expiresIn) > 0 ? Number(expiresIn) : 3600) * 1000
    const renewAt = Date.now() + lifetimeMs - Math.min(RENEW_BEFORE_MS, lifetimeMs / 4)
    const ath = createHash('sha256').update(value).digest('base64url')
    return { value, scheme, renewAt, ath }
  }

  function tokenFailure(res: HttpResponse<unknown>, message: string): HttpError {
    return new HttpError(
      {
        service: 'okta',
        method: 'POST',
        endpoint: TOKEN_PATH,
        status: res.status,
        serviceMessage: message,
      },
      message,
    )
  }

  function tokenError(
    res: HttpResponse<TokenAnswer>,
    error: string,
    description: string,
  ): HttpError {
    const said = description ? `${error}: ${description}` : error || `HTTP ${res.status}`
    const fields = {
      service: 'okta' as const,
      method: 'POST',
      endpoint: TOKEN_PATH,
      status: res.status,
      serviceMessage: http.scrub(said),
      code: error || undefined,
    }
    return new HttpError(
      fields,
      http.scrub(explainTokenError(error, description, said, clientId, keyInput, res)),
    )
  }

  /** This client's token request in flight: made with its own HTTP service, never shared. */
  let pending: Promise<Token> | undefined
  /** The token this client last told `onSecret` of. */
  let told: Token | undefined

  function fetchToken(): Promise<Token> {
    pending ??= requestToken()
      .then((t) => {
        state.held = told = t
        state.generation++
        return t
      })
      .finally(() => (pending = undefined))
    return pending
  }

  async function current(): Promise<Token> {
    const { held } = state
    if (!held || Date.now() >= held.renewAt) return fetchToken()
    // Got by an earlier client of the cache: this one's scrubbers learn it before it is sent.
    if (held !== told) onSecret((told = held).value)
    return held
  }

  return {
    clientId,
    async generation() {
      await current()
      return state.generation
    },
    async renew(seen) {
      if (seen === state.generation) state.held = undefined
      if (state.held && pending === undefined) return
      await fetchToken()
    },
    useNonce(nonce) {
      state.apiNonce = nonce
    },
    async authorize(method, url): Promise<Record<string, string>> {
      const t = await current()
      if (t.scheme === 'Bearer') return { Authorization: `Bearer ${t.value}` }
      const htu = `${url.origin}${url.pathname}`
      return {
        Authorization: `DPoP ${t.value}`,
        DPoP: await proof(method.toUpperCase(), htu, { ath: t.ath, nonce: state.apiNonce }),
      }
    },
  }
}

/** Which app, key and token endpoint a cached token belongs to, as a digest (no key kept in it). */
function ownerOf(tokenUrl: string, clientId: string, options: OktaOAuthOptions): string {
  return createHash('sha256')
    .update(JSON.stringify([tokenUrl, clientId, options.keyId ?? '', options.privateKey]))
    .digest('base64url')
}

async function importSigningKey(input: SigningKeyInput): Promise<SigningKey> {
  const { importJWK, importPKCS8 } = await loadJose()
  try {
    if (input.jwk) return await importJWK(input.jwk, input.alg)
    return await importPKCS8(input.pem ?? '', input.alg)
  } catch {
    throw new Error(
      `okta-private-key (OKTA_PRIVATE_KEY) could not be used to sign ${input.alg}: check it is the whole private key`,
    )
  }
}

async function newDpopKey(): Promise<DpopKey> {
  const { generateKeyPair, exportJWK } = await loadJose()
  const pair = await generateKeyPair('ES256')
  const { kty, crv, x, y } = await exportJWK(pair.publicKey)
  return { privateKey: pair.privateKey, jwk: { kty, crv, x, y } }
}

const CONSOLE_APP = 'Okta Admin Console → Applications → Applications → your API Services app'
const SCOPES_FIX = `grant ${OKTA_SCOPES.join(' and ')} in ${CONSOLE_APP} → Okta API Scopes tab (a Super Admin must grant them)`

/** The fix for a refused token request, in the Admin Console's words. */
function explainTokenError(
  error: string,
  description: string,
  said: string,
  clientId: string,
  key: { alg: SigningAlg; kid?: string },
  res: HttpResponse<unknown>,
): string {
  const head = `Okta refused a token for okta-client-id ${clientId} (${said})`
  if (/expire|future|issued|\biat\b|five minutes/i.test(description)) {
    return `${head}: ${clockHint(res)}`
  }
  if (error === 'invalid_client') {
    const kid = key.kid ? `kid ${key.kid}` : 'no kid (set okta-key-id to the key ID Okta shows)'
    return (
      `${head}: in ${CONSOLE_APP} → General, check that okta-client-id is the app's Client ID, that ` +
      `Client authentication is "Public key / Private key", and that the public key of okta-private-key (${key.alg}, ${kid}) is added under PUBLIC KEYS and Active`
    )
  }
  if (error === 'invalid_scope' || error === 'consent_required') {
    return `${head}: ${SCOPES_FIX}`
  }
  if (error === 'invalid_dpop_proof') {
    return `${head}: the DPoP proof was refused; ${clockHint(res)}, and that nothing between this machine and Okta rewrites the request URL`
  }
  if (error === 'unsupported_grant_type' || error === 'unauthorized_client') {
    return `${head}: the app must be an API Services app allowing the Client Credentials grant (${CONSOLE_APP} → General)`
  }
  return head
}

function clockHint(res: HttpResponse<unknown>): string {
  const okta = Date.parse(res.headers.get('date') ?? '')
  const skew = Number.isFinite(okta) ? Date.now() - okta : 0
  if (Math.abs(skew) >= SKEW_WORTH_NAMING_MS) {
    const ahead = skew > 0 ? 'ahead of' : 'behind'
    return `this machine's clock is ${Math.round(Math.abs(skew) / 1000)} s ${ahead} Okta's: synchronise it (NTP)`
  }
  return "check this machine's clock (assertions and proofs carry its time; Okta allows little skew)"
}

/** Where an API call refused for lack of rights is fixed. */
export function oauthForbiddenHint(clientId: string, insufficientScope: boolean): string {
  if (insufficientScope) {
    return `the access token of okta-client-id ${clientId} lacks the scope okta.groups.read: ${SCOPES_FIX}`
  }
  return (
    `the API Services app okta-client-id ${clientId} may not read groups: assign it the Read-only Administrator role ` +
    `in ${CONSOLE_APP} → Admin roles tab (scopes say what it may do, the role on which resources), and ${SCOPES_FIX}`
  )
}

const textOf = (value: unknown): string => (typeof value === 'string' ? value : '')
