// Plain-text lines of the CLI.
import type { ConfigProblem, ConfigSummary } from '../config/index.ts'

/** `path:line:col: message (hint)`, the form editors and terminals link to the place. */
export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`
}

export function describeSummary(configPath: string, s: ConfigSummary): string {
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
  return (
    `${configPath} is valid: ${count(s.files, 'file')}, ${count(s.orgs.length, 'org')}, ` +
    `${count(s.teams, 'team')}, ${count(s.oktaGroups.length, 'Okta group')}, ` +
    `${count(s.people, 'person', 'people')}, ${count(s.users, 'local user')}.`
  )
}

export function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`
}
