// The report of a run over several Grafana instances (SPEC §9): counts per instance at the top, then
// each instance's report as for one instance. The budget is shared fairly: every instance is shown at
// the same detail level, so no instance loses its removals while another still shows its detail.
import { plural, tally, type ReportInput } from './describe.ts'
import { code, plain, truncate } from './escape.ts'
import { DETAIL_LEVELS, renderMarkdown, renderMarkdownLevel } from './markdown.ts'
import { pullRequestChanges } from '../plan/review.ts'

export interface InstanceReport {
  name: string
  url: string
  /** The plan or apply result; absent when the instance was refused or failed before planning. */
  report?: ReportInput
  /** Why the instance has no plan: its problems, in the adapter's words. */
  problems?: string[]
  /** e.g. `failed`, `refused`, `cancelled`: shown when there is no report. */
  status?: string
}

export interface InstancesReportInput {
  mode: 'plan' | 'apply'
  configPath: string
  instances: InstanceReport[]
  marker?: string
}

const PROBLEMS_SHOWN = 20

/** Markdown for the comment and the job summary of a run on several instances, within `budget`. */
export function renderInstancesMarkdown(
  input: InstancesReportInput,
  opts: { budget: number; summaryUrl?: string },
): string {
  const top = head(input)
  for (const level of DETAIL_LEVELS) {
    const sections = input.instances.map((i) =>
      section(i, (report) => renderMarkdownLevel(report, level, opts)),
    )
    const text = join([top, ...sections])
    if (text.length <= opts.budget) return text
  }
  // Even totals do not fit: each instance gets an equal share of what is left.
  const share = Math.floor(
    (opts.budget - top.length - 2 * input.instances.length - 1) /
      Math.max(1, input.instances.length),
  )
  const sections = input.instances.map((i) =>
    truncate(
      section(i, (report) =>
        renderMarkdown(report, { budget: Math.max(0, share), summaryUrl: opts.summaryUrl }),
      ),
      Math.max(0, share),
    ),
  )
  return truncate(join([top, ...sections]), opts.budget)
}

function join(blocks: readonly string[]): string {
  return `${blocks
    .map((b) => b.trimEnd())
    .filter(Boolean)
    .join('\n\n')}\n`
}

function head(input: InstancesReportInput): string {
  const title = input.mode === 'apply' ? 'apply result' : 'plan'
  const applied = input.mode === 'apply'
  // On a pull request, how many of each instance's changes are its own; the rest are folded below.
  const split = input.instances.some((i) => i.report?.plan.review?.base.read)
  const header = ['Instance', 'Status', 'To add', 'To change', 'To remove']
  if (split) header.push('This PR')
  if (applied) header.push('Applied', 'Failed')
  const rows = input.instances.map((i) => {
    const changes = i.report?.plan.changes ?? []
    const t = tally(changes)
    const row = [
      code(i.name),
      plain(statusOf(i)),
      String(t.add),
      String(t.change),
      String(t.remove),
    ]
    if (split) row.push(String(i.report ? pullRequestChanges(i.report.plan).length : 0))
    if (applied)
      row.push(String(i.report?.result?.applied ?? 0), String(i.report?.result?.failed ?? 0))
    return `| ${row.join(' | ')} |`
  })
  const rule = `| ${header.map((_, n) => (n < 2 ? '---' : '---:')).join(' | ')} |`
  return [
    input.marker ?? '',
    `## grafana-team-sync ${title} for ${code(input.configPath)} on ${plural(input.instances.length, 'instance')}`,
    '',
    `| ${header.join(' | ')} |`,
    rule,
    ...rows,
  ]
    .filter((line, n) => n > 0 || line)
    .join('\n')
}

function statusOf(i: InstanceReport): string {
  const report = i.report
  if (!report) return i.status ?? 'failed'
  const { plan, result } = report
  if (result?.blocked) return 'blocked'
  if (result?.cancelled) return 'cancelled'
  if ((result?.failed ?? 0) > 0 || plan.errors.length > 0) return 'failed'
  if (plan.guards.length > 0 && !result) return 'would be blocked'
  if (!plan.changes.length) return 'no changes'
  return result ? 'applied' : 'changes'
}

function section(i: InstanceReport, render: (report: ReportInput) => string): string {
  if (i.report) return render({ ...i.report, instance: i.name, marker: undefined })
  const problems = i.problems ?? []
  const items = problems.slice(0, PROBLEMS_SHOWN).map((p) => `- ${plain(p, 1000)}`)
  if (problems.length > PROBLEMS_SHOWN)
    items.push(`- …and ${problems.length - PROBLEMS_SHOWN} more`)
  return [`## Instance ${code(i.name)}: ${plain(i.status ?? 'failed')}`, '', ...items].join('\n')
}

/**
 * The JSON plan of a run on several instances: `{ version: 1, mode, configPath, instances: [{ name,
 * url, status, plan?, result?, problems? }] }`, 2-space indent, trailing newline.
 */
export function renderInstancesJson(input: InstancesReportInput): string {
  const doc = {
    version: 1,
    mode: input.mode,
    configPath: input.configPath,
    instances: input.instances.map((i) => ({
      name: i.name,
      url: i.url,
      status: statusOf(i),
      ...(i.report ? { plan: i.report.plan } : {}),
      ...(i.report?.result ? { result: i.report.result } : {}),
      ...(i.problems ? { problems: i.problems } : {}),
    })),
  }
  return `${JSON.stringify(doc, null, 2)}\n`
}
