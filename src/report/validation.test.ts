import { describe, expect, it } from 'vitest'
import { renderValidation } from './validation.ts'
import { markupProblems } from '../../test/fixtures/report.ts'

const summary = {
  files: 3,
  orgs: ['Main Org.', 'Ops'],
  teams: 14,
  oktaGroups: ['Platform-Leads', 'Engineering', '@everyone'],
  people: 20,
  users: 1,
}

describe('renderValidation', () => {
  it('summarises what a valid config declares', () => {
    const md = renderValidation({ configPath: 'teams', problems: [], summary })
    expect(md).toContain('## grafana-team-sync: <code>teams</code> is valid')
    expect(md).toContain('| Config files | 3 |')
    expect(md).toContain('| Teams | 14 |')
    expect(md).toContain('| Okta groups referenced | 3 |')
    expect(md).toContain('| People named | 20 |')
    expect(md).toContain('| Local users | 1 |')
    expect(md).toContain('**Orgs:** <code>Main Org.</code>, <code>Ops</code>')
    expect(md).toContain(
      '**Okta groups:** <code>@&#8203;everyone</code>, <code>Engineering</code>, <code>Platform-Leads</code>',
    )
    expect(markupProblems(md)).toEqual([])
  })

  it('collapses long name lists', () => {
    const many = { ...summary, oktaGroups: Array.from({ length: 30 }, (_, i) => `G${i}`) }
    const md = renderValidation({ configPath: 'teams', problems: [], summary: many })
    expect(md).toContain('<details><summary>Okta groups (30)</summary>')
    expect(markupProblems(md)).toEqual([])
  })

  it('tables every problem by place, sorted, escaped', () => {
    const md = renderValidation({
      configPath: 'teams',
      problems: [
        {
          file: 'teams/b.yaml',
          line: 2,
          col: 3,
          message: 'unknown key "tem|s"',
          hint: 'did you mean "teams"?',
        },
        {
          file: 'teams/a.yaml',
          line: 9,
          col: 1,
          message: 'not an email: <script>@x',
          hint: 'write a user as `name@domain`',
        },
        {
          file: 'teams/a.yaml',
          line: 1,
          col: 5,
          message: 'Team @acme/admins is declared twice\n| fake | row |',
        },
      ],
    })
    expect(md).toContain('## grafana-team-sync: 3 problems in <code>teams</code>')
    expect(md).toContain('| Where | Problem | How to fix |')
    const rows = md.split('\n').filter((l) => l.startsWith('| <code>'))
    expect(rows).toEqual([
      '| <code>teams/a.yaml:1:5</code> | Team @&#8203;acme/admins is declared twice &#124; fake &#124; row &#124; |  |',
      '| <code>teams/a.yaml:9:1</code> | not an email: &lt;script&gt;@&#8203;x | write a user as &#96;name@domain&#96; |',
      '| <code>teams/b.yaml:2:3</code> | unknown key "tem&#124;s" | did you mean "teams"? |',
    ])
    expect(markupProblems(md)).toEqual([])
  })

  it('keeps whole rows within the budget and counts the rest', () => {
    const problems = Array.from({ length: 500 }, (_, i) => ({
      file: 'teams/a.yaml',
      line: i + 1,
      col: 1,
      message: `problem ${i}`,
    }))
    const md = renderValidation({ configPath: 'teams', problems, budget: 5_000 })
    expect(md.length).toBeLessThanOrEqual(5_000)
    expect(md).toMatch(/…and \d+ more problems not shown\.\n$/)
    expect(
      md
        .split('\n')
        .filter((l) => l.startsWith('| <code>'))
        .every((l) => l.endsWith(' |')),
    ).toBe(true)
  })
})
