import { open } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { seededRandom } from '../../test/random.ts'
import { configFixture, type ConfigFixture } from '../../test/fixtures/config.ts'

let fixture: ConfigFixture | undefined
afterEach(async () => {
  await fixture?.remove()
  fixture = undefined
})

async function problemsOf(files: Record<string, string>) {
  fixture = await configFixture(files)
  return fixture.problems({ A: 'from-env' })
}

/** Nine levels of nine aliases each: 9^9 strings once expanded. */
function billionLaughs(): string {
  const lines = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]']
  for (let i = 1; i < 10; i++)
    lines.push(
      `l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    )
  return lines.join('\n') + '\n'
}

describe('hostile YAML is refused with a clear problem, never a crash or hang', () => {
  it('refuses an alias bomb at the alias where its expansion passes the limit', async () => {
    const problems = await problemsOf({ 'bomb.yaml': billionLaughs() })
    expect(problems).toEqual([
      {
        file: 'teams/bomb.yaml',
        line: 6,
        col: 10,
        message:
          'YAML aliases in this file expand to more than 100000 values (reached at this use of `*l4`); refusing what could be an alias bomb',
        hint: 'Split the file into several smaller files (aliases count per file), or write the repeated values out instead of nesting anchors and aliases (`&name` / `*name`).',
      },
    ])
  })

  it('accepts one anchor used by 1000 teams: the expanded size counts, not the number of aliases', async () => {
    const teams = Array.from({ length: 1000 }, (_, i) => `  - name: T${i}\n    members: *common\n`)
    fixture = await configFixture({
      'shared.yaml': `x-common: &common\n  users: [ana@acme.example, bob@acme.example]\n`,
      'teams.yaml':
        `settings: { defaultOrg: &org Main Org. }\nteams:\n  - name: First\n    org: *org\n    members: &common { users: [ana@acme.example, bob@acme.example] }\n` +
        teams.join(''),
    })
    const result = await fixture.load()
    const problems = result.ok ? [] : result.problems.map((p) => `${p.file}:${p.line} ${p.message}`)
    // The other file's anchor is not visible here, and its key is unknown: aliases are per file.
    expect(problems).toEqual(['teams/shared.yaml:1 unknown key `x-common` at the top level'])
    fixture = await configFixture({
      'teams.yaml':
        'teams:\n  - name: First\n    members: &common { users: [ana@acme.example] }\n' +
        teams.join(''),
    })
    const loaded = await fixture.load()
    expect(loaded.ok && loaded.config.teams.length).toBe(1001)
    expect(loaded.ok && loaded.config.teams[1000]!.members.users.map((u) => u.value)).toEqual([
      'ana@acme.example',
    ])
  })

  it('refuses an alias inside its own anchor, which would be endless', async () => {
    const problems = await problemsOf({
      'loop.yaml': 'teams:\n  - &team\n    name: A\n    admins: *team\n',
    })
    expect(problems.map(({ line, col, message }) => ({ line, col, message }))).toEqual([
      {
        line: 4,
        col: 13,
        message:
          'YAML alias `*team` is inside the value of its own anchor `&team`, which would make that value endless',
      },
    ])
  })

  it('reads many keys and aliases in linear time (no quadratic duplicate or alias lookups)', async () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `  k${i}: *v\n`).join('')
    const started = performance.now()
    const problems = await problemsOf({ 'wide.yaml': `x: &v 1\nteams:\n${keys}` })
    expect(performance.now() - started).toBeLessThan(20_000)
    expect(problems.map((p) => p.message)).toEqual([
      'unknown key `x` at the top level',
      'teams must be a list, not a mapping',
    ])
  })

  it('refuses a 50 MB file without reading it', async () => {
    fixture = await configFixture({ 'ok.yaml': 'teams: [{ name: A }]\n' })
    const big = await open(path.join(fixture.cwd, 'teams', 'huge.yaml'), 'w')
    // A sparse file: its size is what a stat reports, nothing is written or read.
    await big.truncate(50 * 1024 * 1024)
    await big.close()
    const problems = await fixture.problems()
    expect(problems).toEqual([
      {
        file: 'teams/huge.yaml',
        line: 1,
        col: 1,
        message: 'file is 50 MiB; config files are limited to 5 MiB each, so it was not read',
        hint: 'Split the config into several smaller files, or move this file out of the config path if it is not config.',
      },
    ])
  })

  it('refuses custom and standard tags, at the tagged value', async () => {
    const problems = await problemsOf({
      'tags.yaml': 'teams:\n  - name: !shell rm -rf /\n    email: !!binary aGVsbG8=\n',
    })
    expect(problems.map(({ line, col, message }) => ({ line, col, message }))).toEqual([
      { line: 2, col: 18, message: 'YAML tag `!shell` is not supported in config files' },
      { line: 3, col: 21, message: 'YAML tag `!!binary` is not supported in config files' },
    ])
  })

  it('refuses a duplicate key in a mapping', async () => {
    const problems = await problemsOf({
      'dup.yaml': 'teams:\n  - name: A\n    name: B\n',
    })
    expect(problems).toEqual([
      {
        file: 'teams/dup.yaml',
        line: 3,
        col: 5,
        message: 'duplicate key: a key may appear only once in a mapping',
        hint: 'Remove one of the two entries or merge them.',
      },
    ])
  })

  it('refuses runaway nesting of flow and block collections', async () => {
    const flow = 'teams: ' + '['.repeat(100_000) + '\n'
    const block =
      'teams:\n' + Array.from({ length: 100 }, (_, i) => ' '.repeat(i + 1) + '-\n').join('')
    const problems = await problemsOf({ 'flow.yaml': flow, 'block.yaml': block })
    const messages = problems.map((p) => `${p.file}: ${p.message}`)
    expect(messages).toContain('teams/block.yaml: YAML nesting is deeper than 64 levels')
    expect(messages).toContain('teams/flow.yaml: YAML nesting is too deep to parse')
    expect(problems.length).toBeLessThanOrEqual(12)
  })

  it('refuses a non-string key and a __proto__ key without touching prototypes', async () => {
    const problems = await problemsOf({
      'keys.yaml': '? [a, b]\n: 1\nteams:\n  - name: A\n',
      'proto.yaml': 'teams:\n  - name: B\n    __proto__: { polluted: true }\n',
    })
    expect(problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.message}`)).toEqual([
      'teams/keys.yaml:1:3 a mapping key must be plain text, not a list or mapping',
      'teams/proto.yaml:3:5 unknown key `__proto__` in teams[0]',
    ])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('reports an alias to an anchor that does not exist at that alias', async () => {
    const problems = await problemsOf({
      'alias.yaml':
        'teams:\n  - name: A\n    members: &m { users: [ana] }\n  - name: B\n    members: *n\n',
    })
    expect(problems).toMatchObject([
      {
        file: 'teams/alias.yaml',
        line: 5,
        col: 14,
        message: 'YAML alias error: Unresolved alias (the anchor must be set before the alias): n',
      },
    ])
  })
})

/** 200 characters that never repeat a 41-character stretch, standing for file content. */
const MARK = Array.from({ length: 20 }, (_, i) => `S${String(i).padStart(2, '0')}cret_Xq`).join('')

/** The longest stretch of MARK that `text` quotes. */
function longestQuote(text: string): number {
  let longest = 0
  for (let start = 0; start < MARK.length; start++) {
    let length = longest + 1
    while (start + length <= MARK.length && text.includes(MARK.slice(start, start + length))) {
      longest = length++
    }
  }
  return longest
}

describe('messages quote at most a short excerpt of the file', () => {
  it.each([
    ['an unknown key', `teams:\n  - name: A\n    ${MARK}: 1\n`],
    ['a wrong value', `settings:\n  identity: ${MARK}\n`],
    ['a wrong type', `teams:\n  - name: [${MARK}]\n    email: ${MARK}\n`],
    ['an odd key in a path', `users:\n  - login: a\n    orgRoles: { "${MARK} x": Boss }\n`],
    ['a tag', `teams:\n  - name: !${MARK} A\n`],
    ['an alias', `teams:\n  - name: *${MARK}\n`],
    ['a variable reference', `teams:\n  - name: "\${${MARK}-x}"\n`],
    ['an unset variable', `teams:\n  - name: "\${${MARK}}"\n`],
    ['a template', `settings:\n  identity: "${MARK}\${A}"\n`],
    ['a block scalar header', `teams:\n  - name: |${MARK}\n      x\n`],
    ['a bad escape', `teams:\n  - name: "\\q${MARK}"\n`],
    ['a long implicit key', `teams:\n  - ${MARK.repeat(6)}: 1\n`],
    ['a twice-declared team', `teams:\n  - name: ${MARK}\n  - name: ${MARK}\n`],
    [
      'a mapping in teams',
      `mappings:\n  - { okta_group: ${MARK}, grafana_team: T }\nteams:\n  - name: T\n`,
    ],
    ['a renamed org', `orgs:\n  - name: ${MARK}\n    renamedFrom: B\n  - name: B\n`],
    ['a syntax error on a long line', `teams: [${MARK}, ${MARK}\n`],
  ])('%s', async (_, text) => {
    const problems = await problemsOf({ 'x.yaml': text })
    expect(problems.length).toBeGreaterThan(0)
    expect(longestQuote(JSON.stringify(problems))).toBeLessThanOrEqual(40)
  })

  it('a 4 MiB line: a clear problem, no crash, no long quote', async () => {
    const line = MARK.repeat((4 * 1024 * 1024) / MARK.length)
    const problems = await problemsOf({ 'long.yaml': `teams:\n  - name: A\n    email: ${line}\n` })
    expect(problems.map((p) => `${p.line}:${p.col} ${p.message}`)).toEqual([
      `3:12 teams[0].email: "${MARK.slice(0, 39)}…" is not a valid email address`,
    ])
  })
})

describe('`${VAR}` unquoted in a flow collection', () => {
  it('hints at quoting it', async () => {
    const problems = await problemsOf({
      'flow.yaml': 'teams:\n  - name: A\n    members: { users: [ana, ${LEAD}] }\n',
    })
    expect(problems).toEqual([
      expect.objectContaining({
        line: 3,
        message: 'YAML syntax error: Missing , or : between flow sequence items',
        hint: '`${LEAD}` inside `[ ]` or `{ }` must be quoted, or YAML reads `{` as the start of a mapping: write `["${LEAD}"]`.',
      }),
    ])
  })

  it('loads it once quoted', async () => {
    fixture = await configFixture({
      'flow.yaml': 'teams:\n  - name: A\n    members: { users: [ana, "${LEAD}"] }\n',
    })
    const result = await fixture.load({ LEAD: 'bob' })
    expect(result.ok && result.config.teams[0]!.members.users.map((u) => u.value)).toEqual([
      'ana',
      'bob',
    ])
  })
})

describe('generated hostile files', () => {
  /** Pieces of YAML and not-YAML that parsers trip over, glued at random. */
  const PIECES = [
    'teams:\n',
    '  - name: ',
    '[',
    ']',
    '{',
    '}',
    ', ',
    ': ',
    '&a ',
    '*a',
    '*b',
    '&b [*a, *a, *a, *a]',
    '!tag ',
    '"',
    "'",
    '\\x',
    '${',
    '${A}',
    '}',
    '\n',
    '\n    ',
    '- ',
    '? ',
    '|',
    '>-',
    '---\n',
    '#',
    `OKTA_API_TOKEN=${MARK}\n`,
    MARK,
    '\t',
    '\r',
    '\u2028',
    '\uFEFF',
    '\u00e9',
  ]

  function hostileText(random: () => number): string {
    const parts: string[] = []
    const count = 1 + Math.floor(random() * 200)
    for (let i = 0; i < count; i++) {
      const piece = PIECES[Math.floor(random() * PIECES.length)]!
      parts.push(random() < 0.05 ? piece.repeat(1 + Math.floor(random() * 500)) : piece)
    }
    return parts.join('')
  }

  it('never crash, never hang and never quote more than a short excerpt', async () => {
    const random = seededRandom(11)
    const files: Record<string, string> = {}
    for (let i = 0; i < 80; i++) files[`f${String(i).padStart(3, '0')}.yaml`] = hostileText(random)
    const started = performance.now()
    fixture = await configFixture(files)
    const result = await fixture.load({ A: MARK })
    expect(performance.now() - started).toBeLessThan(20_000)
    const problems = result.ok ? [] : result.problems
    expect(problems.length).toBeGreaterThan(50)
    for (const problem of problems) {
      expect(problem.file).toMatch(/^teams\/f\d{3}\.yaml$/)
      expect(problem.line).toBeGreaterThanOrEqual(1)
      expect(longestQuote(JSON.stringify(problem))).toBeLessThanOrEqual(40)
    }
  })
})
