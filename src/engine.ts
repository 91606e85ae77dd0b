// The one orchestration behind the Action and the CLI: config → capabilities → observe → plan → apply.
import { applyPlan, holdBackUnseenRemovals } from './apply/index.ts'
import {
  describeConfig,
  loadConfig,
  type ConfigProblem,
  type ConfigSummary,
} from './config/index.ts'
import {
  createClients,
  requestTimeoutMs,
  type Clients,
  type GrafanaCredentials,
  type OktaCredentials,
} from './clients.ts'
import { isCredentialRejected, type ServiceName } from './http/index.ts'
import type {
  ApplyResult,
  Change,
  ChangeResult,
  DesiredConfig,
  Message,
  Observed,
  Plan,
  RequestStats,
  ReviewedPart,
  SinceReview,
} from './model.ts'
import { messageOf } from './model.ts'
import { collectOktaRefs, observe, observeOrgsAgain } from './observe/index.ts'
import {
  accessChanges,
  buildPlan,
  checkCapabilities,
  hasOktaCredentials,
  oktaCredentialProblem,
  withChangesFirst,
  type Capabilities,
} from './plan/index.ts'
import { privateKeySecrets, type OktaTokenCache } from './okta/index.ts'
import {
  compareWithReview,
  markOrigins,
  observationConfig,
  withFormerSources,
  withUnreadBase,
} from './plan/review.ts'
import { describeSetting, SettingError, type SettingProblem } from './settings.ts'
import { createScrubber, grafanaAuth, grafanaSecrets, type Scrubber } from './secrets/index.ts'

export interface EngineInputs {
  mode: 'validate' | 'plan' | 'apply'
  configPath: string
  /** The config as an earlier validate run loaded it: used as is, `configPath` is not read again. */
  config?: DesiredConfig
  cwd?: string
  env: Record<string, string | undefined>
  /** Credentials the engine makes its clients from (src/clients.ts), unless `clients` are given. */
  grafana?: GrafanaCredentials
  okta?: OktaCredentials
  /** The clients to read and write with; `grafana`/`okta` credentials are then not used. */
  clients?: Clients
  force: boolean
  concurrency: number
  onProgress?: (msg: string) => void
  /**
   * Cancels the run (SIGINT/SIGTERM): a read in progress ends the run as cancelled, nothing written; an
   * apply starts no new write and returns its result with `cancelled: true`.
   */
  signal?: AbortSignal
  /** The run's scrubber: the engine teaches it the credentials and local users' passwords. */
  scrubber?: Scrubber
  /** Learns each secret got during the run (Okta access tokens, assertions), e.g. to mask it. */
  onSecret?: (secret: string) => void
  /** serve: the Okta OAuth token kept from run to run, reused until shortly before it expires. */
  oktaTokens?: OktaTokenCache
  /**
   * The config of the base commit (docs/contract.md §11): each change is marked as this pull
   * request's or as already pending, from one observation made for both configs.
   */
  base?: BaseConfig
  /** At merge: the pull-request part as reviewed, compared with the one about to be applied. */
  reviewed?: { part: ReviewedPart; onChanged: SinceReview['onChanged'] }
}

/**
 * A folder holding the base commit's config files, the config already loaded from it (one instance's
 * part, SPEC §9), or why they could not be read.
 */
export type BaseConfig =
  | { ref: string; configPath: string; cwd: string }
  | { ref: string; config: DesiredConfig }
  | { ref: string; unreadable: string }

export type EngineOutcome =
  | { kind: 'invalid'; problems: ConfigProblem[] }
  | { kind: 'validated'; config: DesiredConfig; summary: ConfigSummary }
  /**
   * The credentials cannot do what the config asks: nothing was read or written. `settings`: the
   * problems as codes, one per line of `problems` (the neutral wording), for each adapter to word with
   * its own names for the settings; `setting`: the problem when it is one setting.
   */
  | { kind: 'refused'; problems: string[]; setting?: SettingProblem; settings?: SettingProblem[] }
  /**
   * A read failed, or the run was cancelled while reading: nothing was written.
   * `credential-rejected` (a 401, with the service that answered it): the error names the input and
   * the variable to fix.
   */
  | {
      kind: 'failed'
      error: string
      requests: RequestStats[]
      cancelled?: boolean
      code?: 'credential-rejected'
      service?: ServiceName
    }
  | { kind: 'planned'; config: DesiredConfig; plan: Plan }
  | {
      kind: 'applied'
      config: DesiredConfig
      plan: Plan
      result: ApplyResult
      /** Every request of the run, reads and writes (the plan's statistics stop at its reads). */
      requests?: RequestStats[]
    }

const DEFAULT_CONCURRENCY = 8

export async function runEngine(given: EngineInputs): Promise<EngineOutcome> {
  const inputs = { ...given, concurrency: validConcurrency(given.concurrency) }
  const scrubber = given.scrubber ?? createScrubber()
  learnCredentials(scrubber, inputs)
  let config = inputs.config
  if (!config) {
    const loaded = await loadConfig(inputs.configPath, { env: inputs.env, cwd: inputs.cwd })
    if (!loaded.ok) return { kind: 'invalid', problems: loaded.problems }
    config = loaded.config
  }
  for (const user of config.users) if (user.passwordEnv) scrubber.add(inputs.env[user.passwordEnv])
  if (inputs.mode === 'validate') {
    return { kind: 'validated', config, summary: describeConfig(config) }
  }
  const base = inputs.base && (await loadBase(inputs.base, inputs))
  const observing = base?.config ? observationConfig(config, base.config) : config

  const unmet = checkCapabilities(config, capabilitiesOf(inputs))
  if (unmet.length > 0) {
    return { kind: 'refused', problems: unmet.map((p) => describeSetting(p)), settings: unmet }
  }

  let clients: Clients
  try {
    clients = inputs.clients ?? clientsFor(observing, inputs, scrubber)
  } catch (error) {
    const problems = [scrubber.scrub(messageOf(error))]
    return error instanceof SettingError
      ? { kind: 'refused', problems, setting: error.problem, settings: [error.problem] }
      : { kind: 'refused', problems }
  }

  let plan: Plan
  let observed: Observed
  try {
    observed = await unlessCancelled(
      observe(observing, clients, { onProgress: inputs.onProgress }),
      inputs.signal,
      clients.okta ? 'Grafana and Okta' : 'Grafana',
    )
    plan = reviewed(planAgainst(config, observed, clients, inputs.env), base, observed, inputs)
  } catch (error) {
    if (error instanceof Cancelled) {
      return {
        kind: 'failed',
        error: error.message,
        requests: requestsOf(clients),
        cancelled: true,
      }
    }
    return {
      kind: 'failed',
      error: scrubber.scrub(messageOf(error)),
      requests: requestsOf(clients),
      ...(isCredentialRejected(error)
        ? { code: 'credential-rejected' as const, service: error.service }
        : {}),
    }
  }
  if (inputs.mode === 'plan') return { kind: 'planned', config, plan }
  const since = plan.review?.sinceReview
  if (since?.changed && since.onChanged === 'fail') {
    return { kind: 'applied', config, plan, result: heldForReview(plan) }
  }

  const access = accessChanges(plan, observed)
  const applied =
    access.length > 0 && (plan.guards.length === 0 || inputs.force)
      ? await joinThenApply(config, clients, observed, plan, access, inputs)
      : { plan, result: await applyChanges(plan, clients, observed, inputs) }
  for (const r of applied.result.results) if (r.detail) r.detail = scrubber.scrub(r.detail)
  return {
    kind: 'applied',
    config,
    ...applied,
    plan: withReviewOf(plan, applied.plan),
    requests: requestsOf(clients),
  }
}
export interface LoadedBase {
  ref: string
  config?: DesiredConfig
  unreadable?: string
}

/** The base commit's config through the same loader and limits; an invalid one is unreadable. */
export async function loadBase(
  base: BaseConfig,
  inputs: Pick<EngineInputs, 'env'>,
): Promise<LoadedBase> {
  if ('unreadable' in base) return { ref: base.ref, unreadable: base.unreadable }
  if ('config' in base) return { ref: base.ref, config: base.config }
  const loaded = await loadConfig(base.configPath, { env: inputs.env, cwd: base.cwd })
  if (loaded.ok) return { ref: base.ref, config: loaded.config }
  const [first] = loaded.problems
  const where = first ? `; first: ${first.file}:${first.line}: ${first.message}` : ''
  return {
    ref: base.ref,
    unreadable: `the base config has ${loaded.problems.length} problem(s)${where}`,
  }
}

/** The plan with its changes marked by origin and, at merge, compared with the reviewed part. */
function reviewed(
  plan: Plan,
  base: LoadedBase | undefined,
  observed: Observed,
  inputs: EngineInputs,
): Plan {
  if (!base) return plan
  if (!base.config)
    return withUnreadBase(plan, { ref: base.ref, read: false, reason: base.unreadable ?? '' })
  const marked = withFormerSources(
    markOrigins(plan, buildPlan(base.config, observed), base.ref),
    base.config,
    observed,
  )
  if (!inputs.reviewed) return marked
  const { part, onChanged } = inputs.reviewed
  return {
    ...marked,
    review: { ...marked.review!, sinceReview: compareWithReview(marked, part, onChanged) },
  }
}

/** The pull-request part changed and on-plan-changed is fail: every change skipped, nothing written. */
function heldForReview(plan: Plan): ApplyResult {
  const detail = 'not run: the pull-request part changed since review (on-plan-changed: fail)'
  return {
    blocked: false,
    changedSinceReview: true,
    results: plan.changes.map((c) => ({ id: c.id, status: 'skipped', detail })),
    applied: 0,
    failed: 0,
    skipped: plan.changes.length,
    extra: [],
  }
}

/** A plan made again after joining orgs keeps the first plan's review and the origins of its changes. */
function withReviewOf(first: Plan, applied: Plan): Plan {
  if (!first.review || first === applied) return applied
  const origins = new Map(first.changes.map((c) => [c.id, c.origin]))
  const changes = applied.changes.map((c) => {
    const origin = origins.get(c.id) ?? (first.review?.base.read ? 'pull-request' : undefined)
    return origin ? { ...c, origin } : c
  })
  return { ...applied, changes, review: first.review }
}

function applyChanges(
  plan: Plan,
  clients: Clients,
  observed: Observed,
  inputs: EngineInputs,
): Promise<ApplyResult> {
  return applyPlan(plan, clients.grafana, {
    caller: observed.caller,
    force: inputs.force,
    concurrency: inputs.concurrency,
    env: inputs.env,
    onProgress: inputs.onProgress,
    signal: inputs.signal,
  })
}

/** The run was cancelled before the work it waited for ended. */
class Cancelled extends Error {
  constructor(signal: AbortSignal, reading: string) {
    const by = typeof signal.reason === 'string' ? ` (${signal.reason})` : ''
    super(`cancelled${by} while reading ${reading}: nothing was written`)
  }
}

/**
 * `work`, or a Cancelled rejection as soon as `signal` aborts. The abandoned work is not awaited: the
 * adapter reports and exits without waiting for reads still in flight.
 */
function unlessCancelled<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  reading: string,
): Promise<T> {
  if (!signal) return work
  if (signal.aborted) return Promise.reject(new Cancelled(signal, reading))
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Cancelled(signal, reading))
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/**
 * Grafana shows an org's teams only to its members: the sync's user first becomes an Admin of the orgs
 * it could not read, then those orgs are read again and the plan is made afresh before the rest runs.
 * Removals found only by that fresh read are held back: no plan a reviewer saw listed them (SPEC §7).
 * When joining fails, the rest of the first plan runs (it holds no team change in those orgs).
 */
async function joinThenApply(
  config: DesiredConfig,
  clients: Clients,
  observed: Observed,
  plan: Plan,
  access: Change[],
  inputs: EngineInputs,
): Promise<{ plan: Plan; result: ApplyResult }> {
  const joined = await applyChanges(
    { ...plan, changes: access, guards: [] },
    clients,
    observed,
    inputs,
  )
  const accessIds = new Set(access.map((c) => c.id))
  let rest: Plan = { ...plan, changes: plan.changes.filter((c) => !accessIds.has(c.id)) }
  let skipped: ChangeResult[] = []
  if (joined.applied === access.length) {
    const orgIds = new Set(access.map((c) => ('orgId' in c ? c.orgId : undefined) ?? 0))
    try {
      const again = await unlessCancelled(
        observeOrgsAgain(config, clients.grafana, observed, orgIds, {
          onProgress: inputs.onProgress,
        }),
        inputs.signal,
        'the joined orgs',
      )
      rest = holdBackUnseenRemovals(plan, planAgainst(config, again, clients, inputs.env), orgIds)
    } catch (error) {
      // Cancelled: the rest of the first plan is reported as not run.
      if (!(error instanceof Cancelled)) {
        const detail = `reading the org(s) again after joining them failed: ${messageOf(error)}`
        rest = { ...rest, errors: [...rest.errors, { code: 'org-reread-failed', message: detail }] }
      }
    }
  } else {
    // Changes waiting for a failed join (an org's last Admins leaving) do not run.
    const failed = joined.results.filter((r) => r.status === 'failed').map((r) => r.id)
    const waiting = rest.changes.filter((c) => c.dependsOn.some((id) => failed.includes(id)))
    skipped = waiting.map((c) => ({
      id: c.id,
      status: 'skipped',
      detail: `not run: ${c.dependsOn.find((id) => failed.includes(id))} failed`,
    }))
    rest = { ...rest, changes: rest.changes.filter((c) => !waiting.includes(c)) }
  }
  const result = await applyChanges(rest, clients, observed, inputs)
  // After a failed join the first plan is what ran; otherwise the joins, then the fresh plan.
  const merged = joined.applied === access.length ? withChangesFirst(rest, access) : plan
  const byId = new Map([...joined.results, ...skipped, ...result.results].map((r) => [r.id, r]))
  const results = merged.changes.flatMap((c) => byId.get(c.id) ?? [])
  return {
    plan: merged,
    result: {
      blocked: result.blocked,
      results,
      applied: joined.applied + result.applied,
      failed: joined.failed + result.failed,
      skipped: joined.skipped + skipped.length + result.skipped,
      extra: [...joined.extra, ...result.extra, ...(result.blocked ? [joinedNote(access)] : [])],
      ...(joined.cancelled || result.cancelled ? { cancelled: true } : {}),
    },
  }
}

function joinedNote(access: Change[]): string {
  const orgs = access.map(
    (c) => `"${c.kind === 'add-org-user' || c.kind === 'set-org-role' ? c.org : ''}"`,
  )
  return `the sync's user was made an Admin of org ${orgs.join(', ')} before the safety guards could be checked (its teams are readable only to members); nothing else was written`
}

/** The plan for what was read, with the run's warnings and request statistics so far. */
function planAgainst(
  config: DesiredConfig,
  observed: Observed,
  clients: Clients,
  env: EngineInputs['env'],
): Plan {
  const plan = buildPlan(config, observed)
  plan.warnings.push(...unsetPasswords(config, plan, env))
  plan.stats.requests = requestsOf(clients)
  return plan
}

/** Users the plan creates whose password variable is unset: their create-user fails at apply. */
function unsetPasswords(config: DesiredConfig, plan: Plan, env: EngineInputs['env']): Message[] {
  const created = new Set(
    plan.changes.flatMap((c) => (c.kind === 'create-user' ? [c.user.login.toLowerCase()] : [])),
  )
  return config.users.flatMap((user): Message[] => {
    const name = user.passwordEnv
    if (!name || env[name] || !created.has(user.login.toLowerCase())) return []
    return [
      {
        code: 'user-password-unset',
        message: `user ${user.login} is to be created, but its password variable ${name} is not set or is empty: set it for the apply, e.g. from a secret`,
        source: user.source,
      },
    ]
  })
}

/** Okta is asked only when the config names a group. */
function clientsFor(config: DesiredConfig, inputs: EngineInputs, scrubber: Scrubber): Clients {
  const okta = collectOktaRefs(config).length > 0 ? inputs.okta : undefined
  return createClients(
    { grafana: inputs.grafana, okta },
    {
      concurrency: inputs.concurrency,
      timeoutMs: requestTimeoutMs(inputs.env),
      onRetry: inputs.onProgress,
      onSecret: (secret) => {
        scrubber.add(secret)
        inputs.onSecret?.(secret)
      },
      oktaTokens: inputs.oktaTokens,
    },
  )
}

/** What the run can do: from the given clients, else from the credentials. */
function capabilitiesOf(inputs: EngineInputs): Capabilities {
  const { clients, grafana, okta } = inputs
  if (clients) {
    const { auth } = clients.grafana
    return { token: auth === 'token', basic: auth === 'basic', okta: Boolean(clients.okta) }
  }
  return {
    token: Boolean(grafana?.token?.trim()),
    basic: Boolean(grafana && grafanaAuth(grafana)?.basic),
    okta: hasOktaCredentials(okta),
    oktaProblem: oktaCredentialProblem(okta),
  }
}

function validConcurrency(value: number): number {
  return Number.isFinite(value) && value >= 1 ? Math.floor(value) : DEFAULT_CONCURRENCY
}

function requestsOf(clients: Clients): RequestStats[] {
  return [...clients.grafana.stats(), ...(clients.okta?.stats() ?? [])]
}

function learnCredentials(scrubber: Scrubber, inputs: EngineInputs): void {
  if (inputs.grafana) for (const secret of grafanaSecrets(inputs.grafana)) scrubber.add(secret)
  scrubber.add(inputs.okta?.token)
  for (const secret of privateKeySecrets(inputs.okta?.privateKey)) scrubber.add(secret)
}

// What the adapters read of a plan's review: its pull-request part, and the marker's fingerprint.
export { pullRequestChanges, reviewedPartOf } from './plan/review.ts'
