import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { memoryActionIO, type MemoryActionIO } from '../../test/memory/action-io.ts'
import { config } from '../../test/fixtures/plan.ts'
import { planOf, typicalPlan, typicalResult } from '../../test/fixtures/report.ts'
import type { EngineOutcome } from '../engine.ts'
import type { Message } from '../model.ts'
import { createScrubber } from '../secrets/index.ts'
import type { ActionInputs } from './inputs.ts'
import { scrubbedIO } from './io.ts'
import type { Mode } from './mode.ts'
import { report } from './outcome.ts'
import type { ActionRun } from './run.ts'

const SECRET = 'glsa_outcome_SECRET_token'
const OUTPUT_NAMES = [
  'applied',
  'change-count',
  'comment-id',
  'counts',
  'failed',
  'has-changes',
  'mode',
  'plan-file',
  'pr-change-count',
]

let temp: string | undefined
afterEach(() => {
  if (temp) rmSync(temp, { recursive: true, force: true })
  temp = undefined
})

const INPUTS: ActionInputs = {
  mode: 'auto',
  configPath: 'teams',
  comment: true,
  dryRun: false,
  force: false,
  failOnChanges: false,
  concurrency: 8,
  onPlanChanged: 'warn',
  failureIssue: true,
}

/** A push run with a job summary and a runner temp folder, reporting to `io` through the scrubber. */
function actionRun(io: MemoryActionIO, mode: Mode, inputs: Partial<ActionInputs> = {}): ActionRun {
  temp = mkdtempSync(join(tmpdir(), 'gts-outcome-'))
  const scrubber = createScrubber([SECRET])
  return {
    env: { GITHUB_STEP_SUMMARY: join(temp, 'summary.md'), RUNNER_TEMP: temp },
    inputs: { ...INPUTS, ...inputs },
    event: { name: 'push', ref: 'refs/heads/main', sha: 'a1b2c3d', payload: {} },
    mode,
    summaryUrl: 'https://github.com/acme/grafana-access/actions/runs/1',
    scrubber,
    io: scrubbedIO(io, scrubber),
  }
}

const warning = (i: number): Message => ({
  code: 'okta-group-empty',
  message: `Okta group g${i} is empty`,
  source: { file: 'teams/a.yaml', line: i + 1, col: 3 },
})

describe('report', () => {
  it('annotates 10 config problems on their lines, counts the rest, fails without an error of its own', async () => {
    const io = memoryActionIO()
    const problems = Array.from({ length: 12 }, (_, i) => ({
      file: 'teams/bad.yaml',
      line: 3 + 2 * i,
      col: 5,
      message: `unknown key "colour" in team T${i}`,
      hint: 'did you mean "color"?',
    }))
    await report(actionRun(io, 'validate'), { kind: 'invalid', problems })

    const errors = io.log.filter((entry) => entry.kind === 'error')
    expect(errors).toHaveLength(10)
    expect(errors[9]).toMatchObject({
      message: 'unknown key "colour" in team T9 (did you mean "color"?)',
      at: { file: 'teams/bad.yaml', startLine: 21, startColumn: 5 },
      groups: [],
    })
    expect(io.messages('notice')).toEqual([
      '…and 2 more config problems, listed in the job summary.',
    ])
    expect(io.messages('info')).toEqual([
      'teams has 12 config problem(s); nothing was read or written.',
    ])
    expect(io.failures).toEqual([])
    expect(io.exitCode()).toBe(1)
    expect(io.summary).toContain('unknown key "colour" in team T11')
    expect(Object.keys(io.outputs).sort()).toEqual(OUTPUT_NAMES)
    expect(io.outputs).toMatchObject({ mode: 'validate', 'has-changes': 'false', 'plan-file': '' })
  })

  it('keeps ten warnings and nine errors, so that the failure is the tenth error', async () => {
    const io = memoryActionIO()
    const errors = Array.from({ length: 12 }, (_, i) => ({ ...warning(i), code: 'org-missing' }))
    const plan = planOf([], { warnings: Array.from({ length: 11 }, (_, i) => warning(i)), errors })
    await report(actionRun(io, 'plan'), { kind: 'planned', config: config({}), plan })

    expect(io.messages('warning')).toHaveLength(10)
    expect(io.messages('error')).toHaveLength(9)
    expect(io.messages('notice')).toEqual([
      '…and 1 more warning, listed in the job summary.',
      '…and 3 more errors, listed in the job summary.',
    ])
    expect(io.failures).toEqual(['The plan has 12 error(s); see the job summary.'])
  })

  it('sets every output from the plan and writes the plan file the outputs name', async () => {
    const io = memoryActionIO()
    const plan = typicalPlan()
    const ctx = actionRun(io, 'plan')
    await report(ctx, { kind: 'planned', config: config({}), plan })

    expect(Object.keys(io.outputs).sort()).toEqual(OUTPUT_NAMES)
    expect(io.outputs).toMatchObject({
      mode: 'plan',
      'has-changes': 'true',
      'change-count': String(plan.changes.length),
      counts: JSON.stringify(plan.counts),
      'plan-file': join(ctx.env.RUNNER_TEMP!, 'grafana-team-sync-plan.json'),
    })
    const written = JSON.parse(readFileSync(io.outputs['plan-file']!, 'utf8')) as {
      plan: { changes: unknown[] }
    }
    expect(written.plan.changes).toHaveLength(plan.changes.length)
    expect(io.failures).toEqual([])
    expect(io.exitCode()).toBe(0)
  })

  it('fails a plan with changes under fail-on-changes, and an apply with failed changes', async () => {
    const planned = memoryActionIO()
    const plan = typicalPlan()
    const outcome: EngineOutcome = { kind: 'planned', config: config({}), plan }
    await report(actionRun(planned, 'plan', { failOnChanges: true }), outcome)
    expect(planned.failures).toEqual([
      `fail-on-changes: the plan has ${plan.changes.length} change(s).`,
    ])

    const applied = memoryActionIO()
    const result = typicalResult(plan)
    await report(actionRun(applied, 'apply'), { ...outcome, kind: 'applied', result })
    expect(applied.failures).toEqual([
      '1 change(s) failed and 1 were skipped; see the job summary.',
    ])
    expect(applied.outputs).toMatchObject({ applied: String(result.applied), failed: '1' })
  })

  it('warns that the apply would be blocked by a safety guard', async () => {
    const io = memoryActionIO()
    const guard = {
      guard: 'maxRemovals' as const,
      scope: 'run',
      limit: '10%',
      allowed: 2,
      removals: 5,
    }
    const plan = planOf([], { guards: [guard] })
    await report(actionRun(io, 'plan'), { kind: 'planned', config: config({}), plan })
    expect(io.messages('warning')).toEqual([
      'Apply would be blocked by safety guard maxRemovals (run: 5 removals, limit 10% allows 2).',
    ])
  })

  it('scrubs a secret from the failure and the summary', async () => {
    const io = memoryActionIO()
    const error = `Grafana answered 500: invalid token ${SECRET}`
    await report(actionRun(io, 'apply'), { kind: 'failed', error, requests: [] })

    expect(io.failures).toEqual(['Grafana answered 500: invalid token ***'])
    expect(io.summary).toContain('invalid token &#42;&#42;&#42;')
    expect(JSON.stringify(io)).not.toContain(SECRET)
  })

  it('writes no summary outside a runner, and warns when the summary cannot be written', async () => {
    const offline = memoryActionIO()
    const ctx = actionRun(offline, 'validate')
    delete ctx.env.GITHUB_STEP_SUMMARY
    await report(ctx, { kind: 'invalid', problems: [] })
    expect(offline.summary).toBe('')
    expect(offline.messages('debug')).toContain(
      'GITHUB_STEP_SUMMARY is not set; no job summary written',
    )

    const full = memoryActionIO({ summaryError: new Error('ENOSPC: no space left on device') })
    await report(actionRun(full, 'validate'), { kind: 'invalid', problems: [] })
    expect(full.messages('warning')).toEqual([
      'Could not write the job summary: ENOSPC: no space left on device',
    ])
  })
})
