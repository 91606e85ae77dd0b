// How requests' parameters are read: the paging of searches, the user search match, and path
// parameters that name a user.
import { intParam, type Reply } from '../http.ts'
import type { Ctx, Fake } from './context.ts'
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

/** A `:id` path parameter naming a user by numeric id. */
export function userParam({ store }: Fake, value: string | undefined): User | undefined {
  const ref = value ?? ''
  return /^\d+$/.test(ref) ? store.users.get(Number(ref)) : undefined
}

/** The path's user to `then`, else `missing()`. */
export function withUser(
  ctx: Ctx,
  key: string,
  missing: () => Reply,
  then: (u: User) => Reply,
): Reply {
  const user = userParam(ctx.fake, ctx.params[key])
  return user ? then(user) : missing()
}
