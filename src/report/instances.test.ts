import { describe, expect, it } from 'vitest'
import { bigPlan, markupProblems } from '../../test/fixtures/report.ts'
import { renderInstancesMarkdown, type InstancesReportInput } from './instances.ts'
import { COMMENT_BUDGET } from './markdown.ts'

const MARKER = '<!-- grafana-team-sync:plan {"configPath":"teams","target":"abc"} -->'
const SUMMARY_URL = 'https://github.com/acme/grafana-access/actions/runs/1'

function input(big: number, small: number): InstancesReportInput {
  const report = (plan: ReturnType<typeof bigPlan>) => ({
    mode: 'plan' as const,
    configPath: 'teams',
    plan,
  })
  return {
    mode: 'plan',
    configPath: 'teams',
    marker: MARKER,
    instances: [
      { name: 'production', url: 'https://p.example', report: report(bigPlan(big, 100)) },
      { name: 'staging', url: 'https://s.example', report: report(bigPlan(small, 10)) },
      {
        name: 'eu',
        url: 'https://e.example',
        problems: ['Grafana answered 500'],
        status: 'failed',
      },
    ],
  }
}

/** `plan` as reviewed on a pull request: its first `own` changes are the PR's, the rest pending. */
function reviewedPlan(plan: ReturnType<typeof bigPlan>, own: number) {
  return {
    ...plan,
    changes: plan.changes.map((c, n) => ({
      ...c,
      origin: n < own ? ('pull-request' as const) : ('pending' as const),
    })),
    review: { base: { ref: 'b45e000', read: true as const }, fingerprint: 'f1' },
  }
}

describe('the report of several instances', () => {
  it("counts each instance's own changes on a pull request and folds its pending ones", () => {
    const given = input(1, 1)
    const [production, staging] = given.instances
    production!.report!.plan = reviewedPlan(production!.report!.plan, 1)
    staging!.report!.plan = reviewedPlan(staging!.report!.plan, 0)
    const md = renderInstancesMarkdown(given, { budget: COMMENT_BUDGET })
    expect(md).toContain('| Instance | Status | To add | To change | To remove | This PR |')
    expect(md).toContain('| <code>production</code> | would be blocked | 80 | 10 | 10 | 1 |')
    expect(md).toContain('| <code>staging</code> | would be blocked | 8 | 1 | 1 | 0 |')
    expect(md).toContain('| <code>eu</code> | failed | 0 | 0 | 0 | 0 |')
    expect(md.match(/### Already pending: /g)).toHaveLength(2)
    expect(md).toContain('**This pull request changes nothing in Grafana.**')
  })

  it('has no column for the PR without a base read', () => {
    const md = renderInstancesMarkdown(input(1, 1), { budget: COMMENT_BUDGET })
    expect(md).toContain('| Instance | Status | To add | To change | To remove |\n')
  })

  it('starts with the marker and a row of counts per instance', () => {
    const md = renderInstancesMarkdown(input(1, 1), { budget: COMMENT_BUDGET })
    const lines = md.split('\n')
    expect(lines[0]).toBe(MARKER)
    expect(lines[1]).toBe('## grafana-team-sync plan for <code>teams</code> on 3 instances')
    expect(md).toContain('| <code>production</code> | would be blocked | 80 | 10 | 10 |')
    expect(md).toContain('| <code>eu</code> | failed | 0 | 0 | 0 |')
    expect(md).toContain('## grafana-team-sync plan for <code>teams</code> on <code>staging</code>')
    expect(md).toContain('## Instance <code>eu</code>: failed\n\n- Grafana answered 500')
    expect(md.match(/grafana-team-sync:plan/g)).toHaveLength(1)
  })

  it('keeps a large plan within the budget and shows every instance at the same detail', () => {
    const md = renderInstancesMarkdown(input(50, 5), {
      budget: COMMENT_BUDGET,
      summaryUrl: SUMMARY_URL,
    })
    expect(md.length).toBeLessThanOrEqual(COMMENT_BUDGET)
    // The small plan would fit in full, but is shortened like the large one: both keep their removals.
    const notes = md.match(/Shortened to fit the size limit: [^.]*\./g) ?? []
    expect(notes).toEqual([
      'Shortened to fit the size limit: counts per team and who loses access.',
      'Shortened to fit the size limit: counts per team and who loses access.',
    ])
    expect(md.match(/### Removals and demotions/g)).toHaveLength(2)
    expect(md).toContain('## Instance <code>eu</code>: failed')
    expect(markupProblems(md)).toEqual([])
  })

  it('stays within a budget too small for every instance at totals', () => {
    const md = renderInstancesMarkdown(input(50, 50), { budget: 3000 })
    expect(md.length).toBeLessThanOrEqual(3000)
    expect(md).toContain('<code>staging</code>')
  })
})
