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
      new UsageError('--org and --okta-groups belong to export, not to plan'),
    )
    expect(() => parseCliArgs(['export', '--org', ' '])).toThrow(/--org must name an org/)
    expect(() => parseCliArgs(['exprot'])).toThrow(/did you mean "export"/)
  })
})
// --- end export
