// YAML text → plain value plus the position of every key and value, refusing what a config never
// needs and an attacker would use: tags, non-string keys, alias bombs, deep nesting.
import {
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Alias,
  type Document,
  type Node,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml'
import { excerpt, inCode } from './excerpt.ts'
import { childKey, PositionIndex, type Pos } from './positions.ts'
import { parseSimpleYaml } from './simple-yaml.ts'

export interface Located {
  line: number
  col: number
  message: string
  hint?: string
}

/**
 * Values that aliases may add to one file once expanded: generous for a config that reuses a list
 * of members many times, far below what an alias bomb expands to.
 */
export const MAX_ALIAS_EXPANSION = 100_000
const MAX_DEPTH = 64
const MAX_SYNTAX_PROBLEMS = 10
/** Characters of a message from the `yaml` library kept; its messages may quote the file. */
const MAX_LIBRARY_MESSAGE = 120

export type ParsedYaml =
  { ok: true; value: unknown; positions: PositionIndex } | { ok: false; problems: Located[] }

export function parseYaml(text: string): ParsedYaml {
  const simple = parseSimpleYaml(text)
  if (simple) return { ok: true, ...simple }
  return parseFullYaml(text)
}

/**
 * Any YAML, through `yaml`'s full parser: the reference, and the one that reports problems. The
 * value is built here rather than by `toJS`, which resolves each alias by scanning every anchor
 * and alias before it (quadratic in the number of aliases) and counts aliases, not what they add.
 */
export function parseFullYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter()
  const at = (offset: number): Pos => lineCounter.linePos(offset)
  let doc: Document.Parsed
  try {
    // Duplicate keys are found by the walk below: `uniqueKeys` compares each key with all before it.
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false })
  } catch (error) {
    if (!(error instanceof RangeError)) throw error
    return {
      ok: false,
      problems: [{ line: 1, col: 1, ...describeSyntaxError('RESOURCE_EXHAUSTION', '') }],
    }
  }
  const syntax = [...doc.errors, ...doc.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED')]
  if (syntax.length > 0) return { ok: false, problems: syntaxProblems(syntax, at, text) }

  const walker = new Walker(at)
  const positions = new PositionIndex({ line: 1, col: 1 })
  const value = doc.contents
    ? walker.walk(doc.contents, null, at(doc.contents.range[0]), 0, positions).value
    : null
  if (walker.problems.length > 0) return { ok: false, problems: walker.problems }
  return { ok: true, value, positions }
}

function syntaxProblems(
  errors: { code: string; message: string; pos: [number, number] }[],
  at: (offset: number) => Pos,
  text: string,
): Located[] {
  const seen = new Set<string>()
  const problems: Located[] = []
  for (const error of errors) {
    // One "too deep" is enough; the parser reports it once per level it unwinds.
    const id = error.code === 'RESOURCE_EXHAUSTION' ? error.code : `${error.code}:${error.pos[0]}`
    if (seen.has(id)) continue
    seen.add(id)
    const problem = { ...at(error.pos[0]), ...describeSyntaxError(error.code, error.message) }
    const variable = unquotedVariableInFlow(text, error.pos[0])
    if (variable !== undefined) {
      problem.hint = `\`\${${variable}}\` inside \`[ ]\` or \`{ }\` must be quoted, or YAML reads \`{\` as the start of a mapping: write \`["\${${variable}}"]\`.`
    }
    problems.push(problem)
  }
  if (problems.length <= MAX_SYNTAX_PROBLEMS) return problems
  const shown = problems.slice(0, MAX_SYNTAX_PROBLEMS)
  const last = shown[shown.length - 1]!
  shown.push({
    line: last.line,
    col: last.col,
    message: `…and ${problems.length - MAX_SYNTAX_PROBLEMS} more YAML syntax errors in this file`,
    hint: 'Fix the first errors; later ones often follow from them.',
  })
  return shown
}

/** The name of a `${NAME}` written unquoted in a flow collection on the line of `offset`, if any. */
function unquotedVariableInFlow(text: string, offset: number): string | undefined {
  const start = text.lastIndexOf('\n', offset - 1) + 1
  const end = text.indexOf('\n', offset)
  const line = text.slice(start, end === -1 ? text.length : end)
  // Quoted scalars are no problem: drop them before looking.
  const unquoted = line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'/g, '""')
  const found = /(?:^|[\s,[{])\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(unquoted)
  const inFlow = /[[{]/.test(text.slice(Math.max(0, start - 2000), start) + unquoted)
  return found && inFlow ? inCode(found[1]!) : undefined
}

function describeSyntaxError(code: string, message: string): { message: string; hint: string } {
  if (code === 'DUPLICATE_KEY') {
    return {
      message: 'duplicate key: a key may appear only once in a mapping',
      hint: 'Remove one of the two entries or merge them.',
    }
  }
  if (code === 'MULTIPLE_DOCS') {
    return {
      message: 'a config file holds one YAML document; this one has several (`---`)',
      hint: 'Split the documents into separate files.',
    }
  }
  if (code === 'RESOURCE_EXHAUSTION') {
    return {
      message: 'YAML nesting is too deep to parse',
      hint: 'A config nests only a few levels; check the file for runaway brackets.',
    }
  }
  return {
    message: `YAML syntax error: ${libraryMessage(message)}`,
    hint: 'Check indentation, colons and quotes on this line and the one before it.',
  }
}

/** A message of the `yaml` library with what it quotes of the file (after `: `) cut to an excerpt. */
function libraryMessage(message: string): string {
  const colon = message.indexOf(': ')
  const shortened =
    colon === -1 ? message : `${message.slice(0, colon + 2)}${excerpt(message.slice(colon + 2))}`
  return excerpt(shortened, MAX_LIBRARY_MESSAGE)
}

/** As `yaml` names object keys: a null key is the empty string, other scalars their text. */
function keyName(value: unknown): string {
  if (typeof value === 'string') return value
  const scalar =
    typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
  return scalar ? String(value) : ''
}

interface Anchor {
  value: unknown
  /** Values the anchored node holds, itself included, with its aliases expanded. */
  size: number
  /** False while its own children are walked: an alias to it then would be endless. */
  done: boolean
}

interface Walked {
  value: unknown
  size: number
}

/** Checks every node, records positions and builds the plain value, expanding aliases within a budget. */
class Walker {
  readonly problems: Located[] = []
  readonly #at: (offset: number) => Pos
  /** The latest anchor of each name so far, in document order: the one an alias means. */
  readonly #anchors = new Map<string, Anchor>()
  #expanded = 0

  constructor(at: (offset: number) => Pos) {
    this.#at = at
  }

  /** `key` is the path key of `node` (null for the document root), `pos` where it starts. */
  walk(node: Node, key: string | null, pos: Pos, depth: number, positions: PositionIndex): Walked {
    if (depth > MAX_DEPTH) {
      this.problems.push({
        ...pos,
        message: `YAML nesting is deeper than ${MAX_DEPTH} levels`,
        hint: 'A config nests only a few levels; check the structure of this file.',
      })
      return { value: null, size: 1 }
    }
    this.#checkTag(node, pos)
    if (isAlias(node)) return this.#alias(node, pos)
    const anchor: Anchor | undefined = node.anchor
      ? { value: null, size: 1, done: false }
      : undefined
    if (node.anchor && anchor) this.#anchors.set(node.anchor, anchor)
    const walked = isMap(node)
      ? this.#map(node, key, pos, depth, positions)
      : isSeq(node)
        ? this.#seq(node, key, depth, positions)
        : { value: isScalar(node) ? node.value : null, size: 1 }
    if (anchor) Object.assign(anchor, walked, { done: true })
    return walked
  }

  #map(
    node: YAMLMap,
    key: string | null,
    pos: Pos,
    depth: number,
    positions: PositionIndex,
  ): Walked {
    const map: Record<string, unknown> = {}
    const names = new Set<string>()
    let size = 1
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null
      if (!isScalar(keyNode)) {
        this.problems.push({
          ...(keyNode?.range ? this.#at(keyNode.range[0]) : pos),
          message: isCollection(keyNode)
            ? 'a mapping key must be plain text, not a list or mapping'
            : 'a mapping key must be plain text',
          hint: 'Write `key: value`; quote the key if it contains special characters.',
        })
        continue
      }
      const keyPos = this.#at(keyNode.range![0])
      this.#checkTag(keyNode, keyPos)
      if (keyNode.anchor)
        this.#anchors.set(keyNode.anchor, { value: keyNode.value, size: 1, done: true })
      const name = keyName(keyNode.value)
      if (names.has(name)) {
        this.problems.push({ ...keyPos, ...describeSyntaxError('DUPLICATE_KEY', '') })
        continue
      }
      names.add(name)
      const child = childKey(key, name)
      positions.setKey(child, keyPos)
      const value = pair.value as Node | null
      const valuePos = value ? this.#at(value.range![0]) : keyPos
      positions.setValue(child, valuePos)
      const walked = value
        ? this.walk(value, child, valuePos, depth + 1, positions)
        : { value: null, size: 1 }
      size += 1 + walked.size
      // An own property even for `__proto__`, as `yaml` makes it; the schema then refuses the key.
      Object.defineProperty(map, name, {
        value: walked.value,
        writable: true,
        enumerable: true,
        configurable: true,
      })
    }
    return { value: map, size }
  }

  #seq(node: YAMLSeq, key: string | null, depth: number, positions: PositionIndex): Walked {
    const list: unknown[] = []
    let size = 1
    node.items.forEach((item, index) => {
      const child = childKey(key, index)
      const itemNode = item as Node | null
      if (!itemNode) {
        list.push(null)
        size += 1
        return
      }
      const itemPos = this.#at(itemNode.range![0])
      positions.setValue(child, itemPos)
      const walked = this.walk(itemNode, child, itemPos, depth + 1, positions)
      list.push(walked.value)
      size += walked.size
    })
    return { value: list, size }
  }

  #alias(node: Alias, pos: Pos): Walked {
    const name = inCode(node.source)
    const anchor = this.#anchors.get(node.source)
    if (!anchor) {
      this.problems.push({
        ...pos,
        message: `YAML alias error: Unresolved alias (the anchor must be set before the alias): ${name}`,
        hint: 'Define each anchor (`&name`) before the aliases (`*name`) that use it.',
      })
      return { value: null, size: 1 }
    }
    if (!anchor.done) {
      this.problems.push({
        ...pos,
        message: `YAML alias \`*${name}\` is inside the value of its own anchor \`&${name}\`, which would make that value endless`,
        hint: 'Use the alias only after the anchored value ends, or write the value out.',
      })
      return { value: null, size: 1 }
    }
    const before = this.#expanded
    this.#expanded += anchor.size
    if (before <= MAX_ALIAS_EXPANSION && this.#expanded > MAX_ALIAS_EXPANSION) {
      this.problems.push({
        ...pos,
        message: `YAML aliases in this file expand to more than ${MAX_ALIAS_EXPANSION} values (reached at this use of \`*${name}\`); refusing what could be an alias bomb`,
        hint: 'Split the file into several smaller files (aliases count per file), or write the repeated values out instead of nesting anchors and aliases (`&name` / `*name`).',
      })
    }
    return { value: anchor.value, size: anchor.size }
  }

  #checkTag(node: Node, pos: Pos): void {
    if (!node.tag) return
    const tag = node.tag.replace(/^tag:yaml\.org,2002:/, '!!')
    this.problems.push({
      ...pos,
      message: `YAML tag \`${inCode(tag)}\` is not supported in config files`,
      hint: 'Remove the tag; write plain strings, numbers, booleans, lists and mappings (quote a value to keep it text).',
    })
  }
}
