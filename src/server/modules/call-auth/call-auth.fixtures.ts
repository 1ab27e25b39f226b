import {
  CallAuthState,
  parseHostCidr,
  rateGroupSnap,
  type AccountSnap,
  type DeviceSnap,
  type HostSnap,
  type RateRow,
  type TrunkSnap,
} from './call-auth.state.js';

/*
 * Hand-built snapshots for the pure tests: one line per object, everything else defaulted to a
 * plain active prepaid customer.
 */

export const T0 = Date.UTC(2026, 11, 1);

export function account(id: number, over: Partial<AccountSnap> = {}): AccountSnap {
  return {
    id,
    parentId: null,
    isReseller: false,
    isActive: true,
    validUntil: null,
    mode: 'prepaid',
    balance: '10.000000',
    creditLimit: '0',
    unlimitedCredit: false,
    rateGroupId: 1,
    nonCliRateGroupId: null,
    localizationId: null,
    cliPoolMode: 0,
    callLimit: null,
    cpsLimit: null,
    minProfit: null,
    blockedCodes: [],
    speedDials: [],
    dids: [],
    callerIds: [],
    forceCallerId: null,
    ...over,
  };
}

export function trunk(id: number, accountId: number, over: Partial<TrunkSnap> = {}): TrunkSnap {
  return {
    id,
    accountId,
    isActive: true,
    callLimit: null,
    cpsLimit: null,
    maxDurationSec: null,
    minProfit: null,
    ...over,
  };
}

export function host(
  id: number,
  trunkId: number,
  accountId: number,
  cidr: string,
  over: Partial<HostSnap> = {},
): HostSnap {
  const parsed = parseHostCidr(cidr)!;
  return {
    id,
    trunkId,
    accountId,
    cidr,
    ...parsed,
    port: null,
    techPrefix: '',
    isActive: true,
    callLimit: null,
    cpsLimit: null,
    ...over,
  };
}

let rateSeq = 1000;
export function rate(prefix: string, ratePerMin: string, over: Partial<RateRow> = {}): RateRow {
  return {
    id: rateSeq++,
    prefix,
    isOverride: false,
    effectiveFrom: T0 - 86_400_000,
    effectiveTo: null,
    ratePerMin,
    connectFee: '0',
    includedSeconds: 0,
    initialIncrement: 0,
    billingIncrement: 0,
    ...over,
  };
}

export interface FixtureSpec {
  accounts: AccountSnap[];
  trunks?: TrunkSnap[];
  hosts?: HostSnap[];
  devices?: DeviceSnap[];
  groups?: {
    id: number;
    isActive?: boolean;
    initialIncrement?: number;
    billingIncrement?: number;
    rates: RateRow[];
  }[];
}

export function buildState(spec: FixtureSpec): CallAuthState {
  const state = new CallAuthState();
  for (const a of spec.accounts)
    state.applyAccount(a.id, {
      account: a,
      trunks: (spec.trunks ?? []).filter((t) => t.accountId === a.id),
      hosts: (spec.hosts ?? []).filter((h) => h.accountId === a.id),
      devices: (spec.devices ?? []).filter((d) => d.accountId === a.id),
    });
  for (const g of spec.groups ?? [])
    state.applyRateGroup(
      g.id,
      rateGroupSnap(
        {
          id: g.id,
          isActive: g.isActive ?? true,
          initialIncrement: g.initialIncrement ?? 1,
          billingIncrement: g.billingIncrement ?? 1,
        },
        g.rates,
      ),
    );
  return state;
}
