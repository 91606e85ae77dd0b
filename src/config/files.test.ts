import { execFileSync } from 'node:child_process'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { configFixture, type ConfigFixture } from '../../test/fixtures/config.ts'

let fixture: ConfigFixture | undefined
afterEach(async () => {
  await fixture?.remove()
  fixture = undefined
})

const SECRET = 'okta-token-SECRET-123456'
const TEAM = 'teams:\n  - name: Inside\n'

/** A fixture with `teams/ok.yaml` and a `.env`-style file holding SECRET beside (outside) the config folder. */
async function withOutsideSecret() {
  fixture = await configFixture({ 'ok.yaml': TEAM })
  const outside = path.join(fixture.cwd, 'outside')
  await mkdir(outside)
  await writeFile(path.join(outside, '.env'), `OKTA_API_TOKEN=${SECRET}\n`)
  await writeFile(path.join(outside, 'secret.yaml'), `teams:\n  - name: ${SECRET}\n`)
  return { cwd: fixture.cwd, teams: path.join(fixture.cwd, 'teams'), outside }
}

const brief = (p: { file: string; message: string }) => `${p.file}: ${p.message}`

describe('config files stay inside the config folder', () => {
  it('refuses a file link to a .env file outside, naming the link, without quoting the target', async () => {
    const { teams, outside } = await withOutsideSecret()
    await symlink(path.join(outside, '.env'), path.join(teams, 'leak.yaml'))
    const problems = await fixture!.problems()
    expect(problems).toEqual([
      {
        file: 'teams/leak.yaml',
        line: 1,
        col: 1,
        message:
          '`teams/leak.yaml` is a link that leads outside the config folder `teams`, so it was not read',
        hint: expect.stringContaining('copy the file into it, or remove the link'),
      },
    ])
    expect(JSON.stringify(problems)).not.toContain(SECRET)
  })

  it('refuses a link to /proc/self/environ', async () => {
    const { teams } = await withOutsideSecret()
    await symlink('/proc/self/environ', path.join(teams, 'leak.yaml'))
    const problems = await fixture!.problems({ OKTA: SECRET })
    expect(problems.map(brief)).toEqual([
      'teams/leak.yaml: `teams/leak.yaml` is a link that leads outside the config folder `teams`, so it was not read',
    ])
  })

  it('refuses a folder link leading outside, and a relative link climbing out', async () => {
    const { teams, outside } = await withOutsideSecret()
    await symlink(outside, path.join(teams, 'shared'))
    await symlink('../outside/secret.yaml', path.join(teams, 'up.yml'))
    const problems = await fixture!.problems()
    expect(problems.map(brief)).toEqual([
      'teams/shared: `teams/shared` is a link that leads outside the config folder `teams`, so it was not read',
      'teams/up.yml: `teams/up.yml` is a link that leads outside the config folder `teams`, so it was not read',
    ])
    expect(JSON.stringify(problems)).not.toContain(SECRET)
  })

  it('refuses a dangling link and a loop of links', async () => {
    const { teams } = await withOutsideSecret()
    await symlink('missing.yaml', path.join(teams, 'gone.yaml'))
    await symlink('loop-b.yaml', path.join(teams, 'loop-a.yaml'))
    await symlink('loop-a.yaml', path.join(teams, 'loop-b.yaml'))
    const problems = await fixture!.problems()
    expect(problems.map((p) => `${p.file}: ${p.message} (${p.hint})`)).toEqual([
      'teams/gone.yaml: `teams/gone.yaml` is a link to something that does not exist (a dangling link), so it was not read (Remove the link, or point it at a file inside the config folder.)',
      'teams/loop-a.yaml: `teams/loop-a.yaml` is a link that leads back to itself (a loop of links), so it was not read (Remove the link, or point it at a file inside the config folder.)',
      'teams/loop-b.yaml: `teams/loop-b.yaml` is a link that leads back to itself (a loop of links), so it was not read (Remove the link, or point it at a file inside the config folder.)',
    ])
  })

  it('reads links to files and folders inside, each real folder once, in sorted order', async () => {
    fixture = await configFixture({
      'a.yaml': 'teams:\n  - name: A\n',
      'real/b.yaml': 'teams:\n  - name: B\n',
    })
    const teams = path.join(fixture.cwd, 'teams')
    await symlink('a.yaml', path.join(teams, 'c.yaml'))
    await symlink('a.yaml', path.join(teams, 'not-yaml.txt'))
    await symlink('real', path.join(teams, 'linked'))
    await symlink('..', path.join(teams, 'real', 'up'))
    await writeFile(path.join(teams, 'a.yaml'), 'teams:\n  - name: A\n')
    const result = await fixture.load()
    // c.yaml is a second name for a.yaml: read twice, so team A is declared twice, named at both.
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.problems.map(brief)).toEqual([
      'teams/c.yaml: team "A" in org "Main Org." is declared twice: also at teams/a.yaml:2:5',
    ])
  })

  it('follows a linked folder inside the tree once, with its files named by the link', async () => {
    fixture = await configFixture({ 'z-real/b.yaml': 'teams:\n  - name: B\n' })
    const teams = path.join(fixture.cwd, 'teams')
    await symlink('z-real', path.join(teams, 'a-link'))
    await symlink('.', path.join(teams, 'self'))
    const result = await fixture.load()
    expect(result.ok && result.config.files).toEqual(['teams/a-link/b.yaml'])
  })

  it('follows a config path that is itself a link, and keeps links inside it to its real folder', async () => {
    fixture = await configFixture({})
    const real = path.join(fixture.cwd, 'real-config')
    await mkdir(real)
    await writeFile(path.join(real, 'a.yaml'), TEAM)
    await writeFile(path.join(fixture.cwd, 'sibling.yaml'), TEAM)
    await symlink('real-config', path.join(fixture.cwd, 'teams'))
    await symlink('../sibling.yaml', path.join(real, 'b.yaml'))
    const problems = await fixture.problems()
    expect(problems.map(brief)).toEqual([
      'teams/b.yaml: `teams/b.yaml` is a link that leads outside the config folder `teams`, so it was not read',
    ])
  })

  it('skips names starting with a dot and matches .yaml and .yml in any case', async () => {
    fixture = await configFixture({
      '.hidden.yaml': 'not: [valid',
      '.git/config.yaml': 'not: [valid',
      'A.YAML': 'teams:\n  - name: A\n',
      'b.Yml': 'teams:\n  - name: B\n',
      'c.yaml.bak': 'not: [valid',
    })
    const result = await fixture.load()
    expect(result.ok && result.config.files).toEqual(['teams/A.YAML', 'teams/b.Yml'])
  })

  it('refuses a FIFO without opening it (opening one would wait for a writer)', async () => {
    fixture = await configFixture({ 'ok.yaml': TEAM })
    execFileSync('mkfifo', [path.join(fixture.cwd, 'teams', 'pipe.yaml')])
    await symlink('pipe.yaml', path.join(fixture.cwd, 'teams', 'to-pipe.yaml'))
    const problems = await fixture.problems()
    expect(problems.map(brief)).toEqual([
      'teams/pipe.yaml: `teams/pipe.yaml` is a named pipe (FIFO), not a regular file, so it was not read',
      'teams/to-pipe.yaml: `teams/to-pipe.yaml` is a named pipe (FIFO), not a regular file, so it was not read',
    ])
  })

  it('refuses a socket and a device', async () => {
    fixture = await configFixture({ 'ok.yaml': TEAM })
    const server = createServer()
    await new Promise<void>((resolve) =>
      server.listen(path.join(fixture!.cwd, 'teams', 'sock.yaml'), resolve),
    )
    try {
      await symlink('/dev/zero', path.join(fixture.cwd, 'teams', 'zero.yaml'))
      const problems = await fixture.problems()
      expect(problems.map(brief)).toEqual([
        'teams/sock.yaml: `teams/sock.yaml` is a socket, not a regular file, so it was not read',
        'teams/zero.yaml: `teams/zero.yaml` is a link that leads outside the config folder `teams`, so it was not read',
      ])
    } finally {
      server.close()
    }
  })

  it('refuses binary content and text that is not UTF-8, without quoting it', async () => {
    fixture = await configFixture({ 'ok.yaml': TEAM })
    const teams = path.join(fixture.cwd, 'teams')
    await writeFile(path.join(teams, 'env.yaml'), `A=1\nOKTA=${SECRET}\0B=2\0`)
    await writeFile(
      path.join(teams, 'latin1.yaml'),
      Buffer.concat([Buffer.from(`teams:\n  - name: ${SECRET}`), Buffer.from([0xe9, 0x0a])]),
    )
    const problems = await fixture.problems()
    expect(problems.map(brief)).toEqual([
      'teams/env.yaml: the file holds binary data (a NUL byte on line 2), not YAML text, so it was not read',
      'teams/latin1.yaml: the file is not UTF-8 text (an invalid byte on line 2), so it was not read',
    ])
    expect(JSON.stringify(problems)).not.toContain(SECRET)
  })
})
