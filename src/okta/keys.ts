// The okta-private-key input: a PEM PKCS#8 key or a JWK as JSON, RSA or EC, and the values of it
// that must never be shown.
import { createPrivateKey, type KeyObject } from 'node:crypto'

export type SigningAlg = 'RS256' | 'ES256' | 'ES384' | 'ES512'

export interface SigningKeyInput {
  alg: SigningAlg
  /** The key id to send: okta-key-id, else the JWK's own `kid`. */
  kid?: string
  /** A PEM PKCS#8 text or a parsed private JWK, ready for jose's importPKCS8 / importJWK. */
  pem?: string
  jwk?: Record<string, unknown>
}

/** The private members of a JWK: each one alone gives the key away. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']

const CURVE_ALGS: Record<string, SigningAlg> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
}

const TO_PKCS8 =
  'convert it with `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem` and use key-pkcs8.pem'

/** A PEM pasted into a one-line variable often arrives with literal `\n` sequences. */
function normalisedPem(raw: string): string {
  return raw.trim().replace(/\\n/g, '\n').replace(/\r\n/g, '\n')
}

/**
 * Reads okta-private-key: which algorithm it signs with and the key material.
 * @throws Error naming the input and the fix; never quoting the key.
 */
export function readSigningKey(raw: string, keyId?: string): SigningKeyInput {
  const text = raw.trim()
  if (text === '') throw new Error('okta-private-key (OKTA_PRIVATE_KEY) is empty')
  const kid = keyId?.trim() || undefined
  if (text.startsWith('{')) return readJwk(text, kid)
  const pem = normalisedPem(text)
  if (/-----BEGIN (RSA|EC) PRIVATE KEY-----/.test(pem)) {
    throw new Error(
      `okta-private-key (OKTA_PRIVATE_KEY) is a PKCS#1/SEC1 PEM ("BEGIN RSA/EC PRIVATE KEY"); a PKCS#8 key ("BEGIN PRIVATE KEY") is needed: ${TO_PKCS8}`,
    )
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem)) {
    throw new Error(
      'okta-private-key (OKTA_PRIVATE_KEY) is encrypted; give the unencrypted PKCS#8 key (keep it in a secret): `openssl pkcs8 -topk8 -nocrypt -in encrypted.pem -out key.pem`',
    )
  }
  if (!pem.includes('-----BEGIN PRIVATE KEY-----')) {
    throw new Error(
      'okta-private-key (OKTA_PRIVATE_KEY) is neither a PEM PKCS#8 private key ("-----BEGIN PRIVATE KEY-----") nor a JWK as JSON ("{...}")',
    )
  }
  let key: KeyObject
  try {
    key = createPrivateKey({ key: pem, format: 'pem' })
  } catch {
    throw new Error(
      'okta-private-key (OKTA_PRIVATE_KEY) could not be read as a PEM PKCS#8 private key: check it was copied whole, with its BEGIN and END lines',
    )
  }
  return { alg: algOfKeyObject(key), kid, pem }
}

function algOfKeyObject(key: KeyObject): SigningAlg {
  if (key.asymmetricKeyType === 'rsa') return 'RS256'
  if (key.asymmetricKeyType === 'ec') {
    const alg = CURVE_ALGS[key.asymmetricKeyDetails?.namedCurve ?? '']
    if (alg) return alg
  }
  throw new Error(
    `okta-private-key (OKTA_PRIVATE_KEY) is a ${key.asymmetricKeyType ?? 'unknown'} key; Okta accepts RSA or EC (P-256, P-384, P-521) keys`,
  )
}

function readJwk(text: string, keyId: string | undefined): SigningKeyInput {
  let jwk: Record<string, unknown>
  try {
    jwk = JSON.parse(text) as Record<string, unknown>
  } catch {
    throw new Error('okta-private-key (OKTA_PRIVATE_KEY) starts with "{" but is not valid JSON')
  }
  if (Array.isArray(jwk.keys)) {
    throw new Error(
      'okta-private-key (OKTA_PRIVATE_KEY) is a JWK set; give the one private JWK of the app',
    )
  }
  if (typeof jwk.d !== 'string') {
    throw new Error(
      'okta-private-key (OKTA_PRIVATE_KEY) is a public JWK; the private one (with "d") is needed — the public one goes to Okta',
    )
  }
  const kid = keyId ?? (typeof jwk.kid === 'string' && jwk.kid ? jwk.kid : undefined)
  return { alg: algOfJwk(jwk), kid, jwk }
}

function algOfJwk(jwk: Record<string, unknown>): SigningAlg {
  if (jwk.kty === 'RSA') {
    if (jwk.alg !== undefined && jwk.alg !== 'RS256') {
      throw new Error(
        `okta-private-key (OKTA_PRIVATE_KEY) is an RSA JWK for ${text(jwk.alg)}; RS256 is used: remove "alg" or set it to RS256`,
      )
    }
    return 'RS256'
  }
  if (jwk.kty === 'EC') {
    const alg = CURVE_ALGS[text(jwk.crv)]
    if (alg) return alg
  }
  throw new Error(
    `okta-private-key (OKTA_PRIVATE_KEY) is a JWK of type ${text(jwk.kty)}${jwk.crv ? `/${text(jwk.crv)}` : ''}; Okta accepts RSA or EC (P-256, P-384, P-521) keys`,
  )
}

/**
 * Everything of the key input a log must never show: the input itself as given and normalised,
 * each base64 line of a PEM, and each private member of a JWK.
 */
export function privateKeySecrets(raw: string | undefined): string[] {
  const text = raw?.trim() ?? ''
  if (text === '') return []
  const secrets = new Set([text])
  if (text.startsWith('{')) {
    try {
      const jwk = JSON.parse(text) as Record<string, unknown>
      for (const name of PRIVATE_JWK_MEMBERS) {
        const value = jwk[name]
        if (typeof value === 'string' && value.length >= 8) secrets.add(value)
      }
    } catch {
      // Not JSON: the whole text is still a secret.
    }
  } else {
    const pem = normalisedPem(text)
    secrets.add(pem)
    for (const line of pem.split('\n')) {
      const body = line.trim()
      if (body.length >= 16 && !body.startsWith('-----')) secrets.add(body)
    }
  }
  return [...secrets]
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}
