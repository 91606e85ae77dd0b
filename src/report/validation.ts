import type { ConfigProblem, ConfigSummary } from '../config/index.ts'
import { compareText } from '../model.ts'
import { plural } from './describe.ts'
import { code, plain } from './escape.ts'
import { SUMMARY_BUDGET } from './markdown.ts'

export interface ValidationInput {
  configPath: string
  problems: ConfigProblem[]
  summary?: ConfigSummary
  /** Characters; defaults to the job summary budget. */
  budget?: number
}

const LIST_INLINE_UP_TO = 10

/** Job summary markdown for validate mode: what the config declares, or a table of every problem. */
export function renderValidation(input: ValidationInput): string {
  return input.problems.length ? problemsReport(input) : validReport(input)
}

function validReport({ configPath, summary }: ValidationInput): string {
  const blocks = [`## grafana-team-sync: ${code(configPath)} is valid`]
  if (summary) {
    blocks.push(
      [
        '| Declared | Count |',
        '| --- | ---: |',
        `| Config files | ${summary.files} |`,
        `| Orgs | ${summary.orgs.length} |`,
        `| Teams | ${summary.teams} |`,
        `| Okta groups referenced | ${summary.oktaGroups.length} |`,
        `| People named | ${summary.people} |`,
        `| Local users | ${summary.users} |`,
      ].join('\n'),
    )
    blocks.push(nameList('Orgs', summary.orgs), nameList('Okta groups', summary.oktaGroups))
  }
  blocks.push('Validated offline: nothing was read from or written to Grafana or Okta.')
  return `${blocks.filter(Boolean).join('\n\n')}\n`
}

function nameList(title: string, names: string[]): string {
  if (!names.length) return ''
  const sorted = [...names].sort(compareText)
  const list = sorted.map((n) => code(n)).join(', ')
  if (sorted.length <= LIST_INLINE_UP_TO) return `**${title}:** ${list}`
  return `<details><summary>${title} (${sorted.length})</summary>\n\n${list}\n\n</details>`
}

function problemsReport({
  configPath,
  problems,
  budget = SUMMARY_BUDGET,
}: ValidationInput): string {
  const sorted = [...problems].sort(
    (a, b) => compareText(a.file, b.file) || a.line - b.line || a.col - b.col,
  )
  const top = [
    `## grafana-team-sync: ${plural(sorted.length, 'problem')} in ${code(configPath)}`,
    'Nothing was read from or written to Grafana. Fix these and push again.',
    '| Where | Problem | How to fix |\n| --- | --- | --- |',
  ].join('\n\n')
  const rows = sorted.map(
    (p) =>
      `| ${code(`${p.file}:${p.line}:${p.col}`)} | ${plain(p.message, 1000)} | ${p.hint ? plain(p.hint, 1000) : ''} |`,
  )
  // Rows are whole lines; the note for rows left out is reserved up front.
  const reserve = `\n\n…and ${sorted.length} more problems not shown.\n`.length
  let used = top.length + 1 + reserve
  const kept: string[] = []
  for (const row of rows) {
    if (used + row.length + 1 > budget) break
    kept.push(row)
    used += row.length + 1
  }
  const left = rows.length - kept.length
  const tail = left ? `\n\n…and ${plural(left, 'more problem')} not shown.` : ''
  return `${[top, ...kept].join('\n')}${tail}\n`
}
