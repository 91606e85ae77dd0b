import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { writeLargeConfig } from '../../test/fixtures/large-config.ts'
import { loadConfig } from './index.ts'
import { configFixture, type ConfigFixture } from '../../test/fixtures/config.ts'
import type { ConfigProblem } from './types.ts'

let fixture: ConfigFixture | undefined
afterEach(async () => {
  await fixture?.remove()
  fixture = undefined
})

async function problemsOf(
  files: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ConfigProblem[]> {
  fixture = await configFixture(files)
  return fixture.problems(env)
}

/** 1-based line and column of the `nth` occurrence of `needle` in `text`. */
function locate(text: string, needle: string, nth = 1): { line: number; col: number } {
  let index = -1
  for (let i = 0; i < nth; i++) {
    index = text.indexOf(needle, index + 1)
    if (index < 0) throw new Error(`${needle} not found ${nth} times`)
  }
  const before = text.slice(0, index).split('\n')
  return { line: before.length, col: before.at(-1)!.length + 1 }
}

/** The single problem of a one-file config, with its position checked against `needle`. */
async function onlyProblem(
  text: string,
  needle: string,
  nth = 1,
  env: Record<string, string> = {},
) {
  const problems = await problemsOf({ 'config.yaml': text }, env)
  expect(problems).toHaveLength(1)
  const [problem] = problems
  expect(problem).toMatchObject({ file: 'teams/config.yaml', ...locate(text, needle, nth) })
  expect(problem!.hint).toBeTruthy()
  return problem!
}

describe('config problems name file, line and column and say how to fix it', () => {
  it('reports a YAML syntax error where the parser found it', async () => {
    const text = 'teams:\n  - name: A\n  name: B\n    oops\n'
    const problems = await problemsOf({ 'config.yaml': text })
    expect(problems[0]).toMatchObject({ file: 'teams/config.yaml', line: 3, col: 1 })
    expect(problems[0]!.message).toMatch(/^YAML syntax error: /)
  })

  it('reports an unknown key at the key and suggests the closest known key', async () => {
    const text = 'teams:\n  - name: A\n    memebrs: { users: [ana] }\n'
    const problem = await onlyProblem(text, 'memebrs')
    expect(problem.message).toBe('unknown key `memebrs` in teams[0]')
    expect(problem.hint).toBe(
      'Did you mean `members`? Allowed here: name, renamedFrom, org, email, preferences, members, admins, instances.',
    )
  })

  it('suggests across spelling styles and at the top level', async () => {
    const text = 'team:\n  - name: A\n'
    expect((await onlyProblem(text, 'team')).hint).toMatch(/^Did you mean `teams`\?/)
    await fixture!.remove()
    const twoEdits = 'teem:\n  - name: A\n'
    expect((await onlyProblem(twoEdits, 'teem')).hint).toMatch(/^Did you mean `teams`\?/)
    await fixture!.remove()
    const snake = 'teams:\n  - name: A\n    members: { okta_groups: [G] }\n'
    const problem = await onlyProblem(snake, 'okta_groups')
    expect(problem.message).toBe('unknown key `okta_groups` in teams[0].members')
    expect(problem.hint).toMatch(/^Did you mean `oktaGroups`\?/)
  })

  it('reports a misspelt required key once, as the unknown key with its fix', async () => {
    const text = 'teams:\n  - nme: Platform\n'
    const problem = await onlyProblem(text, 'nme')
    expect(problem.message).toBe('unknown key `nme` in teams[0]')
    expect(problem.hint).toMatch(/^Did you mean `name`\?/)
  })

  it('reports a wrong type at the value', async () => {
    const text = 'teams:\n  - name: A\n    members:\n      users: ana@acme.example\n'
    const problem = await onlyProblem(text, 'ana@acme.example')
    expect(problem.message).toBe('teams[0].members.users must be a list, not "ana@acme.example"')
    expect(problem.hint).toMatch(/one `- item` per line/)
  })

  it('reports a file that is not a mapping', async () => {
    const problem = await onlyProblem('- name: A\n', '- name')
    expect(problem.message).toMatch(/^a config file must be a mapping with the top-level keys/)
  })

  it('reports a missing name at the entry and an empty name at the value', async () => {
    const missing = await onlyProblem('teams:\n  - email: a@acme.example\n', 'email')
    expect(missing.message).toBe('teams[0] is missing `name`')
    await fixture!.remove()
    const empty = await onlyProblem('orgs:\n  - name: "  "\n', '"  "')
    expect(empty.message).toBe('orgs[0].name: must not be empty')
  })

  it('reports invalid email addresses of teams, users and people', async () => {
    const text = `teams:
  - name: A
    email: platform-at-acme
    members: { users: [ana@acme, bob] }
users:
  - login: tv
    email: tv@
`
    const problems = await problemsOf({ 'config.yaml': text })
    expect(problems).toEqual([
      {
        file: 'teams/config.yaml',
        ...locate(text, 'platform-at-acme'),
        message: 'teams[0].email: "platform-at-acme" is not a valid email address',
        hint: 'Write a full address such as ana@acme.example.',
      },
      {
        file: 'teams/config.yaml',
        ...locate(text, 'ana@acme'),
        message:
          'teams[0].members.users[0]: "ana@acme" looks like an email address but is not a valid one',
        hint: 'A person is an email address such as ana@acme.example or a Grafana login.',
      },
      {
        file: 'teams/config.yaml',
        ...locate(text, 'tv@'),
        message: 'users[0].email: "tv@" is not a valid email address',
        hint: 'Write a full address such as ana@acme.example.',
      },
    ])
  })

  it('reports an invalid org role, theme, time zone and week start at each value', async () => {
    const text = `users:
  - login: tv
    orgRoles: { Main Org.: Owner }
teams:
  - name: A
    preferences:
      theme: blue
      timezone: Mars/Olympus
      weekStart: tuesday
`
    const problems = await problemsOf({ 'config.yaml': text })
    expect(problems.map(({ line, col, message }) => ({ line, col, message }))).toEqual([
      {
        ...locate(text, 'Owner'),
        message:
          'users[0].orgRoles["Main Org."] must be one of "Viewer", "Editor", "Admin", not "Owner"',
      },
      {
        ...locate(text, 'blue'),
        message:
          'teams[0].preferences.theme must be one of "light", "dark", "system", "", not "blue"',
      },
      {
        ...locate(text, 'Mars/Olympus'),
        message: 'teams[0].preferences.timezone: "Mars/Olympus" is not a time zone',
      },
      {
        ...locate(text, 'tuesday'),
        message:
          'teams[0].preferences.weekStart must be one of "monday", "sunday", "saturday", "", not "tuesday"',
      },
    ])
    expect(problems[2]!.hint).toBe(
      'Use "utc", "browser", "" (the default) or an IANA zone such as Europe/Berlin.',
    )
  })

  it('accepts utc, browser, an empty time zone and IANA zones', async () => {
    fixture = await configFixture({
      'config.yaml': `teams:
  - { name: A, preferences: { timezone: utc } }
  - { name: B, preferences: { timezone: browser } }
  - { name: C, preferences: { timezone: "" } }
  - { name: D, preferences: { timezone: America/Argentina/Buenos_Aires } }
`,
    })
    expect((await fixture.load()).ok).toBe(true)
  })

  it('accepts IANA aliases and other casings of a zone, not only canonical names', async () => {
    fixture = await configFixture({
      'config.yaml': `teams:
  - { name: A, preferences: { timezone: UTC } }
  - { name: B, preferences: { timezone: US/Eastern } }
  - { name: C, preferences: { timezone: europe/berlin } }
`,
    })
    expect((await fixture.load()).ok).toBe(true)
  })

  it('suggests the closest allowed value for a misspelt one', async () => {
    const problem = await onlyProblem('settings:\n  identity: emial\n', 'emial')
    expect(problem.hint).toBe('Did you mean "email"?')
  })

  it('reports a team declared twice, naming the first place', async () => {
    const a = 'teams:\n  - name: Platform\n'
    const b = 'teams:\n  - name: Other\n  - name: Platform\n    org: Main Org.\n'
    const problems = await problemsOf({ 'a.yaml': a, 'b.yaml': b })
    expect(problems).toEqual([
      {
        file: 'teams/b.yaml',
        ...locate(b, 'Platform'),
        message: 'team "Platform" in org "Main Org." is declared twice: also at teams/a.yaml:2:5',
        hint: 'Declare it once: merge the two entries into one, or rename one of them.',
      },
    ])
  })

  it('allows the same team name in two orgs', async () => {
    fixture = await configFixture({
      'a.yaml': 'teams:\n  - name: Platform\n  - name: Platform\n    org: Partners\n',
    })
    expect((await fixture.load()).ok).toBe(true)
  })

  it('reports an org declared twice and a user declared twice with a different case', async () => {
    const text = `orgs:
  - name: Partners
  - name: Partners
users:
  - login: office-tv
  - login: Office-TV
`
    const problems = await problemsOf({ 'config.yaml': text })
    expect(problems.map(({ line, col, message }) => ({ line, col, message }))).toEqual([
      {
        ...locate(text, 'Partners', 2),
        message: 'org "Partners" is declared twice: also at teams/config.yaml:2:5',
      },
      {
        ...locate(text, 'Office-TV'),
        message: 'user "Office-TV" is declared twice: also at teams/config.yaml:5:5',
      },
    ])
  })

  it('reports two local users with one email, which Grafana allows one account', async () => {
    const text = `users:
  - login: tv-1
    email: tv@acme.example
  - login: tv-2
    email: TV@acme.example
`
    const problem = await onlyProblem(text, 'TV@acme.example')
    expect(problem.message).toBe(
      'email "TV@acme.example" is declared twice: also at teams/config.yaml:3:12',
    )
  })

  it('compares org names case-insensitively and reads an old org name as the renamed org', async () => {
    const text = `orgs:
  - name: Partners
    renamedFrom: Vendors
  - name: partners
teams:
  - name: Platform
  - name: Platform
    org: main org.
  - name: Support
    org: Vendors
  - name: Support
    org: Partners
`
    const problems = await problemsOf({ 'config.yaml': text })
    expect(problems.map(({ line, col, message }) => ({ line, col, message }))).toEqual([
      {
        ...locate(text, 'partners'),
        message: 'org "partners" is declared twice: also at teams/config.yaml:2:5',
      },
      {
        ...locate(text, 'Platform', 2),
        message:
          'team "Platform" in org "main org." is declared twice: also at teams/config.yaml:6:5',
      },
      {
        ...locate(text, 'Support', 2),
        message:
          'team "Support" in org "Partners" is declared twice: also at teams/config.yaml:9:5',
      },
    ])
  })

  it('reports an old org name taken over twice or still declared as an org', async () => {
    const text = `orgs:
  - name: A
    renamedFrom: Old
  - name: B
    renamedFrom: old
  - name: C
    renamedFrom: A
`
    const problems = await problemsOf({ 'config.yaml': text })
    expect(problems.map(({ line, col, message }) => ({ line, col, message }))).toEqual([
      {
        ...locate(text, 'old'),
        message: 'org "B" is renamed from "old", and so is org "A" at teams/config.yaml:2:5',
      },
      {
        ...locate(text, 'A', 2),
        message:
          'org "C" is renamed from "A", which is also declared as an org at teams/config.yaml:2:5',
      },
    ])
  })

  it('reports a mappings team that is also declared under teams, naming both places', async () => {
    const teams = 'teams:\n  - name: Frontend\n'
    const mappings = 'mappings:\n  - okta_group: Frontend-Engineers\n    grafana_team: Frontend\n'
    const problems = await problemsOf({ 'teams.yaml': teams, 'mappings.yaml': mappings })
    expect(problems).toEqual([
      {
        file: 'teams/mappings.yaml',
        ...locate(mappings, 'Frontend\n'),
        message:
          'team "Frontend" in org "Main Org." is in `mappings` and also declared under `teams` at teams/teams.yaml:2:5',
        hint: 'Declare it once: add "Frontend-Engineers" to that team\'s members.oktaGroups and remove this mapping.',
      },
    ])
  })

  it('refuses a password written in YAML', async () => {
    const text = 'users:\n  - login: tv\n    password: hunter2\n'
    const problem = await onlyProblem(text, 'hunter2')
    expect(problem.message).toBe(
      'users[0].password must be `{ env: NAME }`, not a password written in YAML',
    )
    expect(problem.message + problem.hint).not.toContain('hunter2')
    expect(problem.hint).toMatch(/^Never put a password in YAML/)
  })

  it('reports an unset ${VAR} at its value', async () => {
    const text = 'teams:\n  - name: A\n    email: ${TEAM_EMAIL}\n'
    const problem = await onlyProblem(text, '${TEAM_EMAIL}')
    expect(problem.message).toBe('environment variable `TEAM_EMAIL` is not set')
    expect(problem.hint).toMatch(/^Set TEAM_EMAIL in the environment/)
  })

  it('names the ${VAR} template, never the value, when a value from the environment is wrong', async () => {
    const text = 'teams:\n  - name: A\n    email: ${TEAM_EMAIL}\n'
    const problem = await onlyProblem(text, '${TEAM_EMAIL}', 1, { TEAM_EMAIL: 'tok_9f8e7d' })
    expect(problem.message).toBe(
      'teams[0].email: the value of `${TEAM_EMAIL}` is not a valid email address',
    )
  })

  it('reports a malformed ${ reference', async () => {
    const problem = await onlyProblem('teams:\n  - name: ${TEAM\n', '${TEAM')
    expect(problem.message).toBe('`${` starts a variable reference that is never closed with `}`')
  })

  it('does not need the password variable of a local user, which only creating it reads', async () => {
    fixture = await configFixture({
      'config.yaml': 'users:\n  - login: tv\n    password: { env: TV_PASSWORD }\n',
    })
    const result = await fixture.load({})
    expect(result.ok && result.config.users).toEqual([
      expect.objectContaining({ login: 'tv', passwordEnv: 'TV_PASSWORD' }),
    ])
  })

  it('reports a settings key set in two files, naming the first', async () => {
    const a = 'settings:\n  safety:\n    maxRemovals: 10\n'
    const b = 'settings:\n  safety: { maxRemovals: 20, protectedUsers: [admin] }\n'
    const problems = await problemsOf({ 'a.yaml': a, 'b.yaml': b })
    expect(problems).toEqual([
      {
        file: 'teams/b.yaml',
        ...locate(b, 'maxRemovals'),
        message: 'settings.safety.maxRemovals is set twice: also at teams/a.yaml:3:5',
        hint: 'Set each settings key in one file only; remove one of the two.',
      },
    ])
  })

  it.each([['"25"'], ['"150%"'], ['-1'], ['2.5'], ['"ten%"'], ['[10]']])(
    'reports maxRemovals %s as neither a whole number nor a percent',
    async (value) => {
      const text = `settings:\n  safety:\n    maxRemovals: ${value}\n`
      const problem = await onlyProblem(text, value)
      expect(problem.message).toBe(
        `settings.safety.maxRemovals must be a whole number (0 or more) or a percent from 0% to 100%, not ${value.startsWith('[') ? 'a list' : value}`,
      )
    },
  )

  it('reports an empty Okta group reference and an id: without an id', async () => {
    const text = 'teams:\n  - name: A\n    members: { oktaGroups: ["", "id:"] }\n'
    const problems = await problemsOf({ 'config.yaml': text })
    expect(problems.map(({ line, col, message }) => ({ line, col, message }))).toEqual([
      { ...locate(text, '""'), message: 'teams[0].members.oktaGroups[0]: must not be empty' },
      {
        ...locate(text, '"id:"'),
        message: 'teams[0].members.oktaGroups[1]: `id:` must be followed by the Okta group id',
      },
    ])
  })

  it('explains an id written with a space after the colon', async () => {
    const text = 'teams:\n  - name: A\n    members:\n      oktaGroups:\n        - id: 00g1abc\n'
    const problem = await onlyProblem(text, 'id: 00g1abc')
    expect(problem.hint).toMatch(/without a space after the colon/)
  })

  it('does not require a team org to be declared under orgs', async () => {
    fixture = await configFixture({ 'a.yaml': 'teams:\n  - name: A\n    org: Elsewhere\n' })
    expect((await fixture.load()).ok).toBe(true)
  })

  it('reports a missing config folder and a folder without YAML files', async () => {
    fixture = await configFixture({ 'README.md': '# not config\n' })
    const missing = await loadConfig('nope', { env: {}, cwd: fixture.cwd })
    expect(missing).toEqual({
      ok: false,
      problems: [
        {
          file: 'nope',
          line: 1,
          col: 1,
          message: 'config path `nope` does not exist',
          hint: 'Create the folder with your YAML files, or point `config-path` (CLI: --config) at it.',
        },
      ],
    })
    const empty = await loadConfig('teams', { env: {}, cwd: fixture.cwd })
    expect(empty.ok === false && empty.problems[0]).toMatchObject({
      file: 'teams',
      line: 1,
      col: 1,
      message: 'no *.yaml or *.yml file under `teams`',
    })
  })

  it('reports every problem of every file at once, in file and position order', async () => {
    const a = 'teams:\n  - name: Platform\n    admins: [bob]\n'
    const b = 'settings:\n  missingUsers: never\nteams:\n  - nme: X\n  - name: Platform\n'
    const c = 'orgs: [ { name: A } ]\nbroken: [\n'
    const problems = await problemsOf({ 'a.yaml': a, 'b.yaml': b, 'sub/c.yaml': c })
    expect(problems.map((p) => `${p.file}:${p.line}:${p.col}`)).toEqual([
      'teams/a.yaml:3:13',
      'teams/b.yaml:2:17',
      'teams/b.yaml:4:5',
      'teams/b.yaml:5:11',
      'teams/sub/c.yaml:3:1',
    ])
    // The Platform team of a.yaml has a problem of its own, and is still named as a duplicate.
    expect(problems[3]!.message).toBe(
      'team "Platform" in org "Main Org." is declared twice: also at teams/a.yaml:2:5',
    )
  })
})

describe('problems in a large config keep file, line and column', () => {
  /** A generated 300-team config with `edit` applied to teams-4.yaml; its problems. */
  async function largeConfigProblems(edit: (text: string) => string) {
    const base = await mkdtemp(path.join(os.tmpdir(), 'gts-large-'))
    try {
      await writeLargeConfig(base, 300)
      const files: Record<string, string> = {}
      for (const name of await readdir(base)) {
        files[name] = await readFile(path.join(base, name), 'utf8')
      }
      files['teams-4.yaml'] = edit(files['teams-4.yaml']!)
      return { text: files['teams-4.yaml'], problems: await problemsOf(files) }
    } finally {
      await rm(base, { recursive: true, force: true })
    }
  }

  it('points at an unknown key in a plain file', async () => {
    const { text, problems } = await largeConfigProblems((t) =>
      t.replace('    email: team-130@', '    emial: team-130@'),
    )
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'teams/teams-4.yaml',
        ...locate(text, 'emial'),
        message: 'unknown key `emial` in teams[10]',
      }),
    ])
  })

  it('points at a wrong value inside a one-line flow list', async () => {
    const { text, problems } = await largeConfigProblems((t) =>
      t.replace('user-125-b@acme.example', 'user-125-b@'),
    )
    expect(problems).toEqual([
      expect.objectContaining({ file: 'teams/teams-4.yaml', ...locate(text, 'user-125-b@') }),
    ])
    expect(problems[0]!.message).toContain('teams[5].members.users[1]')
  })

  it('points at a YAML syntax error', async () => {
    const { text, problems } = await largeConfigProblems((t) =>
      t.replace('    org: Partners\n', '    org: Partners\n   oops: 1\n'),
    )
    // The parser reports a misindented line at its start.
    const { line } = locate(text, 'oops')
    expect(problems[0]).toMatchObject({ file: 'teams/teams-4.yaml', line, col: 1 })
    expect(problems[0]!.message).toMatch(/^YAML syntax error/)
  })

  it('points at a duplicate key', async () => {
    const { text, problems } = await largeConfigProblems((t) =>
      t.replace('    org: Main Org.\n', '    org: Main Org.\n    org: Partners\n'),
    )
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'teams/teams-4.yaml',
        ...locate(text, 'org: Partners'),
        message: 'duplicate key: a key may appear only once in a mapping',
      }),
    ])
  })
})

describe('team renames', () => {
  it('refuses two teams renamed from one name, and a rename from a team still declared', async () => {
    const text = `teams:
  - name: A
    renamedFrom: old
  - name: B
    renamedFrom: old
  - name: C
    renamedFrom: A
`
    const fixture = await configFixture({ 'teams.yaml': text })
    try {
      const result = await fixture.load({})
      expect(result.ok).toBe(false)
      const problems = result.ok ? [] : result.problems
      expect(problems.map(({ line, col, message }) => ({ line, col, message }))).toEqual([
        {
          line: 5,
          col: 18,
          message: 'team "B" is renamed from "old", and so is team "A" at teams/teams.yaml:2:5',
        },
        {
          line: 7,
          col: 18,
          message:
            'team "C" is renamed from "A", which is also declared as a team at teams/teams.yaml:2:5',
        },
      ])
    } finally {
      await fixture.remove()
    }
  })
})
