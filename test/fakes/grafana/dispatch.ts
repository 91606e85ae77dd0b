// One request through the fake: the sub-path, the route (404 Not found), authentication, the route's
// guard, body binding, then the handler.
import { STATUS_CODES } from 'node:http'
import type { FaultRule } from '../faults.ts'
import { pathSegments, Router, type FakeRequest, type Reply } from '../http.ts'
import { authenticate } from './auth.ts'
import { bindJson } from './binding.ts'
import type { Ctx, Fake, RouteDef } from './context.ts'
import { badRequestData, notFoundRoute, plain, traced } from './replies.ts'
import { MEMBER_ROUTES } from './routes/members.ts'
import { ORG_USER_ROUTES } from './routes/org-users.ts'
import { ORG_ROUTES } from './routes/orgs.ts'
import { PREFERENCE_ROUTES } from './routes/preferences.ts'
import { SIGNED_IN_ROUTES } from './routes/signed-in.ts'
import { TEAM_ROUTES } from './routes/teams.ts'
import { USER_ROUTES } from './routes/users.ts'

/** The first route that matches wins: static segments come before parameters in each list. */
const router = new Router<RouteDef>()
for (const def of [
  ...TEAM_ROUTES,
  ...MEMBER_ROUTES,
  ...PREFERENCE_ROUTES,
  ...USER_ROUTES,
  ...SIGNED_IN_ROUTES,
  ...ORG_ROUTES,
  ...ORG_USER_ROUTES,
]) {
  router.add(def.method, def.pattern, def)
}

export function handle(fake: Fake, basePath: string, req: FakeRequest): Reply {
  if (basePath !== '') {
    if (!req.path.startsWith(`${basePath}/`)) return notFoundRoute()
    req = { ...req, path: req.path.slice(basePath.length) }
  }
  const segments = pathSegments(req.path)
  const found = segments && router.match(req.method, segments)
  if (!found) return notFoundRoute()
  const caller = authenticate(fake, req)
  if ('status' in caller) return caller
  const ctx: Ctx = { fake, req, caller, params: found.params, body: {} }
  const refusal = found.handler.authorize(ctx)
  if (refusal) return refusal
  if (found.handler.bind) {
    const body = bindJson(req, found.handler.bind)
    if (!body) return badRequestData()
    ctx.body = body
  }
  return found.handler.handler(ctx)
}

/** An injected fault as Grafana (or the proxy in front of it) would answer it. */
export function faultReply(rule: FaultRule, status: number): Reply {
  if (status >= 300 && status < 400) return { status } // a redirect: `headers` gives the Location
  if (rule.body !== undefined) return { status, text: rule.body, contentType: 'text/html' }
  const message = STATUS_CODES[status] ?? 'Error'
  if (status === 429) {
    return {
      status,
      body: { message },
      headers: { 'retry-after': String(rule.rateLimitResetSeconds ?? 1) },
    }
  }
  return status >= 500 ? traced(status, message) : plain(status, message)
}
