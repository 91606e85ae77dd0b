// Prints the CHANGELOG.md section of one version, the body of its GitHub release:
// `node scripts/release-notes.ts 1.2.0` (or `Unreleased`). Exits 1 when the section is missing
// or empty, so a release cannot go out without notes.
import { readFileSync } from 'node:fs'
import path from 'node:path'

/** The text under `## [version]` up to the next `## ` heading or the link definitions. */
export function releaseNotes(changelog: string, version: string): string {
  const lines = changelog.split('\n')
  const start = lines.findIndex((line) => line.startsWith(`## [${version}]`))
  if (start < 0) throw new Error(`CHANGELOG.md has no section "## [${version}]"`)
  const rest = lines.slice(start + 1)
  const end = rest.findIndex((line) => line.startsWith('## ') || /^\[[^\]]+\]: /.test(line))
  const notes = (end < 0 ? rest : rest.slice(0, end)).join('\n').trim()
  if (!notes) throw new Error(`the CHANGELOG.md section "## [${version}]" is empty`)
  return notes
}

if (import.meta.main) {
  const version = process.argv[2]?.replace(/^v/, '')
  if (!version) {
    console.error('usage: node scripts/release-notes.ts <version>')
    process.exit(1)
  }
  const changelog = readFileSync(path.join(import.meta.dirname, '../CHANGELOG.md'), 'utf8')
  try {
    console.log(releaseNotes(changelog, version))
  } catch (error) {
    console.error((error as Error).message)
    process.exit(1)
  }
}
