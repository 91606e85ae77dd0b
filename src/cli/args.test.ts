import { describe, expect, it } from 'vitest'
import { isCliInvocation, parseCliArgs, UsageError } from './args.ts'

describe('parseCliArgs', () => {
  it('defaults to the teams folder and no flags', () => {
    expect(parseCliArgs(['plan'])).toEqual({
      command: 'plan',
      config: 'teams',
      json: false,
      out: undefined,
      force: false,
      detailedExitcode: false,
      concurrency: 8,
    })
  })

  it('reads every option in long and short form', () => {
    expect(
      parseCliArgs([
        'apply',
        '-c',
        'grafana',
        '--json',
        '-o',
        'p.json',
        '--force',
        '--detailed-exitcode',
        '--concurrency',
        '4',
      ]),
    ).toEqual({
      command: 'apply',
      config: 'grafana',
      json: true,
      out: 'p.json',
      force: true,
      detailedExitcode: true,
      concurrency: 4,
    })
    expect(parseCliArgs(['validate', '--config=x']).config).toBe('x')
  })

  it('reads options written before the command', () => {
    expect(parseCliArgs(['--config', 'grafana', '--json', 'validate'])).toMatchObject({
      command: 'validate',
      config: 'grafana',
      json: true,
    })
  })

  it.each([
    [['help'], 'help'],
    [['--help'], 'help'],
    [['plan', '-h'], 'help'],
    [['--version'], 'version'],
    [['-v'], 'version'],
  ])('%j → %s', (argv, command) => {
    expect(parseCliArgs(argv).command).toBe(command)
  })

  it.each([
    [[], 'missing command'],
    [['destroy'], 'unknown command "destroy"'],
    [['plan', 'extra'], 'unexpected argument "extra"'],
    [['plan', '--colour'], /^unknown option --colour$/],
    [['plan', '--jsn'], 'unknown option --jsn (did you mean --json?)'],
    [['plan', '--detailed-exit-code'], '(did you mean --detailed-exitcode?)'],
    [['plna'], 'unknown command "plna" (did you mean "plan"?)'],
    [['validate', '--config'], "'-c, --config <value>' argument missing"],
    [['validate', '--config='], '--config must name a folder or file'],
    [['plan', '--concurrency', '0'], '--concurrency must be a whole number from 1 to 64'],
    [['plan', '--concurrency', 'lots'], '--concurrency must be a whole number from 1 to 64'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError)
    expect(() => parseCliArgs(argv)).toThrow(message)
  })
})

describe('isCliInvocation', () => {
  it.each([
    [['plan'], true],
    [['validate', '--config', 'x'], true],
    [['--config', 'teams', 'validate'], true],
    [['--json'], true],
    [['--version'], true],
    [['help'], true],
    [[], false],
  ])('%j → %s', (argv, cli) => {
    expect(isCliInvocation(argv)).toBe(cli)
  })
})

// --- export
describe('parseCliArgs: export', () => {
  it('defaults to writing the teams folder, every org, no Okta groups', () => {
    expect(parseCliArgs(['export'])).toMatchObject({
      command: 'export',
      force: false,
      export: { out: 'teams', orgs: [], oktaGroups: false },
    })
  })

  it('takes the folder, repeated orgs, Okta groups and --force', () => {
    const args = parseCliArgs([
      'export',
      '--out',
      'access',
      '--org',
      'Main Org.',
      '--org',
      'Partners',
      '--okta-groups',
      '--force',
    ])
    expect(args).toMatchObject({
      force: true,
      export: { out: 'access', orgs: ['Main Org.', 'Partners'], oktaGroups: true },
    })
  })

  it('keeps the export options to export', () => {
    expect(() => parseCliArgs(['plan', '--org', 'Main Org.'])).toThrow(
      new UsageError('--org, --okta-groups and --instance belong to export, not to plan'),
    )
    expect(() => parseCliArgs(['apply', '--instance', 'staging'])).toThrow(
      /--instance belong to export, not to apply/,
    )
    expect(parseCliArgs(['export', '--instance', 'staging']).export?.instance).toBe('staging')
    expect(() => parseCliArgs(['export', '--instance', ' '])).toThrow(/--instance must name/)
    expect(() => parseCliArgs(['export', '--org', ' '])).toThrow(/--org must name an org/)
    expect(() => parseCliArgs(['exprot'])).toThrow(/did you mean "export"/)
  })
})
// --- end export

describe('parseCliArgs: serve', () => {
  it('defaults to an apply every 5 minutes on 127.0.0.1:9469 with text logs', () => {
    expect(parseCliArgs(['serve']).serve).toEqual({
      intervalMs: 300_000,
      listen: { host: '127.0.0.1', port: 9469 },
      dryRun: false,
      logFormat: 'text',
    })
  })

  it('reads its flags, and else SYNC_INTERVAL, LISTEN_ADDRESS, DRY_RUN and LOG_FORMAT', () => {
    const env = {
      SYNC_INTERVAL: '1h',
      LISTEN_ADDRESS: '0.0.0.0:9000',
      DRY_RUN: 'true',
      LOG_FORMAT: 'json',
    }
    expect(parseCliArgs(['serve'], env).serve).toEqual({
      intervalMs: 3_600_000,
      listen: { host: '0.0.0.0', port: 9000 },
      dryRun: true,
      logFormat: 'json',
    })
    const flags = ['serve', '--interval', '30s', '--listen', ':1', '--log-format', 'text']
    expect(parseCliArgs(flags, env).serve).toEqual({
      intervalMs: 30_000,
      listen: { host: '0.0.0.0', port: 1 },
      dryRun: true,
      logFormat: 'text',
    })
  })

  it.each([
    [['serve', '--force'], {}, 'serve has no --force: a run that trips a safety guard is blocked'],
    [['serve', '--json'], {}, 'serve logs events (--log-format json) and has no --json'],
    [['serve', '--metrics-file', 'm.prom'], {}, 'its metrics are at /metrics'],
    [['serve', '--interval', '5'], {}, '--interval: "5" is not a duration: write e.g. 30s'],
    [['serve'], { SYNC_INTERVAL: 'soon' }, 'SYNC_INTERVAL: "soon" is not a duration'],
    [['serve', '--listen', '9469'], {}, '--listen: "9469" is not a listen address'],
    [['serve'], { LOG_FORMAT: 'xml' }, 'LOG_FORMAT: log format must be text or json; got "xml"'],
    [['serve'], { DRY_RUN: 'maybe' }, 'DRY_RUN must be true or false; got "maybe"'],
    [['plan', '--interval', '5m'], {}, '--interval is an option of serve, not of plan'],
    [['apply', '--dry-run'], {}, '--dry-run is an option of serve, not of apply'],
    [['validate', '--metrics-file', 'm.prom'], {}, '--metrics-file is for plan and apply'],
    [['sevre'], {}, 'unknown command "sevre" (did you mean "serve"?)'],
  ])('rejects %j with %j', (argv, env, message) => {
    expect(() => parseCliArgs(argv, env)).toThrow(UsageError)
    expect(() => parseCliArgs(argv, env)).toThrow(message)
  })

  it('takes --metrics-file for plan and apply', () => {
    expect(parseCliArgs(['apply', '--metrics-file', 'out/sync.prom']).metricsFile).toBe(
      'out/sync.prom',
    )
  })
})
