import net from 'node:net';
import { RateIndex, type RateCandidate } from '../rating/index.js';
import type { TranslationRule } from '../localizations/index.js';
import { DENY_REASONS, type DenyReason, type SipAnswer } from './call-auth.reasons.js';

/*
 * The in-memory snapshot every decision reads (DOMAIN 4: no database on the decision path).
 *
 * Concurrency contract: decide() is synchronous and only reads. The loader builds replacement
 * objects asynchronously and installs them in one synchronous step (CallAuthState.apply* or a
 * whole new state), so a decision sees either the old or the new version of an account, never
 * half of each; a reload never waits for a decision and a decision never waits for a reload.
 */

export interface MinProfit {
  type: 'percent' | 'absolute';
  value: string;
}

export interface AccountSnap {
  id: number;
  parentId: number | null;
  isReseller: boolean;
  /** status active (deleted accounts are not in the snapshot). */
  isActive: boolean;
  /** Epoch ms, or null = never expires. */
  validUntil: number | null;
  mode: 'prepaid' | 'postpaid';
  balance: string;
  creditLimit: string;
  unlimitedCredit: boolean;
  rateGroupId: number | null;
  nonCliRateGroupId: number | null;
  localizationId: number | null;
  cliPoolMode: number;
  callLimit: number | null;
  cpsLimit: number | null;
  minProfit: MinProfit | null;
  blockedCodes: readonly string[];
  speedDials: readonly { key: number; number: string }[];
  /** Active DIDs assigned to the account. */
  dids: readonly string[];
  /** Active stored caller IDs. */
  callerIds: readonly string[];
  forceCallerId: { number: string; name: string | null } | null;
  /**
   * The customer's active rate overrides (DOMAIN 4 step 7), `isOverride: true`; absent or null =
   * none. Ranked against the selected rate group's rows by rateWithOverrides.
   */
  rateOverrides?: RateIndex<RateRow> | null;
}

export interface TrunkSnap {
  id: number;
  accountId: number;
  isActive: boolean;
  callLimit: number | null;
  cpsLimit: number | null;
  maxDurationSec: number | null;
  minProfit: MinProfit | null;
}

export interface HostSnap {
  id: number;
  trunkId: number;
  accountId: number;
  cidr: string;
  family: 4 | 6;
  bits: number;
  network: bigint;
  port: number | null;
  techPrefix: string;
  isActive: boolean;
  callLimit: number | null;
  cpsLimit: number | null;
}

export interface DeviceSnap {
  id: number;
  accountId: number;
  username: string;
  isActive: boolean;
}

export interface RateRow extends RateCandidate {
  includedSeconds: number;
  /** 0 = the rate group's value. */
  initialIncrement: number;
  billingIncrement: number;
}

export interface RateGroupSnap {
  id: number;
  isActive: boolean;
  initialIncrement: number;
  billingIncrement: number;
  index: RateIndex<RateRow>;
}

/** A route plan (DOMAIN 4 step 8): destination prefix -> provider trunks in priority order. */
export interface RoutePlanSnap {
  id: number;
  entries: readonly { prefix: string; priority: number; providerTrunkId: number }[];
}

export interface CallAuthSettings {
  /** Longest grant per authorization or extension (DOMAIN 4 step 9, default 300). */
  grantChunkSec: number;
  /** No call lasts longer (default 7200). */
  globalMaxSec: number;
  /** Counter and reservation entries outlive the grant by this much (DOMAIN 3.9: 120 s). */
  marginSec: number;
}

export const DEFAULT_SETTINGS: CallAuthSettings = { grantChunkSec: 300, globalMaxSec: 7200, marginSec: 120 };

const IPV4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** An address as (family, value), or null when it is not an IP. IPv4-mapped IPv6 counts as IPv4. */
export function parseIp(text: string): { family: 4 | 6; value: bigint } | null {
  const mapped = IPV4_MAPPED.exec(text);
  const ip = mapped ? mapped[1] : text;
  if (net.isIPv4(ip)) {
    let v = 0n;
    for (const part of ip.split('.')) v = (v << 8n) | BigInt(Number(part));
    return { family: 4, value: v };
  }
  if (!net.isIPv6(ip) || ip.includes('%')) return null;
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const expand = (groups: string[]) =>
    groups.flatMap((g) => {
      if (!g.includes('.')) return [g];
      const n = g.split('.').reduce((acc, p) => (acc << 8) + Number(p), 0) >>> 0;
      return [(n >>> 16).toString(16), (n & 0xffff).toString(16)];
    });
  const hh = expand(h);
  const tt = expand(t);
  const groups = tail === null ? hh : [...hh, ...Array(8 - hh.length - tt.length).fill('0'), ...tt];
  return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

function maskOf(family: 4 | 6, bits: number): bigint {
  const max = family === 4 ? 32 : 128;
  return ((1n << BigInt(bits)) - 1n) << BigInt(max - bits);
}

/** A host row's CIDR text ("10.0.0.0/24") as family, mask length and network. */
export function parseHostCidr(cidr: string): { family: 4 | 6; bits: number; network: bigint } | null {
  const slash = cidr.indexOf('/');
  const ip = parseIp(slash === -1 ? cidr : cidr.slice(0, slash));
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  const bits = slash === -1 ? max : Number(cidr.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return null;
  return { family: ip.family, bits, network: ip.value & maskOf(ip.family, bits) };
}

/**
 * Hosts by network: one map per (family, mask length) present, so finding the hosts whose range
 * holds an address costs one map lookup per distinct mask length, not one test per host.
 */
export class HostIndex {
  private readonly byKey = new Map<string, HostSnap[]>();
  private readonly lengths: Record<4 | 6, Map<number, number>> = { 4: new Map(), 6: new Map() };

  constructor(hosts: Iterable<HostSnap> = []) {
    for (const h of hosts) this.add(h);
  }

  private static key(family: number, bits: number, network: bigint): string {
    return `${family}/${bits}/${network}`;
  }

  add(h: HostSnap): void {
    const k = HostIndex.key(h.family, h.bits, h.network);
    const list = this.byKey.get(k);
    if (list) list.push(h);
    else this.byKey.set(k, [h]);
    const lengths = this.lengths[h.family];
    lengths.set(h.bits, (lengths.get(h.bits) ?? 0) + 1);
  }

  remove(h: HostSnap): void {
    const k = HostIndex.key(h.family, h.bits, h.network);
    const list = this.byKey.get(k);
    if (!list) return;
    const i = list.findIndex((x) => x.id === h.id);
    if (i === -1) return;
    list.splice(i, 1);
    if (list.length === 0) this.byKey.delete(k);
    const lengths = this.lengths[h.family];
    const n = (lengths.get(h.bits) ?? 1) - 1;
    if (n === 0) lengths.delete(h.bits);
    else lengths.set(h.bits, n);
  }

  /** Every host whose CIDR holds the address. */
  containing(ip: { family: 4 | 6; value: bigint }): HostSnap[] {
    const out: HostSnap[] = [];
    for (const bits of this.lengths[ip.family].keys()) {
      const list = this.byKey.get(HostIndex.key(ip.family, bits, ip.value & maskOf(ip.family, bits)));
      if (list) for (const h of list) out.push(h);
    }
    return out;
  }
}

/** Everything a decision reads. Built by the loader; tests build it by hand with buildState. */
export class CallAuthState {
  readonly accounts = new Map<number, AccountSnap>();
  readonly trunks = new Map<number, TrunkSnap>();
  readonly trunksByAccount = new Map<number, TrunkSnap[]>();
  readonly hostIndex = new HostIndex();
  readonly hostsByAccount = new Map<number, HostSnap[]>();
  readonly devicesByUsername = new Map<string, DeviceSnap>();
  readonly devicesByAccount = new Map<number, DeviceSnap[]>();
  readonly rateGroups = new Map<number, RateGroupSnap>();
  readonly localizations = new Map<number, LocalizationSnap>();
  readonly reasons = new Map<DenyReason, SipAnswer>();
  readonly routePlans = new Map<number, RoutePlanSnap>();
  /** accountId -> route plan id: customers given a plan. */
  readonly routePlanOf = new Map<number, number>();
  settings: CallAuthSettings = { ...DEFAULT_SETTINGS };
  /** Bumped by every change applied; the loader's tests and metrics read it. */
  version = 0;

  sipAnswer(reason: DenyReason): SipAnswer {
    return this.reasons.get(reason) ?? DENY_REASONS[reason];
  }

  /** Replaces one account's whole bundle (row, trunks, hosts, devices); null removes it. */
  applyAccount(
    id: number,
    bundle: { account: AccountSnap; trunks: TrunkSnap[]; hosts: HostSnap[]; devices: DeviceSnap[] } | null,
  ): void {
    for (const h of this.hostsByAccount.get(id) ?? []) this.hostIndex.remove(h);
    this.hostsByAccount.delete(id);
    for (const t of this.trunksByAccount.get(id) ?? []) this.trunks.delete(t.id);
    this.trunksByAccount.delete(id);
    for (const d of this.devicesByAccount.get(id) ?? []) {
      if (this.devicesByUsername.get(d.username.toLowerCase())?.id === d.id)
        this.devicesByUsername.delete(d.username.toLowerCase());
    }
    this.devicesByAccount.delete(id);
    this.accounts.delete(id);
    if (bundle) {
      this.accounts.set(id, bundle.account);
      for (const t of bundle.trunks) this.trunks.set(t.id, t);
      this.trunksByAccount.set(id, bundle.trunks);
      for (const h of bundle.hosts) this.hostIndex.add(h);
      this.hostsByAccount.set(id, bundle.hosts);
      for (const d of bundle.devices) this.devicesByUsername.set(d.username.toLowerCase(), d);
      this.devicesByAccount.set(id, bundle.devices);
    }
    this.version++;
  }

  /**
   * Sets the balance of accounts in place (a balance-only change: a ledger posting, a CDR batch);
   * an id not in the snapshot (deleted, or not loaded yet) is skipped. Each account object is
   * replaced, not mutated, like applyAccount does.
   */
  applyBalances(balances: Iterable<[number, string]>): void {
    for (const [id, balance] of balances) {
      const a = this.accounts.get(id);
      if (a && a.balance !== balance) this.accounts.set(id, { ...a, balance });
    }
    this.version++;
  }

  applyRateGroup(id: number, group: RateGroupSnap | null): void {
    if (group) this.rateGroups.set(id, group);
    else this.rateGroups.delete(id);
    this.version++;
  }

  applyLocalization(id: number, profile: LocalizationSnap | null): void {
    if (profile) this.localizations.set(id, profile);
    else this.localizations.delete(id);
    this.version++;
  }

  /** Replaces every route plan and assignment (small tables, reloaded whole). */
  applyRoutePlans(plans: Iterable<RoutePlanSnap>, assignments: Iterable<[number, number]>): void {
    this.routePlans.clear();
    for (const p of plans) this.routePlans.set(p.id, p);
    this.routePlanOf.clear();
    for (const [accountId, planId] of assignments) this.routePlanOf.set(accountId, planId);
    this.version++;
  }

  applyReasons(overrides: Iterable<[DenyReason, SipAnswer]>): void {
    this.reasons.clear();
    for (const [k, v] of overrides) this.reasons.set(k, v);
    this.version++;
  }
}

export interface LocalizationSnap {
  id: number;
  destinationRules: readonly TranslationRule[];
  callerNumberRules: readonly TranslationRule[];
  callerNameRules: readonly TranslationRule[];
}

export function rateGroupSnap(
  g: { id: number; isActive: boolean; initialIncrement: number; billingIncrement: number },
  rates: Iterable<RateRow>,
): RateGroupSnap {
  return { ...g, index: new RateIndex<RateRow>(rates) };
}
