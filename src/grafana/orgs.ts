// Organizations: list (all for a server admin, the caller's own otherwise, the token's one org),
// create, rename, find by name.
import type { GrafanaApi } from './api.ts'
import type { GrafanaClient } from './types.ts'
import { PAGE, idOf, type WireOrg } from './wire.ts'

type OrgEndpoints = Pick<GrafanaClient, 'listOrgs' | 'createOrg' | 'renameOrg' | 'findOrg'>

export function orgEndpoints(api: GrafanaApi): OrgEndpoints {
  async function listOrgs(): Promise<{ id: number; name: string }[]> {
    if (api.auth === 'token') {
      const org = await api.tokenOrg()
      return [{ id: org.id, name: org.name }]
    }
    const caller = await api.whoami()
    if (!caller.isServerAdmin) {
      const mine = await api.get<{ orgId: number; name: string }[]>('/api/user/orgs')
      return mine.map((o) => ({ id: o.orgId, name: o.name }))
    }
    const orgs = new Map<number, { id: number; name: string }>()
    // `/api/orgs` pages from 0 and reports no total (and no perpage maximum): a short page is the last.
    for (let page = 0; ; page++) {
      const batch = await api.get<WireOrg[]>('/api/orgs', { query: { perpage: PAGE, page } })
      const before = orgs.size
      for (const o of batch) if (!orgs.has(o.id)) orgs.set(o.id, { id: o.id, name: o.name })
      // A server that ignores `page` would repeat itself forever.
      if (batch.length < PAGE || orgs.size === before) return [...orgs.values()]
    }
  }

  async function createOrg(name: string): Promise<{ orgId: number } | 'already-done'> {
    const res = await api.call<{ orgId?: number; message?: string }>('POST', '/api/orgs', {
      body: { name },
      okStatuses: [409],
    })
    if (res.status === 409) return 'already-done'
    const orgId = idOf(res.body?.orgId) ?? (await findOrg(name))?.id
    if (orgId === undefined) throw api.missingId('POST', '/api/orgs', `org "${name}"`)
    return { orgId }
  }

  async function renameOrg(orgId: number, name: string): Promise<void> {
    if (api.auth === 'token') await api.call('PUT', '/api/org', { body: { name }, orgId })
    else await api.call('PUT', `/api/orgs/${orgId}`, { body: { name } })
  }

  async function findOrg(name: string): Promise<{ id: number; name: string } | undefined> {
    if (api.auth === 'token') {
      const own = await api.tokenOrg()
      return own.name === name ? { id: own.id, name: own.name } : undefined
    }
    const res = await api.call<WireOrg>('GET', `/api/orgs/name/${encodeURIComponent(name)}`, {
      okStatuses: [404],
    })
    return res.status === 404 ? undefined : { id: res.body.id, name: res.body.name }
  }

  return { listOrgs, createOrg, renameOrg, findOrg }
}
