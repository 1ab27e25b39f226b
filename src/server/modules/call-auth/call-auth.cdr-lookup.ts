import type { RateIndex } from '../rating/index.js';
import { snapshotRate, type RateSnapshot } from './call-auth.decide.js';
import {
  parseIp,
  type CallAuthState,
  type HostSnap,
  type RateGroupSnap,
  type RateRow,
} from './call-auth.state.js';

/*
 * What CDR rating (DOMAIN 5) reads from the call-authorization snapshot when a CDR comes without
 * a reservation, and for the lines above the customer: whose call it was, the customer's rate at
 * the call's start, each reseller's buy rate and the provider's rate. Synchronous, read-only, no
 * SQL: a batch of 1,000 CDRs is rated in memory (the snapshot follows the database through its
 * change notifications, as the decisions do).
 */

/** A rate as CDR rating uses it: the snapshot fields, increments after the fallbacks. */
export type CdrRate = RateSnapshot;

function rateIn(
  group: RateGroupSnap | undefined,
  number: string,
  at: number,
  overrides?: RateIndex<RateRow> | null,
): CdrRate | null {
  if (!group) return null;
  // The decision's own lookup, customer overrides ranked in (DOMAIN 4 step 7).
  return snapshotRate(group, number, at, overrides);
}

/**
 * The customer a CDR without reservation belongs to: its SIP device, else the host whose CIDR
 * holds the source address (a host whose tech prefix begins the number first, then the longest
 * tech prefix, then the longest mask). Deleted accounts are not in the snapshot: null.
 */
export function cdrAccountOf(
  state: CallAuthState,
  c: { sourceIp: string; sipUsername?: string; calledNumber: string },
): number | null {
  if (c.sipUsername) {
    const dev = state.devicesByUsername.get(c.sipUsername.toLowerCase());
    if (dev && state.accounts.has(dev.accountId)) return dev.accountId;
  }
  const ip = parseIp(c.sourceIp);
  if (!ip) return null;
  let best: HostSnap | null = null;
  let bestFits = false;
  for (const h of state.hostIndex.containing(ip)) {
    const fits = c.calledNumber.startsWith(h.techPrefix);
    if (
      best === null ||
      (fits && !bestFits) ||
      (fits === bestFits &&
        (h.techPrefix.length > best.techPrefix.length ||
          (h.techPrefix.length === best.techPrefix.length && h.bits > best.bits)))
    ) {
      best = h;
      bestFits = fits;
    }
  }
  return best && state.accounts.has(best.accountId) ? best.accountId : null;
}

/** The account's rate for `number` at epoch-ms `at` (its own rate group, live or not). */
export function cdrRateOf(
  state: CallAuthState,
  accountId: number,
  number: string,
  at: number,
): { rate: CdrRate | null; reason: 'NO_RATE_GROUP' | 'NO_RATE' | null } {
  const a = state.accounts.get(accountId);
  if (!a || a.rateGroupId === null) return { rate: null, reason: 'NO_RATE_GROUP' };
  const rate = rateIn(state.rateGroups.get(a.rateGroupId), number, at, a.rateOverrides);
  return { rate, reason: rate ? null : 'NO_RATE' };
}

/** The resellers above an account, nearest first (ids; the chain stops at a missing account). */
export function resellerChainOf(state: CallAuthState, accountId: number): number[] {
  const out: number[] = [];
  let parentId = state.accounts.get(accountId)?.parentId ?? null;
  for (let depth = 0; parentId !== null && depth < 32; depth++) {
    const p = state.accounts.get(parentId);
    if (!p) break;
    out.push(p.id);
    parentId = p.parentId;
  }
  return out;
}

/** The provider account that owns a trunk, if the trunk is in the snapshot. */
export function trunkOwnerOf(state: CallAuthState, trunkId: number): number | null {
  return state.trunks.get(trunkId)?.accountId ?? null;
}
