import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { releaseNotes } from '../scripts/release-notes.ts'

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.1.0] - 2027-01-10

### Fixed

- Okta groups with a slash in their name.

## [1.0.0] - 2026-12-20

### Added

- Everything.

[Unreleased]: https://example.test/compare/v1.1.0...HEAD
[1.1.0]: https://example.test/compare/v1.0.0...v1.1.0
`

describe('releaseNotes', () => {
  it('takes the section of one version, without its heading', () => {
    expect(releaseNotes(CHANGELOG, '1.1.0')).toBe(
      '### Fixed\n\n- Okta groups with a slash in their name.',
    )
  })

  it('stops the last section before the link definitions', () => {
    expect(releaseNotes(CHANGELOG, '1.0.0')).toBe('### Added\n\n- Everything.')
  })

  it('refuses a version without a section, and an empty section', () => {
    expect(() => releaseNotes(CHANGELOG, '2.0.0')).toThrow(
      'CHANGELOG.md has no section "## [2.0.0]"',
    )
    expect(() => releaseNotes(CHANGELOG, 'Unreleased')).toThrow('is empty')
  })

  it("keeps this repository's CHANGELOG.md releasable: an Unreleased section, notes for every version", () => {
    const changelog = readFileSync(path.join(import.meta.dirname, '../CHANGELOG.md'), 'utf8')
    expect(changelog).toMatch(/^## \[Unreleased\]$/m)
    const versions = [...changelog.matchAll(/^## \[(\d+\.\d+\.\d+)\]/gm)].map((m) => m[1]!)
    for (const version of versions) expect(releaseNotes(changelog, version)).not.toBe('')
  })
})
