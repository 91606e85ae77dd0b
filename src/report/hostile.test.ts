import { describe, expect, it } from 'vitest'
import { DETAIL_LEVELS, renderMarkdownLevel } from './markdown.ts'
import { renderText } from './text.ts'
import {
  HOSTILE,
  decodeEntities,
  hostilePlan,
  markupProblems,
  parseMarkup,
  typicalPlan,
  typicalResult,
} from '../../test/fixtures/report.ts'
import type { ReportInput } from './describe.ts'

const input: ReportInput = {
  mode: 'plan',
  configPath: 'teams/`x`\n## Approved',
  plan: hostilePlan(),
}

describe.each(DETAIL_LEVELS)('hostile names at level %s', (level) => {
  const md = renderMarkdownLevel(input, level, {
    summaryUrl: 'https://github.com/acme/x/actions/runs/1',
  })
  const { outside, blocks } = parseMarkup(md)
  const text = outside.join('\n')

  it('leave no raw HTML, mention, link, reference, broken fence, table or heading', () => {
    expect(markupProblems(md)).toEqual([])
  })

  it('cannot close <details> or <summary> from inside a name', () => {
    expect(text).not.toContain('</details><')
    expect(text).toContain('&lt;/summary&gt;&lt;/details&gt;&lt;img')
  })

  it('show the names as written once GitHub decodes them', () => {
    const shown = decodeEntities(text).replaceAll('\u200B', '')
    expect(shown).toContain(HOSTILE.org)
    expect(shown).toContain('@acme/admins')
    expect(shown).toContain('[click](javascript:alert(1))')
  })

  it('keep @-names raw only inside code blocks, where GitHub does not mention', () => {
    for (const line of outside)
      expect(decodeEntities(line)).not.toMatch(/(^|[^A-Za-z0-9])@[A-Za-z0-9]/)
    const inCode = blocks.flatMap((b) => b.lines).join('\n')
    const expected = level === 'full' ? '+ @octocat (Admin)  ← okta: @everyone' : ''
    expect(inCode).toContain(expected)
    expect(blocks.length > 0).toBe(level === 'full')
  })

  it('do not start lines of their own', () => {
    for (const line of md.split('\n')) {
      expect(line).not.toMatch(/^ {0,3}#+ Approved/)
      expect(line).not.toMatch(/^- \[x\] merged/)
    }
  })
})

describe('hostile names in diff blocks', () => {
  it('get a fence longer than the backtick runs in them', () => {
    const { blocks } = parseMarkup(renderMarkdownLevel(input, 'full'))
    expect(blocks.length).toBe(HOSTILE.teams.length)
    for (const block of blocks) {
      expect(block.fence).toBe('````')
      expect(block.lines.every((line) => /^[+~-] /.test(line))).toBe(true)
    }
  })
})

describe('hostile names in text', () => {
  it('never start a log line, so they cannot issue workflow commands', () => {
    const plan = typicalPlan()
    plan.warnings.push({ code: 'x', message: '::error::pwned', org: '::add-mask::x', team: 'y' })
    plan.pending.push({
      identity: '::stop-commands::t',
      org: 'o',
      provenance: { oktaGroups: [], yaml: [] },
    })
    plan.heldBack.push({ org: '::warning::o', reason: 'r', removals: 1, users: ['u'] })
    const result = typicalResult(plan)
    result.extra.push('::error::extra')
    result.results[0]!.status = 'failed'
    result.results[0]!.detail = '\n::error::detail'
    const text = renderText({ mode: 'apply', configPath: '::group::cfg', plan, result })
    for (const line of text.split('\n')) expect(line.trimStart()).not.toMatch(/^::/)
    expect(text).toContain('::error::pwned')
  })

  it('are kept on one line', () => {
    const text = renderText(input)
    expect(text).not.toMatch(/^## Approved/m)
    expect(text).not.toMatch(/^- \[x\]/m)
  })
})
