// The Action on several Grafana instances (SPEC §9): whether the instances can be read, and the report
// grouped by instance, with outputs that add up the instances.
import { loadConfig } from '../config/index.ts'
import { pullRequestChanges } from '../engine.ts'
import type { InstancesOutcome } from '../instances.ts'
import type { ChangeKind, Plan } from '../model.ts'
import {
  renderInstancesJson,
  renderInstancesMarkdown,
  type InstanceReport,
  type InstancesReportInput,
} from '../report/index.ts'
import type { Setting } from '../settings.ts'
import { instancesTarget, publishComment } from './comment-target.ts'
import type { ActionInputs } from './inputs.ts'
import { planFailures, refusedProblems } from './outcome.ts'
import * as publish from './publish.ts'
import type { ActionRun } from './run.ts'

/**
 * Whether the config at `configPath` declares instances and any of their credential variables is
 * set: then the run can read Grafana though the `grafana-*` inputs are empty. A config that does not
 * load says no; the validation reports it.
 */
export async function instancesReadable(
  configPath: string,
  env: Record<string, string | undefined>,
  cwd: string,
): Promise<boolean> {
  const loaded = await loadConfig(configPath, { env, cwd })
  if (!loaded.ok) return false
  return (loaded.config.instances ?? []).some((instance) =>
    [instance.token, instance.username, instance.password].some((ref) => ref && env[ref.env]),
  )
}

const GRAFANA_INPUTS: [Setting, keyof ActionInputs][] = [
  ['grafanaUrl', 'grafanaUrl'],
  ['grafanaToken', 'grafanaToken'],
  ['grafanaUsername', 'grafanaUsername'],
  ['grafanaPassword', 'grafanaPassword'],
]

/** The `grafana-*` inputs that are set. */
export function grafanaInputsGiven(inputs: ActionInputs): Setting[] {
  return GRAFANA_INPUTS.filter(([, key]) => String(inputs[key] ?? '').trim()).map(([s]) => s)
}

/** The job summary, plan file, outputs, comment and exit status of a run on several instances. */
export async function reportInstances(ctx: ActionRun, given: InstancesOutcome): Promise<void> {
  const outcome = ctx.scrubber.scrubDeep(given)
  const mode = ctx.mode === 'apply' ? ('apply' as const) : ('plan' as const)
  const { configPath } = ctx.inputs
  const failures: string[] = []
  const instances = outcome.instances.map(({ name, url, outcome: one }): InstanceReport => {
    const tagged = (lines: string[]) => failures.push(...lines.map((l) => `[${name}] ${l}`))
    if (one.kind === 'planned' || one.kind === 'applied') {
      tagged(planFailures(ctx, one))
      const result = one.kind === 'applied' ? one.result : undefined
      return { name, url, report: { mode, configPath, plan: one.plan, result } }
    }
    const problems =
      one.kind === 'refused'
        ? refusedProblems(one)
        : one.kind === 'failed'
          ? [one.error]
          : one.kind === 'invalid'
            ? one.problems.map(publish.problemMessage)
            : []
    tagged(problems)
    const status = one.kind === 'failed' && one.cancelled ? 'cancelled' : one.kind
    return { name, url, problems, status }
  })
  const input: InstancesReportInput = { mode, configPath, instances }
  const outputs = aggregateOutputs(ctx.mode, outcome)
  outputs.planFile = publish.writePlanFile(ctx.io, ctx.env, renderInstancesJson(input))
  await publish.writeSummary(ctx.io, ctx.env, (budget: number) =>
    renderInstancesMarkdown(input, { budget }),
  )
  // Request counts vary run to run: they stay in the job summary, so an unchanged plan leaves the comment.
  const steady = instances.map((i) =>
    i.report ? { ...i, report: { ...i.report, plan: withoutStats(i.report.plan) } } : i,
  )
  const render = (budget: number, marker: string) =>
    renderInstancesMarkdown(
      { ...input, instances: steady, marker },
      { budget, summaryUrl: ctx.summaryUrl },
    )
  outputs.commentId =
    (await publishComment(ctx, render, undefined, instancesTarget(outcome.instances))) ?? ''
  publish.setOutputs(ctx.io, outputs)
  if (failures.length) ctx.io.setFailed(failures.join('\n'))
}

function withoutStats(plan: Plan): Plan {
  return { ...plan, stats: { requests: [] } }
}

/** `change-count`, `pr-change-count`, `counts`, `applied` and `failed` add up the instances. */
function aggregateOutputs(mode: string, outcome: InstancesOutcome): publish.Outputs {
  const outputs = publish.emptyOutputs(mode)
  const counts: Partial<Record<ChangeKind, number>> = {}
  for (const { outcome: one } of outcome.instances) {
    if (one.kind !== 'planned' && one.kind !== 'applied') continue
    outputs.changeCount += one.plan.changes.length
    outputs.prChangeCount += pullRequestChanges(one.plan).length
    for (const [kind, n] of Object.entries(one.plan.counts) as [ChangeKind, number][]) {
      counts[kind] = (counts[kind] ?? 0) + n
    }
    if (one.kind === 'applied') {
      outputs.applied += one.result.applied
      outputs.failed += one.result.failed
    }
  }
  outputs.counts = counts
  outputs.hasChanges = outputs.changeCount > 0
  return outputs
}
