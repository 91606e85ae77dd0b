// `export`: read the live Grafana (and Okta), build the YAML that describes it, check and write it.
import { createGrafanaClient } from '../grafana/index.ts'
import type { GrafanaClient } from '../grafana/types.ts'
import type { ConfigProblem } from '../config/index.ts'
import type { Observed, Plan, RequestStats } from '../model.ts'
import { createOktaClient } from '../okta/index.ts'
import type { OktaClient } from '../okta/types.ts'
import { buildExport, type ExportResult } from './build.ts'
import { readForExport } from './read.ts'
import { writeExport } from './write.ts'

export { buildExport, literal, MEMBER_STATUSES, renderFile, SCHEMA_URL } from './build.ts'
export type { ExportFile, ExportOptions, ExportResult, Skipped } from './build.ts'
export { readForExport } from './read.ts'
export { existingYaml, writeExport } from './write.ts'

/** One Grafana to export; several instances will each be one target, written to its own folder. */
export interface ExportTarget {
  grafana: { url: string; token?: string; username?: string; password?: string }
}

export interface ExportInputs extends ExportTarget {
  out: string
  cwd: string
  orgs: string[]
  oktaGroups: boolean
  okta?: { domain: string; token: string }
  force: boolean
  concurrency: number
  onProgress?: (msg: string) => void
  /** When the export is stamped; default now. */
  now?: Date
}

export type ExportOutcome =
  | { kind: 'refused'; problem: string }
  | { kind: 'failed'; error: string; requests: RequestStats[] }
  | { kind: 'exists'; existing: string[] }
  | { kind: 'invalid'; problems: ConfigProblem[]; result: ExportResult }
  | { kind: 'not-empty'; plan: Plan; result: ExportResult }
  | {
      kind: 'exported'
      result: ExportResult
      written: string[]
      replaced: string[]
      kept: string[]
      requests: RequestStats[]
    }

/** The URL as it may be printed and committed: no user, password, query or fragment. */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url.trim())
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`
  } catch {
    return '(invalid URL)'
  }
}

export async function runExport(inputs: ExportInputs): Promise<ExportOutcome> {
  const secrets = [inputs.grafana.token, inputs.grafana.password, inputs.okta?.token]
    .map((s) => s?.trim() ?? '')
    .filter((s) => s.length >= 4)
  const scrub = (text: string) => secrets.reduce((t, s) => t.split(s).join('***'), text)
  if (inputs.oktaGroups && !inputs.okta) {
    return {
      kind: 'refused',
      problem: '--okta-groups reads Okta: set OKTA_DOMAIN and OKTA_API_TOKEN',
    }
  }
  let clients: { grafana: GrafanaClient; okta?: OktaClient }
  try {
    clients = createClients(inputs)
  } catch (error) {
    return { kind: 'refused', problem: scrub(messageOf(error)) }
  }
  const requests = () => [...clients.grafana.stats(), ...(clients.okta?.stats() ?? [])]
  let observed: Observed
  try {
    observed = await readForExport(clients, {
      orgs: inputs.orgs,
      oktaGroups: inputs.oktaGroups,
      onProgress: inputs.onProgress,
    })
  } catch (error) {
    return { kind: 'failed', error: scrub(messageOf(error)), requests: requests() }
  }
  const result = buildExport(observed, {
    url: publicUrl(inputs.grafana.url),
    at: inputs.now ?? new Date(),
    oktaGroups: inputs.oktaGroups,
  })
  const written = await writeExport(result.files, observed, {
    out: inputs.out,
    cwd: inputs.cwd,
    force: inputs.force,
  })
  if (written.ok) return { kind: 'exported', result, ...written, requests: requests() }
  if (written.reason === 'exists') return { kind: 'exists', existing: written.existing }
  if (written.reason === 'invalid') return { kind: 'invalid', problems: written.problems, result }
  return { kind: 'not-empty', plan: written.plan, result }
}

function createClients(inputs: ExportInputs): { grafana: GrafanaClient; okta?: OktaClient } {
  const { grafana, okta } = inputs
  const clients: { grafana: GrafanaClient; okta?: OktaClient } = {
    grafana: createGrafanaClient({
      url: grafana.url,
      token: grafana.token || undefined,
      username: grafana.username || undefined,
      password: grafana.password || undefined,
      concurrency: inputs.concurrency,
    }),
  }
  if (okta && inputs.oktaGroups) {
    clients.okta = createOktaClient({
      domain: okta.domain,
      token: okta.token,
      concurrency: inputs.concurrency,
    })
  }
  return clients
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error)
}
