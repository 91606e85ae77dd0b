import type { GrafanaClient } from '../grafana/types.ts'
import type { Change, UserRef } from '../model.ts'

/** A change that cannot run because something it names cannot be found in Grafana. */
export class ApplyError extends Error {}

const lower = (value: string | undefined) => (value ?? '').trim().toLowerCase()
const teamKey = (org: string, team: string) => `${org}\u0000${team}`

/**
 * The ids a run knows: from the plan (read before the run) and from the orgs, users and teams it creates.
 * Anything else is looked up once in Grafana and remembered.
 */
export class RunIds {
  readonly #grafana: GrafanaClient
  readonly #orgs = new Map<string, number>()
  readonly #users = new Map<string, number>()
  readonly #teams = new Map<string, number>()
  readonly #lookups = new Map<string, Promise<number | undefined>>()

  constructor(grafana: GrafanaClient, changes: Change[]) {
    this.#grafana = grafana
    for (const change of changes) {
      // A renamed org is known by its new name; 0 stands for an org this run creates.
      if ('orgId' in change && change.orgId) this.#orgs.set(change.org, change.orgId)
      if ('user' in change && change.user.id !== undefined)
        this.setUser(change.user, change.user.id)
      if ('teamId' in change && change.teamId !== undefined) {
        this.#teams.set(teamKey(change.org, change.team), change.teamId)
      }
    }
  }

  setOrg(name: string, id: number): void {
    this.#orgs.set(name, id)
  }

  setUser(user: { login: string; email: string }, id: number): void {
    for (const value of [lower(user.login), lower(user.email)])
      if (value) this.#users.set(value, id)
  }

  setTeam(org: string, team: string, id: number): void {
    this.#teams.set(teamKey(org, team), id)
  }

  async orgId(change: { org: string; orgId?: number }): Promise<number> {
    if (change.orgId) return change.orgId
    const known = this.#orgs.get(change.org)
    if (known !== undefined) return known
    const found = await this.#lookup(`org\u0000${change.org}`, async () => {
      return (await this.#grafana.findOrg(change.org))?.id
    })
    if (found === undefined) throw new ApplyError(`org "${change.org}" was not found in Grafana`)
    this.#orgs.set(change.org, found)
    return found
  }

  async userId(user: UserRef): Promise<number> {
    if (user.id !== undefined) return user.id
    const known = this.#users.get(lower(user.login)) ?? this.#users.get(lower(user.email))
    if (known !== undefined) return known
    const name = user.login || user.email
    const found = await this.#lookup(`user\u0000${lower(name)}`, async () => {
      const hit =
        (user.login ? await this.#grafana.findUser(user.login) : undefined) ??
        (user.email ? await this.#grafana.findUser(user.email) : undefined)
      return hit?.id
    })
    if (found === undefined) throw new ApplyError(`user ${name} was not found in Grafana`)
    this.setUser(user, found)
    return found
  }

  async teamId(
    change: { org: string; team: string; teamId?: number },
    orgId: number,
  ): Promise<number> {
    if (change.teamId !== undefined) return change.teamId
    const key = teamKey(change.org, change.team)
    const known = this.#teams.get(key)
    if (known !== undefined) return known
    const found = await this.#lookup(`team\u0000${orgId}\u0000${change.team}`, async () => {
      return (await this.#grafana.findTeam(orgId, change.team))?.id
    })
    if (found === undefined) {
      throw new ApplyError(`team "${change.team}" was not found in org "${change.org}"`)
    }
    this.#teams.set(key, found)
    return found
  }

  /** One request per missing id, however many changes ask for it at once. */
  #lookup(key: string, find: () => Promise<number | undefined>): Promise<number | undefined> {
    let pending = this.#lookups.get(key)
    if (!pending) {
      pending = find()
      this.#lookups.set(key, pending)
      // A failed lookup may be retried by a later change.
      pending.catch(() => this.#lookups.delete(key))
    }
    return pending
  }
}
