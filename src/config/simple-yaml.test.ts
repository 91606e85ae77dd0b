import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeLargeConfig } from '../../test/fixtures/large-config.ts'
import { parseSimpleYaml } from './simple-yaml.ts'
import { parseFullYaml } from './yaml.ts'

/** The fast path's reading of `text`, checked against the full parser; undefined when it leaves it. */
function readBoth(text: string): 'simple' | 'full' {
  const simple = parseSimpleYaml(text)
  if (!simple) return 'full'
  const full = parseFullYaml(text)
  expect(full.ok, `the full parser rejects ${JSON.stringify(text)}`).toBe(true)
  if (!full.ok) return 'full'
  expect(simple.value).toStrictEqual(full.value)
  const sorted = (entries: [string, unknown][]) =>
    [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const mine = simple.positions.entries()
  const theirs = full.positions.entries()
  expect(sorted(mine.keys)).toEqual(sorted(theirs.keys))
  expect(sorted(mine.values)).toEqual(sorted(theirs.values))
  return 'simple'
}

const CONFIG = `# Platform teams
settings:
  defaultOrg: Main Org.
  safety: { maxRemovals: 50, maxRemovalsPerTeam: "25%" }
  okta:
    memberStatuses: [ACTIVE, 'LOCKED_OUT']
teams:
  - name: Platform   # the core team
    org: Partners
    email: platform@acme.example
    preferences: { theme: dark, timezone: Europe/Berlin, weekStart: monday }
    members:
      users:
      - ana@acme.example
      - 'it''s-me'
      oktaGroups: [Platform-Engineers, "id:00g1abc", 12, 1.5e3, null, true]

  - name: \${TEAM_NAME}
    members:
      # nobody yet
      users: []
mappings:
  - { grafana_team: Ops, okta_group: Ops-Oncall }
users:
  - login: office-tv
    orgRoles:
      Main Org.: Viewer
`

describe('the fast path for plain YAML', () => {
  it('reads a typical config exactly as the full parser does, with every position', () => {
    expect(readBoth(CONFIG)).toBe('simple')
  })

  it('reads a generated large config exactly as the full parser does', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gts-simple-yaml-'))
    try {
      await writeLargeConfig(dir, 200)
      const names = await readdir(dir)
      const readings: Record<string, string> = {}
      for (const name of names)
        readings[name] = readBoth(await readFile(path.join(dir, name), 'utf8'))
      expect(readings).toEqual(Object.fromEntries(names.map((name) => [name, 'simple'])))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it.each([
    'a: b # c',
    "a: 'it''s'",
    'a: -1',
    '- -1',
    'a: ~',
    'a: nULL',
    'a: 0o17',
    'a: 017',
    'a: 0x1f',
    'a: .5',
    'a: +.inf',
    'a: .NaN',
    'a: 1_000',
    'a: yes',
    'a: 2024-01-01',
    'a: 12:30',
    'a: http://x.y/z',
    'a: x, y',
    'a: x]',
    'a: $${VAR}',
    '"1": a',
    '"": x',
    '-a: b',
    'toString: 1',
    '__proto__: 1',
    'a: [ ]',
    'a: {}',
    'a: [a b, c]',
    'a: [a,b]',
    'a: {a: b,c: d}',
    'a: [x] #c',
    'a: x # y # z',
    'a : b',
    'a: b :c',
    'a: é',
    'a: \u00a0x',
    '  a: 1\n  b: 2',
    'a:\n- b\n- c\nd: e',
    'a:\n# x\n  b: 1',
    'a: 1\n  # deep comment\nb: 2',
    '- a: 1\n  b: 2\n- c',
    '- a:\n  - b',
    'a:\n  -\n    b: 1',
  ])('reads %j as the full parser does', (text) => {
    expect(readBoth(text)).toBe('simple')
  })

  it.each([
    ['a duplicate key', 'a: 1\na: 2'],
    ['a duplicate key in a flow mapping', 'a: {b: 1, b: 2}'],
    ['an empty value', 'a:\nb: 1'],
    ['a value on the line after its key', 'a:\n  b'],
    ['a multi-line plain scalar', 'a: b\n  c'],
    ['a multi-line quoted scalar', "a: 'b\n  c'"],
    ['a multi-line flow list', 'a: [b,\n  c]'],
    ['a nested flow collection', 'a: { users: [b] }'],
    ['a trailing comma', 'a: [a, b, ]'],
    ['a double-quoted escape', 'a: "x\\ty"'],
    ['an anchor and an alias', 'a: &x y\nb: *x'],
    ['a tag', 'a: !!str 1'],
    ['a block scalar', 'a: |\n  x'],
    ['an explicit key', '? a\n: b'],
    ['a key that is not text', '1: a'],
    ['a merge key', '<<: x'],
    ['a document marker', '---\na: 1'],
    ['a directive', '%YAML 1.2\n---\na: 1'],
    ['carriage returns', 'a: 1\r\nb: 2'],
    ['a byte-order mark', '\uFEFFa: 1'],
    ['a tab', 'a:\tb'],
    ['a misaligned key', 'a:\n  b: 1\n c: 2'],
    ['a compact nested list', '- - a'],
    ['a block list in a flow list', 'a: [- a]'],
    ['a comment stuck to a value', 'a: "x"#c'],
    ['a reserved indicator', 'a: @x'],
    ['a nested mapping on one line', 'a: b: c'],
    ['a scalar document', 'a'],
    ['an empty document', '# only a comment\n'],
  ])('leaves %s to the full parser', (_, text) => {
    expect(parseSimpleYaml(text)).toBeUndefined()
  })

  it('never reads a mutated config differently from the full parser', () => {
    const pieces = [' ', ':', ': ', '-', '- ', '#', ' #', '"', "'", '[', ']', '{', '}', ',']
    const more = ['\n', '\n  ', 'a', '1', '\t', '&a ', '*a', '!', '|', '>', '?', '%', '@', '\\']
    const insertions = [...pieces, ...more, 'true', '~', '---', '<<', '0x', '.', 'null', 'é']
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    const readings = { simple: 0, full: 0 }
    for (let i = 0; i < 600; i++) {
      let text = CONFIG
      for (let edit = random(3); edit >= 0; edit--) {
        const at = random(text.length)
        text =
          random(2) === 0
            ? text.slice(0, at) + insertions[random(insertions.length)]! + text.slice(at)
            : text.slice(0, at) + text.slice(at + 1 + random(3))
      }
      readings[readBoth(text)]++
    }
    // Both paths are exercised: many mutants stay plain, many do not.
    expect(readings.simple).toBeGreaterThan(100)
    expect(readings.full).toBeGreaterThan(100)
  })
})
