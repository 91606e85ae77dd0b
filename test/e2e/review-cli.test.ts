// `plan --base-config <dir>`: the CLI marks each change as this change's or already pending.
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { requireBuild, runCli } from './harness.ts'
import { OKTA_TOKEN, PLATFORM_YAML, startWorld, type World } from './world.ts'

let world: World | undefined
beforeAll(requireBuild)
afterEach(async () => {
  await world?.close()
  world = undefined
})

const credentials = (w: World) => ({
  GRAFANA_URL: w.grafana.url,
  GRAFANA_TOKEN: w.grafanaToken,
  OKTA_DOMAIN: w.okta.url,
  OKTA_API_TOKEN: OKTA_TOKEN,
})

const WITH_MALLORY = PLATFORM_YAML.replace(
  'users: [carol@acme.example]',
  'users: [carol@acme.example, mallory@acme.example]',
)

describe('CLI plan --base-config', () => {
  it('marks the origin of each change in the JSON plan and splits the text', async () => {
    world = await startWorld({
      'teams/platform.yaml': WITH_MALLORY,
      'main/teams/platform.yaml': PLATFORM_YAML,
    })
    const json = await runCli(
      ['plan', '--base-config', 'main/teams', '--json'],
      world.ws,
      credentials(world),
    )
    expect(json.code).toBe(0)
    const doc = JSON.parse(json.stdout) as {
      plan: { changes: { id: string; origin: string }[]; review: { base: { read: boolean } } }
    }
    expect(doc.plan.review.base.read).toBe(true)
    const own = doc.plan.changes.filter((c) => c.origin === 'pull-request').map((c) => c.id)
    expect(own).toEqual(['add-team-member:Main Org./Platform/mallory@acme.example'])
    expect(doc.plan.changes.filter((c) => c.origin === 'pending').length).toBeGreaterThan(0)

    const text = await runCli(['plan', '--base-config', 'main/teams'], world.ws, credentials(world))
    expect(text.stdout).toContain('Changes from this pull request (1):')
    expect(text.stdout).toMatch(
      /Already pending, an apply of the base would make them too \(\d+\):/,
    )
  })

  it('refuses --base-config on another command', async () => {
    world = await startWorld()
    const ran = await runCli(['apply', '--base-config', 'main/teams'], world.ws, credentials(world))
    expect(ran.code).not.toBe(0)
    expect(ran.stderr).toContain('--base-config goes with plan')
  })
})
