import type { GrafanaClient } from '../grafana/types.ts'
import type { DesiredConfig, Observed } from '../model.ts'
import type { OktaClient } from '../okta/types.ts'
import { readGrafana, rereadOrgs } from './grafana.ts'
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
    return {
      caller: grafana.caller,
      orgs: grafana.orgs,
      otherOrgs: grafana.otherOrgs,
      users: grafana.users,
      oktaGroups,
    }
  } finally {
    progress.stop()
  }
}

/**
 * Reads the given orgs of an observation again (after the sync's user became an Admin of them, so their
 * teams are readable); Okta and everything else are kept as observed.
 */
export async function observeOrgsAgain(
  config: DesiredConfig,
  grafana: GrafanaClient,
  observed: Observed,
  orgIds: Set<number>,
  opts: ObserveOptions = {},
): Promise<Observed> {
  const progress = startProgress(opts.onProgress, opts.progressIntervalMs ?? 3_000)
  opts.onProgress?.(`reading ${orgIds.size} org(s) again`)
  try {
    return { ...observed, orgs: await rereadOrgs(config, grafana, observed, orgIds, progress) }
  } finally {
    progress.stop()
  }
}

export { collectOktaRefs, OKTA_NOT_CONFIGURED } from './okta.ts'
export { matchOrgs, referencedOrgNames } from './grafana.ts'
