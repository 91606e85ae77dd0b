// Messages name what is wrong with a short excerpt of the file, never a long stretch of it: a file
// may be anything a pull request links or writes, and messages reach logs, summaries and comments.

/** The most characters of file text one message quotes in one place. */
export const MAX_EXCERPT = 40

/** `text` cut to MAX_EXCERPT characters, with an ellipsis when it was longer. */
export function excerpt(text: string, max = MAX_EXCERPT): string {
  if (text.length <= max) return text
  let cut = text.slice(0, max - 1)
  // Never half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  return `${cut}…`
}

/** An excerpt in double quotes, with control characters escaped. */
export function quoted(text: string): string {
  return JSON.stringify(excerpt(text))
}

/** An excerpt for a `code` span: one line, without backticks that would end it. */
export function inCode(text: string): string {
  return excerpt(text)
    .replace(/[\r\n\t]/g, ' ')
    .replace(/`/g, "'")
}
