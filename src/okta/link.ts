/**
 * The `rel="next"` URL of a Link header. Okta sends one header line per relation; fetch joins them
 * with ", ", and URLs may contain commas themselves, so entries are split only before a `<`.
 */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined
  for (const entry of header.split(/,\s*(?=<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(entry)
    if (!match) continue
    const [, url, params] = match
    const rels = /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(params ?? '')?.[1]?.split(/\s+/) ?? []
    if (rels.includes('next')) return url
  }
  return undefined
}
