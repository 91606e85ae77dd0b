// The headline never says "no changes" when the plan has errors (SPEC §7): an Okta group that cannot
// be read plans nothing for its team, and the run says so first.
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFakeGrafana } from '../fakes/grafana.ts'
import { startFakeOkta } from '../fakes/okta.ts'
import { makeWorkspace, requireBuild, runAction, runCli } from './harness.ts'
import { repoPayload } from './world.ts'

const OKTA_TOKEN = '00okta-headline-SECRET'
let closers: (() => Promise<void>)[] = []
beforeAll(requireBuild)
afterEach(async () => {
  await Promise.all(closers.map((close) => close()))
  closers = []
})

async function unreadableGroup() {
  const grafana = await startFakeGrafana()
  const okta = await startFakeOkta({ token: OKTA_TOKEN })
  const ws = makeWorkspace({
    'teams/t.yaml':
      'teams:\n  - name: Platform\n    members: { oktaGroups: [Platform-Engineers] }\n',
  })
  closers.push(
    () => grafana.close(),
    () => okta.close(),
    () => Promise.resolve(ws.remove()),
  )
  grafana.addTeam(1, 'Platform')
  okta.addGroup({ name: 'Platform-Engineers' })
  // Every read of the group's members fails, retries included.
  okta.faults.inject({ method: 'GET', path: /\/api\/v1\/groups\/[^/]+\/users$/, status: 500 })
  const token = grafana.addServiceAccountToken(1, 'Admin')
  return { grafana, okta, ws, token }
}

describe('the headline of a plan with errors and no changes', () => {
  it('in the CLI text', async () => {
    const w = await unreadableGroup()
    const ran = await runCli(['plan'], w.ws, {
      GRAFANA_URL: w.grafana.url,
      GRAFANA_TOKEN: w.token,
      OKTA_DOMAIN: w.okta.url,
      OKTA_API_TOKEN: OKTA_TOKEN,
    })
    expect(ran.code).toBe(1)
    expect(ran.stdout).toContain('No changes planned, but 1 error: parts could not be read')
    expect(ran.stdout).not.toContain('Grafana matches the config')
  })

  it('in the job summary', async () => {
    const w = await unreadableGroup()
    const ran = await runAction(w.ws, {
      event: 'push',
      payload: { ref: 'refs/heads/main', repository: repoPayload },
      inputs: {
        'grafana-url': w.grafana.url,
        'grafana-token': w.token,
        'okta-domain': w.okta.url,
        'okta-api-token': OKTA_TOKEN,
        comment: 'false',
      },
    })
    expect(ran.code).not.toBe(0)
    expect(ran.summary).toContain('**No changes planned, but 1 error: parts could not be read')
    expect(ran.summary).not.toContain('Grafana matches the config')
    expect(w.grafana.writes()).toEqual([])
  })
})
