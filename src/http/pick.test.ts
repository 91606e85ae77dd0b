import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../test/random.ts'
import { pickFromArray, type Pick } from './pick.ts'

const OKTA_USER: Pick = { id: true, status: true, profile: { login: true, email: true } }

/** What JSON.parse gives, cut down to the picked fields. */
function project(value: unknown, pick: Pick): unknown {
  return (value as Record<string, unknown>[]).map((element) => projectObject(element, pick))
}

function projectObject(o: Record<string, unknown>, pick: Pick): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, sub] of Object.entries(pick)) {
    if (!Object.hasOwn(o, key)) continue
    const value = o[key]
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value)
    out[key] =
      sub === true || !isObject ? value : projectObject(value as Record<string, unknown>, sub)
  }
  return out
}

function picks(text: string, pick: Pick) {
  return pickFromArray(Buffer.from(text, 'utf8'), pick)
}

/** The picker's answer and JSON.parse's cut down to the same fields, for comparing. */
function bothWays(text: string, pick: Pick) {
  return { picked: picks(text, pick), parsed: project(JSON.parse(text), pick) }
}

describe('pickFromArray', () => {
  it('keeps only the picked fields of an Okta group-members page', () => {
    const page = JSON.stringify([
      {
        id: '00u118oQYT4TBTemp0g4',
        status: 'ACTIVE',
        created: '2022-04-04T15:56:05.000Z',
        activated: null,
        lastLogin: '2022-05-04T19:50:52.000Z',
        type: { id: 'oty1162QAr8hJjTaq0g4' },
        profile: {
          firstName: 'Alice',
          mobilePhone: null,
          login: 'alice.smith@example.com',
          email: 'alice.smith@example.com',
        },
        credentials: { password: {}, provider: { type: 'OKTA', name: 'OKTA' } },
        _links: { self: { href: 'https://acme.okta.com/api/v1/users/00u118oQYT4TBTemp0g4' } },
      },
    ])
    expect(picks(page, OKTA_USER)).toEqual([
      {
        id: '00u118oQYT4TBTemp0g4',
        status: 'ACTIVE',
        profile: { login: 'alice.smith@example.com', email: 'alice.smith@example.com' },
      },
    ])
  })

  it('keeps numbers, arrays and the nested id apart from the top-level one', () => {
    const members = JSON.stringify([
      { orgId: 1, teamId: 7, userId: 42, email: 'a@x', labels: [], permission: 4 },
      { userId: 43, labels: ['okta'], permission: 0, type: { id: 'not-this' } },
    ])
    expect(picks(members, { userId: true, labels: true, permission: true, id: true })).toEqual([
      { userId: 42, labels: [], permission: 4 },
      { userId: 43, labels: ['okta'], permission: 0 },
    ])
  })

  it('decodes escapes, multi-byte characters and escaped keys like JSON.parse', () => {
    const text =
      '[{"id":"a\\"b\\\\","status":"caf\\u00e9 ✓ 👩‍💻","profile":{"login":"\\u00e9@x","email":"\\/e"}},' +
      '{"\\u0069d":"escaped key","other":"\\\\\\"id\\":\\"no\\""}]'
    const { picked, parsed } = bothWays(text, OKTA_USER)
    expect(picked).toEqual(parsed)
  })

  it('reads pretty-printed JSON with a byte-order mark', () => {
    const text = JSON.stringify(
      [{ id: 'x', profile: { login: 'l', email: 'e' }, extra: [1, { a: [null, true] }] }],
      null,
      2,
    )
    expect(pickFromArray(Buffer.from('\ufeff' + text, 'utf8'), OKTA_USER)).toEqual([
      { id: 'x', profile: { login: 'l', email: 'e' } },
    ])
  })

  it('gives a nested field that is not an object as it is', () => {
    const { picked, parsed } = bothWays(
      '[{"id":"a","profile":null},{"id":"b","profile":"text"},{"id":"c"}]',
      OKTA_USER,
    )
    expect(picked).toEqual(parsed)
  })

  it('keeps the last of duplicate keys, as JSON.parse does', () => {
    const { picked, parsed } = bothWays('[{"id":"first","id":"second"}]', OKTA_USER)
    expect(picked).toEqual(parsed)
  })

  it('reads numbers of every form like JSON.parse', () => {
    const pick: Pick = { n: true }
    for (const n of [
      '0',
      '-0',
      '7',
      '-12',
      '1.5',
      '-2.5e3',
      '1E+2',
      '123456789012345678901',
      '9007199254740993',
    ]) {
      const { picked, parsed } = bothWays(`[{"n":${n}}]`, pick)
      expect(picked).toEqual(parsed)
    }
  })

  it('reads an empty array and empty objects', () => {
    expect(picks('[]', OKTA_USER)).toEqual([])
    expect(picks(' [ { } , {"profile":{}} ] ', OKTA_USER)).toEqual([{}, { profile: {} }])
  })

  it('gives undefined for what is not an array of objects, so the caller parses it whole', () => {
    for (const text of [
      '',
      '{"id":"x"}',
      '[1, 2]',
      '[{"id":"x"}, "y"]',
      'null',
      '<html>502 Bad Gateway</html>',
    ]) {
      expect({ text, picked: picks(text, OKTA_USER) }).toEqual({ text, picked: undefined })
    }
  })

  it('gives undefined for invalid JSON that JSON.parse rejects', () => {
    for (const text of [
      '[{"id":"x"}',
      '[{"id":"x"},]',
      '[{"id":"x"}] trailing',
      '[{"id":"x" "status":"y"}]',
      '[{"id":"x","skipped":tru}]',
      '[{"id":"x","skipped":nul}]',
      '[{"id":01}]',
      '[{"id":-}]',
      '[{"id":"unterminated}]',
      '[{"id":"x","skipped":{"a":[1,2}]',
      '[{"id":"x",}]',
      '[{id:"x"}]',
    ]) {
      expect(() => JSON.parse(text) as unknown).toThrow()
      expect({ text, picked: picks(text, OKTA_USER) }).toEqual({ text, picked: undefined })
    }
  })

  it('agrees with JSON.parse on generated documents', () => {
    const random = seededRandom(11)
    const keys = ['id', 'status', 'profile', 'login', 'email', 'x', 'é', 'a"b', '']
    const value = (depth: number): unknown => {
      const r = random()
      if (depth > 3 || r < 0.35) {
        const scalars = [null, true, false, 0, -1.25, 1e21, 42, '', 'plain', 'q"\\/\n\t', 'ü✓😀']
        return scalars[Math.floor(random() * scalars.length)]
      }
      if (r < 0.55) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1))
      return object(depth + 1)
    }
    const object = (depth: number) =>
      Object.fromEntries(
        Array.from({ length: Math.floor(random() * 6) }, () => [
          keys[Math.floor(random() * keys.length)]!,
          value(depth),
        ]),
      )
    const pick: Pick = { id: true, status: true, 'a"b': true, é: true, profile: OKTA_USER }
    for (let doc = 0; doc < 300; doc++) {
      const elements = Array.from({ length: 1 + Math.floor(random() * 5) }, () => object(0))
      const text = JSON.stringify(elements, null, doc % 3 === 0 ? 1 : undefined)
      const { picked, parsed } = bothWays(text, pick)
      expect(picked).toEqual(parsed)
    }
  })
})
