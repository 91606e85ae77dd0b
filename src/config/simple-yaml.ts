// A fast path for the plain YAML that config files are written in: block mappings and lists,
// one-line scalars and one-line flow lists and mappings of scalars, with comments. The full `yaml`
// parser spends most of its time per token (generators, CST and document nodes); this reads the
// subset line by line instead and gives each scalar its value with `yaml`'s own scalar and YAML 1.2
// core-schema code, so the value and positions are those the full parser gives. Anything outside
// the subset, and anything the full parser might warn about or reject, returns undefined: the
// caller then runs the full parser, which has the final word and reports every problem.
import { CST, isScalar as isScalarNode, Schema, type ScalarTag } from 'yaml'
import { childKey, PositionIndex, type Pos } from './positions.ts'

export interface SimpleYaml {
  value: unknown
  positions: PositionIndex
}

type ScalarType = 'scalar' | 'single-quoted-scalar' | 'double-quoted-scalar'

interface Token {
  type: string
  source: string
  offset: number
  pos: Pos
}

interface Line {
  /** Column of the first token, 1-based. */
  indent: number
  tokens: Token[]
}

/** Thrown to leave the fast path; never escapes this module. */
const NOT_SIMPLE = Symbol('not simple YAML')

/** Deeper than this goes to the full parser, which reports nesting beyond the config limit. */
const MAX_DEPTH = 32

/** Implicit keys longer than 1024 characters are an error in YAML; leave them to the full parser. */
const MAX_KEY_LENGTH = 1000

/** The value and positions of `text` when it is in the simple subset, else undefined. */
export function parseSimpleYaml(text: string): SimpleYaml | undefined {
  try {
    const lines = splitLines(text)
    if (lines.length === 0) return undefined
    const builder = new TreeBuilder(lines)
    const value = builder.document()
    return { value, positions: builder.positions }
  } catch (error) {
    if (error === NOT_SIMPLE) return undefined
    throw error
  }
}

function notSimple(): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- a sentinel, caught above
  throw NOT_SIMPLE
}

/**
 * Tabs, carriage returns, byte-order marks, control characters, characters outside the basic plane
 * and the Unicode line separators: rare in configs, and each has rules of its own in YAML.
 */
const UNUSUAL_CHARACTER = /[^\n\x20-\x7E\u00A0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD]/

/** Characters that may not start a plain scalar (YAML's indicators). */
const INDICATORS = new Set([
  '-',
  '?',
  ':',
  ',',
  '[',
  ']',
  '{',
  '}',
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '%',
  '@',
  '`',
])

const FLOW_INDICATORS = new Set([',', '[', ']', '{', '}'])

/** The text's tokens, grouped by line; throws NOT_SIMPLE at anything outside the subset. */
function splitLines(text: string): Line[] {
  if (UNUSUAL_CHARACTER.test(text)) notSimple()
  const lines: Line[] = []
  let lineStart = 0
  for (let line = 1; lineStart < text.length; line++) {
    let lineEnd = text.indexOf('\n', lineStart)
    if (lineEnd === -1) lineEnd = text.length
    const tokens = new LineScanner(text, lineStart, lineEnd, line).tokens()
    if (tokens.length > 0) lines.push({ indent: tokens[0]!.pos.col, tokens })
    lineStart = lineEnd + 1
  }
  return lines
}

/** One line's tokens: indicators, quoted scalars and plain scalars; comments and spaces dropped. */
class LineScanner {
  readonly #text: string
  readonly #start: number
  readonly #end: number
  readonly #line: number
  #at: number
  #flow = false
  readonly #tokens: Token[] = []

  constructor(text: string, start: number, end: number, line: number) {
    this.#text = text
    this.#start = start
    this.#end = end
    this.#line = line
    this.#at = start
  }

  tokens(): Token[] {
    const text = this.#text
    const rest = text.slice(this.#start, this.#start + 3)
    // Document markers and directives start a line; the full parser handles them.
    if (rest === '---' || rest === '...' || rest[0] === '%') notSimple()
    let separated = true
    while (this.#at < this.#end) {
      const char = text[this.#at]!
      if (char === ' ') {
        this.#at++
        separated = true
        continue
      }
      if (char === '#') {
        if (!separated) notSimple()
        break
      }
      this.#token(char)
      separated = false
    }
    if (this.#flow) notSimple()
    return this.#tokens
  }

  #push(type: string, end: number): void {
    const offset = this.#at
    const source = this.#text.slice(offset, end)
    this.#tokens.push({
      type,
      source,
      offset,
      pos: { line: this.#line, col: offset - this.#start + 1 },
    })
    this.#at = end
  }

  #spaceOrEnd(index: number): boolean {
    return index >= this.#end || this.#text[index] === ' '
  }

  #token(char: string): void {
    const next = this.#at + 1
    if (char === '-' && !this.#flow && this.#spaceOrEnd(next))
      return this.#push('seq-item-ind', next)
    if (char === ':') {
      if (!this.#spaceOrEnd(next)) notSimple()
      return this.#push('map-value-ind', next)
    }
    if (char === '[' || char === '{') {
      // One level of flow collection, on one line.
      if (this.#flow) notSimple()
      this.#flow = true
      return this.#push(char === '[' ? 'flow-seq-start' : 'flow-map-start', next)
    }
    if (char === ']' || char === '}') {
      if (!this.#flow) notSimple()
      this.#flow = false
      return this.#push(char === ']' ? 'flow-seq-end' : 'flow-map-end', next)
    }
    if (char === ',') {
      if (!this.#flow) notSimple()
      return this.#push('comma', next)
    }
    if (char === '"' || char === "'") return this.#quoted(char)
    if (INDICATORS.has(char) && !(char === '-' && /[\w.]/.test(this.#text[next] ?? ''))) {
      notSimple()
    }
    return this.#plain()
  }

  /** A quoted scalar that closes on this line; double-quoted ones without escapes. */
  #quoted(quote: string): void {
    const text = this.#text
    let at = this.#at + 1
    for (;;) {
      const close = text.indexOf(quote, at)
      if (close === -1 || close >= this.#end) notSimple()
      if (quote === "'" && text[close + 1] === "'") {
        at = close + 2
        continue
      }
      if (quote === '"' && text.slice(this.#at, close).includes('\\')) notSimple()
      this.#push(quote === '"' ? 'double-quoted-scalar' : 'single-quoted-scalar', close + 1)
      // A key's `:` must be followed by a space; nothing may stick to the closing quote.
      const after = text[this.#at]
      if (
        this.#at < this.#end &&
        after !== ' ' &&
        after !== ':' &&
        !(this.#flow && FLOW_INDICATORS.has(after!))
      ) {
        notSimple()
      }
      return
    }
  }

  /**
   * A plain scalar: up to `: `, ` #` or the end of the line (in a flow collection also up to
   * `,`, `]` or `}`), without trailing spaces. Anything unusual inside leaves the fast path.
   */
  #plain(): void {
    const text = this.#text
    let at = this.#at + 1
    let end = at
    while (at < this.#end) {
      const char = text[at]!
      if (char === ' ') {
        at++
        continue
      }
      if (char === '#') {
        if (text[at - 1] === ' ') break
        notSimple()
      }
      if (char === ':') {
        if (this.#spaceOrEnd(at + 1)) break
        if (this.#flow) notSimple()
      }
      if (this.#flow && FLOW_INDICATORS.has(char)) break
      at++
      end = at
    }
    this.#push('scalar', end)
  }
}

function isScalar(token: Token | undefined): token is Token & { type: ScalarType } {
  return (
    token !== undefined &&
    (token.type === 'scalar' ||
      token.type === 'single-quoted-scalar' ||
      token.type === 'double-quoted-scalar')
  )
}

interface PlainTags {
  tags: ScalarTag[]
  /** Matches when any of the tags' own tests would: most text is ruled out in one test. */
  any: RegExp
}

/** The core-schema tags a plain scalar is tested against, in order, as `parseDocument` does. */
let plainTags: PlainTags | undefined

function tagOf(text: string, atKey: boolean): ScalarTag | undefined {
  if (!plainTags) {
    const tags = new Schema({}).tags.filter(
      (tag): tag is ScalarTag => !tag.collection && tag.test !== undefined && tag.default !== false,
    )
    const any = tags.every((tag) => tag.test!.flags === '')
      ? new RegExp(tags.map((tag) => `(?:${tag.test!.source})`).join('|'))
      : /(?:)/
    plainTags = { tags, any }
  }
  if (!plainTags.any.test(text)) return undefined
  return plainTags.tags.find(
    (tag) => (tag.default === true || (atKey && tag.default === 'key')) && tag.test!.test(text),
  )
}

/** A scalar's value as the full parser composes it: `yaml`'s scalar reading and tag resolution. */
function scalarValue(token: Token): unknown {
  const text = scalarText(token)
  if (token.type !== 'scalar') return text
  const tag = tagOf(text, false)
  if (!tag) return text
  let failed = false
  const resolved: unknown = tag.resolve(text, () => (failed = true), {})
  if (failed) notSimple()
  return isScalarNode(resolved) ? resolved.value : resolved
}

function scalarText(token: Token): string {
  // A one-line plain scalar is its own text: yaml's plainValue only folds lines and rejects the
  // indicators that the scanner already refused to start a scalar with.
  if (token.type === 'scalar') return token.source
  const scalar = {
    type: token.type as ScalarType,
    offset: token.offset,
    indent: 0,
    source: token.source,
  }
  const resolved = CST.resolveAsScalar(scalar, true, () => notSimple())
  if (!resolved || resolved.comment) notSimple()
  return resolved.value
}

/** A mapping key: only text keys that are not special to YAML or to JavaScript objects. */
function keyText(token: Token): string {
  if (token.source.length > MAX_KEY_LENGTH) notSimple()
  if (token.type === 'scalar') {
    const text = scalarText(token)
    if (tagOf(text, true)) notSimple()
    if (text === '<<') notSimple()
    return text
  }
  return scalarText(token)
}

/** Sets `key` as an own property, as `yaml` does, even where an object inherits that name. */
function setEntry(map: Record<string, unknown>, key: string, value: unknown): void {
  if (Object.hasOwn(map, key)) notSimple()
  if (key in map) {
    Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true })
  } else {
    map[key] = value
  }
}

class TreeBuilder {
  readonly positions = new PositionIndex({ line: 1, col: 1 })
  readonly #lines: Line[]
  #line = 0

  constructor(lines: Line[]) {
    this.#lines = lines
  }

  document(): unknown {
    const value = this.#block(0, null, 0)
    if (this.#line !== this.#lines.length) notSimple()
    return value
  }

  #current(): Line | undefined {
    return this.#lines[this.#line]
  }

  /** A block mapping or list starting at token `index` of the current line. */
  #block(index: number, key: string | null, depth: number): unknown {
    if (depth > MAX_DEPTH) notSimple()
    const tokens = this.#current()!.tokens
    const first = tokens[index]!
    if (first.type === 'seq-item-ind') return this.#list(index, first.pos.col, key, depth)
    if (isScalar(first) && tokens[index + 1]?.type === 'map-value-ind') {
      return this.#mapping(index, first.pos.col, key, depth)
    }
    return notSimple()
  }

  #mapping(index: number, col: number, key: string | null, depth: number): unknown {
    const map: Record<string, unknown> = {}
    for (;;) {
      const tokens = this.#current()!.tokens
      const keyToken = tokens[index]
      if (!isScalar(keyToken) || keyToken.pos.col !== col) notSimple()
      if (tokens[index + 1]?.type !== 'map-value-ind') notSimple()
      const name = keyText(keyToken)
      const child = childKey(key, name)
      this.positions.setKey(child, keyToken.pos)
      let value: unknown
      if (index + 2 < tokens.length) {
        value = this.#inline(tokens, index + 2, child)
        this.#line++
      } else {
        this.#line++
        const next = this.#current()
        const nested =
          next !== undefined &&
          (next.indent > col || (next.indent === col && next.tokens[0]!.type === 'seq-item-ind'))
        if (!nested) notSimple()
        this.positions.setValue(child, next.tokens[0]!.pos)
        value = this.#block(0, child, depth + 1)
      }
      setEntry(map, name, value)
      const next = this.#current()
      if (next === undefined || next.indent < col) return map
      if (next.indent > col || next.tokens[0]!.type === 'seq-item-ind') notSimple()
      index = 0
    }
  }

  #list(index: number, col: number, key: string | null, depth: number): unknown {
    const list: unknown[] = []
    for (;;) {
      const tokens = this.#current()!.tokens
      const dash = tokens[index]
      if (dash?.type !== 'seq-item-ind' || dash.pos.col !== col) notSimple()
      const child = childKey(key, list.length)
      const item = tokens[index + 1]
      if (item === undefined) {
        this.#line++
        const next = this.#current()
        if (next === undefined || next.indent <= col) notSimple()
        this.positions.setValue(child, next.tokens[0]!.pos)
        list.push(this.#block(0, child, depth + 1))
      } else if (isScalar(item) && tokens[index + 2]?.type === 'map-value-ind') {
        this.positions.setValue(child, item.pos)
        list.push(this.#mapping(index + 1, item.pos.col, child, depth + 1))
      } else {
        list.push(this.#inline(tokens, index + 1, child))
        this.#line++
      }
      const next = this.#current()
      if (next === undefined || next.indent < col) return list
      if (next.indent > col) notSimple()
      // At the same column, anything but `-` is the next key of the mapping that holds this list.
      if (next.tokens[0]!.type !== 'seq-item-ind') return list
      index = 0
    }
  }

  /** A value that fills the rest of its line: a scalar or a one-line flow list or mapping. */
  #inline(tokens: Token[], index: number, key: string): unknown {
    const first = tokens[index]!
    this.positions.setValue(key, first.pos)
    let end: number
    let value: unknown
    if (isScalar(first)) {
      end = index + 1
      value = scalarValue(first)
    } else if (first.type === 'flow-seq-start') {
      ;[value, end] = this.#flowList(tokens, index + 1, key)
    } else if (first.type === 'flow-map-start') {
      ;[value, end] = this.#flowMapping(tokens, index + 1, key)
    } else {
      return notSimple()
    }
    if (end !== tokens.length) notSimple()
    return value
  }

  /** `[a, b]` from just after `[`; returns the list and the index after `]`. */
  #flowList(tokens: Token[], index: number, key: string): [unknown[], number] {
    const list: unknown[] = []
    if (tokens[index]?.type === 'flow-seq-end') return [list, index + 1]
    for (;;) {
      const item = tokens[index]
      if (!isScalar(item)) notSimple()
      this.positions.setValue(childKey(key, list.length), item.pos)
      list.push(scalarValue(item))
      const after = tokens[index + 1]?.type
      if (after === 'flow-seq-end') return [list, index + 2]
      if (after !== 'comma') notSimple()
      index += 2
    }
  }

  /** `{ a: b, c: d }` from just after `{`; returns the mapping and the index after `}`. */
  #flowMapping(tokens: Token[], index: number, key: string): [Record<string, unknown>, number] {
    const map: Record<string, unknown> = {}
    if (tokens[index]?.type === 'flow-map-end') return [map, index + 1]
    for (;;) {
      const keyToken = tokens[index]
      const valueToken = tokens[index + 2]
      if (!isScalar(keyToken) || tokens[index + 1]?.type !== 'map-value-ind') notSimple()
      if (!isScalar(valueToken)) notSimple()
      const name = keyText(keyToken)
      const child = childKey(key, name)
      this.positions.setKey(child, keyToken.pos)
      this.positions.setValue(child, valueToken.pos)
      setEntry(map, name, scalarValue(valueToken))
      const after = tokens[index + 3]?.type
      if (after === 'flow-map-end') return [map, index + 4]
      if (after !== 'comma') notSimple()
      index += 4
    }
  }
}
