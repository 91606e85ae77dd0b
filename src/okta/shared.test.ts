import { describe, expect, it } from 'vitest'
import { MemoryOkta } from '../../test/memory/okta.ts'
import { withSharedReads } from './shared.ts'

describe('withSharedReads', () => {
  it('resolves a reference and reads a group once for every run that asks', async () => {
    const okta = new MemoryOkta()
    const leads = okta.addGroup({ name: 'Leads' })
    okta.addMember(leads, okta.addUser({ login: 'lee@acme.example' }))
    okta.addGroup({ name: 'Ops' })
    const shared = withSharedReads(okta.client())

    const [first, second] = await Promise.all([
      shared.findGroups(['Leads']),
      shared.findGroups(['Leads', 'Ops', 'Nobody']),
    ])
    expect(first.get('Leads')).toMatchObject({ id: leads, name: 'Leads' })
    expect(second.get('Leads')).toEqual(first.get('Leads'))
    expect(second.get('Nobody')).toBeUndefined()
    const [a, b] = await Promise.all([shared.listMembers(leads), shared.listMembers(leads)])
    expect(a.map((m) => m.login)).toEqual(['lee@acme.example'])
    expect(b).toBe(a)
    expect(okta.calls).toEqual([
      'findGroups Leads',
      'findGroups Ops, Nobody',
      `listMembers ${leads}`,
    ])
  })

  it('keeps a failed read, so every run reports the same unreadable group', async () => {
    const okta = new MemoryOkta()
    const shared = withSharedReads(okta.client())
    await expect(shared.listMembers('00gMissing')).rejects.toMatchObject({ status: 404 })
    await expect(shared.listMembers('00gMissing')).rejects.toMatchObject({ status: 404 })
    expect(okta.calls).toEqual(['listMembers 00gMissing'])
  })
})
