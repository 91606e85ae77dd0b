// Where each key and value of a parsed YAML document was written, by path.

export type Path = readonly PropertyKey[]

export interface Pos {
  line: number
  col: number
}

const SEPARATOR = '\u0000'

export function pathKey(path: Path): string {
  return path.map(String).join(SEPARATOR)
}

/** The path key of `segment` under the node whose path key is `parent` (null for the root). */
export function childKey(parent: string | null, segment: string | number): string {
  return parent === null ? String(segment) : `${parent}${SEPARATOR}${segment}`
}

/** Where each key and value of one document was written; lookups fall back to the nearest ancestor. */
export class PositionIndex {
  readonly #values = new Map<string, Pos>()
  readonly #keys = new Map<string, Pos>()
  readonly #root: Pos

  constructor(root: Pos) {
    this.#root = root
  }

  setValue(key: string, pos: Pos): void {
    this.#values.set(key, pos)
  }

  setKey(key: string, pos: Pos): void {
    this.#keys.set(key, pos)
  }

  /** The value at `path`, or the closest enclosing value written in the file (e.g. an alias). */
  value(path: Path): Pos {
    for (let n = path.length; n > 0; n--) {
      const pos = this.#values.get(pathKey(path.slice(0, n)))
      if (pos) return pos
    }
    return this.#root
  }

  /** The key that names `path`'s last segment, else its value's position. */
  key(path: Path): Pos {
    return this.#keys.get(pathKey(path)) ?? this.value(path)
  }

  /** Every recorded position, in recording order (to compare two indexes). */
  entries(): { values: [string, Pos][]; keys: [string, Pos][] } {
    return { values: [...this.#values], keys: [...this.#keys] }
  }
}
