// What Grafana sends and expects on the wire, and its mapping to the model: the fields read from
// each answer, roles, ids and team permissions.
import type { GrafanaUser, OrgMember, OrgRole, TeamPermission } from '../model.ts'
import type { GrafanaTeamSummary } from './types.ts'

/** The perpage asked of every paged listing (Grafana enforces no maximum). */
export const PAGE = 1000
/** Team-member permission on the wire: 0 Member, 4 Admin. */
export const ADMIN_PERMISSION = 4

export interface WireOrg {
  id: number
  name: string
}
export interface WireSignedInUser {
  id: number
  login: string
  email: string
  isGrafanaAdmin?: boolean
  orgId: number
}
export interface WireUserHit {
  id: number
  login: string
  email: string
  name: string
  isAdmin?: boolean
  isGrafanaAdmin?: boolean
  isDisabled?: boolean
}
export interface WireOrgUser {
  userId: number
  login: string
  email: string
  name?: string
  role: string
  isDisabled?: boolean
}
export interface WireTeam {
  id: number
  name: string
  email?: string
  memberCount?: number
}
export interface WireTeamMember {
  userId: number
  login: string
  email: string
  permission: number
  labels?: string[] | null
}
export type WirePreferences = Record<string, unknown>

/** The fields read from listings (a member entry also carries avatar, name, uids…). */
export const TEAM_MEMBER_FIELDS = {
  userId: true,
  login: true,
  email: true,
  permission: true,
  labels: true,
} as const
export const ORG_USER_FIELDS = {
  userId: true,
  login: true,
  email: true,
  name: true,
  role: true,
  isDisabled: true,
} as const

/** An org user as Grafana lists it; `name` is extra to the model's OrgMember. */
export type GrafanaOrgUser = OrgMember & { name: string; isDisabled: boolean }

const ORG_ROLES: readonly string[] = ['Viewer', 'Editor', 'Admin', 'None']

export function orgRole(role: string): OrgRole | 'None' {
  return ORG_ROLES.includes(role) ? (role as OrgRole | 'None') : 'None'
}

/** A positive integer id from a response field, else undefined. */
export function idOf(value: unknown): number | undefined {
  const id = typeof value === 'string' ? Number(value) : value
  return typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : undefined
}

export function permissionOf(value: number): TeamPermission {
  return value === ADMIN_PERMISSION ? 'Admin' : 'Member'
}

export function teamSummary(t: WireTeam): GrafanaTeamSummary {
  return { id: t.id, name: t.name, email: t.email ?? '', memberCount: t.memberCount ?? 0 }
}

export function userOf(u: WireUserHit): GrafanaUser {
  return {
    id: u.id,
    login: u.login,
    email: u.email,
    name: u.name,
    isGrafanaAdmin: u.isGrafanaAdmin ?? u.isAdmin ?? false,
    isDisabled: u.isDisabled ?? false,
  }
}

export function orgUserOf(u: WireOrgUser): GrafanaOrgUser {
  return {
    userId: u.userId,
    login: u.login,
    email: u.email,
    role: orgRole(u.role),
    name: u.name ?? '',
    isDisabled: u.isDisabled ?? false,
  }
}
