// The in-memory Okta answers as the HTTP client over the HTTP fake does.
import { afterEach, describe, expect, it } from 'vitest'
import { createOktaClient } from '../../src/okta/index.ts'
import type { OktaClient } from '../../src/okta/types.ts'
import { startFakeOkta, type FakeOkta } from '../fakes/okta.ts'
import { MemoryOkta } from './okta.ts'

const fakes: FakeOkta[] = []
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((o) => o.close()))
})

interface Seeded {
  addGroup(name: string): string
  addUser(login: string, status?: 'ACTIVE' | 'SUSPENDED'): string
  addMember(group: string, user: string): void
  client(): OktaClient
}

async function overHttp(): Promise<Seeded> {
  const o = await startFakeOkta()
  fakes.push(o)
  return {
    addGroup: (name) => o.addGroup({ name }),
    addUser: (login, status) => o.addUser({ login, email: login, ...(status ? { status } : {}) }),
    addMember: (group, user) => o.addMember(group, user),
    client: () => createOktaClient({ domain: o.url, token: o.token, retries: 0 }),
  }
}

function inMemory(): Seeded {
  const o = new MemoryOkta()
  return {
    addGroup: (name) => o.addGroup({ name }),
    addUser: (login, status) => o.addUser({ login, email: login, ...(status ? { status } : {}) }),
    addMember: (group, user) => o.addMember(group, user),
    client: () => o.client(),
  }
}

/** The same reads against either Okta, with ids replaced by what they stand for. */
async function scenario(o: Seeded) {
  const leads = o.addGroup('Leads')
  o.addGroup('Twins')
  o.addGroup('Twins')
  o.addMember(leads, o.addUser('lee@acme.example'))
  o.addMember(leads, o.addUser('sus@acme.example', 'SUSPENDED'))
  const client = o.client()
  const found = await client.findGroups(['Leads', 'Twins', 'Nobody', `id:${leads}`])
  const shown = (value: unknown) =>
    value instanceof Error ? 'error' : value === undefined ? 'not found' : 'found'
  const members = await client.listMembers(leads)
  const missing = await client.listMembers('00gMissing0000000000').catch((e: unknown) => e)
  return {
    found: Object.fromEntries(
      [...found].map(([ref, g]) => [ref.replace(leads, 'LEADS'), shown(g)]),
    ),
    leadsName: (found.get('Leads') as { name: string }).name,
    members: members.map((m) => [m.login, m.email, m.status]).sort(),
    missing: [(missing as { status: number }).status, (missing as Error).message.split(' (')[0]],
  }
}

describe('the in-memory Okta', () => {
  it('answers as the HTTP client over the HTTP fake does', async () => {
    const overHttpAnswers = await scenario(await overHttp())
    expect(await scenario(inMemory())).toEqual(overHttpAnswers)
    expect(overHttpAnswers.found).toEqual({
      Leads: 'found',
      Twins: 'error',
      Nobody: 'not found',
      'id:LEADS': 'found',
    })
  })
})
