// File and folder names for exported orgs and teams: readable, portable (ASCII, no reserved or hidden
// names), and unique even on case-insensitive file systems.

const MAX_SLUG = 60
/** Names Windows refuses for a file whatever its extension. */
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/

/** `Data Engineering` → `data-engineering`; `Équipe Ünïcode` → `equipe-unicode`; nothing usable → `fallback`. */
export function slug(name: string, fallback: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG)
    .replace(/-+$/, '')
  if (!ascii) return fallback
  return RESERVED.test(ascii) ? `${ascii}-` : ascii
}

/** Hands out names once each, compared case-insensitively: a second `platform` becomes `platform-2`. */
export class UniqueNames {
  readonly #taken = new Set<string>()

  constructor(reserved: string[] = []) {
    for (const name of reserved) this.#taken.add(name.toLowerCase())
  }

  take(base: string): string {
    let name = base
    for (let n = 2; this.#taken.has(name.toLowerCase()); n++) name = `${base}-${n}`
    this.#taken.add(name.toLowerCase())
    return name
  }
}
