export { createGrafanaClient } from './client.ts'
export type { GrafanaClientOptions, GrafanaOrgUser } from './client.ts'
export type { GrafanaClient, GrafanaTeamSummary } from './types.ts'
