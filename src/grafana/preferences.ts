// Team preferences: read, and write back with the keys this tool does not manage kept (PUT
// replaces every preference).
import type { TeamPreferences } from '../model.ts'
import type { GrafanaApi } from './api.ts'
import type { GrafanaClient } from './types.ts'
import type { WirePreferences } from './wire.ts'

const PREFERENCE_KEYS = [
  ['theme', 'theme'],
  ['timezone', 'timezone'],
  ['weekStart', 'weekStart'],
  ['homeDashboardUid', 'homeDashboardUID'],
] as const

function preferencesFromWire(raw: WirePreferences): TeamPreferences {
  const prefs: Record<string, string> = {}
  for (const [model, wire] of PREFERENCE_KEYS) {
    const value = raw[wire]
    if (typeof value === 'string') prefs[model] = value
  }
  return prefs
}

function preferencesToWire(prefs: TeamPreferences): WirePreferences {
  const body: WirePreferences = {}
  for (const [model, wire] of PREFERENCE_KEYS) {
    const value = prefs[model]
    if (value !== undefined) body[wire] = value
  }
  return body
}

type PreferenceEndpoints = Pick<GrafanaClient, 'getTeamPreferences' | 'setTeamPreferences'>

export function preferenceEndpoints(api: GrafanaApi): PreferenceEndpoints {
  /** Last preferences read per team: PUT replaces them all, so keys we do not manage are sent back. */
  const rawPreferences = new Map<number, WirePreferences>()

  async function getTeamPreferences(
    orgId: number,
    teamId: number,
    about?: string,
  ): Promise<TeamPreferences> {
    // Grafana answers `{}` for a team without preferences; an empty body means the same.
    const res = await api.call<WirePreferences | undefined>(
      'GET',
      `/api/teams/${teamId}/preferences`,
      { orgId, about },
    )
    if (res.body !== undefined && (typeof res.body !== 'object' || res.body === null)) {
      throw api.notJson(`/api/teams/${teamId}/preferences`, res)
    }
    const raw = res.body ?? {}
    rawPreferences.set(teamId, raw)
    return preferencesFromWire(raw)
  }

  async function setTeamPreferences(
    orgId: number,
    teamId: number,
    prefs: TeamPreferences,
  ): Promise<void> {
    // PUT replaces every preference: keep the ones this tool does not manage (language, navbar, …).
    const kept = { ...rawPreferences.get(teamId) }
    delete kept.homeDashboardId
    const body = { ...kept, ...preferencesToWire(prefs) }
    await api.call('PUT', `/api/teams/${teamId}/preferences`, { body, orgId })
    rawPreferences.set(teamId, body)
  }

  return { getTeamPreferences, setTeamPreferences }
}
