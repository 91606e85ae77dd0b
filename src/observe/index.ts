import type { GrafanaClient } from '../grafana/types.ts'
import type { DesiredConfig, Observed } from '../model.ts'
import type { OktaClient } from '../okta/types.ts'
import { readGrafana } from './grafana.ts'
import { collectOktaRefs, readOktaGroups } from './okta.ts'
import { progressLine, startProgress } from './progress.ts'

export interface ObserveOptions {
  onProgress?: (msg: string) => void
  /** How often progress is reported while reads run (default 3 s). */
  progressIntervalMs?: number
}

/** Reads the live state a config needs, Okta and Grafana in parallel, each in the fewest requests. */
export async function observe(
  config: DesiredConfig,
  clients: { grafana: GrafanaClient; okta?: OktaClient },
  opts: ObserveOptions = {},
): Promise<Observed> {
  const refs = collectOktaRefs(config)
  const progress = startProgress(opts.onProgress, opts.progressIntervalMs ?? 3_000)
  opts.onProgress?.(
    `reading Grafana${refs.length > 0 ? ` and ${refs.length} Okta group reference(s)` : ''}`,
  )
  try {
    const [grafana, oktaGroups] = await Promise.all([
      readGrafana(config, clients.grafana, progress),
      readOktaGroups(refs, clients.okta, progress),
    ])
    opts.onProgress?.(
      `${progressLine(progress)}; ${grafana.orgs.length} org(s), ${grafana.users.length} user(s)`,
    )
    return { caller: grafana.caller, orgs: grafana.orgs, users: grafana.users, oktaGroups }
  } finally {
    progress.stop()
  }
}

export { collectOktaRefs, OKTA_NOT_CONFIGURED } from './okta.ts'
export { matchOrgs, referencedOrgNames } from './grafana.ts'
