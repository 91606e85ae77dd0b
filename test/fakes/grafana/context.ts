// What a route handler is given: the fake it runs in, the request, the authenticated caller, the
// path parameters and the bound body.
import type { FakeRequest, Reply } from '../http.ts'
import type { Bound, Schema } from './binding.ts'
import type { Logins } from './auth.ts'
import type { Store, Team, Token, User } from './store.ts'
import type { FakeGrafanaOptions, GrafanaVersion } from './types.ts'

/** One running fake: its state, its options and the version it plays. */
export interface Fake {
  store: Store
  opts: FakeGrafanaOptions
  logins: Logins
  atLeast(version: GrafanaVersion): boolean
}

export interface Caller {
  kind: 'user' | 'serviceAccount'
  user?: User
  token?: Token
  /** The org the request acts in; -1 when a user asked for an org they are not a member of. */
  orgId: number
  isServerAdmin: boolean
}

export interface Ctx {
  fake: Fake
  req: FakeRequest
  caller: Caller
  params: Record<string, string>
  body: Bound
  /** The path's team, when it is a team of the current org. */
  team?: Team
}

export type Handler = (ctx: Ctx) => Reply
/** Answers a refusal, or undefined to let the request through. */
export type Authorize = (ctx: Ctx) => Reply | undefined

export interface RouteDef {
  method: string
  pattern: string
  authorize: Authorize
  bind?: Schema
  handler: Handler
}

export const route = (
  method: string,
  pattern: string,
  authorize: Authorize,
  handler: Handler,
  extra: { bind?: Schema } = {},
): RouteDef => ({ method, pattern, authorize, handler, ...extra })

export const currentOrg = (ctx: Ctx): number => ctx.caller.orgId
export const pathOrg = (ctx: Ctx): number => Number(ctx.params.orgId)
