import type { Change, ChangeResult, HeldBack, Message } from '../model.ts'
import {
  KIND_LABEL,
  STATUS_LABEL,
  cancelledText,
  noChangesText,
  changeLine,
  changeSummary,
  groupChanges,
  guardScope,
  kindCounts,
  plural,
  provenanceText,
  resultsById,
  statusText,
  tally,
  tallyText,
  type ReportInput,
  writtenBeforeBlock,
} from './describe.ts'
import { clean } from './escape.ts'

/**
 * The report as plain lines for logs: the same content as the markdown, complete, no markup.
 * Names are cleaned of line breaks and every line starts with our own text, so nothing from YAML
 * or an API can start a line (the runner reads `::command::` after leading spaces).
 */
export function renderText(input: ReportInput): string {
  const { plan, result } = input
  const applied = input.mode === 'apply' && result !== undefined
  const results = resultsById(result)
  const changes = new Map(plan.changes.map((c) => [c.id, c]))
  const sections: string[][] = [
    [
      `grafana-team-sync ${input.mode === 'apply' ? 'apply result' : 'plan'} for ${clean(input.configPath)}`,
      ...summary(input),
      ...kindCounts(plan.changes).map(([kind, n]) => `  ${KIND_LABEL[kind].padEnd(24)}${n}`),
    ],
  ]
  if (applied && result) {
    sections.push(resultList('Failed', result.results, 'failed', changes))
    sections.push(resultList('Skipped', result.results, 'skipped', changes))
  }
  if (plan.guards.length) {
    const lead = !applied
      ? 'Apply will be blocked by safety guards; nothing is written unless forced (force input, CLI --force):'
      : result?.blocked
        ? `Apply was blocked by safety guards; ${writtenBeforeBlock(result)} (force input, CLI --force overrides):`
        : 'Safety guards overridden with force:'
    sections.push([
      lead,
      ...plan.guards.map(
        (g) =>
          `  - ${g.guard} on ${clean(guardScope(g.scope))}: ${plural(g.removals, 'removal')}, limit ${clean(g.limit)} allows ${g.allowed}`,
      ),
    ])
  }
  if (plan.heldBack.length)
    sections.push([
      'Removals held back (not made in this run):',
      ...plan.heldBack.map(heldBackLine),
    ])
  sections.push(messages('Errors', plan.errors))
  sections.push(messages('Warnings', plan.warnings))
  if (plan.pending.length) {
    sections.push([
      `Pending (no Grafana account yet, added after first login): ${plan.pending.length}`,
      ...plan.pending.map((p) => {
        const where = p.team === undefined ? `${p.org} (org role)` : `${p.org}/${p.team}`
        const why = provenanceText(p.provenance)
        return `  - ${clean(p.identity)} -> ${clean(where)}${why ? `  [${clean(why)}]` : ''}`
      }),
    ])
  }
  const line = (change: Change) =>
    changeLine(change) + mark(applied ? results.get(change.id) : undefined)
  if (plan.review?.base.read) {
    const own = plan.changes.filter((c) => c.origin === 'pull-request')
    const pending = plan.changes.filter((c) => c.origin === 'pending')
    sections.push([
      `Changes from this pull request (${own.length}):`,
      ...groupChanges(own).flatMap((group) => group.changes.map(line)),
    ])
    if (pending.length)
      sections.push([
        `Already pending, an apply of the base would make them too (${pending.length}):`,
        ...groupChanges(pending).flatMap((group) => group.changes.map(line)),
      ])
  } else if (plan.changes.length) {
    const lines = groupChanges(plan.changes).flatMap((group) => group.changes.map(line))
    sections.push([`Changes (${plan.changes.length}):`, ...lines])
  }
  if (plan.review && !plan.review.base.read)
    sections.push([
      `The base config (${clean(plan.review.base.ref)}) could not be read (${clean(plan.review.base.reason)}): one list of changes.`,
    ])
  if (applied && result?.extra.length)
    sections.push(['Follow-up writes:', ...result.extra.map((e) => `  - ${clean(e)}`)])
  if (plan.stats.requests.length) {
    const total = plan.stats.requests.reduce((n, s) => n + s.requests, 0)
    const retries = plan.stats.requests.reduce((n, s) => n + s.retries, 0)
    sections.push([`Read in ${plural(total, 'request')}, ${plural(retries, 'retry', 'retries')}.`])
  }
  return `${sections
    .filter((s) => s.length)
    .map((s) => s.join('\n'))
    .join('\n\n')}\n`
}

function summary(input: ReportInput): string[] {
  const { plan, result } = input
  const planned = tallyText(tally(plan.changes))
  if (!plan.changes.length) return [noChangesText(plan)]
  if (input.mode === 'apply' && result) {
    if (result.blocked)
      return [`Blocked by safety guards: ${writtenBeforeBlock(result)}. Planned: ${planned}.`]
    if (result.cancelled) return [`${cancelledText(result, plan.changes.length)}.`]
    return [
      `${statusText(result)} of ${plural(plan.changes.length, 'planned change')} (${planned}).`,
    ]
  }
  return [planned]
}

function mark(result: ChangeResult | undefined): string {
  if (!result || result.status === 'applied') return ''
  const detail = result.detail ? `: ${clean(result.detail)}` : ''
  return `  (${STATUS_LABEL[result.status]}${detail})`
}

function resultList(
  title: string,
  results: ChangeResult[],
  status: 'failed' | 'skipped',
  changes: Map<string, Change>,
): string[] {
  const picked = results.filter((r) => r.status === status)
  if (!picked.length) return []
  return [
    `${title} (${picked.length}):`,
    ...picked.map((r) => {
      const change = changes.get(r.id)
      const what = change ? changeSummary(change) : clean(r.id)
      return `  - ${what}${r.detail ? `: ${clean(r.detail)}` : ''}`
    }),
  ]
}

function heldBackLine(h: HeldBack): string {
  const scope = h.team === undefined ? `${h.org} (org roles)` : `${h.org}/${h.team}`
  const who = h.users.length ? `: ${h.users.map(clean).join(', ')}` : ''
  return `  - ${clean(scope)}: ${clean(h.reason)}, ${plural(h.removals, 'removal')} held back${who}`
}

function messages(title: string, list: Message[]): string[] {
  if (!list.length) return []
  return [
    `${title} (${list.length}):`,
    ...list.map((m) => {
      const scope = m.org === undefined ? '' : m.team === undefined ? m.org : `${m.org}/${m.team}`
      const at = m.source ? ` (${m.source.file}:${m.source.line})` : ''
      return `  - ${scope ? `${clean(scope)}: ` : ''}${clean(m.message)}${clean(at)}`
    }),
  ]
}
