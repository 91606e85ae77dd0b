// The one wording of a rejected credential (a 401), naming the action input and the CLI variable.
import { SERVICE_TITLES, type HttpError } from './http/index.ts'

/** The credentials a service can reject outright. */
export type CredentialName = 'grafana-token' | 'grafana-basic' | 'okta-api-token'

const CREDENTIALS: Record<CredentialName, { names: string; fix: string }> = {
  'grafana-token': {
    names: 'grafana-token (CLI: GRAFANA_TOKEN)',
    fix: 'use a valid, unexpired, unrevoked service-account token (glsa_…)',
  },
  'grafana-basic': {
    names: 'grafana-username/grafana-password (CLI: GRAFANA_USERNAME/GRAFANA_PASSWORD)',
    fix:
      'check both; Grafana locks a login for 5 minutes after 5 failed attempts; Grafana Cloud has ' +
      'no basic auth (use grafana-token)',
  },
  'okta-api-token': {
    names: 'okta-api-token (CLI: OKTA_API_TOKEN)',
    fix:
      'the token is invalid, revoked or expired. SSWS tokens expire after 30 days without use and ' +
      'stop working when the admin who created them is deactivated; create a new token',
  },
}

/**
 * e.g. `Okta rejected okta-api-token (CLI: OKTA_API_TOKEN) with 401 Invalid token provided (E0000011)
 * on GET /api/v1/groups: the token is invalid, …`. The service's words arrive scrubbed.
 */
export function rejectedCredentialMessage(err: HttpError, credential: CredentialName): string {
  const { names, fix } = CREDENTIALS[credential]
  const answer = `${err.status} ${err.serviceMessage}`.trim()
  return `${SERVICE_TITLES[err.service]} rejected ${names} with ${answer} on ${err.method} ${err.endpoint}: ${fix}.`
}
