// A pull request that adds links and special files to the config folder: the bundle, run as the
// runner runs it, names each refused entry and never opens its target, so no secret reaches any output.
import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { commands, REPOSITORY, requireBuild, runAction, type ActionRan } from './harness.ts'
import {
  expectNoSecrets,
  GITHUB_TOKEN,
  OKTA_TOKEN,
  PLATFORM_YAML,
  pullRequestPayload,
  startWorld,
  type World,
} from './world.ts'

let world: World
beforeAll(requireBuild)
afterEach(async () => {
  await world?.close()
})

/** In a `.env`-style file beside the repository, and in the action's environment. */
const DOTENV_SECRET = 'dotenv-SECRET-value-e2e-42'

const OPS_YAML = 'teams:\n  - name: Ops\n    members: { users: [dave@acme.example] }\n'

function planOnPullRequest(w: World, inputs: Record<string, string> = {}): Promise<ActionRan> {
  return runAction(w.ws, {
    event: 'pull_request',
    ref: 'refs/pull/12/merge',
    payload: pullRequestPayload(12),
    githubToken: GITHUB_TOKEN,
    apiUrl: w.github.url,
    inputs: { ...w.credentials, mode: 'plan', ...inputs },
    env: { DEPLOY_KEY: DOTENV_SECRET },
  })
}

/** Outside the repository (GITHUB_WORKSPACE): a `.env` file and a folder of YAML, both with the secret. */
function writeOutside(w: World): { dotenv: string; folder: string } {
  const base = dirname(w.ws.dir)
  const folder = join(base, 'outside')
  mkdirSync(folder)
  const dotenv = join(base, '.env')
  writeFileSync(dotenv, `OKTA_API_TOKEN=${OKTA_TOKEN}\nDEPLOY_KEY=${DOTENV_SECRET}\n`)
  writeFileSync(join(folder, 'teams.yaml'), `teams:\n  - name: ${DOTENV_SECRET}\n`)
  return { dotenv, folder }
}

function expectNothingRead(w: World): void {
  expect(w.grafana.requests).toEqual([])
  expect(w.okta.requests).toEqual([])
}

describe('hostile files in the config folder of a pull request', () => {
  it('refuses links leading outside, dangling links and a FIFO, naming each, and leaks nothing', async () => {
    world = await startWorld({ 'teams/platform.yaml': PLATFORM_YAML, 'teams/ops.txt': OPS_YAML })
    const teams = join(world.ws.dir, 'teams')
    const { dotenv, folder } = writeOutside(world)
    symlinkSync('/proc/self/environ', join(teams, 'leak.yaml'))
    symlinkSync(dotenv, join(teams, 'env.yaml'))
    symlinkSync(folder, join(teams, 'shared'))
    symlinkSync('missing.yaml', join(teams, 'gone.yaml'))
    execFileSync('mkfifo', [join(teams, 'pipe.yaml')])
    symlinkSync('ops.txt', join(teams, 'ops.yaml'))

    const ran = await planOnPullRequest(world)

    expect(ran.code).toBe(1)
    const errors = commands(ran.stdout, 'error')
    const outside = 'is a link that leads outside the config folder `teams`, so it was not read'
    expect(errors).toEqual([
      expect.stringContaining(
        '::error file=teams/env.yaml,line=1,col=1::`teams/env.yaml` ' + outside,
      ),
      expect.stringContaining(
        'file=teams/gone.yaml,line=1,col=1::`teams/gone.yaml` is a link to something that does not exist',
      ),
      expect.stringContaining('file=teams/leak.yaml,line=1,col=1::`teams/leak.yaml` ' + outside),
      expect.stringContaining(
        'file=teams/pipe.yaml,line=1,col=1::`teams/pipe.yaml` is a named pipe (FIFO)',
      ),
      expect.stringContaining('file=teams/shared,line=1,col=1::`teams/shared` ' + outside),
    ])
    for (const link of ['leak.yaml', 'env.yaml', 'shared', 'gone.yaml', 'pipe.yaml']) {
      expect(ran.summary).toContain(`teams/${link}`)
    }
    const [comment] = world.github.comments(REPOSITORY, 12)
    expect(comment?.body).toMatch(
      /teams\/leak\.yaml:1:1<\/code> \| .*teams\/leak\.yaml.* is a link that leads outside/,
    )
    expectNothingRead(world)
    world.secrets.push(DOTENV_SECRET)
    expectNoSecrets(world, ran)
  })

  it('plans with a link to a file inside the config folder', async () => {
    world = await startWorld({ 'teams/platform.yaml': PLATFORM_YAML, 'teams/ops.txt': OPS_YAML })
    symlinkSync('ops.txt', join(world.ws.dir, 'teams', 'ops.yaml'))
    const ran = await planOnPullRequest(world)
    expect(commands(ran.stdout, 'error')).toEqual([])
    expect(ran.code).toBe(0)
    expect(ran.outputs.mode).toBe('plan')
    expect(ran.summary).toContain('Ops')
    expect(world.grafana.writes()).toEqual([])
    expectNoSecrets(world, ran)
  })

  it.each([
    ['../outside', 'is outside it'],
    ['linked', 'is a link, or lies in a linked folder, that leads outside it'],
  ])('refuses config-path %s before any request', async (configPath, why) => {
    world = await startWorld()
    const { folder } = writeOutside(world)
    symlinkSync(folder, join(world.ws.dir, 'linked'))
    const ran = await planOnPullRequest(world, { 'config-path': configPath })
    expect(ran.code).toBe(1)
    const message = `input "config-path" must be a folder or file inside the workspace (GITHUB_WORKSPACE); "${configPath}" ${why}`
    expect(commands(ran.stdout, 'error').join('\n')).toContain(message)
    expect(ran.summary).toContain('config-path')
    expectNothingRead(world)
    expect(world.github.requests).toEqual([])
    world.secrets.push(DOTENV_SECRET)
    expectNoSecrets(world, ran)
  })
})
