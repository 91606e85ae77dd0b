import { describe, expect, it } from 'vitest'
import { createScrubber } from './scrubber.ts'

// Characters that every encoding treats differently: space, slash, plus, quote, <, &, backslash, é.
const SECRET = 'Pa ss/w+rd"<&>é\\9'
const base64 = (text: string) => Buffer.from(text).toString('base64')
const base64url = (text: string) => Buffer.from(text).toString('base64url')

describe('createScrubber', () => {
  const forms: Record<string, string> = {
    raw: SECRET,
    'lower-case': SECRET.toLowerCase(),
    'upper-case': SECRET.toUpperCase(),
    'URL-encoded': encodeURIComponent(SECRET),
    'URL-encoded with lower-case hex': encodeURIComponent(SECRET).toLowerCase(),
    'form-encoded': new URLSearchParams({ s: SECRET }).toString().slice(2),
    base64: base64(SECRET),
    'base64 without padding': base64(SECRET).replace(/=+$/, ''),
    'url-safe base64': base64url(SECRET),
    'JSON-escaped': JSON.stringify(SECRET).slice(1, -1),
    'JSON-escaped twice': JSON.stringify(JSON.stringify(SECRET).slice(1, -1)).slice(1, -1),
    'JSON-escaped as Go writes it': JSON.stringify(SECRET)
      .slice(1, -1)
      .replace('<', '\\u003c')
      .replace('&', '\\u0026')
      .replace('>', '\\u003e'),
  }
  it.each(Object.entries(forms))('removes the %s form', (name, form) => {
    const scrubber = createScrubber([SECRET])
    const text = `before ${form} after`
    expect(text.includes(SECRET)).toBe(name === 'raw')
    expect(scrubber.scrub(text)).toBe('before *** after')
  })

  it.each([
    ['at the start', ''],
    ['after one byte', 'a:'],
    ['after two bytes', 'ab:'],
    ['after a username', 'sync-admin:'],
  ])(
    'removes a secret base64-encoded inside a longer value, %s (a basic-auth header)',
    (_where, prefix) => {
      const scrubber = createScrubber([SECRET])
      for (const encode of [base64, base64url]) {
        const header = encode(`${prefix}${SECRET}-and-more`)
        const clean = scrubber.scrub(`Authorization: Basic ${header}`)
        expect(clean).toContain('***')
        // What is left of the header is at most the groups it shares with the text around the secret.
        expect(clean.length).toBeLessThan(`Authorization: Basic ${header}`.length - 16)
      }
    },
  )

  it('removes the whole basic-auth value when it is itself a known secret', () => {
    const value = base64(`admin:${SECRET}`)
    expect(createScrubber([SECRET, value]).scrub(`Basic ${value}`)).toBe('Basic ***')
  })

  it('replaces a secret that contains another one whole', () => {
    const scrubber = createScrubber(['abcd', 'xxabcdxx'])
    expect(scrubber.scrub('1 xxabcdxx 2 abcd')).toBe('1 *** 2 ***')
  })

  it('removes each line of a multi-line secret and the secret without its surrounding space', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\nAQEFAASCBKcwggSjAgEAAoIB\n'
    const scrubber = createScrubber([key, '  spaced-token \n'])
    expect(scrubber.scrub('line AQEFAASCBKcwggSjAgEAAoIB in a message')).toBe(
      'line *** in a message',
    )
    expect(scrubber.scrub('token=spaced-token;')).toBe('token=***;')
  })

  it('leaves text without a secret unchanged', () => {
    const text = 'plan: 3 change(s) in Main Org. — {"kind":"add-team-member"}'
    expect(createScrubber([SECRET, 'glsa_0123456789']).scrub(text)).toBe(text)
  })

  it('does not scrub secrets shorter than 4 characters, but reports them for masking', () => {
    const added: string[] = []
    const scrubber = createScrubber(['abc'], { onAdd: (s) => added.push(s) })
    expect(scrubber.scrub('abc abcd')).toBe('abc abcd')
    expect(added).toEqual(['abc'])
  })

  it('learns secrets later, reporting each new one once', () => {
    const added: string[] = []
    const scrubber = createScrubber(['first-secret'], { onAdd: (s) => added.push(s) })
    scrubber.add('later-password')
    scrubber.add('later-password')
    scrubber.add(undefined)
    scrubber.add('')
    expect(scrubber.scrub('first-secret later-password')).toBe('*** ***')
    expect(added).toEqual(['first-secret', 'later-password'])
    expect(scrubber.secrets).toEqual(['first-secret', 'later-password'])
  })

  it('scrubs a large text quickly', () => {
    const secrets = Array.from({ length: 10 }, (_, i) => `secret-${i}-${'x'.repeat(20)}`)
    const scrubber = createScrubber(secrets)
    const text = `${'{"team":"Platform","user":"carol@acme.example"},\n'.repeat(100_000)}${secrets[7]}`
    const started = performance.now()
    const clean = scrubber.scrub(text)
    expect(clean.endsWith('\n***')).toBe(true)
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  it('scrubs many short texts quickly (log lines, every string of a large plan)', () => {
    const secrets = Array.from({ length: 10 }, (_, i) => `Secret_${i}/"<&%${'x'.repeat(20)}`)
    const forms = (form: string) => [form.replace(/_/g, '&#95;'), form.replace(/%/g, '%25')]
    const scrubber = createScrubber(secrets, { forms })
    const started = performance.now()
    for (let i = 0; i < 50_000; i++)
      scrubber.scrub(`applying 3 add-team-member change(s) in team ${i}`)
    expect(performance.now() - started).toBeLessThan(1_500)
  })

  it('scrubs every string and key of a value, copying only what changed', () => {
    const scrubber = createScrubber(['hunter22'])
    const shared = { name: 'ok' }
    const value = {
      plan: { changes: [{ team: 'Team hunter22', n: 1 }, shared], counts: { hunter22: 2 } },
      other: shared,
      untouched: [1, 'two', null],
    }
    const clean = scrubber.scrubDeep(value)
    expect(clean).toEqual({
      plan: { changes: [{ team: 'Team ***', n: 1 }, shared], counts: { '***': 2 } },
      other: shared,
      untouched: [1, 'two', null],
    })
    expect(clean.untouched).toBe(value.untouched)
    expect(clean.plan.changes[1]).toBe(shared)
    expect(value.plan.changes[0]).toEqual({ team: 'Team hunter22', n: 1 })
  })

  it('removes the forms an output adds, such as its escaping', () => {
    const entities = (secret: string) => [secret.replace(/_/g, '&#95;')]
    const scrubber = createScrubber(['glsa_abc_def'], { forms: entities })
    expect(scrubber.scrub('token glsa&#95;abc&#95;def in a summary')).toBe('token *** in a summary')
  })
})
