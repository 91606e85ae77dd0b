// Response bodies as JSON. Big member listings are picked field by field instead (pick.ts); this
// parses everything else, and any listing the picker hands back.

/**
 * The body's JSON value; undefined for an empty body; the text itself when it is not JSON (an
 * error page, a proxy's message). A UTF-8 byte-order mark is dropped, as `Response.text()` does.
 */
export function parseJsonBody(raw: Buffer): { text: string; body: unknown } {
  const start = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0
  const text = raw.toString('utf8', start)
  if (text === '') return { text, body: undefined }
  try {
    return { text, body: JSON.parse(text) as unknown }
  } catch {
    return { text, body: text }
  }
}
