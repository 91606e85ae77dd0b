import { describe, expect, it } from 'vitest'
import type { Plan } from '../model.ts'
import { COMMENT_BUDGET, DETAIL_LEVELS, renderMarkdown, renderMarkdownLevel } from './markdown.ts'
import { bigPlan, hostilePlan, markupProblems, planOf } from '../../test/fixtures/report.ts'
import type { ReportInput } from './describe.ts'

const SUMMARY_URL = 'https://github.com/acme/grafana-access/actions/runs/123456'
const MARKER = '<!-- grafana-team-sync:plan {"configPath":"teams"} -->'

function input(plan: Plan): ReportInput {
  return { mode: 'plan', configPath: 'teams', plan, marker: MARKER }
}

describe('a 5,000-change plan in a 60,000-character comment', () => {
  const plan = bigPlan(50, 100)
  const md = renderMarkdown(input(plan), { budget: COMMENT_BUDGET, summaryUrl: SUMMARY_URL })

  it('fits the budget', () => {
    expect(plan.changes).toHaveLength(5000)
    expect(md.length).toBeLessThanOrEqual(COMMENT_BUDGET)
  })

  it('keeps the marker, the totals, the table by kind and the guard', () => {
    expect(md.split('\n')[0]).toBe(MARKER)
    expect(md).toContain('**4000 to add, 500 to change, 500 to remove**')
    expect(md).toContain('| add team member | 4000 |')
    expect(md).toContain('| change team permission | 500 |')
    expect(md).toContain('| remove team member | 500 |')
    expect(md).toContain(
      '> - <code>maxRemovals</code> on the whole run: 500 removals, limit 25% allows 120',
    )
  })

  it('says it is shortened and links the job summary', () => {
    expect(md).toContain(
      `> Shortened to fit the size limit: counts per team and who loses access. The full plan is in the [job summary](${SUMMARY_URL}).`,
    )
  })

  it('still names everyone who loses access, per team', () => {
    expect(md).toContain('### Removals and demotions (500)')
    expect(md).toContain(
      '- <code>Main Org. / Team-000-Services</code>: firstname.lastname00009@acme.example,',
    )
    expect(md).toContain('| Main Org. | Team-000-Services | 80 | 10 | 10 |')
  })

  it('leaves balanced markup', () => {
    expect(markupProblems(md)).toEqual([])
    expect(md.match(/<details/g)?.length ?? 0).toBe(md.match(/<\/details>/g)?.length ?? 0)
  })
})

describe('degradation levels', () => {
  const plan = bigPlan(50, 100)
  const at = Object.fromEntries(
    DETAIL_LEVELS.map((level) => [
      level,
      renderMarkdownLevel(input(plan), level, { summaryUrl: SUMMARY_URL }),
    ]),
  )

  it('get strictly smaller and are each well-formed', () => {
    const sizes = DETAIL_LEVELS.map((level) => at[level]!.length)
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes)
    expect(new Set(sizes).size).toBe(sizes.length)
    const problems = DETAIL_LEVELS.flatMap((level) =>
      markupProblems(at[level]!).map((p) => `${level}: ${p}`),
    )
    expect(problems).toEqual([])
  })

  it('each keep the counts', () => {
    const missing = DETAIL_LEVELS.filter(
      (level) =>
        !at[level]!.includes('**4000 to add, 500 to change, 500 to remove**') ||
        !at[level]!.includes('| remove team member | 500 |'),
    )
    expect(missing).toEqual([])
  })

  it('full: diff blocks with provenance, no shortening note', () => {
    expect(at.full).toContain(
      '```diff\n+ firstname.lastname00000@acme.example (Admin)  ← okta: Okta-Team-000-Services-Engineers',
    )
    expect(at.full).not.toContain('Shortened')
  })

  it('lines: one line per change, no diff blocks, no provenance', () => {
    expect(at.lines).toContain(
      '- \\+ firstname.lastname00000@acme.example (Admin)\n- \\+ firstname.lastname00001@acme.example\n',
    )
    expect(at.lines).not.toContain('```')
    expect(at.lines).not.toContain('okta:')
    expect(at.lines).toContain(
      'Shortened to fit the size limit: one line per change, without provenance.',
    )
  })

  it('removals: per-team counts and who loses access, nothing about adds', () => {
    expect(at.removals).toContain('### Changes by team')
    expect(at.removals).toContain('### Removals and demotions (500)')
    expect(at.removals).not.toContain('firstname.lastname00000@')
  })

  it('counts: per-team counts only', () => {
    expect(at.counts).toContain('| Engineering | Team-049-Services | 80 | 10 | 10 |')
    expect(at.counts).not.toContain('@acme.example')
    expect(at.counts).toContain('Shortened to fit the size limit: counts per team only.')
  })

  it('totals: no per-team rows', () => {
    expect(at.totals).not.toContain('Team-000-Services')
    expect(at.totals).toContain('Shortened to fit the size limit: totals only.')
  })

  it('renderMarkdown picks the most detailed level that fits', () => {
    const picked = (budget: number) =>
      DETAIL_LEVELS.find(
        (level) => renderMarkdown(input(plan), { budget, summaryUrl: SUMMARY_URL }) === at[level],
      )
    expect(DETAIL_LEVELS.map((level) => picked(at[level]!.length))).toEqual(DETAIL_LEVELS)
    expect(DETAIL_LEVELS.slice(0, -1).map((level) => picked(at[level]!.length - 1))).toEqual(
      DETAIL_LEVELS.slice(1),
    )
  })
})

describe('below the totals level', () => {
  const noisy = planOf(bigPlan(4, 10).changes, {
    warnings: Array.from({ length: 40 }, (_, i) => ({
      code: 'w',
      message: `warning ${i} ${'x'.repeat(400)}`,
    })),
    errors: Array.from({ length: 40 }, (_, i) => ({
      code: 'e',
      message: `error ${i} ${'y'.repeat(400)}`,
    })),
    guards: bigPlan(4, 10).guards,
  })

  it('drops whole blocks, says how many, and stays within budget', () => {
    const budget = 3_000
    const md = renderMarkdown(input(noisy), { budget, summaryUrl: SUMMARY_URL })
    expect(md.length).toBeLessThanOrEqual(budget)
    expect(markupProblems(md)).toEqual([])
    expect(md).toContain('**32 to add, 4 to change, 4 to remove**')
    expect(md).toMatch(/\d+ more sections? did not fit\./)
    expect(md).toContain('<code>maxRemovals</code>')
  })

  it('falls back to one plain line for an absurdly small budget', () => {
    const md = renderMarkdown(input(noisy), { budget: 100 })
    expect(md.length).toBeLessThanOrEqual(100)
    expect(md).toContain(MARKER)
  })
})

describe('any budget', () => {
  it('never exceeds it and always leaves closed markup, even with hostile names', () => {
    const hostile = hostilePlan()
    const plan = planOf([...bigPlan(20, 50).changes, ...hostile.changes], {
      pending: hostile.pending,
      warnings: hostile.warnings,
      errors: hostile.errors,
      heldBack: hostile.heldBack,
      guards: hostile.guards,
    })
    const failures: string[] = []
    for (let budget = 600; budget <= 120_000; budget += 1_777) {
      const md = renderMarkdown(input(plan), { budget, summaryUrl: SUMMARY_URL })
      if (md.length > budget) failures.push(`budget ${budget}: ${md.length} characters`)
      failures.push(...markupProblems(md).map((p) => `budget ${budget}: ${p}`))
    }
    expect(failures).toEqual([])
  })
})

describe('a 4,000-change pull-request plan with both parts in a 60,000-character comment', () => {
  // Every third team's changes come from the pull request, the rest are pending anyway.
  const big = bigPlan(40, 100)
  const plan: Plan = {
    ...big,
    changes: big.changes.map((c) => ({
      ...c,
      origin: 'team' in c && /Team-\d\d[036]-/.test(c.team) ? 'pull-request' : 'pending',
    })),
    review: { base: { ref: 'b45e0000000000000000000000000000000000b1', read: true } },
  }
  const own = plan.changes.filter((c) => c.origin === 'pull-request').length
  const md = renderMarkdown(
    { ...input(plan), commit: 'f00d000000000000000000000000000000000f01' },
    { budget: COMMENT_BUDGET, summaryUrl: SUMMARY_URL },
  )

  it('fits the budget and keeps balanced markup', () => {
    expect(plan.changes).toHaveLength(4000)
    expect(own).toBeGreaterThan(0)
    expect(own).toBeLessThan(4000)
    expect(md.length).toBeLessThanOrEqual(COMMENT_BUDGET)
    expect(markupProblems(md)).toEqual([])
    expect(md.match(/<details/g)?.length ?? 0).toBe(md.match(/<\/details>/g)?.length ?? 0)
  })

  it('leads with the pull request part and still counts the pending one', () => {
    expect(md).toContain('**This pull request: ')
    expect(md).toContain(
      `### Already pending: ${4000 - own} changes this pull request does not cause`,
    )
    expect(md.indexOf('**This pull request: ')).toBeLessThan(md.indexOf('### Already pending'))
    expect(md).toContain('| Change | This PR | Already pending |')
  })
})
