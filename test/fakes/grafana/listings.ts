// The big listings (team members, user search hits, org users) written from byte fragments cached
// per user and team, so a thousand listings of a large org stay cheap; the bytes are exactly what
// JSON.stringify of the DTOs would give.
import { JsonArrayBytes } from '../http.ts'
import { orgUserDto, userHit } from './dto.ts'
import { ROLES, type Member, type MembersJson, type Store, type Team, type User } from './store.ts'
import type { OrgRole } from './types.ts'

const UNLABELLED = {
  0: Buffer.from(',"labels":[],"permission":0}'),
  4: Buffer.from(',"labels":[],"permission":4}'),
}
const ORG_SLOT = '{"orgId":0,'
/** Where the role sits in an OrgUserDTO: string values escape quotes, so only the key matches. */
const ROLE_SLOT = ',"role":"Viewer",'
const ROLE_JSON = Object.fromEntries(
  [...ROLES].map((role) => [role, Buffer.from(`,"role":"${role}",`)]),
) as Record<OrgRole, Buffer>

/**
 * A TeamMemberDTO (orgId, teamId, teamUID, userId, userUID, auth_module, email, name, login,
 * avatarUrl, labels, permission) from cached fragments: the team's fields, then the user's with
 * the membership's (cached per permission when unlabelled).
 */
function addMemberEntry(body: JsonArrayBytes, t: Team, u: User, m: Member): void {
  const teamPart = (t.memberPrefix ??= Buffer.from(
    `{"orgId":${t.orgId},"teamId":${t.id},"teamUID":${JSON.stringify(t.uid)},`,
  ))
  if (m.labels.length === 0 && m.permission === 0) {
    body.item(teamPart, (u.json.member0 ??= Buffer.concat([userMemberPart(u), UNLABELLED[0]])))
  } else if (m.labels.length === 0 && m.permission === 4) {
    body.item(teamPart, (u.json.member4 ??= Buffer.concat([userMemberPart(u), UNLABELLED[4]])))
  } else {
    const membership = `,"labels":${JSON.stringify(m.labels)},"permission":${m.permission}}`
    body.item(teamPart, userMemberPart(u), Buffer.from(membership))
  }
}

const userMemberPart = (u: User): Buffer =>
  (u.json.member ??= Buffer.from(
    [
      `"userId":${u.id}`,
      `"userUID":${JSON.stringify(u.uid)}`,
      '"auth_module":""',
      `"email":${JSON.stringify(u.email)}`,
      `"name":${JSON.stringify(u.name)}`,
      `"login":${JSON.stringify(u.login)}`,
      `"avatarUrl":${JSON.stringify(u.avatarUrl)}`,
    ].join(','),
  ))

/** The team's member listing, serialised again only after what it shows changed. */
export function membersJsonOf(store: Store, team: Team): MembersJson & { json: Buffer } {
  const cached = team.membersJson
  if (cached?.json) return cached as MembersJson & { json: Buffer }
  const entries = new JsonArrayBytes()
  for (const user of store.teamMembersSorted(team)) {
    addMemberEntry(entries, team, user, team.members.get(user.id)!)
  }
  const size = entries.byteLength
  const reusable = cached && cached.sending === 0 && cached.buffer.length >= size
  // Room to grow, so the listing after a few added members still fits.
  const body = reusable
    ? cached
    : { buffer: Buffer.allocUnsafeSlow(Math.ceil(size * 1.1)), json: undefined, sending: 0 }
  team.membersJson = body
  return Object.assign(body, { json: entries.writeInto(body.buffer) })
}

/** OrgUserDTOs from each user's cached parts around the role (the DTO's own serialisation, cut). */
export function orgUsersJson(
  orgId: number,
  rows: { user: User; role: OrgRole }[],
  body: JsonArrayBytes,
): JsonArrayBytes {
  const open = Buffer.from(`{"orgId":${orgId},`)
  for (const { user, role } of rows) {
    const [head, tail] = orgUserParts(user)
    body.item(open, head, ROLE_JSON[role], tail)
  }
  return body
}

export function orgUserParts(user: User): [Buffer, Buffer] {
  if (!user.json.orgHead || !user.json.orgTail) {
    const text = JSON.stringify(orgUserDto(0, user, 'Viewer'))
    const at = text.indexOf(ROLE_SLOT)
    user.json.orgHead = Buffer.from(text.slice(ORG_SLOT.length, at))
    user.json.orgTail = Buffer.from(text.slice(at + ROLE_SLOT.length))
  }
  return [user.json.orgHead, user.json.orgTail]
}

/** A whole user search hit. */
export const hitJson = (u: User) => (u.json.hit ??= Buffer.from(JSON.stringify(userHit(u))))
