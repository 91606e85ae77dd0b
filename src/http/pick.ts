// Member listings are big top-level arrays of big objects (an Okta user is ~700 bytes of which the
// sync needs four fields). Picking those fields straight from the bytes creates only the values
// kept: parsing every element whole costs several times more CPU and memory.

/** The fields to keep from each element: `true` keeps the value, a nested Pick keeps some of an object. */
export interface Pick {
  readonly [key: string]: true | Pick
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const MINUS = 0x2d
const ZERO = 0x30
const NINE = 0x39

const NULL = Buffer.from('null', 'latin1')
const TRUE = Buffer.from('true', 'latin1')
const FALSE = Buffer.from('false', 'latin1')

interface Field {
  bytes: Uint8Array
  key: string
  nested: CompiledPick | undefined
}

type CompiledPick = Field[]

const compiled = new WeakMap<Pick, CompiledPick>()

function compile(pick: Pick): CompiledPick {
  let fields = compiled.get(pick)
  if (!fields) {
    fields = Object.entries(pick).map(([key, value]) => ({
      bytes: Buffer.from(JSON.stringify(key).slice(1, -1), 'utf8'),
      key,
      nested: value === true ? undefined : compile(value),
    }))
    compiled.set(pick, fields)
  }
  return fields
}

class NotPickable extends Error {}

/** Buffer's own decoder, without toString's argument handling around it (measurably cheaper per short string). */
interface SliceableBuffer extends Buffer {
  utf8Slice(start: number, end: number): string
}

/**
 * Each element of the top-level array `raw` holds, with only the picked fields, what JSON.parse
 * would have given for them. Undefined when `raw` is not a JSON array of objects or not JSON at all:
 * the caller then parses it whole and gets the same answer or error as without picking.
 */
export function pickFromArray(raw: Uint8Array, pick: Pick): Record<string, unknown>[] | undefined {
  try {
    return new Picker(raw).array(compile(pick))
  } catch (err) {
    if (err instanceof NotPickable) return undefined
    throw err
  }
}

class Picker {
  readonly #raw: Uint8Array
  readonly #buffer: Buffer
  #at = 0

  constructor(raw: Uint8Array) {
    this.#raw = raw
    this.#buffer = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
    if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) this.#at = 3
  }

  array(fields: CompiledPick): Record<string, unknown>[] {
    const items: Record<string, unknown>[] = []
    this.#expect(OPEN_ARRAY)
    if (this.#peek() === CLOSE_ARRAY) {
      this.#at++
    } else {
      for (;;) {
        if (this.#peek() !== OPEN_OBJECT) throw new NotPickable()
        items.push(this.#object(fields))
        if (this.#next() === CLOSE_ARRAY) break
        this.#fail(this.#raw[this.#at - 1] !== COMMA)
      }
    }
    this.#fail(this.#peek() !== undefined)
    return items
  }

  #object(fields: CompiledPick): Record<string, unknown> {
    const picked: Record<string, unknown> = {}
    this.#expect(OPEN_OBJECT)
    if (this.#peek() === CLOSE_OBJECT) {
      this.#at++
      return picked
    }
    for (;;) {
      this.#fail(this.#peek() !== QUOTE)
      const field = this.#field(fields)
      this.#expect(COLON)
      if (field === undefined) this.#skipValue()
      else if (field.nested && this.#peek() === OPEN_OBJECT)
        picked[field.key] = this.#object(field.nested)
      else picked[field.key] = this.#value()
      const next = this.#next()
      if (next === CLOSE_OBJECT) return picked
      this.#fail(next !== COMMA)
    }
  }

  /** Reads the key at the cursor (a quote); the picked field it names, if any. */
  #field(fields: CompiledPick): Field | undefined {
    const start = this.#at + 1
    const end = this.#closingQuote(this.#at)
    this.#at = end + 1
    const length = end - start
    const raw = this.#raw
    for (const field of fields) {
      const bytes = field.bytes
      if (bytes.length !== length) continue
      let i = 0
      while (i < length && raw[start + i] === bytes[i]) i++
      if (i === length) return field
    }
    // A key written with escapes (`"\u0069d"`) is still the field: compare it decoded.
    if (!this.#hasBackslash(start, end)) return undefined
    const key = this.#parse(start - 1, end + 1)
    return fields.find((f) => f.key === key)
  }

  #value(): unknown {
    const byte = this.#peek()
    const start = this.#at
    if (byte === QUOTE) {
      const end = this.#closingQuote(start)
      this.#at = end + 1
      if (this.#hasBackslash(start + 1, end)) return this.#parse(start, end + 1)
      return (this.#buffer as SliceableBuffer).utf8Slice(start + 1, end)
    }
    if (byte === MINUS || (byte !== undefined && byte >= ZERO && byte <= NINE)) {
      return this.#number()
    }
    this.#skipValue()
    if (this.#at - start === 2 && byte === OPEN_ARRAY) return []
    return this.#parse(start, this.#at)
  }

  #number(): number {
    const raw = this.#raw
    const start = this.#at
    let value = 0
    let i = start
    let plainDigits = true
    if (raw[i] === MINUS) i++
    for (; i < raw.length; i++) {
      const byte = raw[i]!
      if (byte >= ZERO && byte <= NINE) {
        value = value * 10 + (byte - ZERO)
      } else if (
        byte === 0x2e ||
        byte === 0x65 ||
        byte === 0x45 ||
        byte === 0x2b ||
        byte === MINUS
      ) {
        plainDigits = false
      } else break
    }
    this.#at = i
    const digits = i - start - (raw[start] === MINUS ? 1 : 0)
    if (plainDigits && digits > 0 && digits < 16 && !(digits > 1 && raw[i - digits] === ZERO)) {
      return raw[start] === MINUS ? -value : value
    }
    return this.#parse(start, i) as number
  }

  #parse(start: number, end: number): unknown {
    try {
      return JSON.parse(this.#buffer.toString('utf8', start, end)) as unknown
    } catch {
      throw new NotPickable()
    }
  }

  /** Moves past one value of any kind without building it. */
  #skipValue(): void {
    const raw = this.#raw
    const byte = this.#peek()
    if (byte === QUOTE) {
      this.#at = this.#closingQuote(this.#at) + 1
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      this.#skipContainer()
    } else {
      // A number or true/false/null: up to the next delimiter, checked when it is not a plain one.
      const start = this.#at
      let i = start
      while (i < raw.length) {
        const b = raw[i]!
        if (b === COMMA || b === CLOSE_OBJECT || b === CLOSE_ARRAY || b <= 0x20) break
        i++
      }
      this.#fail(i === start)
      this.#at = i
      const first = raw[start]!
      if (!(first >= ZERO && first <= NINE) && first !== MINUS)
        this.#fail(!this.#isLiteral(start, i))
    }
  }

  #isLiteral(start: number, end: number): boolean {
    const raw = this.#raw
    const literal = raw[start] === 0x6e ? NULL : raw[start] === 0x74 ? TRUE : FALSE
    if (end - start !== literal.length) return false
    for (let i = 0; i < literal.length; i++) if (raw[start + i] !== literal[i]) return false
    return true
  }

  /** Short ranges only (keys, picked strings): a scan to the end of the body would be quadratic. */
  #hasBackslash(start: number, end: number): boolean {
    const raw = this.#raw
    for (let i = start; i < end; i++) if (raw[i] === BACKSLASH) return true
    return false
  }

  /** Past the object or array at the cursor: strings skipped whole, brackets counted. */
  #skipContainer(): void {
    const raw = this.#raw
    let depth = 0
    for (let i = this.#at; i < raw.length; i++) {
      const byte = raw[i]
      if (byte === QUOTE) i = this.#closingQuote(i)
      else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth++
      else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        if (--depth === 0) {
          this.#at = i + 1
          return
        }
      }
    }
    throw new NotPickable()
  }

  /** Index of the quote closing the string opened at `open` (strings are short: a byte loop beats indexOf). */
  #closingQuote(open: number): number {
    const raw = this.#raw
    const length = raw.length
    for (let i = open + 1; i < length; i++) {
      const byte = raw[i]
      if (byte === QUOTE) return i
      if (byte === BACKSLASH) i++
    }
    throw new NotPickable()
  }

  /** The next byte that is not whitespace, left at the cursor. */
  #peek(): number | undefined {
    const raw = this.#raw
    let i = this.#at
    for (;;) {
      const byte = raw[i]
      if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) break
      i++
    }
    this.#at = i
    return raw[i]
  }

  /** The next byte that is not whitespace, consumed. */
  #next(): number | undefined {
    const byte = this.#peek()
    this.#at++
    return byte
  }

  #expect(byte: number): void {
    this.#fail(this.#next() !== byte)
  }

  #fail(condition: boolean): void {
    if (condition) throw new NotPickable()
  }
}
