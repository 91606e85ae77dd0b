import type { EngineOutcome } from '../engine.ts'
import type { GuardViolation, ReviewedPart } from '../model.ts'
import { reviewedPartOf } from '../engine.ts'
import { pullRequestHeadSha } from './review.ts'
import { describeSetting } from '../settings.ts'
import { inputNames } from './settings.ts'
import {
  cancelledText,
  escapeMarkdown,
  renderJson,
  renderMarkdown,
  renderValidation,
  writtenBeforeBlock,
} from '../report/index.ts'
import { publishComment, type CommentTarget } from './comment-target.ts'
import { syncFailureIssue } from './failure-issue.ts'
import * as publish from './publish.ts'
import type { ActionRun } from './run.ts'
import type { InstancesOutcome } from '../instances.ts'
import { reportInstances } from './instances.ts'

/** Turns the engine's outcome into the job summary, annotations, outputs, plan file, comment and exit status. */
export async function report(
  ctx: ActionRun,
  given: EngineOutcome | InstancesOutcome,
): Promise<void> {
  if (given.kind === 'instances') return reportInstances(ctx, given)
  // Scrubbed before rendering: escaping and shortening names could hide a secret from the sinks.
  const outcome = ctx.scrubber.scrubDeep(given)
  const { io } = ctx
  const { configPath } = ctx.inputs
  const failures: string[] = []
  let outputs = publish.emptyOutputs(ctx.mode)
  let summary: (budget: number) => string
  let comment: CommentTarget['render'] | undefined
  let reviewed: ReviewedPart | undefined
  switch (outcome.kind) {
    case 'invalid': {
      publish.annotateProblems(io, outcome.problems)
      io.info(
        `${configPath} has ${outcome.problems.length} config problem(s); nothing was read or written.`,
      )
      // The annotations are the errors; setFailed would add one GitHub may drop over the limit of 10.
      io.markFailed()
      summary = () => renderValidation({ configPath, problems: outcome.problems })
      comment = summary
      break
    }
    case 'validated':
      summary = () =>
        noteMarkdown(ctx.notice) +
        renderValidation({ configPath, problems: [], summary: outcome.summary })
      break
    case 'refused':
    case 'failed': {
      const problems = outcome.kind === 'refused' ? refusedProblems(outcome) : [outcome.error]
      const title = outcome.kind === 'failed' && outcome.cancelled ? 'cancelled' : outcome.kind
      failures.push(...problems)
      summary = () => failureMarkdown(`${ctx.mode} ${title}`, problems)
      comment = summary
      if (outcome.kind === 'failed') io.debug(`Requests: ${JSON.stringify(outcome.requests)}`)
      break
    }
    case 'planned':
    case 'applied': {
      const commit = pullRequestHeadSha(ctx) ?? ctx.event.sha
      const input = {
        mode: ctx.mode === 'apply' ? ('apply' as const) : ('plan' as const),
        configPath,
        plan: outcome.plan,
        ...(commit ? { commit } : {}),
      }
      const full = outcome.kind === 'applied' ? { ...input, result: outcome.result } : input
      outputs = publish.outputsOf(
        ctx.mode,
        outcome.plan,
        outcome.kind === 'applied' ? outcome.result : undefined,
      )
      outputs.planFile = publish.writePlanFile(io, ctx.env, renderJson(full))
      summary = (budget) => renderMarkdown(full, { budget })
      // Request counts vary run to run (retries, response sizes): they stay in the job summary, so an
      // unchanged plan leaves the sticky comment untouched.
      const steady = { ...full, plan: { ...outcome.plan, stats: { requests: [] } }, marker: '' }
      comment = (budget, marker) =>
        renderMarkdown({ ...steady, marker }, { budget, summaryUrl: ctx.summaryUrl })
      failures.push(...planFailures(ctx, outcome))
      reviewed = reviewedPartOf(outcome.plan, pullRequestHeadSha(ctx))
      io.debug(`Requests: ${JSON.stringify(outcome.plan.stats.requests)}`)
      break
    }
  }
  await publish.writeSummary(io, ctx.env, summary)
  if (comment) outputs.commentId = (await publishComment(ctx, comment, reviewed)) ?? ''
  await syncFailureIssue(ctx, failures.length > 0 || outcome.kind === 'invalid', summary)
  publish.setOutputs(io, outputs)
  if (failures.length) io.setFailed(failures.join('\n'))
}

export function planFailures(
  ctx: ActionRun,
  outcome: Extract<EngineOutcome, { kind: 'planned' | 'applied' }>,
): string[] {
  const { plan } = outcome
  const failures: string[] = []
  const guardWarnings =
    outcome.kind === 'planned'
      ? plan.guards.map((g) => ({
          message: `Apply would be blocked by safety guard ${describeGuard(g)}.`,
        }))
      : []
  // GitHub shows 10 annotations of a kind per step; the failure message below is one error.
  publish.annotate(ctx.io, 'warning', [...guardWarnings, ...plan.warnings], publish.MAX_ANNOTATIONS)
  publish.annotate(ctx.io, 'error', plan.errors, publish.MAX_ANNOTATIONS - 1)
  if (plan.errors.length)
    failures.push(`The plan has ${plan.errors.length} error(s); see the job summary.`)
  if (outcome.kind === 'planned') {
    if (ctx.inputs.failOnChanges && plan.changes.length) {
      failures.push(`fail-on-changes: the plan has ${plan.changes.length} change(s).`)
    }
    return failures
  }
  const { result } = outcome
  const since = plan.review?.sinceReview
  if (result.changedSinceReview)
    failures.push(
      "The merged pull request's changes differ from the plan reviewed on it; nothing was written (on-plan-changed: fail). See the job summary.",
    )
  else if (since?.changed)
    ctx.io.warning(
      "The merged pull request's changes differ from the plan reviewed on it; applied anyway (on-plan-changed: warn). See the job summary.",
    )
  if (result.blocked) {
    const guards = plan.guards.map(describeGuard).join('; ')
    const noun = plan.guards.length === 1 ? 'safety guard' : 'safety guards'
    failures.push(
      `Apply blocked by ${noun} ${guards}; ${writtenBeforeBlock(result)}. Review the plan in the job summary; set force: true to apply anyway.`,
    )
  }
  if (result.cancelled) failures.push(`${cancelledText(result, plan.changes.length)}.`)
  if (result.failed)
    failures.push(
      `${result.failed} change(s) failed and ${result.skipped} were skipped; see the job summary.`,
    )
  return failures
}

/** Problems with settings name them as the action's inputs. */
export function refusedProblems(outcome: Extract<EngineOutcome, { kind: 'refused' }>): string[] {
  return outcome.settings?.map((p) => describeSetting(p, inputNames)) ?? outcome.problems
}

function describeGuard(g: GuardViolation): string {
  return `${g.guard} (${g.scope}: ${g.removals} removals, limit ${g.limit} allows ${g.allowed})`
}

function noteMarkdown(notice?: string): string {
  return notice ? `> [!NOTE]\n> ${escapeMarkdown(notice)}\n\n` : ''
}

export function failureMarkdown(title: string, problems: string[]): string {
  const items = problems.map((p) => `- ${escapeMarkdown(p)}`).join('\n')
  return `## grafana-team-sync: ${escapeMarkdown(title)}\n\n${items}\n`
}
