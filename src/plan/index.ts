export { buildPlan } from './build.ts'
export {
  checkCapabilities,
  hasOktaCredentials,
  oktaCredentialProblem,
  type Capabilities,
} from './capabilities.ts'
export type { OktaCredentials } from './capabilities.ts'
export { ALWAYS_ALLOWED, allowedRemovals, removalsOf } from './guards.ts'
export { accessChanges, withChangesFirst } from './access.ts'
