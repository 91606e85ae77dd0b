import { existsSync, readFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import packageJson from '../../package.json' with { type: 'json' }
import { makeWorkspace, requireBuild, runCli, type Workspace } from './harness.ts'
import { CONTRACT_EXAMPLE_YAML, OKTA_TOKEN, startWorld, teamMembers, type World } from './world.ts'
import { listenOnLoopback } from '../fakes/http.ts'

let world: World | undefined
let ws: Workspace | undefined
beforeAll(requireBuild)
afterEach(async () => {
  await world?.close()
  ws?.remove()
  world = undefined
  ws = undefined
})

const credentials = (w: World) => ({
  GRAFANA_URL: w.grafana.url,
  GRAFANA_TOKEN: w.grafanaToken,
  OKTA_DOMAIN: w.okta.url,
  OKTA_API_TOKEN: OKTA_TOKEN,
})

describe('CLI validate', () => {
  it('prints a short summary and exits 0 for a valid config, offline', async () => {
    world = await startWorld()
    const ran = await runCli(['validate'], world.ws)
    expect(ran.code).toBe(0)
    expect(ran.stdout).toMatch(/^teams is valid: 1 file, .*1 team/)
    expect(world.grafana.requests).toEqual([])
  })

  it('prints path:line:col: message (hint) per problem and exits 1', async () => {
    ws = makeWorkspace({ 'grafana/bad.yaml': 'teams:\n  - name: T\n    colour: red\n' })
    const ran = await runCli(['validate', '--config', 'grafana'], ws)
    expect(ran.code).toBe(1)
    expect(ran.stdout).toMatch(/^grafana\/bad\.yaml:3:5: unknown key `colour`.* \(.+\)\n$/)
  })

  it('prints only a JSON document with --json', async () => {
    ws = makeWorkspace({ 'teams/bad.yaml': 'teams:\n  - name: T\n    colour: red\n' })
    const ran = await runCli(['validate', '--json'], ws)
    expect(ran.code).toBe(1)
    const doc = JSON.parse(ran.stdout) as {
      valid: boolean
      problems: { file: string; line: number }[]
    }
    expect(doc).toMatchObject({ valid: false, problems: [{ file: 'teams/bad.yaml', line: 3 }] })
  })
})

describe('CLI validate: the config format of the contract', () => {
  it('accepts the contract example verbatim and summarizes it, offline and without secrets', async () => {
    ws = makeWorkspace({ 'teams/example.yaml': CONTRACT_EXAMPLE_YAML })
    const ran = await runCli(['validate', '--json'], ws)
    expect(ran.stderr).toBe('')
    expect(ran.code).toBe(0)
    expect(JSON.parse(ran.stdout)).toEqual({
      version: 1,
      mode: 'validate',
      configPath: 'teams',
      valid: true,
      summary: {
        files: 1,
        orgs: ['Main Org.'],
        teams: 2,
        oktaGroups: [
          'Engineering',
          'Everyone',
          'Grafana-Admins',
          'Group1',
          'Platform-Engineers',
          'Platform-Leads',
        ],
        people: 3,
        users: 1,
      },
    })
  })

  it('reads .yaml and .yml files recursively, with options before the command and --config=DIR', async () => {
    ws = makeWorkspace({
      'grafana/b/teams.yml': 'teams:\n  - name: B\n',
      'grafana/a.yaml': 'settings:\n  defaultOrg: Ops\n',
      'grafana/notes.txt': 'not config',
    })
    const ran = await runCli(['--config=grafana', 'validate'], ws)
    expect(ran.code).toBe(0)
    expect(ran.stdout).toBe(
      'grafana is valid: 2 files, 1 org, 1 team, 0 Okta groups, 0 people, 0 local users.\n',
    )
  })

  it('names --config when the config path is missing or holds no YAML file', async () => {
    ws = makeWorkspace({ 'empty/README.md': 'nothing here' })
    for (const config of ['nowhere', 'empty']) {
      const ran = await runCli(['validate', '--config', config], ws)
      expect(ran.code).toBe(1)
      expect(ran.stdout).toMatch(new RegExp(`^${config}:1:1: .*--config`))
    }
  })

  it('prints the problems of an invalid config as JSON on stdout and as lines on stderr for plan --json', async () => {
    world = await startWorld({ 'teams/bad.yaml': 'teem:\n  - name: T\n' })
    const ran = await runCli(['plan', '--json', '--out', 'plan.json'], world.ws, credentials(world))
    expect(ran.code).toBe(1)
    const doc = { version: 1, mode: 'plan', configPath: 'teams', valid: false }
    expect(JSON.parse(ran.stdout)).toMatchObject({
      ...doc,
      problems: [
        {
          file: 'teams/bad.yaml',
          line: 1,
          col: 1,
          hint: expect.stringMatching(/^Did you mean `teams`/),
        },
      ],
    })
    expect(JSON.parse(readFileSync(join(world.ws.dir, 'plan.json'), 'utf8'))).toMatchObject(doc)
    expect(ran.stderr).toContain('teams/bad.yaml:1:1: unknown key `teem` at the top level')
    expect(world.grafana.requests).toEqual([])
  })

  it('reports config problems before missing credentials', async () => {
    ws = makeWorkspace({ 'teams/bad.yaml': 'teams:\n  - name: T\n    colour: red\n' })
    const ran = await runCli(['plan'], ws)
    expect(ran.code).toBe(1)
    expect(ran.stderr).toMatch(/^teams\/bad\.yaml:3:5: unknown key `colour`/)
    expect(ran.stderr).not.toContain('GRAFANA_URL')
  })

  it('exits 1 naming --out when the document cannot be written', async () => {
    ws = makeWorkspace({ 'teams/a.yaml': 'teams:\n  - name: T\n' })
    const ran = await runCli(['validate', '--out', 'missing/dir/v.json'], ws)
    expect(ran.code).toBe(1)
    expect(ran.stderr).toBe('error: cannot write --out missing/dir/v.json (ENOENT)\n')
  })

  it('rejects an unknown option with a short message, exit 1 and nothing on stdout', async () => {
    ws = makeWorkspace({})
    const ran = await runCli(['plan', '--detailed-exit-code'], ws)
    expect(ran.code).toBe(1)
    expect(ran.stdout).toBe('')
    expect(ran.stderr).toBe(
      'grafana-team-sync: unknown option --detailed-exit-code (did you mean --detailed-exitcode?)\n' +
        'Run "grafana-team-sync --help" for usage.\n',
    )
  })
})

describe('CLI plan and apply', () => {
  it('plans (0), reports pending changes with --detailed-exitcode (2), applies (0), then has nothing to do (0)', async () => {
    world = await startWorld()
    const env = credentials(world)
    const plan = await runCli(['plan'], world.ws, env)
    expect(plan.code).toBe(0)
    expect(plan.stdout).toContain('Platform')
    expect(plan.stderr).toContain('reading Grafana')
    expect((await runCli(['plan', '--detailed-exitcode'], world.ws, env)).code).toBe(2)
    expect(world.grafana.writes()).toEqual([])

    const apply = await runCli(['apply'], world.ws, env)
    expect(apply.code).toBe(0)
    expect(teamMembers(world.grafana, 'Platform')).toEqual(['bob:A', 'carol', 'dave', 'erin'])

    const again = await runCli(['plan', '--detailed-exitcode'], world.ws, env)
    expect(again.code).toBe(0)
    for (const secret of world.secrets) {
      for (const text of [plan.stdout, plan.stderr, apply.stdout, apply.stderr])
        expect(text).not.toContain(secret)
    }
  })

  it('prints only the JSON plan on stdout with --json and writes it with --out', async () => {
    world = await startWorld()
    const ran = await runCli(['plan', '--json', '--out', 'plan.json'], world.ws, credentials(world))
    expect(ran.code).toBe(0)
    const doc: unknown = JSON.parse(ran.stdout)
    expect(JSON.stringify(doc)).toContain('add-team-member')
    const file = join(world.ws.dir, 'plan.json')
    expect(existsSync(file)).toBe(true)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(doc)
    expect(ran.stderr).not.toBe('')
  })

  it('exits 1 naming the variables when Grafana credentials are missing', async () => {
    world = await startWorld()
    const ran = await runCli(['plan'], world.ws, {})
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain('GRAFANA_URL')
    expect(ran.stdout).toBe('')
  })

  it('exits 1 when Grafana rejects the token, without printing it', async () => {
    world = await startWorld()
    const ran = await runCli(['plan'], world.ws, {
      ...credentials(world),
      GRAFANA_TOKEN: 'glsa_bad_SECRET',
    })
    expect(ran.code).toBe(1)
    expect(ran.stderr).toMatch(/error: .*401/)
    expect(ran.stderr + ran.stdout).not.toContain('glsa_bad_SECRET')
  })

  it('exits 1 when a safety guard blocks the apply, and applies with --force', async () => {
    world = await startWorld()
    const { bob, carol, mallory, dave, erin } = world.users
    const extra = ['p1', 'p2', 'p3', 'p4'].map((login) =>
      world!.grafana.addUser({ login, email: `${login}@acme.example`, orgs: { 1: 'Viewer' } }),
    )
    world.grafana.addTeam(1, 'Platform', {
      email: 'platform@acme.example',
      members: [bob, carol, dave, erin, mallory, ...extra].map(
        (userId) => ({ userId, permission: userId === bob ? 4 : 0 }) as const,
      ),
    })
    const env = credentials(world)
    const blocked = await runCli(['apply'], world.ws, env)
    expect(blocked.code).toBe(1)
    expect(blocked.stderr).toContain('maxRemovalsPerTeam')
    expect(world.grafana.writes()).toEqual([])
    const forced = await runCli(['apply', '--force'], world.ws, env)
    expect(forced.code).toBe(0)
    expect(teamMembers(world.grafana, 'Platform')).toEqual(['bob:A', 'carol', 'dave', 'erin'])
  })
})

describe('CLI service addresses', () => {
  it('plans against a Grafana served under a sub-path', async () => {
    world = await startWorld()
    const proxy = await subPathProxy('/grafana', world.grafana.url)
    try {
      const ran = await runCli(['plan', '--detailed-exitcode'], world.ws, {
        ...credentials(world),
        GRAFANA_URL: `${proxy.url}/grafana/`,
      })
      expect(ran.stderr).not.toMatch(/error/i)
      expect(ran.code).toBe(2)
      expect(proxy.paths.length).toBeGreaterThan(0)
      expect(proxy.paths.every((path) => path.startsWith('/grafana/api/'))).toBe(true)
    } finally {
      await proxy.close()
    }
  })

  it('refuses an http:// Okta domain on another host before reading anything', async () => {
    world = await startWorld()
    const ran = await runCli(['plan'], world.ws, {
      ...credentials(world),
      OKTA_DOMAIN: 'http://acme.okta.com',
    })
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain('okta-domain must use https://')
    expect(world.grafana.requests).toEqual([])
    expect(world.okta.requests).toEqual([])
  })
})

/** Serves `target` under `prefix` only, as a reverse proxy in front of a Grafana with a sub-path root URL does. */
async function subPathProxy(prefix: string, target: string) {
  const paths: string[] = []
  const server = createServer((req, res) => {
    const path = req.url ?? '/'
    paths.push(path)
    if (!path.startsWith(`${prefix}/`)) return void res.writeHead(404).end('{}')
    const upstream = request(
      `${target}${path.slice(prefix.length)}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    req.pipe(upstream)
  })
  const { url, close } = await listenOnLoopback(server)
  return { url, paths, close }
}

describe('CLI help and usage', () => {
  it('prints the version and the help', async () => {
    ws = makeWorkspace({})
    expect((await runCli(['--version'], ws)).stdout).toBe(`${packageJson.version}\n`)
    const help = await runCli(['--help'], ws)
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--detailed-exitcode')
  })

  it('exits 1 with the usage when run without a command outside Actions', async () => {
    ws = makeWorkspace({})
    const ran = await runCli([], ws)
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain('Usage: grafana-team-sync')
    const unknown = await runCli(['destroy'], ws)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('destroy')
  })
})
