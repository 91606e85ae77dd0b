import { describe, expect, it } from 'vitest'
import { renderText } from './text.ts'
import { changeLine } from './describe.ts'
import { bigPlan, planOf, typicalPlan, typicalResult } from '../../test/fixtures/report.ts'

describe('renderText', () => {
  it('renders a typical plan as plain lines', async () => {
    const text = renderText({ mode: 'plan', configPath: 'teams', plan: typicalPlan() })
    await expect(text).toMatchFileSnapshot('__snapshots__/typical-plan.txt')
    expect(text).not.toMatch(/<\/?[a-z]+>|\*\*|```|&#/)
  })

  it('writes one line per change with its full scope and provenance', () => {
    const text = renderText({ mode: 'plan', configPath: 'teams', plan: typicalPlan() })
    expect(text).toContain(
      '\n+ add member ana@acme.example to Main Org./Platform (Admin)  [okta: Platform-Leads]\n',
    )
    expect(text).toContain(
      '\n- remove member bob@acme.example from Main Org./Platform  [not declared]\n',
    )
    expect(text).toContain(
      '\n~ set preferences of Main Org./Platform: theme: light → dark, weekStart: "" → monday\n',
    )
    expect(text).toContain('\n- delete team Main Org./Legacy (7 members)  [not declared]\n')
  })

  it('has the same changes as the markdown, in the same order', () => {
    const plan = typicalPlan()
    const lines = renderText({ mode: 'plan', configPath: 'teams', plan })
      .split('\n')
      .filter((l) => /^[+~-] /.test(l))
    expect(lines).toHaveLength(plan.changes.length)
    expect(lines[0]).toBe(
      '+ create user office-tv (tv@acme.example, "Office TV") with password from env OFFICE_TV_PASSWORD',
    )
    expect(lines.at(-1)).toBe('+ add member dave@acme.example to Ops/On-call (Admin)  [okta: SRE]')
  })

  it('says there is nothing to do for an empty plan', () => {
    expect(renderText({ mode: 'plan', configPath: 'teams', plan: planOf([]) })).toBe(
      'grafana-team-sync plan for teams\nNo changes. Grafana matches the config.\n',
    )
  })

  it('reports apply statuses and failure messages', () => {
    const plan = typicalPlan()
    const text = renderText({
      mode: 'apply',
      configPath: 'teams',
      plan,
      result: typicalResult(plan),
    })
    expect(text).toContain('14 applied, 1 already done, 1 failed, 1 skipped of 17 planned changes')
    expect(text).toContain('Failed (1):\n  - create team Ops/On-call: Grafana 409: Team name taken')
    expect(text).toContain(
      '+ create team Ops/On-call  [teams/ops.yaml:5]  (failed: Grafana 409: Team name taken)',
    )
    expect(text).toContain(
      '+ add member bob@acme.example to Main Org./Search  [okta: Search-Engineers]  (already done)',
    )
  })

  it('names blocking guards and force', () => {
    const text = renderText({ mode: 'plan', configPath: 'teams', plan: bigPlan(2, 10) })
    expect(text).toContain(
      'Apply will be blocked by safety guards; nothing is written unless forced (force input, CLI --force):\n  - maxRemovals on the whole run: 2 removals, limit 25% allows 120',
    )
  })
})

describe('changeLine', () => {
  it('describes every kind in one line', () => {
    const lines = typicalPlan().changes.map(changeLine)
    expect(lines).toContain('+ create org Ops')
    expect(lines).toContain(
      '~ update user kiosk: disabled: true → false, name: Kiosk → Lobby kiosk',
    )
    expect(lines).toContain(
      '+ add ana@acme.example to org Main Org. as Editor  [okta: Engineering]',
    )
    expect(lines).toContain(
      '~ change org role of carol@acme.example in Main Org.: Viewer → Admin  [teams/orgs.yaml:4]',
    )
    expect(lines).toContain(
      '- remove dave@acme.example from org Main Org. (Viewer)  [not declared]',
    )
    expect(lines).toContain('~ update team Main Org./Platform: email: "" → platform@acme.example')
    expect(lines).toContain(
      '~ change permission of carol@acme.example in Main Org./Platform: Member → Admin  [teams/platform.yaml:12]',
    )
    expect(lines).toContain(
      '+ create team Main Org./Search (email search@acme.example)  [teams/search.yaml:2]',
    )
  })
})
