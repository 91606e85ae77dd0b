// The container files cannot be built or run here, so what they say is checked against the CLI: the
// commands parse, ports and probe paths are the ones serve answers on, every environment variable is
// one the CLI reads, and the example configs are valid (the compose example is applied to a fake).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import packageJson from '../../package.json' with { type: 'json' }
import { parseCliArgs } from '../../src/cli/args.ts'
import { USAGE } from '../../src/cli/usage.ts'
import { loadConfig } from '../../src/config/index.ts'
import { createMetrics } from '../../src/metrics/index.ts'
import { startFakeGrafana, type FakeGrafana } from '../fakes/grafana.ts'
import { makeWorkspace, requireBuild, ROOT, runCli, type Workspace } from './harness.ts'
import { dockerfile as readDockerfile, imageCommand, imageEnv } from './image.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML documents, checked field by field
type Doc = Record<string, any>

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')
const K8S = 'deploy/kubernetes'
const manifests: Doc[] = readdirSync(join(ROOT, K8S))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(read(`${K8S}/${f}`)).map((d) => d.toJS() as Doc))
const manifest = (kind: string) => {
  const found = manifests.filter((m) => m.kind === kind)
  expect(found, `one ${kind} in ${K8S}`).toHaveLength(1)
  return found[0]!
}

/** Every variable the CLI documents: credentials, serve's settings, LOG_LEVEL. */
const CLI_VARIABLES = new Set(USAGE.match(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g))
const IMAGE = `ghcr.io/grafana-team-sync/grafana-team-sync:${packageJson.version}`

const [, , ...CMD] = imageCommand()
const cmdValue = (flag: string) => CMD[CMD.indexOf(flag) + 1]!
const CMD_PORT = Number(cmdValue('--listen').split(':').at(-1))

function containerOf(workload: Doc): Doc {
  const spec = workload.kind === 'CronJob' ? workload.spec.jobTemplate.spec : workload.spec
  const containers = spec.template.spec.containers as Doc[]
  expect(containers).toHaveLength(1)
  return containers[0]!
}

/** Variable names a container gets: `env` names and the keys of the Secret it takes whole. */
function variablesOf(container: Doc): string[] {
  const names = ((container.env ?? []) as Doc[]).map((e) => e.name as string)
  for (const from of (container.envFrom ?? []) as Doc[]) {
    const secret = manifest('Secret')
    expect(from.secretRef.name).toBe(secret.metadata.name)
    names.push(...Object.keys(secret.stringData as object))
  }
  return names
}

let ws: Workspace | undefined
let grafana: FakeGrafana | undefined
beforeAll(requireBuild)
afterEach(async () => {
  ws?.remove()
  await grafana?.close()
  ws = undefined
  grafana = undefined
})

describe('Dockerfile', () => {
  const dockerfile = readDockerfile()
  it('runs serve on the bundle from an official Node 24 base, as a non-root user, with only the bundle', () => {
    expect(dockerfile).toMatch(/^FROM node:24-(alpine|slim)\b/m)
    expect(dockerfile).toMatch(/^USER 1000:1000$/m)
    const copies = dockerfile.split('\n').filter((l) => /^(COPY|ADD) /.test(l))
    expect(copies).toEqual(['COPY dist/index.js /app/dist/index.js'])
    expect(
      read('.dockerignore')
        .split('\n')
        .filter((l) => l && !l.startsWith('#')),
    ).toEqual(['*', '!dist/index.js'])
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${CMD_PORT}$`, 'm'))
    expect(imageEnv()).toEqual({
      NODE_ENV: 'production',
      NODE_OPTIONS: '--max-semi-space-size=8',
    })
    expect(dockerfile).toMatch(/^HEALTHCHECK .*CMD \["node", "-e", .*\/healthz/m)
    expect(parseCliArgs(CMD)).toMatchObject({ command: 'serve', config: '/config' })
  })
})

describe('Kubernetes examples', () => {
  it('Deployment: the image, one replica at a time, probes on the port serve listens on', () => {
    const deployment = manifest('Deployment')
    expect(deployment.spec.replicas).toBe(1)
    expect(deployment.spec.strategy.type).toBe('Recreate')
    const container = containerOf(deployment)
    expect(container.image).toBe(IMAGE)
    // No args: the image's CMD runs, so its --config and --listen must fit the pod.
    expect(container.args).toBeUndefined()
    const port = (container.ports as Doc[]).find((p) => p.name === 'metrics')!
    expect(port.containerPort).toBe(CMD_PORT)
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' })
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' })
    expect(container.volumeMounts[0].mountPath).toBe(cmdValue('--config'))
    expect(deployment.spec.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
    })
    const env = Object.fromEntries((container.env as Doc[]).map((e) => [e.name, e.value]))
    expect(parseCliArgs(CMD, env as Record<string, string>).serve).toMatchObject({
      intervalMs: 300_000,
      logFormat: 'json',
    })
  })

  it('every variable the Deployment and the CronJob set is one the CLI reads', () => {
    for (const kind of ['Deployment', 'CronJob']) {
      const unknown = variablesOf(containerOf(manifest(kind))).filter((n) => !CLI_VARIABLES.has(n))
      expect({ kind, unknown }).toEqual({ kind, unknown: [] })
    }
  })

  it('CronJob: runs apply on the mounted config, never two at once', () => {
    const cronJob = manifest('CronJob')
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid')
    const container = containerOf(cronJob)
    expect(container.image).toBe(IMAGE)
    expect(parseCliArgs(container.args as string[])).toMatchObject({
      command: 'apply',
      config: '/config',
    })
    expect(container.volumeMounts[0].mountPath).toBe('/config')
  })

  it('ConfigMap: holds a valid config', async () => {
    const configMap = manifest('ConfigMap')
    for (const kind of ['Deployment', 'CronJob']) {
      const spec = manifest(kind)
      const pod = kind === 'CronJob' ? spec.spec.jobTemplate.spec.template : spec.spec.template
      expect(pod.spec.volumes[0].configMap.name).toBe(configMap.metadata.name)
    }
    ws = makeWorkspace(
      Object.fromEntries(
        Object.entries(configMap.data as Record<string, string>).map(([f, t]) => [`teams/${f}`, t]),
      ),
    )
    const loaded = await loadConfig('teams', { env: {}, cwd: ws.dir })
    expect(loaded.ok ? [] : loaded.problems).toEqual([])
  })

  it('Service and PrometheusRule: scrape the metrics port, alert on metrics serve exports', async () => {
    const service = manifest('Service')
    expect(service.spec.ports[0]).toMatchObject({ port: CMD_PORT, targetPort: 'metrics' })
    expect(service.spec.publishNotReadyAddresses).toBe(true)
    const exported = await createMetrics({ processMetrics: false }).text()
    const names = new Set([...exported.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!))
    const rules = (manifest('PrometheusRule').spec.groups as Doc[]).flatMap((g) => g.rules as Doc[])
    const used = rules.flatMap((r) => String(r.expr).match(/grafana_team_sync_\w+/g) ?? [])
    expect(used.length).toBeGreaterThan(0)
    expect(used.filter((n) => !names.has(n))).toEqual([])
    const noSuccess = rules.find((r) => r.alert === 'GrafanaTeamSyncNoRecentSuccess')!
    expect(noSuccess.expr).toBe(
      'time() - grafana_team_sync_last_success_timestamp_seconds > 2 * 300',
    )
  })
})

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as Doc
  const sync = compose.services.sync as Doc

  it('starts Grafana OSS and the image with its own command, port and config folder', () => {
    expect(compose.services.grafana.image).toMatch(/^grafana\/grafana-oss:\d+\.\d+\.\d+$/)
    expect(sync.build).toBe('.')
    expect(sync.command).toBeUndefined()
    expect(sync.ports).toEqual([`${CMD_PORT}:${CMD_PORT}`])
    expect(sync.volumes).toEqual([`./deploy/compose/teams:${cmdValue('--config')}:ro`])
    const unknown = Object.keys(sync.environment as object).filter((n) => !CLI_VARIABLES.has(n))
    // The example's local users take their initial password from this variable.
    expect(unknown).toEqual(['DEMO_USER_PASSWORD'])
    expect(read('deploy/compose/teams/access.yaml')).toContain('env: DEMO_USER_PASSWORD')
  })

  it('its example config, applied with its environment, creates the teams in Grafana', async () => {
    grafana = await startFakeGrafana({ adminPassword: 'admin' })
    const env = { ...(sync.environment as Record<string, string>), GRAFANA_URL: grafana.url }
    const config = join(ROOT, 'deploy/compose/teams')
    ws = makeWorkspace({})
    const ran = await runCli(['apply', '--config', config], ws, env)
    expect(ran.stderr).not.toMatch(/error/i)
    expect(ran.code).toBe(0)
    const snap = grafana.snapshot()
    expect(snap.teams.map((t) => t.name).sort()).toEqual(['Data', 'Platform'])
    expect(snap.users.map((u) => u.login).sort()).toEqual(['admin', 'ana', 'bob', 'carol'])
    expect((await runCli(['plan', '--detailed-exitcode', '--config', config], ws, env)).code).toBe(
      0,
    )
  })
})

describe('.github/workflows/image.yml', () => {
  const workflow = parse(read('.github/workflows/image.yml')) as Doc
  it('publishes to GHCR on release tags only, with actions pinned to a version', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*.*.*'] } })
    const job = workflow.jobs.publish as Doc
    expect(job.permissions).toEqual({ contents: 'read', packages: 'write' })
    const uses = (job.steps as Doc[]).flatMap((s) => (s.uses ? [s.uses as string] : []))
    expect(uses.filter((u) => !/^[\w-]+\/[\w-]+@v\d+(\.\d+){0,2}$/.test(u))).toEqual([])
    const meta = (job.steps as Doc[]).find((s) => s.id === 'meta')!
    expect(meta.with.images).toBe('ghcr.io/${{ github.repository_owner }}/grafana-team-sync')
    const push = (job.steps as Doc[]).find((s) => s.with?.push === true)!
    expect(push.with.tags).toBe('${{ steps.meta.outputs.tags }}')
  })
})
