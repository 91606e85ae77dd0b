import { describe, expect, it } from 'vitest'
import {
  dispatchDryRun,
  isForkPullRequest,
  resolveMode,
  type EventPayload,
  type ModeContext,
  type ModeInput,
} from './mode.ts'

function ctx(
  over: Partial<ModeContext> & { mode?: ModeInput; dryRun?: boolean } = {},
): ModeContext {
  const { mode = 'auto', dryRun = false, ...rest } = over
  return {
    eventName: 'push',
    ref: 'refs/heads/main',
    defaultBranch: 'main',
    payload: {},
    inputs: { mode, dryRun },
    hasCredentials: true,
    isFork: false,
    ...rest,
  }
}

describe('resolveMode in auto mode follows the event', () => {
  it.each([
    ['pull_request', 'refs/pull/7/merge', 'plan'],
    ['pull_request_target', 'refs/heads/main', 'plan'],
    ['merge_group', 'refs/heads/gh-readonly-queue/main/pr-1', 'plan'],
    ['push', 'refs/heads/main', 'apply'],
    ['push', 'refs/heads/feature', 'plan'],
    ['push', 'refs/tags/v1', 'plan'],
    ['schedule', 'refs/heads/main', 'apply'],
    ['workflow_dispatch', 'refs/heads/main', 'apply'],
  ])('%s on %s → %s', (eventName, ref, mode) => {
    expect(resolveMode(ctx({ eventName, ref })).mode).toBe(mode)
  })

  it('plans a push when the default branch is unknown', () => {
    expect(resolveMode(ctx({ defaultBranch: undefined })).mode).toBe('plan')
  })

  it('refuses an event it has no rule for, naming the event and the mode input', () => {
    const decision = resolveMode(ctx({ eventName: 'release' }))
    expect(decision.mode).toBe('refused')
    expect(decision.reason).toContain('release')
    expect(decision.reason).toContain('mode input')
  })
})

describe('resolveMode with dry-run', () => {
  it.each(['push', 'schedule', 'workflow_dispatch'])(
    'the dry-run input turns apply on %s into plan',
    (eventName) => {
      expect(resolveMode(ctx({ eventName, dryRun: true })).mode).toBe('plan')
    },
  )

  it.each([true, 'true', 'TRUE'])('workflow_dispatch input dry-run=%s plans', (value) => {
    const payload: EventPayload = { inputs: { 'dry-run': value } }
    expect(resolveMode(ctx({ eventName: 'workflow_dispatch', payload })).mode).toBe('plan')
  })

  it.each([false, 'false', undefined])('workflow_dispatch input dry-run=%s applies', (value) => {
    const payload: EventPayload = { inputs: { 'dry-run': value } }
    expect(resolveMode(ctx({ eventName: 'workflow_dispatch', payload })).mode).toBe('apply')
  })

  it('ignores a dry-run key in the payload of other events', () => {
    expect(dispatchDryRun({ inputs: { 'dry-run': 'true' } })).toBe(true)
    const payload: EventPayload = { inputs: { 'dry-run': 'true' } }
    expect(resolveMode(ctx({ eventName: 'schedule', payload })).mode).toBe('apply')
  })

  it('dry-run forces an explicit apply to plan', () => {
    expect(resolveMode(ctx({ mode: 'apply', dryRun: true })).mode).toBe('plan')
  })
})

describe('resolveMode with an explicit mode', () => {
  it.each([
    ['validate', 'push', 'validate'],
    ['plan', 'push', 'plan'],
    ['apply', 'push', 'apply'],
    ['apply', 'workflow_dispatch', 'apply'],
    ['validate', 'pull_request', 'validate'],
    ['plan', 'pull_request', 'plan'],
    ['apply', 'repository_dispatch', 'apply'],
  ] as const)('mode %s on %s → %s', (mode, eventName, expected) => {
    expect(resolveMode(ctx({ mode, eventName, ref: 'refs/heads/feature' })).mode).toBe(expected)
  })

  it.each(['pull_request', 'pull_request_target', 'merge_group'])(
    'refuses apply on %s with a message naming the fix',
    (eventName) => {
      const decision = resolveMode(ctx({ mode: 'apply', eventName }))
      expect(decision.mode).toBe('refused')
      expect(decision.reason).toContain(eventName)
      expect(decision.reason).toContain('"plan"')
    },
  )
})

describe('resolveMode falls back to validate when Grafana cannot be read', () => {
  it('validates a fork pull request with a notice', () => {
    const decision = resolveMode(ctx({ eventName: 'pull_request', isFork: true }))
    expect(decision).toMatchObject({ mode: 'validate' })
    expect('notice' in decision && decision.notice).toContain('fork')
    expect('notice' in decision && decision.notice).toContain('planned and applied after merge')
  })

  it('validates without credentials with a notice naming the inputs', () => {
    const decision = resolveMode(ctx({ hasCredentials: false }))
    expect(decision.mode).toBe('validate')
    expect('notice' in decision && decision.notice).toContain('grafana-url')
  })

  it('tells a Dependabot pull request without credentials why it has none', () => {
    const decision = resolveMode(
      ctx({ eventName: 'pull_request', hasCredentials: false, actor: 'dependabot[bot]' }),
    )
    expect(decision.mode).toBe('validate')
    expect('notice' in decision && decision.notice).toContain('Dependabot secrets')
  })

  it('falls back for an explicit plan too, so fork PRs of a plan job stay green', () => {
    expect(resolveMode(ctx({ mode: 'plan', eventName: 'pull_request', isFork: true })).mode).toBe(
      'validate',
    )
  })

  it('needs no notice for an explicit validate', () => {
    expect(resolveMode(ctx({ mode: 'validate', hasCredentials: false }))).not.toHaveProperty(
      'notice',
    )
  })

  it('still refuses apply on a fork pull request', () => {
    expect(resolveMode(ctx({ mode: 'apply', eventName: 'pull_request', isFork: true })).mode).toBe(
      'refused',
    )
  })
})

describe('isForkPullRequest', () => {
  const repository = { full_name: 'acme/grafana' }
  const head = (full_name: string) => ({ head: { repo: { full_name } } })
  it.each([
    [{ repository, pull_request: head('acme/grafana') }, false],
    [{ repository, pull_request: head('Acme/Grafana') }, false],
    [{ repository, pull_request: head('mallory/grafana') }, true],
    [{ repository, pull_request: { head: { repo: null } } }, true],
    [{ repository, pull_request: { number: 42 } }, false],
    [{ repository, pull_request: { head: { repo: { fork: true } } } }, true],
    [{ repository, pull_request: { head: { repo: { ...repository, fork: true } } } }, false],
    [{ repository }, false],
    [{ pull_request: { ...head('mallory/grafana'), base: { repo: repository } } }, true],
  ] as [EventPayload, boolean][])('%j → %s', (payload, fork) => {
    expect(isForkPullRequest(payload)).toBe(fork)
  })

  it('compares with GITHUB_REPOSITORY when the payload names no base repository', () => {
    expect(isForkPullRequest({ pull_request: head('mallory/grafana') }, 'acme/grafana')).toBe(true)
    expect(isForkPullRequest({ pull_request: head('acme/grafana') }, 'acme/grafana')).toBe(false)
    expect(isForkPullRequest({ pull_request: head('acme/grafana') })).toBe(false)
  })
})
