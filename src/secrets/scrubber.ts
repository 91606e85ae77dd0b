// The one scrubber of a run: every text that leaves the process passes it. It imports nothing from
// the rest of the product, so every layer may use it.

/** Shorter values are masked in the runner's log but not scrubbed: they would shred ordinary words. */
export const MIN_SCRUBBED_LENGTH = 4
export const REDACTED = '***'

export interface Scrubber {
  /** The text with every known secret, in every encoded form, replaced by `***`. */
  scrub: (text: string) => string
  /**
   * A copy of a value (an engine outcome) with every string and key scrubbed, for texts rendered
   * from it: a renderer's escaping or shortening could otherwise hide a secret from `scrub`.
   */
  scrubDeep: <T>(value: T) => T
  /** Learns a secret found during the run (a local user's password, a token read later). */
  add: (secret: string | undefined) => void
  /** The secrets learnt so far, as given (for masking elsewhere). */
  readonly secrets: readonly string[]
}

export interface ScrubberOptions {
  /** Called once for each new secret, short ones too (the action masks them with `::add-mask::`). */
  onAdd?: (secret: string) => void
  /**
   * How an output rewrites text on its way out (markdown escaping, workflow-command escaping): applied
   * to every encoded form of each secret, since the output may rewrite a URL-encoded one as well.
   */
  forms?: (form: string) => string[]
}

export function createScrubber(
  secrets: Iterable<string | undefined> = [],
  options: ScrubberOptions = {},
): Scrubber {
  const known = new Set<string>()
  const needles = new Set<string>()
  let pattern: RegExp | undefined
  const add = (secret: string | undefined) => {
    if (!secret || known.has(secret)) return
    known.add(secret)
    options.onAdd?.(secret)
    const before = needles.size
    for (const part of partsOf(secret)) {
      for (const form of encodedForms(part)) {
        needles.add(form)
        for (const output of options.forms?.(form) ?? [])
          if (output.length >= MIN_SCRUBBED_LENGTH) needles.add(output)
      }
    }
    if (needles.size !== before) pattern = alternation(needles)
  }
  for (const secret of secrets) add(secret)
  const scrub = (text: string) => (pattern ? text.replace(pattern, REDACTED) : text)
  return {
    add,
    scrub,
    scrubDeep: <T>(value: T): T => scrubValue(value, scrub, new Map()) as T,
    get secrets() {
      return [...known]
    },
  }
}

/**
 * One pattern for every needle: a single pass over the text (V8 matches a set of literals far faster
 * than one search per needle), longest first so a secret that contains another is replaced whole.
 */
function alternation(needles: Iterable<string>): RegExp {
  const ordered = [...needles].sort((a, b) => b.length - a.length)
  return new RegExp(ordered.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
}

/**
 * Strings and keys scrubbed; a list or object is copied only when something in it changed. `seen`
 * maps each object to its result (shared objects stay shared; a cycle keeps the original).
 */
function scrubValue(
  value: unknown,
  scrub: (text: string) => string,
  seen: Map<object, unknown>,
): unknown {
  if (typeof value === 'string') return scrub(value)
  if (typeof value !== 'object' || value === null) return value
  if (seen.has(value)) return seen.get(value)
  seen.set(value, value)
  let result: unknown = value
  if (Array.isArray(value)) {
    const items = (value as unknown[]).map((item) => scrubValue(item, scrub, seen))
    if (items.some((item, i) => item !== (value as unknown[])[i])) result = items
  } else if (
    Object.getPrototypeOf(value) === Object.prototype ||
    Object.getPrototypeOf(value) === null
  ) {
    const entries = Object.entries(value).map(
      ([k, v]) => [scrub(k), scrubValue(v, scrub, seen)] as const,
    )
    const original = Object.entries(value)
    if (entries.some(([k, v], i) => k !== original[i]![0] || v !== original[i]![1])) {
      result = Object.fromEntries(entries)
    }
  }
  seen.set(value, result)
  return result
}

/**
 * The secret itself, trimmed, and each line of a multi-line one (a PEM key is quoted line by line
 * in most error texts); parts too short to scrub are left out.
 */
function partsOf(secret: string): string[] {
  const parts = new Set([secret, secret.trim()])
  for (const line of secret.split(/\r?\n/)) parts.add(line.trim())
  return [...parts].filter((part) => part.length >= MIN_SCRUBBED_LENGTH)
}

/**
 * How a secret may be written in a text that leaves the process: as given, lower- and upper-cased
 * (host names, some error texts), URL-encoded (a query or a URL's userinfo), form-encoded, JSON-escaped
 * once or twice (a message quoting a JSON body, inside the JSON plan), as Go's JSON writes it (Grafana's
 * answers), and base64 in both alphabets, also at each offset inside a longer encoded value (the
 * `user:password` of a basic-auth header).
 */
export function encodedForms(secret: string): string[] {
  const forms = new Set<string>()
  for (const variant of [secret, secret.toLowerCase(), secret.toUpperCase()]) {
    forms.add(variant)
    forms.add(encodeURIComponent(variant))
    forms.add(encodeURIComponent(variant).toLowerCase())
    forms.add(new URLSearchParams({ s: variant }).toString().slice(2))
    const json = jsonEscaped(variant)
    forms.add(json)
    forms.add(jsonEscaped(json))
    forms.add(goJsonEscaped(json))
  }
  for (const form of base64Forms(secret)) forms.add(form)
  return [...forms].filter((form) => form.length >= MIN_SCRUBBED_LENGTH)
}

function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1)
}

/** Go's encoding/json also escapes <, > and & (and U+2028, U+2029, which JSON.stringify keeps). */
function goJsonEscaped(json: string): string {
  return json.replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/**
 * A secret inside a longer base64 value: its bytes start at offset 0, 1 or 2 of a 3-byte group, and
 * for each offset the characters that encode only the secret's bytes are the same whatever surrounds
 * them. The whole encoding, with and without padding, is kept as well.
 */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret)
  const forms: string[] = []
  for (const alphabet of ['base64', 'base64url'] as const) {
    const whole = bytes.toString(alphabet)
    forms.push(whole, whole.replace(/=+$/, ''))
    for (const offset of [0, 1, 2]) {
      const shifted = Buffer.concat([Buffer.alloc(offset), bytes]).toString(alphabet)
      const inner = shifted.slice(offset ? 4 : 0, 4 * Math.floor((offset + bytes.length) / 3))
      // A fragment this short could match unrelated base64 by chance.
      if (inner.length >= 8) forms.push(inner)
    }
  }
  return forms
}
