// The first line a reader sees: never "no changes" over errors or held-back removals, and a cancelled
// apply says how far it got.
import { describe, expect, it } from 'vitest'
import type { ApplyResult, Change, Plan } from '../model.ts'
import { SUMMARY_BUDGET, renderMarkdown } from './markdown.ts'
import { renderText } from './text.ts'
import { planOf } from '../../test/fixtures/report.ts'

const unreadGroup: Plan['errors'][number] = {
  code: 'okta-group-unreadable',
  message: 'Okta group Platform-Engineers could not be read: okta 503',
  org: 'Main Org.',
  team: 'Platform',
}

function both(plan: Plan, result?: ApplyResult): { md: string; text: string } {
  const input = { mode: result ? ('apply' as const) : ('plan' as const), configPath: 'teams' }
  return {
    md: renderMarkdown(
      { ...input, plan, ...(result ? { result } : {}) },
      { budget: SUMMARY_BUDGET },
    ),
    text: renderText({ ...input, plan, ...(result ? { result } : {}) }),
  }
}

function createTeams(n: number): Change[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'create-team' as const,
    id: `create-team:Main Org./T${i}`,
    dependsOn: [],
    org: 'Main Org.',
    team: `T${i}`,
    source: { file: 'teams/t.yaml', line: i + 1, col: 3 },
  }))
}

describe('headline', () => {
  it('says "no changes planned, but N errors" when parts could not be read, in markdown and text', () => {
    const plan = planOf([], { errors: [unreadGroup, { ...unreadGroup, team: 'Data' }] })
    for (const out of Object.values(both(plan))) {
      expect(out).toContain('No changes planned, but 2 errors: parts could not be read; see below.')
      expect(out).not.toContain('Grafana matches the config')
    }
    const applied = both(plan, {
      blocked: false,
      results: [],
      applied: 0,
      failed: 0,
      skipped: 0,
      extra: [],
    })
    expect(applied.md).toContain('**No changes planned, but 2 errors')
    expect(applied.text).toContain('No changes planned, but 2 errors')
  })

  it('names held-back removals when nothing else changes', () => {
    const heldBack = [{ org: 'Main Org.', team: 'Data', reason: 'empty', removals: 2, users: [] }]
    const { md, text } = both(planOf([], { heldBack }))
    expect(md).toContain('No changes planned, but 2 removals held back in 1 place')
    expect(text).toContain('No changes planned, but 2 removals held back in 1 place')
  })

  it('keeps "no changes" for a plan that read everything and holds nothing back', () => {
    const { md, text } = both(planOf([]))
    expect(md).toContain('No changes. Grafana matches the config.')
    expect(text).toContain('No changes. Grafana matches the config.')
  })

  it('says how many changes a cancelled apply made of how many', () => {
    const plan = planOf(createTeams(5))
    const [a, b, c, d, e] = plan.changes.map((ch) => ch.id)
    const result: ApplyResult = {
      blocked: false,
      results: [
        { id: a!, status: 'applied' },
        { id: b!, status: 'already-done' },
        { id: c!, status: 'failed', detail: 'Grafana 500' },
        { id: d!, status: 'skipped', detail: 'not run: the run was cancelled before it started' },
        { id: e!, status: 'skipped', detail: 'not run: the run was cancelled before it started' },
      ],
      applied: 2,
      failed: 1,
      skipped: 2,
      extra: [],
      cancelled: true,
    }
    const { md, text } = both(plan, result)
    const line = 'Cancelled after 3 of 5 changes (2 applied, 1 failed); 2 not started.'
    expect(md).toContain(`**${line} A re-run plans and applies what is left.**`)
    expect(md).toContain('Not started: the run was cancelled')
    expect(text).toContain(`${line} A re-run plans and applies what is left.`)
  })
})

describe('create user for missingUsers: create', () => {
  it('describes the random password instead of an empty variable name', () => {
    const plan = planOf([
      {
        kind: 'create-user',
        id: 'create-user:zoe@acme.example',
        dependsOn: [],
        user: { login: 'zoe@acme.example', email: 'zoe@acme.example' },
        name: 'zoe@acme.example',
        passwordEnv: '',
      },
    ])
    const { md, text } = both(plan)
    for (const out of [md, text]) {
      expect(out).not.toMatch(/password from env\s*($|[^A-Z])/m)
      expect(out).toContain('a random password (signs in through SSO)')
    }
  })
})
