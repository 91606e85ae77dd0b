// A message about a setting names it as the user set it: the environment variable in the CLI.
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { makeWorkspace, requireBuild, runCli, type Workspace } from './harness.ts'

let ws: Workspace | undefined
beforeAll(requireBuild)
afterEach(() => ws?.remove())

describe('CLI messages about settings', () => {
  it('calls an invalid Grafana URL GRAFANA_URL, not the action input grafana-url', async () => {
    ws = makeWorkspace({ 'teams/t.yaml': 'teams:\n  - name: Platform\n' })
    const ran = await runCli(['plan'], ws, {
      GRAFANA_URL: 'http://[not-a-host',
      GRAFANA_TOKEN: 'glsa_x',
    })
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain(
      'error: GRAFANA_URL is not a valid URL (expected e.g. https://grafana.example.com)',
    )
    expect(ran.stderr).not.toContain('grafana-url')
  })
})
