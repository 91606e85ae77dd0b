// The JSON bodies Grafana answers with, field for field and in its order (TeamDTO, UserProfileDTO,
// UserSearchHitDTO, OrgUserDTO, OrgDetailsDTO).
import type { Fake } from './context.ts'
import { compare, type Org, type Store, type Team, type User } from './store.ts'
import type { OrgRole } from './types.ts'

export const teamDto = (fake: Fake, t: Team) => ({
  id: t.id,
  uid: t.uid,
  orgId: t.orgId,
  name: t.name,
  email: t.email,
  ...(fake.atLeast('12.0') ? { externalUID: '', isProvisioned: false } : {}),
  avatarUrl: t.avatarUrl,
  memberCount: t.members.size,
  permission: 0,
  accessControl: null,
})
const lastSeen = (u: User) => ({
  lastSeenAt: u.lastSeenAt,
  lastSeenAtAge: '10 years',
})
export const userProfile = (u: User) => ({
  id: u.id,
  uid: u.uid,
  email: u.email,
  name: u.name,
  login: u.login,
  theme: '',
  orgId: u.activeOrgId,
  isGrafanaAdmin: u.isAdmin,
  isDisabled: u.isDisabled,
  isExternal: false,
  isExternallySynced: false,
  isGrafanaAdminExternallySynced: false,
  isProvisioned: false,
  authLabels: [],
  updatedAt: u.updated,
  createdAt: u.created,
  avatarUrl: u.avatarUrl,
})
export const userHit = (u: User) => ({
  id: u.id,
  uid: u.uid,
  name: u.name,
  login: u.login,
  email: u.email,
  avatarUrl: u.avatarUrl,
  isAdmin: u.isAdmin,
  isDisabled: u.isDisabled,
  ...lastSeen(u),
  authLabels: [],
  isProvisioned: false,
})
export const orgUserDto = (orgId: number, u: User, role: OrgRole) => ({
  orgId,
  userId: u.id,
  uid: u.uid,
  email: u.email,
  name: u.name,
  avatarUrl: u.avatarUrl,
  login: u.login,
  role,
  ...lastSeen(u),
  isDisabled: u.isDisabled,
  authLabels: null,
  isExternallySynced: false,
  isProvisioned: false,
})
export const orgDetails = (o: Org) => ({
  id: o.id,
  name: o.name,
  address: { address1: '', address2: '', city: '', zipCode: '', state: '', country: '' },
})

/** A user's orgs with their role in each, by org name (UserOrgDTO). */
export function userOrgList(store: Store, u: User) {
  return [...(store.userOrgs.get(u.id) ?? [])]
    .map(([orgId, role]) => ({ orgId, name: store.orgs.get(orgId)?.name ?? '', role }))
    .sort((a, b) => compare(a.name, b.name))
}
