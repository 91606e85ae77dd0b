// The package as npm ships it: packed, installed offline in an empty folder, and run there on
// Node 20, the oldest that package.json's engines admits: GTS_NODE20 names that node, else the
// first `node` on the system PATH (the tests themselves run on the Node 24 of devDependencies).
import { execFileSync, spawnSync } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import packageJson from '../package.json' with { type: 'json' }
import { requireBuild } from './e2e/harness.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const EXAMPLE = path.join(ROOT, 'teams')

/** PATH without this repository's node_modules/.bin, where npm scripts find Node 24. */
const SYSTEM_PATH = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((dir) => !path.resolve(dir).startsWith(path.join(ROOT, 'node_modules')))
  .join(path.delimiter)

/** The first `node` on the system PATH, as a user's terminal or runner would find it. */
function systemNode(): string | undefined {
  for (const dir of SYSTEM_PATH.split(path.delimiter)) {
    const candidate = path.join(dir, 'node')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this folder
    }
  }
  return undefined
}

const NODE = process.env.GTS_NODE20 || systemNode()
const NODE_VERSION = NODE ? execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim() : ''
/** What a program's `#!/usr/bin/env node` finds: Node 20 first. */
const RUN_PATH = [NODE ? path.dirname(NODE) : '', SYSTEM_PATH].join(path.delimiter)

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: RUN_PATH, HOME: process.env.HOME ?? tmpdir() },
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('the bundle on the oldest supported Node', () => {
  it('has a Node 20 to run on', () => {
    expect(NODE_VERSION, `${NODE ?? 'no node'} on the system PATH; set GTS_NODE20`).toMatch(
      /^v20\./,
    )
  })

  it('prints the version and validates the example config with dist/index.js', () => {
    requireBuild()
    const dist = path.join(ROOT, 'dist/index.js')
    expect(run(NODE!, [dist, '--version'], ROOT)).toMatchObject({
      code: 0,
      stdout: `${packageJson.version}\n`,
    })
    const validate = run(NODE!, [dist, 'validate', '--config', EXAMPLE], ROOT)
    expect(validate.stderr).toBe('')
    expect(validate).toMatchObject({ code: 0, stdout: expect.stringMatching(/ is valid: 7 files/) })
  })
})

describe('npm pack', () => {
  let dir: string
  let files: string[]
  let tarball: string

  beforeAll(() => {
    requireBuild()
    dir = mkdtempSync(path.join(tmpdir(), 'gts-pack-'))
    const packed = run('npm', ['pack', '--json', '--pack-destination', dir], ROOT)
    if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`)
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[]
    files = info!.files.map((f) => f.path).sort()
    tarball = path.join(dir, info!.filename)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('ships the bundle, its license notices, the schema, the action and the docs, no sources', () => {
    expect(files).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'action.yml',
      'dist/index.js',
      'dist/licenses.txt',
      'package.json',
      'schema/config.schema.json',
    ])
  })

  it('carries only the version of package.json in the bundle', () => {
    const bundle = readFileSync(path.join(ROOT, 'dist/index.js'), 'utf8')
    expect(bundle).toContain(JSON.stringify(packageJson.version))
    expect(bundle).not.toMatch(/\bdevDependencies\b/)
    expect(bundle).not.toContain(packageJson.description)
  })

  it('names every bundled package in dist/licenses.txt', () => {
    const notices = readFileSync(path.join(ROOT, 'dist/licenses.txt'), 'utf8')
    for (const name of ['@actions/core', '@octokit/core', 'undici', 'yaml', 'zod']) {
      expect(notices).toMatch(new RegExp(`^${name}@\\d+\\.\\d+\\.\\d+ \\((MIT|ISC)\\)`, 'm'))
    }
  })

  it('installs without network in an empty folder and runs --version and validate there', () => {
    const app = mkdtempSync(path.join(dir, 'app-'))
    const install = run(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--no-save', tarball],
      app,
    )
    expect({ code: install.code, stderr: install.stderr }).toMatchObject({ code: 0 })
    expect(install.stderr).not.toMatch(/EBADENGINE|WARN/)
    const bin = path.join(app, 'node_modules/.bin/grafana-team-sync')
    expect(run(bin, ['--version'], app)).toMatchObject({
      code: 0,
      stdout: `${packageJson.version}\n`,
    })
    const validate = run(bin, ['validate', '--config', EXAMPLE], app)
    expect(validate.stderr).toBe('')
    expect(validate).toMatchObject({ code: 0, stdout: expect.stringMatching(/ is valid: 7 files/) })
  })
})
