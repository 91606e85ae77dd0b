import { describe, expect, it } from 'vitest'
import type { Plan } from '../model.ts'
import { renderJson } from './json.ts'
import { typicalPlan, typicalResult } from '../../test/fixtures/report.ts'

/** The same value built with every object's keys inserted in reverse. */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  ) as T
}

describe('renderJson', () => {
  it('round-trips the plan and the result', () => {
    const plan = typicalPlan()
    const result = typicalResult(plan)
    const doc = JSON.parse(
      renderJson({ mode: 'apply', configPath: 'teams', plan, result, marker: '<!-- m -->' }),
    )
    expect(doc).toEqual({ version: 1, mode: 'apply', configPath: 'teams', plan, result })
  })

  it('leaves out the result and the marker when planning', () => {
    const doc = JSON.parse(
      renderJson({ mode: 'plan', configPath: 'teams', plan: typicalPlan(), marker: '<!-- m -->' }),
    ) as Record<string, unknown>
    expect(Object.keys(doc)).toEqual(['version', 'mode', 'configPath', 'plan'])
  })

  it('is byte-identical whatever order keys were built in', () => {
    const plan = typicalPlan()
    const a = renderJson({ mode: 'plan', configPath: 'teams', plan })
    const b = renderJson({ mode: 'plan', configPath: 'teams', plan: reversedKeys<Plan>(plan) })
    expect(b).toBe(a)
  })

  it('uses a fixed key order: version first, id and kind first in each change', () => {
    const json = renderJson({ mode: 'plan', configPath: 'teams', plan: typicalPlan() })
    const doc = JSON.parse(json) as { plan: Plan }
    expect(Object.keys(doc.plan)).toEqual([
      'version',
      'changes',
      'counts',
      'errors',
      'guards',
      'heldBack',
      'pending',
      'stats',
      'warnings',
    ])
    expect(Object.keys(doc.plan.changes[0]!).slice(0, 2)).toEqual(['id', 'kind'])
  })

  it('is indented by two spaces and ends with a newline', () => {
    const json = renderJson({ mode: 'plan', configPath: 'teams', plan: typicalPlan() })
    expect(
      json.startsWith(
        '{\n  "version": 1,\n  "mode": "plan",\n  "configPath": "teams",\n  "plan": {\n    "version": 1,',
      ),
    ).toBe(true)
    expect(json.endsWith('}\n')).toBe(true)
  })

  it('holds the password variable name, never a value', () => {
    const json = renderJson({ mode: 'plan', configPath: 'teams', plan: typicalPlan() })
    expect(json).toContain('"passwordEnv": "OFFICE_TV_PASSWORD"')
    expect(json).not.toMatch(/"password"\s*:/)
  })
})
