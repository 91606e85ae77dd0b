// Every name that reaches a report comes from YAML or a remote API and is treated as hostile.

const LINE_BREAKS = /\r\n|[\n\r\u0085\u2028\u2029\t\v\f]/g
// C0/C1 controls, bidi overrides and isolates (they can make a name read as another), BOM.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g

/** One line of plain text: line breaks become spaces, control and bidi characters are dropped. */
export function clean(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(INVISIBLE, '')
}

/** Shortens to at most `max` UTF-16 units, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  let end = Math.max(0, max - 1)
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end -= 1
  return `${text.slice(0, end)}…`
}

// Numeric references render as the character in markdown text and in HTML blocks alike, where
// backslash escapes would show up literally.
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\\': '&#92;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '[': '&#91;',
  ']': '&#93;',
  '|': '&#124;',
  $: '&#36;',
}
// GitHub links mentions, issue references and bare URLs after entities are decoded, so only a
// real (invisible) character in between stops them.
const ZWSP = '&#8203;'
// One pass, so inserted references are never escaped again.
const HAZARD = /[&<>\\`*_~[\]|$]|(?<![A-Za-z0-9])@(?=[A-Za-z0-9])|#(?=\d)|:\/\/|\bwww\./gi
const BLOCK_START = /^(?:[#+\-=]|\d{1,9}[.)])/

function neutralise(hazard: string): string {
  const entity = ENTITIES[hazard]
  if (entity) return entity
  if (hazard === '://') return `:${ZWSP}//`
  if (hazard.length > 1) return `${hazard.slice(0, -1)}${ZWSP}.`
  return `${hazard}${ZWSP}`
}

/**
 * Text safe anywhere in GitHub markdown outside code blocks (paragraphs, list items, table cells,
 * `<summary>`): no raw HTML, no emphasis/link/image/table syntax, no @-mentions, no issue
 * references or autolinks, no line breaks. Renders as the original characters.
 */
export function escapeMarkdown(text: string): string {
  const escaped = clean(text).replace(HAZARD, neutralise)
  // At the start of a line or list item these would make a heading or a list.
  return escaped.replace(BLOCK_START, (marker) => {
    const last = marker.charCodeAt(marker.length - 1)
    return `${marker.slice(0, -1)}&#${last};`
  })
}

export const NAME_MAX = 200

/** A name rendered in a monospace element, escaped and shortened. */
export function code(name: string): string {
  return `<code>${escapeMarkdown(truncate(clean(name), NAME_MAX))}</code>`
}

/** A name as plain escaped text, shortened. */
export function plain(name: string, max = NAME_MAX): string {
  return escapeMarkdown(truncate(clean(name), max))
}

/**
 * A fenced code block whose fence is longer than any backtick run inside it. Lines are cleaned,
 * so nothing inside can start a line of its own and close the fence.
 */
export function codeBlock(lang: string, lines: readonly string[]): string {
  const body = lines.map(clean)
  let longest = 0
  for (const line of body)
    for (const run of line.match(/`+/g) ?? []) longest = Math.max(longest, run.length)
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return [`${fence}${lang}`, ...body, fence].join('\n')
}

/** Only a plain http(s) URL without characters that could end a markdown link destination. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined
  return /^https?:\/\/[^\s<>()[\]"'`\\]+$/.test(url) ? url : undefined
}
