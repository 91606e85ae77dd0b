import { describe, expect, it } from 'vitest'
import type { Change } from '../model.ts'
import { runScheduled, type Outcome } from './schedule.ts'

const at = { file: 'teams/a.yaml', line: 1, col: 1 }

function createTeam(name: string, dependsOn: string[] = []): Change {
  return {
    kind: 'create-team',
    id: `create-team:${name}`,
    dependsOn,
    org: 'O',
    team: name,
    source: at,
  }
}
function createOrg(name: string, dependsOn: string[] = []): Change {
  return { kind: 'create-org', id: `create-org:${name}`, dependsOn, org: name }
}
function deleteTeam(name: string, dependsOn: string[] = []): Change {
  return {
    kind: 'delete-team',
    id: `delete-team:${name}`,
    dependsOn,
    org: 'O',
    orgId: 1,
    team: name,
    teamId: 1,
    memberCount: 0,
  }
}

const settle = (outcome: Outcome): Promise<Outcome> => Promise.resolve(outcome)
const applied = () => settle({ status: 'applied' })

describe('runScheduled', () => {
  it('runs the phases in the apply order of docs/contract.md §4 whatever the order of the list', async () => {
    const started: string[] = []
    const changes = [deleteTeam('x'), createTeam('t'), createOrg('o')]
    await runScheduled(changes, 4, (c) => (started.push(c.id), applied()))
    expect(started).toEqual(['create-org:o', 'create-team:t', 'delete-team:x'])
  })

  it('keeps at most `concurrency` changes in flight, and uses that many', async () => {
    let inFlight = 0
    let peak = 0
    const changes = Array.from({ length: 20 }, (_, i) => createTeam(`t${i}`))
    await runScheduled(changes, 3, async () => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await new Promise((resolve) => setImmediate(resolve))
      inFlight--
      return { status: 'applied' }
    })
    expect(peak).toBe(3)
  })

  it('starts a change only after the changes it depends on in the same phase succeeded', async () => {
    const finished = new Set<string>()
    const violations: string[] = []
    const changes = [
      createTeam('b', ['create-team:a']),
      createTeam('c', ['create-team:b']),
      createTeam('a'),
    ]
    const results = await runScheduled(changes, 8, async (c) => {
      for (const dep of c.dependsOn)
        if (!finished.has(dep)) violations.push(`${c.id} before ${dep}`)
      await new Promise((resolve) => setImmediate(resolve))
      finished.add(c.id)
      return { status: 'already-done' }
    })
    expect(violations).toEqual([])
    expect([...results.values()].map((r) => r.status)).toEqual([
      'already-done',
      'already-done',
      'already-done',
    ])
  })

  it('skips the transitive dependents of a failed change, naming it, and runs everything else', async () => {
    const changes = [
      createOrg('bad'),
      createOrg('good'),
      createTeam('in-bad', ['create-org:bad']),
      createTeam('in-good', ['create-org:good']),
      deleteTeam('after-in-bad', ['create-team:in-bad']),
    ]
    const ran: string[] = []
    const results = await runScheduled(changes, 2, (c) => {
      ran.push(c.id)
      return c.id === 'create-org:bad' ? settle({ status: 'failed', detail: 'boom' }) : applied()
    })
    expect(ran.sort()).toEqual(['create-org:bad', 'create-org:good', 'create-team:in-good'])
    expect(results.get('create-org:bad')).toEqual({
      id: 'create-org:bad',
      status: 'failed',
      detail: 'boom',
    })
    expect(results.get('create-team:in-bad')).toEqual({
      id: 'create-team:in-bad',
      status: 'skipped',
      detail: 'not run: create-org:bad failed',
    })
    expect(results.get('delete-team:after-in-bad')).toEqual({
      id: 'delete-team:after-in-bad',
      status: 'skipped',
      detail: 'not run: create-org:bad failed (needed by create-team:in-bad)',
    })
    expect(results.get('create-team:in-good')?.status).toBe('applied')
  })

  it('ignores dependencies on changes that are not in the list', async () => {
    const results = await runScheduled([createTeam('t', ['create-org:elsewhere'])], 1, applied)
    expect(results.get('create-team:t')?.status).toBe('applied')
  })

  it('skips, without hanging, changes that wait on a later phase or on each other', async () => {
    const changes = [
      createTeam('early', ['delete-team:late']),
      deleteTeam('late'),
      createOrg('x', ['create-org:y']),
      createOrg('y', ['create-org:x']),
    ]
    const results = await runScheduled(changes, 4, applied)
    expect(results.get('create-team:early')).toMatchObject({ status: 'skipped' })
    expect(results.get('create-team:early')?.detail).toContain('delete-team:late')
    expect(results.get('create-org:x')?.status).toBe('skipped')
    expect(results.get('create-org:y')?.status).toBe('skipped')
    expect(results.get('delete-team:late')?.status).toBe('applied')
  })
})
