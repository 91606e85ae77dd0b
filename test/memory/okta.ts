// An in-memory Okta behind the OktaClient interface, for tests of the engine's logic without HTTP.
// Same answers as the client over test/fakes/okta.ts: exact, case-sensitive names; `id:` references
// proven by the members read; every member of every status; an unknown group id is a 404.
import { HttpError } from '../../src/http/index.ts'
import type { OktaMember, RequestStats } from '../../src/model.ts'
import type { OktaClient, OktaGroup } from '../../src/okta/types.ts'

export class MemoryOkta {
  readonly #groups = new Map<string, OktaGroup & { members: Set<string> }>()
  readonly #users = new Map<string, OktaMember>()
  #ids = 0
  /** Every call of every client, in order, e.g. `listMembers 00g1`. */
  readonly calls: string[] = []

  addGroup(g: { name: string; type?: string }): string {
    const id = `00g${String(++this.#ids).padStart(17, '0')}`
    this.#groups.set(id, { id, name: g.name, type: g.type ?? 'OKTA_GROUP', members: new Set() })
    return id
  }

  addUser(u: { login: string; email?: string; status?: string }): string {
    const id = `00u${String(++this.#ids).padStart(17, '0')}`
    this.#users.set(id, {
      id,
      login: u.login,
      email: u.email ?? u.login,
      status: u.status ?? 'ACTIVE',
    })
    return id
  }

  addMember(groupId: string, userId: string): void {
    this.#groups.get(groupId)?.members.add(userId)
  }

  removeMember(groupId: string, userId: string): void {
    this.#groups.get(groupId)?.members.delete(userId)
  }

  client(): OktaClient {
    let requests = 0
    const count = async (call: string) => {
      await Promise.resolve()
      requests++
      this.calls.push(call)
    }
    return {
      findGroups: async (refs) => {
        await count(`findGroups ${refs.join(', ')}`)
        return new Map(refs.map((ref) => [ref, this.#find(ref)]))
      },
      listMembers: async (groupId) => {
        await count(`listMembers ${groupId}`)
        const group = this.#groups.get(groupId)
        if (!group) {
          const endpoint = '/api/v1/groups/:id/users'
          const fields = { service: 'okta' as const, method: 'GET', endpoint, status: 404 }
          const answer = 'Not found: Resource not found (E0000007)'
          throw new HttpError(
            { ...fields, serviceMessage: answer },
            `Okta group id:${groupId} not found (${answer})`,
          )
        }
        return [...group.members].flatMap((id) => this.#users.get(id) ?? [])
      },
      stats: (): RequestStats[] =>
        requests === 0
          ? []
          : [{ service: 'okta', endpoint: '(memory)', requests, retries: 0, bytes: 0 }],
    }
  }

  #find(ref: string): OktaGroup | undefined | Error {
    if (ref.startsWith('id:')) {
      const id = ref.slice(3).trim()
      return { id, name: id, type: '' }
    }
    const matches = [...this.#groups.values()].filter((g) => g.name === ref)
    if (matches.length > 1) {
      return new Error(`Okta group name "${ref}" is ambiguous: ${matches.length} groups have it`)
    }
    const [group] = matches
    return group && { id: group.id, name: group.name, type: group.type }
  }
}
