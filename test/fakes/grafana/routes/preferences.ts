// Team preferences (§2.11): read the keys that are set; PUT replaces them all.
import type { Reply } from '../../http.ts'
import { onTeam } from '../auth.ts'
import { isZero, str, type Schema } from '../binding.ts'
import { route, type Ctx, type RouteDef } from '../context.ts'
import { ok, plain } from '../replies.ts'

const THEMES = new Set(['', 'light', 'dark', 'system'])

const PREFERENCE_SCHEMA: Schema = {
  theme: { type: 'string' },
  homeDashboardUID: { type: 'string' },
  timezone: { type: 'string' },
  weekStart: { type: 'string' },
  language: { type: 'string' },
  regionalFormat: { type: 'string' },
  queryHistory: { type: 'object' },
  navbar: { type: 'object' },
  cookies: { type: 'strings' },
}

function getPreferences({ team }: Ctx): Reply {
  return ok(team ? { ...team.prefs } : {})
}

/** Full replace: keys the body omits go back to their defaults (unset). */
function putPreferences({ fake, team, caller, body }: Ctx): Reply {
  const theme = str(body, 'theme')
  if (!THEMES.has(theme)) return plain(400, 'Invalid theme')
  const orgId = team?.orgId ?? caller.orgId
  const boards = fake.store.dashboards.get(orgId)
  const homeDashboardUID = str(body, 'homeDashboardUID')
  if (fake.opts.validateDashboards && homeDashboardUID !== '' && !boards?.has(homeDashboardUID)) {
    return plain(404, 'Dashboard not found')
  }
  if (!team) return ok({ message: 'Preferences updated' })
  const prefs: Record<string, unknown> = {}
  const keep = (key: string, value: unknown) => {
    if (!isZero(value)) prefs[key] = value
  }
  keep('theme', theme)
  keep('homeDashboardUID', homeDashboardUID)
  keep('timezone', str(body, 'timezone'))
  keep('weekStart', str(body, 'weekStart'))
  keep('language', str(body, 'language'))
  keep('regionalFormat', str(body, 'regionalFormat'))
  const history = body.queryHistory as { homeTab?: unknown } | undefined
  if (typeof history?.homeTab === 'string' && history.homeTab !== '') {
    prefs.queryHistory = { homeTab: history.homeTab }
  }
  const navbar = body.navbar as { bookmarkUrls?: unknown } | undefined
  if (Array.isArray(navbar?.bookmarkUrls) && navbar.bookmarkUrls.length > 0) {
    prefs.navbar = { bookmarkUrls: navbar.bookmarkUrls as unknown[] }
  }
  team.prefs = prefs
  fake.store.changed()
  return ok({ message: 'Preferences updated' })
}

export const PREFERENCE_ROUTES: RouteDef[] = [
  route('GET', '/api/teams/:teamId/preferences', onTeam('teams:read'), getPreferences),
  route('PUT', '/api/teams/:teamId/preferences', onTeam('teams:write'), putPreferences, {
    bind: PREFERENCE_SCHEMA,
  }),
]
