export { createOktaClient, oktaOrigin } from './client.ts'
export { withSharedReads } from './shared.ts'
export type { OktaClientOptions } from './client.ts'
export type { OktaClient, OktaGroup } from './types.ts'
