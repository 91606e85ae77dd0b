export { createGrafanaClient } from './client.ts'
export type { GrafanaClientOptions } from './client.ts'
export type { GrafanaOrgUser } from './wire.ts'
export type { GrafanaClient, GrafanaTeamSummary } from './types.ts'
