import { describe, expect, it } from 'vitest'
import type { ApplyResult, Plan } from '../model.ts'
import { COMMENT_BUDGET, SUMMARY_BUDGET, renderMarkdown } from './markdown.ts'
import {
  bigPlan,
  markupProblems,
  parseMarkup,
  planOf,
  typicalPlan,
  typicalResult,
} from '../../test/fixtures/report.ts'

const MARKER = '<!-- grafana-team-sync:plan {"configPath":"teams"} -->'

function plan(p: Plan, extra: { marker?: string } = {}): string {
  return renderMarkdown(
    { mode: 'plan', configPath: 'teams', plan: p, ...extra },
    { budget: COMMENT_BUDGET },
  )
}

function applied(p: Plan, result: ApplyResult): string {
  return renderMarkdown(
    { mode: 'apply', configPath: 'teams', plan: p, result },
    { budget: SUMMARY_BUDGET },
  )
}

describe('renderMarkdown for a plan', () => {
  it('renders a typical plan: counts first, visible warnings, per-org and per-team diff blocks', async () => {
    const md = plan(typicalPlan(), { marker: MARKER })
    await expect(md).toMatchFileSnapshot('__snapshots__/typical-plan.md.txt')
    expect(markupProblems(md)).toEqual([])
  })

  it('puts the marker on the first line, verbatim', () => {
    expect(plan(typicalPlan(), { marker: MARKER }).split('\n')[0]).toBe(MARKER)
    expect(plan(typicalPlan()).startsWith('## grafana-team-sync plan for <code>teams</code>')).toBe(
      true,
    )
  })

  it('leads with the add/change/remove totals and a table by kind', () => {
    const md = plan(typicalPlan())
    const lines = md.split('\n')
    expect(lines[2]).toBe('**9 to add, 5 to change, 3 to remove**')
    expect(md).toContain('| add team member | 4 |')
    expect(md).toContain('| delete team | 1 |')
    expect(md).toContain(
      '**This plan removes access:** 9 removals as the safety guards count them: it removes 1 team membership, removes 1 org user, deletes 1 team (7 members).',
    )
  })

  it('shows each membership change with who wants it', () => {
    const md = plan(typicalPlan())
    expect(md).toContain('+ ana@acme.example (Admin)  ← okta: Platform-Leads')
    expect(md).toContain('+ erin@acme.example  ← okta: Platform-Engineers; teams/platform.yaml:9')
    expect(md).toContain('- bob@acme.example  ← not declared')
    expect(md).toContain('~ carol@acme.example Member → Admin  ← teams/platform.yaml:12')
    expect(md).toContain('~ theme: light → dark')
    expect(md).toContain('~ email: "" → platform@acme.example')
    expect(md).toContain('+ create team Search (search@acme.example)  ← teams/search.yaml:2')
    expect(md).toContain('- delete team Legacy (7 members)  ← not declared')
    expect(md).toContain('~ carol@acme.example Viewer → Admin  ← teams/orgs.yaml:4')
  })

  it('orders groups: users, then orgs by name, each org before its teams, teams by name', () => {
    const md = plan(typicalPlan())
    const order = [
      '### Users',
      '### Org <code>Main Org.</code>',
      '<b>Legacy</b>',
      '<b>Platform</b>',
      '<b>Search</b>',
      '### Org <code>Ops</code>',
      '<b>On-call</b>',
    ]
    const positions = order.map((s) => md.indexOf(s))
    expect(positions.every((p) => p >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
  })

  it('is deterministic whatever order the changes arrive in', () => {
    const p = typicalPlan()
    const shuffled = { ...p, changes: [...p.changes].reverse() }
    expect(plan(shuffled)).toBe(plan(p))
  })

  it('says there is nothing to do for an empty plan', () => {
    const md = plan(planOf([]))
    expect(md).toBe(
      '## grafana-team-sync plan for <code>teams</code>\n\nNo changes. Grafana matches the config.\n',
    )
  })

  it('still shows pending people and warnings when nothing changes', () => {
    const p = typicalPlan()
    const md = plan({ ...p, changes: [], counts: {} })
    // Its empty Okta group holds removals back: "no changes" would hide that.
    expect(md).toContain('**No changes planned, but 3 removals held back in 1 place; see below.**')
    expect(md).not.toContain('Grafana matches the config')
    expect(md).toContain('### Pending: 2 people without a Grafana account')
    expect(md).toContain(
      '- frank@acme.example → <code>Main Org. / Platform</code> ← okta: Platform-Engineers',
    )
    expect(md).toContain('### Warnings (1)')
    expect(md).not.toContain('```diff')
  })

  it('collapses a long pending list but keeps the heading visible', () => {
    const pending = Array.from({ length: 12 }, (_, i) => ({
      identity: `p${i}@acme.example`,
      org: 'Main Org.',
      team: 'Platform',
      provenance: { oktaGroups: ['Platform-Engineers'], yaml: [] },
    }))
    const md = plan(planOf([], { pending }))
    expect(md).toContain('### Pending: 12 people without a Grafana account')
    expect(md).toContain('<details><summary>12 pending memberships</summary>')
  })

  it('shows held-back removals with team, reason and how many people', () => {
    const md = plan(typicalPlan())
    expect(md).toContain('> [!WARNING]\n> **Removals held back in 1 place.**')
    expect(md).toContain(
      '> - <code>Main Org. / Data</code>: Okta group Data-Team has no members — 3 removals held back: hal@acme.example, ivy@acme.example, jon@acme.example',
    )
  })

  it('names each blocking guard with its limit and says force overrides', () => {
    const md = plan(bigPlan(4, 10))
    expect(md).toContain('> [!CAUTION]\n> **Apply will be blocked by 1 safety guard.**')
    expect(md).toContain('set the `force` input (CLI `--force`) to apply anyway')
    expect(md).toContain(
      '> - <code>maxRemovals</code> on the whole run: 4 removals, limit 25% allows 120',
    )
  })

  it('lists errors visibly', () => {
    const p = planOf([], {
      errors: [
        {
          code: 'okta-group-unreadable',
          message: 'Okta group Ops could not be read: 500',
          org: 'Main Org.',
          team: 'Ops',
          source: { file: 'teams/ops.yaml', line: 4, col: 5 },
        },
      ],
    })
    expect(plan(p)).toContain(
      '### Errors (1)\n\nAn apply makes the other changes, then fails on these.\n\n- <code>Main Org. / Ops</code>: Okta group Ops could not be read: 500 (<code>teams/ops.yaml:4</code>)',
    )
  })

  it('opens small plans and keeps large ones collapsed', () => {
    expect(plan(typicalPlan())).toContain('<details open><summary><b>Platform</b>')
    expect(
      renderMarkdown(
        { mode: 'plan', configPath: 'teams', plan: bigPlan(2, 20) },
        { budget: SUMMARY_BUDGET },
      ),
    ).toContain(
      '<details><summary><b>Team-000-Services</b> — 16 to add, 2 to change, 2 to remove</summary>',
    )
  })
})

describe('renderMarkdown for an apply result', () => {
  it('renders counts by status, each failure with its message, and skips', async () => {
    const p = typicalPlan()
    const md = applied(p, typicalResult(p))
    await expect(md).toMatchFileSnapshot('__snapshots__/typical-apply.md.txt')
    expect(markupProblems(md)).toEqual([])
    expect(md).toContain('## grafana-team-sync apply result for <code>teams</code>')
    expect(md).toContain(
      '**14 applied, 1 already done, 1 failed, 1 skipped** of 17 planned changes (9 to add, 5 to change, 3 to remove).',
    )
    expect(md).toContain('| create team | 2 | 1 | 0 | 1 | 0 |')
    expect(md).toContain(
      '### Failed: 1 change\n\n- create team Ops/On-call: Grafana 409: Team name taken',
    )
    expect(md).toContain('### Skipped: 1 change')
    expect(md).toContain(
      '- add member dave@acme.example to Ops/On-call (Admin): depends on create-team:Ops/On-call, which failed',
    )
    expect(md).toContain('+ create team On-call  ← teams/ops.yaml:5  [failed]')
    expect(md).toContain('+ dave@acme.example (Admin)  ← okta: SRE  [skipped]')
    expect(md).toContain('+ bob@acme.example  ← okta: Search-Engineers  [already done]')
    expect(md).toContain('<summary><b>On-call</b> — 2 to add, 1 failed</summary>')
    expect(md).toContain('### Follow-up writes\n\n- removed the sync user admin@localhost')
    expect(md).not.toContain('This plan removes access')
  })

  it('says nothing was written when a guard blocked the apply', () => {
    const p = bigPlan(4, 10)
    const md = applied(p, {
      blocked: true,
      results: [],
      applied: 0,
      failed: 0,
      skipped: 0,
      extra: [],
    })
    expect(md).toContain(
      '**Blocked by 1 safety guard: nothing was written.** Planned: 32 to add, 4 to change, 4 to remove.',
    )
    expect(md).toContain(
      '**Apply was blocked by 1 safety guard: nothing was written.** Review the removals, then re-run with the `force` input (CLI `--force`) to apply anyway.',
    )
    expect(md).not.toContain('### Failed')
  })

  it('names the org joins a blocked apply wrote before its guards could see those teams', () => {
    const p = bigPlan(4, 10)
    const md = applied(p, {
      blocked: true,
      results: [],
      applied: 2,
      failed: 0,
      skipped: 0,
      extra: [],
    })
    expect(md).toContain(
      "**Blocked by 1 safety guard: only the sync's user joining orgs was written (2 org joins).**",
    )
    expect(md).not.toContain('nothing was written')
  })

  it('says when guards were overridden with force', () => {
    const p = bigPlan(1, 10)
    const result: ApplyResult = {
      blocked: false,
      results: p.changes.map((c) => ({ id: c.id, status: 'applied' })),
      applied: p.changes.length,
      failed: 0,
      skipped: 0,
      extra: [],
    }
    const md = applied(p, result)
    expect(md).toContain('> [!WARNING]\n> **1 safety guard overridden with `force`.**')
    expect(md).toContain(
      '**10 applied, 0 already done, 0 failed, 0 skipped** of 10 planned changes',
    )
  })

  it('keeps every block closed', () => {
    const p = typicalPlan()
    const { blocks, unclosed } = parseMarkup(applied(p, typicalResult(p)))
    expect(unclosed).toBe(false)
    expect(blocks.every((b) => b.info === 'diff')).toBe(true)
  })
})
