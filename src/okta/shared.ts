// One Okta for several engine runs (one per Grafana instance): each group is looked up and read once,
// however many runs ask, and every run sees the same answer.
import type { OktaMember, RequestStats } from '../model.ts'
import type { OktaClient, OktaGroup } from './types.ts'

type Found = OktaGroup | undefined | Error

/**
 * An OktaClient over `client` whose answers are kept for the life of the returned client: a
 * reference is resolved once and a group's members are read once. A failed read is kept too, so
 * the runs agree on what could not be read.
 */
export function withSharedReads(client: OktaClient): OktaClient {
  const found = new Map<string, Promise<Found>>()
  const members = new Map<string, Promise<OktaMember[]>>()
  return {
    async findGroups(refs) {
      const unseen = [...new Set(refs)].filter((ref) => !found.has(ref))
      if (unseen.length > 0) {
        const lookup = client.findGroups(unseen)
        for (const ref of unseen)
          found.set(
            ref,
            lookup.then((answers) => answers.get(ref)),
          )
      }
      const answers = await Promise.all(
        refs.map(async (ref) => [ref, await found.get(ref)!] as const),
      )
      return new Map(answers)
    },
    listMembers(groupId, about) {
      let read = members.get(groupId)
      if (!read) {
        read = client.listMembers(groupId, about)
        members.set(groupId, read)
      }
      return read
    },
    stats: (): RequestStats[] => client.stats(),
  }
}
