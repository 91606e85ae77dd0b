// Response bodies as JSON. Okta and Grafana list members as one big top-level array (a page of
// 1,000 Okta users is about a megabyte). V8 puts every string over ~128 KB in its large-object
// space, where creating it costs about thirty times as much as a smaller one, so a big array is
// decoded and parsed in slices of whole elements instead of as one string.

/** Bodies up to this size are decoded and parsed whole; bigger arrays in slices of about this size. */
export const SLICE_BYTES = 64 * 1024

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d

/**
 * The body's JSON value; undefined for an empty body; the text itself when it is not JSON (an
 * error page, a proxy's message). A UTF-8 byte-order mark is dropped, as `Response.text()` does.
 */
export function parseJsonBody(raw: Buffer): { text: string | undefined; body: unknown } {
  const start = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0
  if (raw.length - start > SLICE_BYTES) {
    const items = parseArrayInSlices(raw, start)
    if (items !== undefined) return { text: undefined, body: items }
  }
  const text = raw.toString('utf8', start)
  return { text, body: parseText(text) }
}

function parseText(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/**
 * A top-level JSON array parsed slice by slice, each slice whole elements; undefined when the body
 * is not an array or not valid JSON (the caller then parses it whole and gets the same answer or
 * error as before). Splitting happens only at commas outside strings, objects and nested arrays.
 */
function parseArrayInSlices(raw: Buffer, start: number): unknown[] | undefined {
  let i = skipWhitespace(raw, start)
  if (raw[i] !== OPEN_ARRAY) return undefined
  const items: unknown[] = []
  let sliceStart = i + 1
  let depth = 0
  for (i++; i < raw.length; i++) {
    const byte = raw[i]
    if (byte === QUOTE) {
      i = closingQuote(raw, i)
      if (i < 0) return undefined
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++
    } else if (byte === CLOSE_OBJECT || (byte === CLOSE_ARRAY && depth > 0)) {
      depth--
    } else if (byte === CLOSE_ARRAY) {
      if (skipWhitespace(raw, i + 1) !== raw.length) return undefined
      return appendSlice(items, raw, sliceStart, i, items.length > 0) ? items : undefined
    } else if (byte === COMMA && depth === 0 && i - sliceStart >= SLICE_BYTES) {
      if (!appendSlice(items, raw, sliceStart, i, true)) return undefined
      sliceStart = i + 1
    }
  }
  return undefined
}

/** Parses `[slice]` onto items; false when it is not valid JSON or an element is missing. */
function appendSlice(
  items: unknown[],
  raw: Buffer,
  from: number,
  to: number,
  elementRequired: boolean,
): boolean {
  const slice = raw.toString('utf8', from, to)
  let parsed: unknown
  try {
    parsed = JSON.parse(`[${slice}]`)
  } catch {
    return false
  }
  if (!Array.isArray(parsed)) return false
  // `[1,]` parses as two slices, the second empty: that trailing comma is invalid JSON.
  if (parsed.length === 0 && elementRequired) return false
  for (const item of parsed) items.push(item)
  return true
}

/** Index of the quote closing the string opened at `open`, or -1. */
function closingQuote(raw: Buffer, open: number): number {
  let at = open
  for (;;) {
    at = raw.indexOf(QUOTE, at + 1)
    if (at < 0) return -1
    let backslashes = 0
    while (raw[at - 1 - backslashes] === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return at
  }
}

function skipWhitespace(raw: Buffer, from: number): number {
  let i = from
  while (i < raw.length) {
    const byte = raw[i]
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) break
    i++
  }
  return i
}
