import {
  ORG_ROLE_RANK,
  compareText,
  type Change,
  type ChangeKind,
  type ChangeResult,
  type ChangeStatus,
  type GuardViolation,
  type HeldBack,
  type Message,
  type Pending,
  type Plan,
  type RequestStats,
} from '../model.ts'
import {
  KIND_LABEL,
  STATUS_LABEL,
  cancelledText,
  changeSummary,
  groupChanges,
  groupItems,
  guardScope,
  kindCounts,
  noChangesText,
  plural,
  provenanceText,
  resultsById,
  statusText,
  tally,
  tallyText,
  type Group,
  type ReportInput,
  who,
  writtenBeforeBlock,
} from './describe.ts'
import { code, codeBlock, plain, safeUrl, truncate } from './escape.ts'
import { removalsOf } from '../plan/guards.ts'
import { pullRequestChanges } from '../plan/review.ts'

/** GitHub rejects comment bodies over 65,536 characters; the rest is headroom. */
export const COMMENT_BUDGET = 60_000
/** The job summary takes 1 MiB per step; characters are at most bytes for the ASCII bulk of a plan. */
export const SUMMARY_BUDGET = 900_000

/**
 * How much a markdown report shows, most first: diff blocks with provenance; one line per change;
 * counts per team plus who loses access; counts per team; totals only.
 */
export type DetailLevel = 'full' | 'lines' | 'removals' | 'counts' | 'totals'
export const DETAIL_LEVELS: readonly DetailLevel[] = [
  'full',
  'lines',
  'removals',
  'counts',
  'totals',
]

/** At most this many items per list, and characters per message, at each level. */
const LIMITS: Record<DetailLevel, { items: number; text: number }> = {
  full: { items: Number.POSITIVE_INFINITY, text: 1000 },
  lines: { items: Number.POSITIVE_INFINITY, text: 1000 },
  removals: { items: 50, text: 300 },
  counts: { items: 50, text: 300 },
  totals: { items: 10, text: 300 },
}
const HELD_BACK_NAMES = 20
const COLLAPSE_OVER = 10
const OPEN_UP_TO = 20
const LINE_TEXT = 300

/**
 * Markdown for the PR comment and the job summary, never longer than `budget` characters. It
 * shows as much detail as fits (see DetailLevel), and only ever drops whole blocks.
 */
export function renderMarkdown(
  input: ReportInput,
  opts: { budget: number; summaryUrl?: string },
): string {
  const view = makeView(input, opts.summaryUrl)
  for (const level of DETAIL_LEVELS) {
    const text = renderMarkdownAt(view, level)
    if (text.length <= opts.budget) return text
  }
  return fitTotals(view, opts.budget)
}

/** The report at one detail level regardless of size; for measuring and testing the levels. */
export function renderMarkdownLevel(
  input: ReportInput,
  level: DetailLevel,
  opts: { summaryUrl?: string } = {},
): string {
  return renderMarkdownAt(makeView(input, opts.summaryUrl), level)
}

// ---------------------------------------------------------------- assembly

interface View {
  input: ReportInput
  applied: boolean
  /** This pull request's changes when the base was read, else every change. */
  groups: Group[]
  /** Changes an apply of the base would make too; empty unless the base was read. */
  pendingGroups: Group[]
  split: boolean
  results: Map<string, ChangeResult>
  changes: Map<string, Change>
  summaryUrl: string | undefined
}

function makeView(input: ReportInput, summaryUrl: string | undefined): View {
  const split = input.plan.review?.base.read === true
  const pending = split ? input.plan.changes.filter((c) => c.origin === 'pending') : []
  return {
    input,
    applied: input.mode === 'apply' && input.result !== undefined,
    groups: groupChanges(split ? pullRequestChanges(input.plan) : input.plan.changes),
    pendingGroups: groupChanges(pending),
    split,
    results: resultsById(input.result),
    changes: new Map(input.plan.changes.map((c) => [c.id, c])),
    summaryUrl: safeUrl(summaryUrl),
  }
}

function join(blocks: readonly string[]): string {
  return `${blocks.filter(Boolean).join('\n\n')}\n`
}

function renderMarkdownAt(view: View, level: DetailLevel): string {
  return join([...head(view), shortenedNote(view, level, 0), ...body(view, level)])
}

/** Totals, then whole body blocks in order while they fit; the note says how many were left out. */
function fitTotals(view: View, budget: number): string {
  const top = head(view)
  const blocks = body(view, 'totals').filter(Boolean)
  // The note can only get shorter when fewer blocks are left out.
  let room = budget - join([...top, shortenedNote(view, 'totals', blocks.length)]).length
  const kept: string[] = []
  for (const block of blocks) {
    const cost = block.length + 2
    if (cost > room) continue
    kept.push(block)
    room -= cost
  }
  const omitted = blocks.length - kept.length
  const text = join([...top, shortenedNote(view, 'totals', omitted), ...kept])
  if (text.length <= budget) return text
  // Only an absurdly small budget gets here: plain text, no markup to break.
  const marker = view.input.marker ? `${view.input.marker}\n` : ''
  const line = `grafana-team-sync ${view.input.mode}: ${tallyText(tally(view.input.plan.changes))}`
  return truncate(`${marker}${line}\n`, budget)
}

function shortenedNote(view: View, level: DetailLevel, omitted: number): string {
  if (level === 'full') return ''
  const what = {
    lines: 'one line per change, without provenance',
    removals: 'counts per team and who loses access',
    counts: 'counts per team only',
    totals: 'totals only',
  }[level]
  const left = omitted ? ` ${plural(omitted, 'more section')} did not fit.` : ''
  const noun = view.applied ? 'result' : 'plan'
  const where = view.summaryUrl
    ? `The full ${noun} is in the [job summary](${view.summaryUrl}).`
    : `The full ${noun} is in the JSON plan file (\`plan-file\` output, CLI \`--json\`).`
  return `> [!NOTE]\n> Shortened to fit the size limit: ${what}.${left} ${where}`
}

function more(view: View, n: number): string {
  return `- …and ${n} more${view.summaryUrl ? ` in the [job summary](${view.summaryUrl})` : ''}`
}

function capList(view: View, lines: string[], max: number): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), more(view, lines.length - max)]
}

function quote(lines: readonly string[]): string {
  return lines.map((line) => (line ? `> ${line}` : '>')).join('\n')
}

function details(summary: string, content: string, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${summary}</summary>\n\n${content}\n\n</details>`
}

function table(header: string[], align: ('l' | 'r')[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  const rule = align.map((a) => (a === 'r' ? '---:' : '---'))
  return [line(header), line(rule), ...rows.map(line)].join('\n')
}

// ---------------------------------------------------------------- head

function head(view: View): string[] {
  const { input } = view
  const title = input.mode === 'apply' ? 'apply result' : 'plan'
  return [
    input.marker ?? '',
    // instances: the title names the instance (src/report/instances.ts)
    `## grafana-team-sync ${title} for ${code(input.configPath)}${input.instance === undefined ? '' : ` on ${code(input.instance)}`}`,
    provenanceLine(view),
    summaryLine(view),
    baseNotice(view),
    sinceReviewBlock(view),
    removalBanner(view),
    kindTable(view),
  ]
}

/** Which commit was planned, and the run that did it (the job summary is the run's page). */
function provenanceLine(view: View): string {
  const { commit } = view.input
  const run = view.summaryUrl && /\/runs\/(\d+)/.exec(view.summaryUrl)?.[1]
  const link = view.summaryUrl ? `[run${run ? ` ${run}` : ''}](${view.summaryUrl})` : ''
  if (!commit && !link) return ''
  const what = view.applied ? 'Applied' : 'Planned'
  const at = commit ? ` at commit ${code(shortSha(commit))}` : ''
  return `${what}${at}${link ? ` in ${link}` : ''}.`
}

/** The base could not be read: one line, and the list is the whole plan. */
function baseNotice(view: View): string {
  const base = view.input.plan.review?.base
  if (!base || base.read) return ''
  if (view.input.mode === 'apply')
    return `> [!NOTE]\n> The config before the merge (${code(shortSha(base.ref))}) could not be read (${plain(base.reason, 300)}), so this apply was not compared with the plan reviewed on the pull request.`
  return `> [!NOTE]\n> The base config (${code(shortSha(base.ref))}) could not be read (${plain(base.reason, 300)}), so this list does not tell this pull request's changes from those already pending.`
}

function shortSha(ref: string): string {
  return /^[0-9a-f]{40}$/i.test(ref) ? ref.slice(0, 7) : ref
}

/** A change id (`add-team-member:Org/Team/who`) in words, for changes no longer in the plan. */
function idText(id: string): string {
  const colon = id.indexOf(':')
  const label = KIND_LABEL[id.slice(0, colon) as ChangeKind]
  return label && colon > 0 ? `${label} ${id.slice(colon + 1)}` : id
}

function changeLabel(view: View, id: string): string {
  const change = view.changes.get(id)
  return plain(change ? changeSummary(change) : id, LINE_TEXT)
}

/** At merge: whether the pull-request part is the one reviewed, and what differs. */
function sinceReviewBlock(view: View): string {
  const since = view.input.plan.review?.sinceReview
  if (!since) return ''
  if (!since.changed)
    return `Unchanged since review: this pull request's part of the plan is the one reviewed (${code(since.current)}).`
  const max = 20
  const lines = [
    ...since.added.slice(0, max).map((id) => `- \\+ ${changeLabel(view, id)}`),
    ...(since.added.length > max ? [`- …and ${since.added.length - max} more not reviewed`] : []),
  ]
  if (since.removed === 'unknown') {
    lines.push(
      '- the reviewed list was too long to keep in the comment: only the changes planned now are listed',
    )
  } else {
    lines.push(
      ...since.removed
        .slice(0, max)
        .map((id) => `- reviewed, no longer planned: ${plain(idText(id), LINE_TEXT)}`),
    )
    if (since.removed.length > max)
      lines.push(`- …and ${since.removed.length - max} more reviewed changes no longer planned`)
  }
  const lead =
    since.onChanged === 'fail'
      ? "**Changed since review: nothing was written** (`on-plan-changed: fail`). Review the plan again, e.g. by re-running the pull request's plan, then re-run this apply."
      : "**Changed since review:** this pull request's part of the plan differs from the one reviewed (`on-plan-changed: warn`, so it was applied)."
  return quote(['[!WARNING]', lead, '', ...lines])
}

function summaryLine(view: View): string {
  const { plan, result } = view.input
  const planned = tallyText(tally(plan.changes))
  if (view.applied && result) {
    if (result.changedSinceReview)
      return `**Not applied: the pull-request part changed since review; nothing was written.** Planned: ${planned}.`
    if (result.blocked)
      return `**Blocked by ${plural(plan.guards.length, 'safety guard')}: ${writtenBeforeBlock(result)}.** Planned: ${planned}.`
    if (!plan.changes.length) return noChangesLine(plan)
    if (result.cancelled)
      return `**${cancelledText(result, plan.changes.length)}.** Planned: ${planned}.`
    return `**${statusText(result)}** of ${plural(plan.changes.length, 'planned change')} (${planned}).`
  }
  if (!plan.changes.length) return noChangesLine(plan)
  if (view.split) return splitLine(view)
  return `**${planned}**`
}

function splitLine(view: View): string {
  const own = pullRequestChanges(view.input.plan)
  const pending = view.pendingGroups.flatMap((g) => g.changes)
  const head = own.length
    ? `**This pull request: ${tallyText(tally(own), true)}.**`
    : '**This pull request changes nothing in Grafana.**'
  return pending.length
    ? `${head} Already pending: ${tallyText(tally(pending), true)} (an apply of the base branch would make them too).`
    : head
}

function noChangesLine(plan: Plan): string {
  const text = noChangesText(plan)
  return plan.errors.length || plan.heldBack.length ? `**${text}**` : text
}

const REMOVAL_WORDS: Partial<Record<ChangeKind, [string, string]>> = {
  'remove-team-member': ['removes', 'team membership'],
  'remove-org-user': ['removes', 'org user'],
  'delete-team': ['deletes', 'team'],
}

function removalBanner(view: View): string {
  if (view.applied) return ''
  const changes = view.groups.flatMap((g) => g.changes)
  const parts = kindCounts(changes).flatMap(([kind, n]) => {
    const words = REMOVAL_WORDS[kind]
    if (!words) return []
    const members =
      kind === 'delete-team'
        ? ` (${plural(
            changes.reduce((sum, c) => sum + (c.kind === kind ? c.memberCount : 0), 0),
            'member',
          )})`
        : ''
    return [`${words[0]} ${plural(n, words[1])}${members}`]
  })
  if (!parts.length) return ''
  // The safety guards count memberships: a deleted team's members each count as one removal.
  const removals = changes.reduce((sum, c) => sum + removalsOf(c), 0)
  const what = view.split ? 'This pull request removes access' : 'This plan removes access'
  const unit = `${plural(removals, 'removal')} as the safety guards count them`
  return quote(['[!WARNING]', `**${what}:** ${unit}: it ${parts.join(', ')}.`])
}

function kindTable(view: View): string {
  const counts = kindCounts(view.input.plan.changes)
  if (!counts.length) return ''
  if (!view.applied && view.split) {
    const own = new Map(kindCounts(view.groups.flatMap((g) => g.changes)))
    const pending = new Map(kindCounts(view.pendingGroups.flatMap((g) => g.changes)))
    return table(
      ['Change', 'This PR', 'Already pending'],
      ['l', 'r', 'r'],
      counts.map(([kind]) => [
        KIND_LABEL[kind],
        String(own.get(kind) ?? 0),
        String(pending.get(kind) ?? 0),
      ]),
    )
  }
  if (!view.applied) {
    return table(
      ['Change', 'Count'],
      ['l', 'r'],
      counts.map(([kind, n]) => [KIND_LABEL[kind], String(n)]),
    )
  }
  const byKind = new Map<ChangeKind, Record<ChangeStatus, number>>()
  for (const change of view.input.plan.changes) {
    const status = view.results.get(change.id)?.status
    if (!status) continue
    const row = byKind.get(change.kind) ?? { applied: 0, 'already-done': 0, failed: 0, skipped: 0 }
    row[status] += 1
    byKind.set(change.kind, row)
  }
  const statuses = Object.keys(STATUS_LABEL) as ChangeStatus[]
  return table(
    ['Change', 'Planned', ...statuses.map((s) => capitalise(STATUS_LABEL[s]))],
    ['l', 'r', 'r', 'r', 'r', 'r'],
    counts.map(([kind, n]) => {
      const row = byKind.get(kind)
      return [KIND_LABEL[kind], String(n), ...statuses.map((s) => String(row?.[s] ?? 0))]
    }),
  )
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

// ---------------------------------------------------------------- body

function body(view: View, level: DetailLevel): string[] {
  const { plan } = view.input
  return [
    failuresBlock(view, level),
    skippedBlock(view, level),
    guardsBlock(view, plan.guards, level),
    heldBackBlock(view, plan.heldBack, level),
    messagesBlock(view, 'Errors', plan.errors, level, errorsIntro(view)),
    messagesBlock(view, 'Warnings', plan.warnings, level),
    pendingBlock(view, plan.pending, level),
    ...changesBlocks(view, level),
    extraBlock(view, level),
    statsBlock(plan.stats.requests, level),
  ]
}

/** A plan run fails for its errors only when it applies: on a pull request it says what apply does. */
function errorsIntro(view: View): string {
  return view.input.mode === 'apply'
    ? 'The run fails after applying the rest.'
    : 'An apply makes the other changes, then fails on these.'
}

function describeResult(view: View, r: ChangeResult, level: DetailLevel): string {
  const change = view.changes.get(r.id)
  const what = plain(change ? changeSummary(change) : r.id, LIMITS[level].text)
  return r.detail ? `${what}: ${plain(r.detail, LIMITS[level].text)}` : what
}

function failuresBlock(view: View, level: DetailLevel): string {
  const failed = view.input.result?.results.filter((r) => r.status === 'failed') ?? []
  if (!view.applied || !failed.length) return ''
  const lines = failed.map((r) => `- ${describeResult(view, r, level)}`)
  return [
    `### Failed: ${plural(failed.length, 'change')}`,
    '',
    ...capList(view, lines, LIMITS[level].items),
  ].join('\n')
}

function skippedBlock(view: View, level: DetailLevel): string {
  const skipped = view.input.result?.results.filter((r) => r.status === 'skipped') ?? []
  if (!view.applied || !skipped.length) return ''
  const lines = capList(
    view,
    skipped.map((r) => `- ${describeResult(view, r, level)}`),
    LIMITS[level].items,
  ).join('\n')
  const intro = view.input.result?.changedSinceReview
    ? 'Not attempted: the pull-request part changed since review.'
    : view.input.result?.cancelled
      ? 'Not started: the run was cancelled, or a change they depend on failed.'
      : 'Not attempted because a change they depend on failed.'
  return [
    `### Skipped: ${plural(skipped.length, 'change')}`,
    '',
    intro,
    '',
    skipped.length > COLLAPSE_OVER
      ? details(plural(skipped.length, 'skipped change'), lines)
      : lines,
  ].join('\n')
}

function guardsBlock(view: View, guards: GuardViolation[], level: DetailLevel): string {
  if (!guards.length) return ''
  const n = plural(guards.length, 'safety guard')
  const force = 'the `force` input (CLI `--force`)'
  const { result } = view.input
  let alert = '[!CAUTION]'
  let lead: string
  if (!view.applied) {
    lead = `**Apply will be blocked by ${n}.** Nothing is written while a guard trips; review the removals, then set ${force} to apply anyway.`
  } else if (result?.blocked) {
    lead = `**Apply was blocked by ${n}: ${writtenBeforeBlock(result)}.** Review the removals, then re-run with ${force} to apply anyway.`
  } else {
    alert = '[!WARNING]'
    lead = `**${n} overridden with \`force\`.**`
  }
  const items = guards.map(
    (g) =>
      `- ${code(g.guard)} on ${plain(guardScope(g.scope))}: ${plural(g.removals, 'removal')}, limit ${plain(g.limit)} allows ${g.allowed}`,
  )
  return quote([alert, lead, '', ...capList(view, items, LIMITS[level].items)])
}

function heldBackScope(h: HeldBack): string {
  return h.team === undefined ? `${h.org} (org roles)` : `${h.org} / ${h.team}`
}

function heldBackBlock(view: View, heldBack: HeldBack[], level: DetailLevel): string {
  if (!heldBack.length) return ''
  const items = heldBack.map((h) => {
    const names = h.users.slice(0, HELD_BACK_NAMES).map((u) => plain(u))
    if (h.users.length > HELD_BACK_NAMES) names.push(`and ${h.users.length - HELD_BACK_NAMES} more`)
    const kept = h.removals ? ` — ${plural(h.removals, 'removal')} held back` : ''
    return `- ${code(heldBackScope(h))}: ${plain(h.reason, LIMITS[level].text)}${kept}${names.length ? `: ${names.join(', ')}` : ''}`
  })
  return quote([
    '[!WARNING]',
    `**Removals held back in ${plural(heldBack.length, 'place')}.** Nobody is removed there in this run:`,
    '',
    ...capList(view, items, LIMITS[level].items),
  ])
}

function messageLine(m: Message, level: DetailLevel): string {
  const scope =
    m.org === undefined ? '' : `${m.team === undefined ? m.org : `${m.org} / ${m.team}`}`
  const at = m.source ? ` (${code(`${m.source.file}:${m.source.line}`)})` : ''
  return `- ${scope ? `${code(scope)}: ` : ''}${plain(m.message, LIMITS[level].text)}${at}`
}

function messagesBlock(
  view: View,
  title: string,
  messages: Message[],
  level: DetailLevel,
  intro = '',
): string {
  if (!messages.length) return ''
  const lines = capList(
    view,
    messages.map((m) => messageLine(m, level)),
    LIMITS[level].items,
  )
  return [`### ${title} (${messages.length})`, ...(intro ? ['', intro] : []), '', ...lines].join(
    '\n',
  )
}

function pendingBlock(view: View, pending: Pending[], level: DetailLevel): string {
  if (!pending.length) return ''
  const people = new Set(pending.map((p) => p.identity)).size
  const lines = pending.map((p) => {
    const where = p.team === undefined ? `${p.org} (org role)` : `${p.org} / ${p.team}`
    const why = level === 'full' ? provenanceText(p.provenance) : ''
    return `- ${plain(p.identity)} → ${code(where)}${why ? ` ← ${plain(why, LIMITS[level].text)}` : ''}`
  })
  const list = capList(view, lines, LIMITS[level].items).join('\n')
  return [
    `### Pending: ${plural(people, 'person', 'people')} without a Grafana account`,
    '',
    'They are added by the first run after they log in to Grafana.',
    '',
    pending.length > COLLAPSE_OVER
      ? details(plural(pending.length, 'pending membership'), list)
      : list,
  ].join('\n')
}

function extraBlock(view: View, level: DetailLevel): string {
  const extra = view.applied ? (view.input.result?.extra ?? []) : []
  if (!extra.length) return ''
  const lines = extra.map((e) => `- ${plain(e, LIMITS[level].text)}`)
  return ['### Follow-up writes', '', ...capList(view, lines, LIMITS[level].items)].join('\n')
}

function statsBlock(stats: RequestStats[], level: DetailLevel): string {
  if (!stats.length) return ''
  const total = (pick: (s: RequestStats) => number) => stats.reduce((n, s) => n + pick(s), 0)
  const byService = new Map<string, number>()
  for (const s of stats) byService.set(s.service, (byService.get(s.service) ?? 0) + s.requests)
  const services = [...byService.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([service, n]) => `${service} ${n}`)
    .join(', ')
  const retries = total((s) => s.retries)
  const line = `Read in ${plural(
    total((s) => s.requests),
    'request',
  )} (${services})${retries ? `, ${plural(retries, 'retry', 'retries')}` : ''}.`
  if (level !== 'full') return line
  const rows = [...stats]
    .sort((a, b) => compareText(a.service, b.service) || compareText(a.endpoint, b.endpoint))
    .map((s) => [
      s.service,
      plain(s.endpoint),
      String(s.requests),
      String(s.retries),
      (s.bytes / 1024).toFixed(1),
    ])
  return details(
    line,
    table(['Service', 'Endpoint', 'Requests', 'Retries', 'KiB'], ['l', 'l', 'r', 'r', 'r'], rows),
  )
}

// ---------------------------------------------------------------- changes

function changesBlocks(view: View, level: DetailLevel): string[] {
  return [...groupBlocks(view, view.groups, level), pendingChangesBlock(view, level)]
}

function groupBlocks(view: View, groups: Group[], level: DetailLevel, open?: boolean): string[] {
  if (!groups.length) return []
  if (level === 'totals') return []
  if (level === 'counts') return [countsTable(view, groups)]
  if (level === 'removals') return [countsTable(view, groups), removalsBlock(groups)]
  const opened = open ?? groups.reduce((n, g) => n + g.changes.length, 0) <= OPEN_UP_TO
  const blocks: string[] = []
  let org: string | undefined
  for (const [i, group] of groups.entries()) {
    if (i === 0 || group.org !== org) {
      org = group.org
      blocks.push(groupHeading(groups, group.org))
    }
    const content = level === 'full' ? diffBlock(view, group) : lineList(view, group)
    blocks.push(details(groupSummary(view, group), content, opened))
  }
  return blocks
}

/** Changes this pull request does not cause, collapsed after its own. */
function pendingChangesBlock(view: View, level: DetailLevel): string {
  const changes = view.pendingGroups.flatMap((g) => g.changes)
  if (!changes.length) return ''
  const counts = tallyText(tally(changes), true)
  const title = view.applied
    ? `### Not from this pull request: ${plural(changes.length, 'change')}`
    : `### Already pending: ${plural(changes.length, 'change')} this pull request does not cause`
  const intro = view.applied
    ? 'Drift and Okta membership moves that an apply of the commit before the merge would have made too.'
    : 'Drift and Okta membership moves: an apply of the base branch would make them too, with or without this pull request.'
  if (level === 'totals') return [title, '', `${intro} ${capitalise(counts)}.`].join('\n')
  const inner = groupBlocks(view, view.pendingGroups, level, false).join('\n\n')
  return [
    title,
    '',
    intro,
    '',
    details(`${plural(changes.length, 'pending change')} — ${counts}`, inner),
  ].join('\n')
}

function groupHeading(groups: Group[], org: string | undefined): string {
  const changes = groups.filter((g) => g.org === org).flatMap((g) => g.changes)
  const counts = tallyText(tally(changes), true)
  return org === undefined ? `### Users — ${counts}` : `### Org ${code(org)} — ${counts}`
}

function groupTitle(group: Group): string {
  if (group.org === undefined) return 'Local users'
  if (group.team === undefined) return 'Org, members and roles'
  return `<b>${plain(group.team)}</b>`
}

function failedIn(view: View, group: Group): number {
  return group.changes.filter((c) => view.results.get(c.id)?.status === 'failed').length
}

function groupSummary(view: View, group: Group): string {
  const failed = view.applied ? failedIn(view, group) : 0
  return `${groupTitle(group)} — ${tallyText(tally(group.changes), true)}${failed ? `, ${failed} failed` : ''}`
}

function statusOf(view: View, change: Change): string {
  const status = view.applied ? view.results.get(change.id)?.status : undefined
  return status && status !== 'applied' ? STATUS_LABEL[status] : ''
}

function diffBlock(view: View, group: Group): string {
  const lines = group.changes.flatMap((change) => {
    const status = statusOf(view, change)
    return groupItems(change).map((item) => {
      const why = item.provenance ? `  ← ${truncate(item.provenance, LINE_TEXT)}` : ''
      return `${item.sign} ${truncate(item.text, LINE_TEXT)}${why}${status ? `  [${status}]` : ''}`
    })
  })
  return codeBlock('diff', lines)
}

function lineList(view: View, group: Group): string {
  return group.changes
    .flatMap((change) => {
      const status = statusOf(view, change)
      return groupItems(change).map(
        (item) =>
          `- \\${item.sign} ${plain(item.text, LINE_TEXT)}${status ? ` (**${status}**)` : ''}`,
      )
    })
    .join('\n')
}

/** What a change takes away, if anything: a removal, a deletion or a demotion. */
function lossOf(change: Change): string | undefined {
  switch (change.kind) {
    case 'remove-team-member':
    case 'remove-org-user':
      return who(change.user)
    case 'delete-team':
      return `team deleted (${plural(change.memberCount, 'member')})`
    case 'set-team-permission':
      return change.from === 'Admin' && change.to !== 'Admin'
        ? `${who(change.user)} (${change.from} → ${change.to})`
        : undefined
    case 'set-org-role':
      return ORG_ROLE_RANK[change.to] < ORG_ROLE_RANK[change.from]
        ? `${who(change.user)} (${change.from} → ${change.to})`
        : undefined
    default:
      return undefined
  }
}

function removalsBlock(groups: Group[]): string {
  let total = 0
  const lines = groups.flatMap((group) => {
    const losses = group.changes.map(lossOf).filter((loss) => loss !== undefined)
    if (!losses.length) return []
    total += losses.length
    const scope =
      group.org === undefined
        ? ''
        : group.team === undefined
          ? group.org
          : `${group.org} / ${group.team}`
    return [`- ${code(scope || 'users')}: ${losses.map((loss) => plain(loss)).join(', ')}`]
  })
  if (!lines.length) return ''
  return [`### Removals and demotions (${total})`, '', ...lines].join('\n')
}

function countsTable(view: View, groups: Group[]): string {
  const header = ['Org', 'Team', 'To add', 'To change', 'To remove']
  if (view.applied) header.push('Failed')
  const rows = groups.map((group) => {
    const t = tally(group.changes)
    const org = group.org === undefined ? '—' : plain(group.org)
    const team =
      group.org === undefined
        ? '(local users)'
        : group.team === undefined
          ? '(org)'
          : plain(group.team)
    const row = [org, team, String(t.add), String(t.change), String(t.remove)]
    if (view.applied) row.push(String(failedIn(view, group)))
    return row
  })
  return [
    '### Changes by team',
    '',
    table(header, ['l', 'l', 'r', 'r', 'r', 'r'].slice(0, header.length) as ('l' | 'r')[], rows),
  ].join('\n')
}
