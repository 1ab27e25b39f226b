export { callAuthRoutes } from './call-auth.routes.js';
export { startCallAuth, type CallAuthOptions, type CallAuthRuntime } from './call-auth.runtime.js';
export { releaseCall, heldFor, levelUsage, type CallAuthEngine } from './call-auth.service.js';
export type { CallAuthSettings } from './call-auth.state.js';
export { DENY_REASONS, type DenyReason } from './call-auth.reasons.js';
export {
  cdrAccountOf,
  cdrRateOf,
  resellerChainOf,
  trunkOwnerOf,
  type CdrRate,
} from './call-auth.cdr-lookup.js';
export type { Outcome as CallOutcome } from './counters.js';
export type { CallAuthState } from './call-auth.state.js';
