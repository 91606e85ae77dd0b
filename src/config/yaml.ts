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
  type Node,
} from 'yaml'
import { childKey, PositionIndex, type Pos } from './positions.ts'
import { parseSimpleYaml } from './simple-yaml.ts'

export interface Located {
  line: number
  col: number
  message: string
  hint?: string
}

const MAX_ALIAS_COUNT = 100
const MAX_DEPTH = 64
const MAX_SYNTAX_PROBLEMS = 10

export type ParsedYaml =
  { ok: true; value: unknown; positions: PositionIndex } | { ok: false; problems: Located[] }

export function parseYaml(text: string): ParsedYaml {
  const simple = parseSimpleYaml(text)
  if (simple) return { ok: true, ...simple }
  return parseFullYaml(text)
}

/** Any YAML, through `yaml`'s full parser: the reference, and the one that reports problems. */
export function parseFullYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter()
  const at = (offset: number): Pos => lineCounter.linePos(offset)
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
  })
  const syntax = [...doc.errors, ...doc.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED')]
  if (syntax.length > 0) return { ok: false, problems: syntaxProblems(syntax, at) }

  const walker = new Walker(at)
  const positions = new PositionIndex({ line: 1, col: 1 })
  if (doc.contents) walker.walk(doc.contents, null, at(doc.contents.range[0]), 0, positions)
  if (walker.problems.length > 0) return { ok: false, problems: walker.problems }

  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), positions }
  } catch (error) {
    const unresolved = walker.aliases.find((alias) => alias.node.resolve(doc) === undefined)
    const at = (unresolved ?? walker.aliases[0])?.pos ?? { line: 1, col: 1 }
    return { ok: false, problems: [aliasProblem(error, at)] }
  }
}

function syntaxProblems(
  errors: { code: string; message: string; pos: [number, number] }[],
  at: (offset: number) => Pos,
): Located[] {
  const seen = new Set<string>()
  const problems: Located[] = []
  for (const error of errors) {
    // One "too deep" is enough; the parser reports it once per level it unwinds.
    const id = error.code === 'RESOURCE_EXHAUSTION' ? error.code : `${error.code}:${error.pos[0]}`
    if (seen.has(id)) continue
    seen.add(id)
    problems.push({ ...at(error.pos[0]), ...describeSyntaxError(error.code, error.message) })
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
    message: `YAML syntax error: ${message}`,
    hint: 'Check indentation, colons and quotes on this line and the one before it.',
  }
}

function aliasProblem(error: unknown, pos: Pos): Located {
  const text = error instanceof Error ? error.message : String(error)
  if (/excessive alias count/i.test(text)) {
    return {
      ...pos,
      message: `YAML aliases expand too much (over ${MAX_ALIAS_COUNT} alias expansions); refusing a possible alias bomb`,
      hint: 'Write the values out, or use fewer nested anchors and aliases (`&name` / `*name`).',
    }
  }
  return {
    ...pos,
    message: `YAML alias error: ${text}`,
    hint: 'Define each anchor (`&name`) before the aliases (`*name`) that use it.',
  }
}

class Walker {
  readonly problems: Located[] = []
  readonly aliases: { node: Alias; pos: Pos }[] = []
  readonly #at: (offset: number) => Pos

  constructor(at: (offset: number) => Pos) {
    this.#at = at
  }

  /** `key` is the path key of `node` (null for the document root), `pos` where it starts. */
  walk(node: Node, key: string | null, pos: Pos, depth: number, positions: PositionIndex): void {
    if (depth > MAX_DEPTH) {
      this.problems.push({
        ...pos,
        message: `YAML nesting is deeper than ${MAX_DEPTH} levels`,
        hint: 'A config nests only a few levels; check the structure of this file.',
      })
      return
    }
    this.#checkTag(node, pos)
    if (isAlias(node)) {
      this.aliases.push({ node, pos })
    } else if (isMap(node)) {
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
        const child = childKey(key, String(keyNode.value))
        positions.setKey(child, keyPos)
        const value = pair.value as Node | null
        const valuePos = value ? this.#at(value.range![0]) : keyPos
        positions.setValue(child, valuePos)
        if (value) this.walk(value, child, valuePos, depth + 1, positions)
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const child = childKey(key, index)
        const itemNode = item as Node
        const itemPos = this.#at(itemNode.range![0])
        positions.setValue(child, itemPos)
        this.walk(itemNode, child, itemPos, depth + 1, positions)
      })
    }
  }

  #checkTag(node: Node, pos: Pos): void {
    if (!node.tag) return
    const tag = node.tag.replace(/^tag:yaml\.org,2002:/, '!!')
    this.problems.push({
      ...pos,
      message: `YAML tag \`${tag}\` is not supported in config files`,
      hint: 'Remove the tag; write plain strings, numbers, booleans, lists and mappings (quote a value to keep it text).',
    })
  }
}
