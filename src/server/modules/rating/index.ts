export {
  RateIndex,
  compareCandidates,
  compareSameLength,
  isValidAt,
  lookupWithOverrides,
  prefixesOf,
  selectRate,
  type RateCandidate,
} from './rate-lookup.js';
export { callCost, chargedSeconds, effectiveIncrements, type CostRate } from './call-cost.js';
