import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { hasGrafanaCredentials, InputError, parseInputs, readInput } from './inputs.ts'
import { secretInputs } from './secrets.ts'

describe('parseInputs', () => {
  it('applies the action.yml defaults when the runner passes nothing', () => {
    expect(parseInputs({})).toEqual({
      mode: 'auto',
      configPath: 'teams',
      grafanaUrl: undefined,
      grafanaToken: undefined,
      grafanaUsername: undefined,
      grafanaPassword: undefined,
      oktaDomain: undefined,
      oktaApiToken: undefined,
      githubToken: undefined,
      comment: true,
      dryRun: false,
      force: false,
      failOnChanges: false,
      concurrency: 8,
      onPlanChanged: 'warn',
      failureIssue: true,
    })
  })

  it('reads on-plan-changed and failure-issue, and names a bad on-plan-changed', () => {
    const inputs = parseInputs({ 'INPUT_ON-PLAN-CHANGED': 'Fail', 'INPUT_FAILURE-ISSUE': 'false' })
    expect(inputs).toMatchObject({ onPlanChanged: 'fail', failureIssue: false })
    expect(() => parseInputs({ 'INPUT_ON-PLAN-CHANGED': 'block' })).toThrow(
      'input "on-plan-changed" must be warn or fail; got "block"',
    )
  })

  it('reads dashed names the way the runner writes them', () => {
    const inputs = parseInputs({
      'INPUT_CONFIG-PATH': ' grafana/teams ',
      'INPUT_GRAFANA-URL': 'https://grafana.acme.example',
      'INPUT_GRAFANA-TOKEN': 'glsa_x',
      'INPUT_DRY-RUN': 'True',
      'INPUT_FAIL-ON-CHANGES': 'TRUE',
      INPUT_COMMENT: 'false',
      INPUT_MODE: 'Plan',
      INPUT_CONCURRENCY: '16',
    })
    expect(inputs).toMatchObject({
      configPath: 'grafana/teams',
      grafanaUrl: 'https://grafana.acme.example',
      grafanaToken: 'glsa_x',
      dryRun: true,
      failOnChanges: true,
      comment: false,
      mode: 'plan',
      concurrency: 16,
    })
  })

  it('falls back to GITHUB_TOKEN for github-token', () => {
    expect(parseInputs({ GITHUB_TOKEN: 'ghs_env' }).githubToken).toBe('ghs_env')
    expect(
      parseInputs({ GITHUB_TOKEN: 'ghs_env', 'INPUT_GITHUB-TOKEN': 'ghp_in' }).githubToken,
    ).toBe('ghp_in')
  })

  it.each([
    [
      { INPUT_CONCURRENCY: '0' },
      'input "concurrency" must be a whole number from 1 to 64; got "0"',
    ],
    [{ INPUT_CONCURRENCY: '65' }, '"concurrency"'],
    [{ INPUT_CONCURRENCY: '2.5' }, '"concurrency"'],
    [{ INPUT_CONCURRENCY: 'many' }, '"concurrency"'],
    [
      { INPUT_MODE: 'destroy' },
      'input "mode" must be one of auto, validate, plan, apply; got "destroy"',
    ],
    [{ 'INPUT_DRY-RUN': 'yes' }, 'input "dry-run" must be true or false'],
    [{ INPUT_FORCE: '1' }, 'input "force" must be true or false'],
    [
      { 'INPUT_GRAFANA-URL': 'ftp://grafana.acme.example' },
      'input "grafana-url" must be an http(s) URL',
    ],
    [{ 'INPUT_GRAFANA-URL': 'https://admin:pw@' }, 'got "https://***@"'],
  ])('rejects %j naming the input', (env, message) => {
    expect(() => parseInputs(env)).toThrow(InputError)
    expect(() => parseInputs(env)).toThrow(message)
  })

  it('reports every bad input at once', () => {
    expect(() => parseInputs({ INPUT_CONCURRENCY: 'x', INPUT_FORCE: 'maybe' })).toThrow(
      /"force".*"concurrency"|"concurrency".*"force"/,
    )
  })
})

describe('grafana-url', () => {
  it('means https when written without a scheme, as the Grafana client does', () => {
    const inputs = parseInputs({
      'INPUT_GRAFANA-URL': 'grafana.acme.example/grafana',
      'INPUT_GRAFANA-TOKEN': 't',
    })
    expect(inputs.grafanaUrl).toBe('https://grafana.acme.example/grafana')
    expect(hasGrafanaCredentials(inputs)).toBe(true)
  })
})

describe('readInput', () => {
  it('maps spaces to underscores and trims', () => {
    expect(readInput({ INPUT_MY_INPUT: '  x ' }, 'my input')).toBe('x')
  })
})

describe('credentials and secrets', () => {
  it('needs a URL and a token or both halves of basic auth', () => {
    const url = { 'INPUT_GRAFANA-URL': 'http://127.0.0.1:3000' }
    expect(hasGrafanaCredentials(parseInputs(url))).toBe(false)
    expect(hasGrafanaCredentials(parseInputs({ ...url, 'INPUT_GRAFANA-TOKEN': 't' }))).toBe(true)
    expect(hasGrafanaCredentials(parseInputs({ ...url, 'INPUT_GRAFANA-USERNAME': 'u' }))).toBe(
      false,
    )
    expect(
      hasGrafanaCredentials(
        parseInputs({ ...url, 'INPUT_GRAFANA-USERNAME': 'u', 'INPUT_GRAFANA-PASSWORD': 'p' }),
      ),
    ).toBe(true)
    expect(hasGrafanaCredentials(parseInputs({ 'INPUT_GRAFANA-TOKEN': 't' }))).toBe(false)
    expect(
      hasGrafanaCredentials(
        parseInputs({ 'INPUT_GRAFANA-URL': 'https://u:p@grafana.acme.example' }),
      ),
    ).toBe(true)
  })

  it('masks a password written into the URL', () => {
    const secrets = secretInputs({
      'INPUT_GRAFANA-URL': 'https://admin:p%40ss@grafana.acme.example',
    })
    expect(secrets.sort()).toEqual(
      ['p%40ss', 'p@ss', Buffer.from('admin:p@ss').toString('base64')].sort(),
    )
  })

  it('includes the base64 basic-auth value derived from username and password', () => {
    const secrets = secretInputs({
      'INPUT_GRAFANA-USERNAME': 'admin',
      'INPUT_GRAFANA-PASSWORD': 's3cret',
      'INPUT_OKTA-API-TOKEN': 'okta',
      'INPUT_GITHUB-TOKEN': 'ghs',
    })
    expect(secrets.sort()).toEqual(
      ['s3cret', 'okta', 'ghs', Buffer.from('admin:s3cret').toString('base64')].sort(),
    )
  })

  it('masks secrets even when another input is invalid', () => {
    const env = {
      'INPUT_GRAFANA-URL': 'ftp://admin:hunter2@grafana.acme.example',
      'INPUT_GRAFANA-TOKEN': 'glsa_token',
      INPUT_CONCURRENCY: '0',
    }
    expect(() => parseInputs(env)).toThrow(InputError)
    expect(secretInputs(env)).toEqual(
      expect.arrayContaining([
        'glsa_token',
        'hunter2',
        Buffer.from('admin:hunter2').toString('base64'),
      ]),
    )
  })
})

describe('config-path stays inside the workspace', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  function workspace(): { base: string; repo: string } {
    const base = mkdtempSync(path.join(os.tmpdir(), 'gts-inputs-'))
    dirs.push(base)
    const repo = path.join(base, 'repo')
    mkdirSync(path.join(repo, 'teams'), { recursive: true })
    mkdirSync(path.join(base, 'outside'))
    return { base, repo }
  }

  const configPath = (repo: string, value: string) =>
    parseInputs({ GITHUB_WORKSPACE: repo, 'INPUT_CONFIG-PATH': value })

  it('accepts a folder inside, a missing one (the loader reports it) and an inside link', () => {
    const { repo } = workspace()
    symlinkSync('teams', path.join(repo, 'linked'))
    expect(configPath(repo, 'teams').configPath).toBe('teams')
    expect(configPath(repo, './grafana/../teams').configPath).toBe('./grafana/../teams')
    expect(configPath(repo, 'not-yet').configPath).toBe('not-yet')
    expect(configPath(repo, 'linked').configPath).toBe('linked')
    expect(configPath(repo, path.join(repo, 'teams')).configPath).toBe(path.join(repo, 'teams'))
  })

  it.each([
    ['../outside', 'is outside it'],
    ['/etc', 'is outside it'],
    ['teams/../../outside', 'is outside it'],
  ])('refuses %s before anything is read', (value, why) => {
    const { repo } = workspace()
    expect(() => configPath(repo, value)).toThrow(
      new InputError(
        `Invalid action input: input "config-path" must be a folder or file inside the workspace (GITHUB_WORKSPACE); "${value}" ${why}. Fix the step's "with:" block.`,
      ),
    )
  })

  it('refuses a linked folder, or a folder inside one, that leads outside', () => {
    const { base, repo } = workspace()
    symlinkSync(path.join(base, 'outside'), path.join(repo, 'config'))
    mkdirSync(path.join(base, 'outside', 'teams'))
    for (const value of ['config', 'config/teams']) {
      expect(() => configPath(repo, value)).toThrow(
        `"${value}" is a link, or lies in a linked folder, that leads outside it`,
      )
    }
  })
})
