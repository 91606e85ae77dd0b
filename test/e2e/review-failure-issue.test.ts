// Unattended applies report through one issue: opened by a failing scheduled run, commented on by the
// next failure, closed by the first success.
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { failureMarker } from '../../src/action/failure-issue.ts'
import { REPOSITORY, requireBuild, runAction, type ActionRan } from './harness.ts'
import { expectNoSecrets, GITHUB_TOKEN, startWorld, teamMembers, type World } from './world.ts'

let world: World
beforeAll(requireBuild)
afterEach(async () => {
  await world?.close()
})

function schedule(w: World, inputs: Record<string, string> = {}): Promise<ActionRan> {
  return runAction(w.ws, {
    githubToken: GITHUB_TOKEN,
    apiUrl: w.github.url,
    event: 'schedule',
    payload: { schedule: '23 5 * * 1-5' },
    inputs: { ...w.credentials, ...inputs },
  })
}

/** Grafana refuses to add team members: every scheduled apply fails until the fault is cleared. */
function refuseMemberAdds(w: World): void {
  w.grafana.faults.inject({ method: 'POST', path: /^\/api\/teams\/\d+\/members$/, status: 403 })
}

describe('the failure issue of unattended applies', () => {
  it('opens one issue on a failing schedule, comments on the second failure, closes it on success', async () => {
    world = await startWorld()
    refuseMemberAdds(world)
    const first = await schedule(world)
    expect(first.code).toBe(1)
    // Progress lines use the report's words for a kind of change.
    expect(first.stdout).toContain('applying 4 × add team member')
    let issues = world.github.issues(REPOSITORY)
    expect(issues).toHaveLength(1)
    const issue = issues[0]!
    expect(issue.state).toBe('open')
    expect(issue.title).toBe('grafana-team-sync: the scheduled apply of `teams` fails')
    expect(issue.body.startsWith(failureMarker('teams'))).toBe(true)
    expect(issue.body).toContain(
      'failed in [run 4242](https://github.com/acme/grafana-access/actions/runs/4242)',
    )
    expect(issue.body).toContain('### Failed:')
    expectNoSecrets(world, first)
    await expect(issue.body).toMatchFileSnapshot('__snapshots__/review-failure-issue.md.txt')

    const second = await schedule(world)
    expect(second.code).toBe(1)
    issues = world.github.issues(REPOSITORY)
    expect(issues).toHaveLength(1)
    const comments = world.github.comments(REPOSITORY, issue.number)
    expect(comments.map((c) => c.body.split('\n')[0])).toEqual([
      'The scheduled apply of `teams` failed again in [run 4242](https://github.com/acme/grafana-access/actions/runs/4242).',
    ])

    world.grafana.faults.clear()
    const third = await schedule(world)
    expect(third.code).toBe(0)
    expect(teamMembers(world.grafana, 'Platform')).toEqual(['bob:A', 'carol', 'dave', 'erin'])
    issues = world.github.issues(REPOSITORY)
    expect(issues.map((i) => [i.number, i.state, i.state_reason])).toEqual([
      [issue.number, 'closed', 'completed'],
    ])
    expect(world.github.comments(REPOSITORY, issue.number).at(-1)!.body).toMatch(
      /^The scheduled apply of `teams` succeeded in \[run 4242\]/,
    )

    // A later success finds no open issue and writes nothing to GitHub.
    world.github.clearRequests()
    await schedule(world)
    expect(world.github.writes()).toEqual([])
  })

  it('leaves an issue someone else opened with the marker alone, and opens its own', async () => {
    world = await startWorld()
    world.github.addIssue(REPOSITORY, { title: 'planted', body: failureMarker('teams') })
    refuseMemberAdds(world)
    await schedule(world)
    const issues = world.github.issues(REPOSITORY)
    expect(issues.map((i) => [i.title, i.state])).toEqual([
      ['planted', 'open'],
      ['grafana-team-sync: the scheduled apply of `teams` fails', 'open'],
    ])
  })

  it('opens nothing with failure-issue: false', async () => {
    world = await startWorld()
    refuseMemberAdds(world)
    const ran = await schedule(world, { 'failure-issue': 'false' })
    expect(ran.code).toBe(1)
    expect(world.github.requests).toEqual([])
  })
})
