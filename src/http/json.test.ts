import { describe, expect, it } from 'vitest'
import { SLICE_BYTES, parseJsonBody } from './json.ts'

const bytes = (text: string) => Buffer.from(text, 'utf8')
const BOM = Buffer.from([0xef, 0xbb, 0xbf])

/** Members with strings full of JSON's structural characters, escapes and multi-byte text. */
function members(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: `00u${i}`,
    profile: {
      login: `user${i}@example.com`,
      name: `Zoë "Q" [${i}], {x: y} \\ 🚀 \\"`,
      nested: [[i, { deep: [`,]}` + '\\'.repeat(i % 3)] }]],
    },
    tags: i % 2 === 0 ? [] : [null, true, 1.5e3],
  }))
}

describe('parseJsonBody', () => {
  it('parses a big top-level array slice by slice into exactly what JSON.parse gives', () => {
    const list = members(3_000)
    const text = JSON.stringify(list, null, 2)
    expect(Buffer.byteLength(text)).toBeGreaterThan(10 * SLICE_BYTES)
    const { body, text: kept } = parseJsonBody(bytes(text))
    expect(body).toEqual(list)
    expect(kept).toBeUndefined() // sliced: no whole-body string was made
  })

  it('drops a byte-order mark before a big array and before a small object', () => {
    const list = members(2_000)
    expect(parseJsonBody(Buffer.concat([BOM, bytes(JSON.stringify(list))])).body).toEqual(list)
    expect(parseJsonBody(Buffer.concat([BOM, bytes('{"a":1}')]))).toEqual({
      text: '{"a":1}',
      body: { a: 1 },
    })
  })

  it('answers a big body that is not valid JSON with its text, as a whole parse would', () => {
    const list = JSON.stringify(members(2_000))
    for (const broken of [
      `${list.slice(0, -1)},]`, // trailing comma after a slice boundary
      `${list.slice(0, -1)}`, // unterminated
      `${list} trailing`,
      `${list.slice(0, -1)},"unterminated]`,
      `<html>${'x'.repeat(2 * SLICE_BYTES)}</html>`,
    ]) {
      expect(parseJsonBody(bytes(broken))).toEqual({ text: broken, body: broken })
    }
  })

  it('parses big objects and empty or small bodies whole', () => {
    const envelope = { totalCount: 2_000, users: members(2_000) }
    expect(parseJsonBody(bytes(JSON.stringify(envelope))).body).toEqual(envelope)
    expect(parseJsonBody(Buffer.alloc(0))).toEqual({ text: '', body: undefined })
    expect(parseJsonBody(bytes(' [ ] '))).toEqual({ text: ' [ ] ', body: [] })
  })
})
