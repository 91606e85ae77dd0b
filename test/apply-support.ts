// Shared set-up for the apply tests: YAML configs in temp dirs, fake Grafana/Okta, engine inputs.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig } from '../src/config/index.ts'
import { runEngine, type EngineInputs, type EngineOutcome } from '../src/engine.ts'
import type { ApplyResult, DesiredConfig, Plan } from '../src/model.ts'
import {
  startFakeGrafana,
  type FakeGrafana,
  type FakeGrafanaOptions,
  type FakeGrafanaSnapshot,
} from './fakes/grafana.ts'
import { MemoryGrafana } from './memory/grafana.ts'
import { MemoryOkta } from './memory/okta.ts'

export const ADMIN = { username: 'admin', password: 'admin-secret-pw' }

/** Everything a test starts, closed and removed by `cleanUp`. */
export class TestBed {
  readonly #closers: (() => Promise<void>)[] = []

  async grafana(opts: FakeGrafanaOptions = {}): Promise<FakeGrafana> {
    const g = await startFakeGrafana({
      adminLogin: ADMIN.username,
      adminPassword: ADMIN.password,
      ...opts,
    })
    this.#closers.push(() => g.close())
    return g
  }

  /** An in-memory Grafana (no HTTP) for tests of the engine's logic; its admin is ADMIN. */
  memory(): MemoryGrafana {
    return new MemoryGrafana({ adminLogin: ADMIN.username, adminPassword: ADMIN.password })
  }

  /** Writes `teams/<name>` files into a fresh temp dir; returns the dir (the engine's cwd). */
  async config(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'gts-apply-'))
    this.#closers.push(() => rm(dir, { recursive: true, force: true }))
    await mkdir(path.join(dir, 'teams'))
    for (const [name, text] of Object.entries(files)) {
      await writeFile(path.join(dir, 'teams', name), text)
    }
    return dir
  }

  async cleanUp(): Promise<void> {
    await Promise.all(this.#closers.splice(0).map((close) => close()))
  }
}

/** Loads a config written by `TestBed.config`; fails the test when it is invalid. */
export async function desired(
  cwd: string,
  env: Record<string, string> = {},
): Promise<DesiredConfig> {
  const loaded = await loadConfig('teams', { cwd, env })
  if (!loaded.ok) throw new Error(`invalid test config: ${JSON.stringify(loaded.problems)}`)
  return loaded.config
}

export interface RunOptions {
  mode?: EngineInputs['mode']
  auth?: 'basic' | { token: string }
  env?: Record<string, string>
  force?: boolean
  concurrency?: number
  okta?: { url: string; token: string } | MemoryOkta
}

/** Engine inputs: credentials of an HTTP fake, or the clients of an in-memory Grafana (and Okta). */
export function inputs(
  g: FakeGrafana | MemoryGrafana,
  cwd: string,
  opts: RunOptions = {},
): EngineInputs {
  const auth = opts.auth ?? 'basic'
  const common = {
    mode: opts.mode ?? 'apply',
    configPath: 'teams',
    cwd,
    env: opts.env ?? {},
    force: opts.force ?? false,
    concurrency: opts.concurrency ?? 8,
  }
  if (g instanceof MemoryGrafana) {
    const grafana = g.client(auth === 'basic' ? ADMIN : auth)
    const okta = opts.okta instanceof MemoryOkta ? opts.okta.client() : undefined
    return { ...common, clients: { grafana, ...(okta ? { okta } : {}) } }
  }
  const okta = opts.okta instanceof MemoryOkta ? undefined : opts.okta
  return {
    ...common,
    grafana: auth === 'basic' ? { url: g.url, ...ADMIN } : { url: g.url, token: auth.token },
    ...(okta ? { okta: { domain: okta.url, token: okta.token } } : {}),
  }
}

export async function run(
  g: FakeGrafana | MemoryGrafana,
  cwd: string,
  opts: RunOptions = {},
): Promise<EngineOutcome> {
  return runEngine(inputs(g, cwd, opts))
}

/** The outcome of an apply run, or a test failure naming what happened instead. */
export function applied(outcome: EngineOutcome): { plan: Plan; result: ApplyResult } {
  if (outcome.kind !== 'applied')
    throw new Error(`expected an apply, got ${JSON.stringify(outcome)}`)
  return outcome
}

export function planned(outcome: EngineOutcome): Plan {
  if (outcome.kind !== 'planned') throw new Error(`expected a plan, got ${JSON.stringify(outcome)}`)
  return outcome.plan
}

/** Readable views of the fake's state. */
export function view(g: { snapshot(): FakeGrafanaSnapshot }) {
  const s = g.snapshot()
  const userById = new Map(s.users.map((u) => [u.id, u]))
  const orgById = new Map(s.orgs.map((o) => [o.id, o]))
  const login = (id: number) => userById.get(id)?.login ?? `#${id}`
  return {
    snapshot: s,
    orgId(name: string): number | undefined {
      return s.orgs.find((o) => o.name === name)?.id
    },
    /** `login: role` of every member of an org, sorted. */
    orgRoles(org: string): Record<string, string> {
      const id = s.orgs.find((o) => o.name === org)?.id
      const entries = s.orgUsers
        .filter((m) => m.orgId === id)
        .map((m) => [login(m.userId), m.role] as const)
      return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)))
    },
    /** `login: Member|Admin` of every member of a team, sorted. */
    team(org: string, name: string): Record<string, string> | undefined {
      const orgId = s.orgs.find((o) => o.name === org)?.id
      const team = s.teams.find((t) => t.orgId === orgId && t.name === name)
      if (!team) return undefined
      const entries = s.teamMembers
        .filter((m) => m.teamId === team.id)
        .map((m) => [login(m.userId), m.permission === 4 ? 'Admin' : 'Member'] as const)
      return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)))
    },
    teamRecord(org: string, name: string) {
      const orgId = s.orgs.find((o) => o.name === org)?.id
      return s.teams.find((t) => t.orgId === orgId && t.name === name)
    },
    teamNames(org: string): string[] {
      const orgId = s.orgs.find((o) => o.name === org)?.id
      return s.teams
        .filter((t) => t.orgId === orgId)
        .map((t) => t.name)
        .sort()
    },
    orgName: (id: number) => orgById.get(id)?.name,
    user: (loginName: string) => s.users.find((u) => u.login === loginName),
  }
}

/** One request as the server admin, for set-up the seeding API does not offer. */
export async function asAdmin(g: FakeGrafana, method: string, path: string, body?: unknown) {
  const auth = Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')
  const res = await fetch(`${g.url}${path}`, {
    method,
    headers: { Authorization: `Basic ${auth}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (!res.ok) throw new Error(`set-up ${method} ${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as Record<string, unknown>
}
