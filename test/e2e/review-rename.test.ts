// Team renames: `renamedFrom:` renames the team in place (PUT /api/teams/:id), so it keeps its id,
// members and preferences, instead of being deleted and created again.
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { REPOSITORY, requireBuild, runAction, snapshotBody } from './harness.ts'
import {
  GITHUB_TOKEN,
  PLATFORM_YAML,
  pullRequestPayload,
  startWorld,
  teamMembers,
  type World,
} from './world.ts'

let world: World
beforeAll(requireBuild)
afterEach(async () => {
  await world?.close()
})

const RENAMED = PLATFORM_YAML.replace(
  '  - name: Platform\n',
  '  - name: Platform\n    renamedFrom: Ops\n',
)

async function renameWorld(): Promise<{ w: World; teamId: number }> {
  const w = await startWorld({ 'teams/platform.yaml': RENAMED })
  const teamId = w.grafana.addTeam(1, 'Ops', {
    email: 'platform@acme.example',
    members: [
      { userId: w.users.bob, permission: 4 },
      { userId: w.users.carol, permission: 0 },
    ],
  })
  w.grafana.setTeamPreferences(teamId, { theme: 'dark' })
  return { w, teamId }
}

describe('a team renamed with renamedFrom', () => {
  it('shows the rename on the pull request', async () => {
    const { w } = await renameWorld()
    world = w
    const ran = await runAction(w.ws, {
      githubToken: GITHUB_TOKEN,
      apiUrl: w.github.url,
      event: 'pull_request',
      ref: 'refs/pull/12/merge',
      payload: pullRequestPayload(12),
      inputs: w.credentials,
    })
    expect(ran.code).toBe(0)
    const [comment] = w.github.comments(REPOSITORY, 12)
    expect(comment!.body).toContain('~ rename team Ops → Platform')
    expect(comment!.body).not.toMatch(/create team|delete team/)
    await expect(snapshotBody(comment!.body)).toMatchFileSnapshot(
      '__snapshots__/review-team-rename.md.txt',
    )
  })

  it('keeps the team id, its members and preferences on apply, and converges', async () => {
    const { w, teamId } = await renameWorld()
    world = w
    const ran = await runAction(w.ws, { event: 'schedule', inputs: w.credentials })
    expect(ran.code).toBe(0)
    const snap = w.grafana.snapshot()
    expect(snap.teams.filter((t) => t.orgId === 1)).toEqual([
      { id: teamId, orgId: 1, name: 'Platform', email: 'platform@acme.example' },
    ])
    expect(snap.teamPreferences[teamId]).toMatchObject({ theme: 'dark' })
    expect(teamMembers(w.grafana, 'Platform')).toEqual(['bob:A', 'carol', 'dave', 'erin'])
    expect(
      w.grafana.writes().filter((r) => r.method === 'PUT' && r.path === `/api/teams/${teamId}`),
    ).toHaveLength(1)
    const again = await runAction(w.ws, { event: 'schedule', inputs: w.credentials })
    expect(again.outputs['change-count']).toBe('0')
  })
})
