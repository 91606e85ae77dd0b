import { open } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { configFixture, type ConfigFixture } from '../../test/fixtures/config.ts'

let fixture: ConfigFixture | undefined
afterEach(async () => {
  await fixture?.remove()
  fixture = undefined
})

async function problemsOf(files: Record<string, string>) {
  fixture = await configFixture(files)
  return fixture.problems()
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
  it('refuses an alias bomb at its first alias', async () => {
    const problems = await problemsOf({ 'bomb.yaml': billionLaughs() })
    expect(problems).toEqual([
      {
        file: 'teams/bomb.yaml',
        line: 2,
        col: 10,
        message:
          'YAML aliases expand too much (over 100 alias expansions); refusing a possible alias bomb',
        hint: 'Write the values out, or use fewer nested anchors and aliases (`&name` / `*name`).',
      },
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
