import { describe, expect, it } from 'vitest'
import { parseJsonBody } from './json.ts'

const bytes = (text: string) => Buffer.from(text, 'utf8')
const BOM = Buffer.from([0xef, 0xbb, 0xbf])

describe('parseJsonBody', () => {
  it('parses JSON and drops a byte-order mark before it', () => {
    const list = [{ id: '00u1', name: 'Zoë "Q" 🚀' }]
    expect(parseJsonBody(Buffer.concat([BOM, bytes(JSON.stringify(list))])).body).toEqual(list)
    expect(parseJsonBody(Buffer.concat([BOM, bytes('{"a":1}')]))).toEqual({
      text: '{"a":1}',
      body: { a: 1 },
    })
  })

  it('answers a body that is not valid JSON with its text', () => {
    for (const broken of ['[{"id":1},]', '[{"id":1}', '{"a":1} trailing', '<html>502</html>']) {
      expect(parseJsonBody(bytes(broken))).toEqual({ text: broken, body: broken })
    }
  })

  it('answers an empty body with undefined', () => {
    expect(parseJsonBody(Buffer.alloc(0))).toEqual({ text: '', body: undefined })
    expect(parseJsonBody(bytes(' [ ] '))).toEqual({ text: ' [ ] ', body: [] })
  })
})
