// How requests' parameters are read: the paging of searches, the user search match, and path
// parameters that name a user by id or UID.
import { intParam, type Reply } from '../http.ts'
import type { Ctx, Fake } from './context.ts'
import { plain } from './replies.ts'
import type { User } from './store.ts'

const DEFAULT_PERPAGE = 1000

/** `perpage` ≤ 0 → 1000, then lowered to `maxPerPage` when the variant sets one. */
export function perPageOf({ opts }: Fake, query: URLSearchParams): number {
  const perpage = intParam(query, 'perpage') ?? 0
  const perPage = perpage > 0 ? perpage : DEFAULT_PERPAGE
  return opts.maxPerPage !== undefined ? Math.min(perPage, opts.maxPerPage) : perPage
}

/** 1-based paging (teams, users, org users): page < 1 → 1. */
export function page1(
  fake: Fake,
  query: URLSearchParams,
): { page: number; perPage: number; offset: number } {
  const perPage = perPageOf(fake, query)
  const page = Math.max(1, intParam(query, 'page') ?? 1)
  return { page, perPage, offset: (page - 1) * perPage }
}

/** The search envelope, `totalCount` first as Grafana writes it (unless the variant drops it). */
export const envelope = ({ opts }: Fake, totalCount: number, rest: Record<string, unknown>) =>
  opts.omitTotalCount ? rest : { totalCount, ...rest }

/** The same `totalCount` field as the head of an envelope written as bytes. */
export const totalCountJson = ({ opts }: Fake, totalCount: number): string =>
  opts.omitTotalCount ? '' : `"totalCount":${totalCount},`

export const matchesUserQuery = (u: User, q: string) =>
  q === '' || u.login.includes(q) || u.email.includes(q) || u.name.toLowerCase().includes(q)

/** `:id` path parameters that accept a numeric id or a user UID. */
export function userParam(
  { store }: Fake,
  value: string | undefined,
): { user?: User; uidMissing?: boolean } {
  const ref = value ?? ''
  if (/^\d+$/.test(ref)) return { user: store.users.get(Number(ref)) }
  const user = store.usersByUid.get(ref)
  return user ? { user } : { uidMissing: true }
}

/** The path's user to `then`; an unknown UID is 404 User not found, an unknown id `missing()`. */
export function withUser(
  ctx: Ctx,
  key: string,
  missing: () => Reply,
  then: (u: User) => Reply,
): Reply {
  const { user, uidMissing } = userParam(ctx.fake, ctx.params[key])
  if (uidMissing) return plain(404, 'User not found')
  return user ? then(user) : missing()
}
