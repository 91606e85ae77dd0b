import { describe, expect, it } from 'vitest'
import { planMarker, planMarkerKey, reviewedPartIn } from './comment.ts'

describe('the plan marker with the reviewed part', () => {
  const part = {
    fingerprint: '0123456789abcdef',
    sha: 'f00d',
    changes: [{ id: 'add-team-member:Main Org./Evil --> <b>x</b>/ana@acme.example', digest: 'aa' }],
  }

  it('cannot be ended early by a name, and reads back what it recorded', () => {
    const marker = planMarker('./teams/', undefined, part)
    expect(marker.indexOf('-->')).toBe(marker.length - 3)
    expect(marker).not.toMatch(/<b>/)
    expect(reviewedPartIn(`${marker}\n## plan`, 'teams')).toEqual(part)
  })

  it('is found by the key of its config path, as the marker without a fingerprint is', () => {
    const key = planMarkerKey('teams')
    expect(planMarker('teams', undefined, part).startsWith(key)).toBe(true)
    expect(planMarker('teams').startsWith(key)).toBe(true)
    expect(planMarker('teams2', undefined, part).startsWith(key)).toBe(false)
    expect(reviewedPartIn(planMarker('teams'), 'teams')).toBeUndefined()
    expect(reviewedPartIn(planMarker('teams2', undefined, part), 'teams')).toBeUndefined()
  })

  it('is found by the key of its config path and target, and only by that target', () => {
    const prod = planMarkerKey('teams', 'aaaaaaaaaaaa')
    expect(planMarker('teams', 'aaaaaaaaaaaa', part).startsWith(prod)).toBe(true)
    expect(planMarker('teams', 'aaaaaaaaaaaa').startsWith(prod)).toBe(true)
    expect(planMarker('teams', 'bbbbbbbbbbbb', part).startsWith(prod)).toBe(false)
    expect(
      reviewedPartIn(planMarker('teams', 'aaaaaaaaaaaa', part), 'teams', 'aaaaaaaaaaaa'),
    ).toEqual(part)
    expect(
      reviewedPartIn(planMarker('teams', 'bbbbbbbbbbbb', part), 'teams', 'aaaaaaaaaaaa'),
    ).toBeUndefined()
  })
})
