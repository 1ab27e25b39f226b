import { sql } from 'kysely';
import type { Db, Unlisten } from '../../platform/db/database.js';
import { RateIndex } from '../rating/index.js';
import type { TranslationRule } from '../localizations/index.js';
import { isDenyReason, type DenyReason, type SipAnswer } from './call-auth.reasons.js';
import * as repo from './call-auth.repository.js';
import * as plansRepo from './route-plans.repository.js';
import {
  CallAuthState,
  parseHostCidr,
  rateGroupSnap,
  type AccountSnap,
  type CallAuthSettings,
  type DeviceSnap,
  type HostSnap,
  type LocalizationSnap,
  type MinProfit,
  type RateGroupSnap,
  type RateRow,
  type RoutePlanSnap,
  type TrunkSnap,
} from './call-auth.state.js';

/*
 * Keeps the decision snapshot current.
 *
 * Start: every table is read into a new CallAuthState. After that, the database tells us what
 * changed: statement triggers on the watched tables NOTIFY `call_auth` with the kind and keys
 * ("account:12,40", "rate_group:3", "localization:*") once the change commits. We chose triggers
 * over events emitted by services because they see every write path (API use cases, imports, mass
 * create, ledger postings, COPY of rate decks) without the owning modules knowing about call
 * authorization, and NOTIFY is transactional (a rolled-back change is never heard). PostgreSQL
 * delivers them to a dedicated LISTEN connection; PGlite delivers them in process.
 *
 * Messages are coalesced for a few milliseconds, the changed objects are read (one query per
 * table for all changed accounts), and installed in one synchronous step between decisions.
 * After a lost LISTEN connection everything is reloaded and the new state swapped in whole.
 *
 * Balances are the exception (issue 13: a CDR batch moves up to 1,000 of them): an UPDATE of
 * accounts that changes only balances sends "balance:<id>=<value>,..." and the values are set in
 * place, with no read (migration 2026_12_05_0100). The instance that posted a CDR batch also sets
 * the balances it committed at once (applyLocalBalances), so its next decision sees the debit
 * without waiting for the notification; a stamp per account keeps that from ever overwriting a
 * newer value heard meanwhile.
 */

export interface LoaderDeps {
  db: Db;
  listen?: (channel: string, onMessage: (p: string) => void, onReconnect?: () => void) => Promise<Unlisten>;
  settings?: Partial<CallAuthSettings>;
  log?: { info(o: object, m: string): void; error(o: object, m: string): void };
  debounceMs?: number;
}

const CHANNEL = 'call_auth';

type Pending = {
  all: boolean;
  accounts: Set<number>;
  /** Balance-only changes heard, the last value per account (messages arrive in commit order). */
  balances: Map<number, string>;
  groups: Set<number>;
  localizations: Set<number>;
  reasons: boolean;
  routePlans: boolean;
};
const emptyPending = (): Pending => ({
  all: false,
  accounts: new Set(),
  balances: new Map(),
  groups: new Set(),
  localizations: new Set(),
  reasons: false,
  routePlans: false,
});

const cps = (v: string | null) => (v === null ? null : Number(v));
const minProfit = (type: string | null, value: string | null): MinProfit | null =>
  type && value !== null ? { type: type as MinProfit['type'], value } : null;

function push<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export type AccountBundle = {
  account: AccountSnap;
  trunks: TrunkSnap[];
  hosts: HostSnap[];
  devices: DeviceSnap[];
};

/** The accounts (all, or these) with everything of theirs the decision reads. */
export async function loadAccountBundles(
  db: Db,
  ids: readonly number[] | null,
): Promise<Map<number, AccountBundle>> {
  const accounts = await repo.loadAccounts(db, ids);
  const trunks = await repo.loadTrunks(db, ids);
  const hosts = await repo.loadHosts(db, ids);
  const devices = await repo.loadDevices(db, ids);
  const n = await repo.loadNumbers(db, ids);
  const overrideRows = await repo.loadRateOverrides(db, ids);
  const overrides = new Map<number, RateRow[]>();
  for (const r of overrideRows)
    push(overrides, r.account_id, {
      id: r.id,
      prefix: r.prefix,
      isOverride: true,
      effectiveFrom: Number(r.from_ms),
      effectiveTo: r.to_ms === null ? null : Number(r.to_ms),
      ratePerMin: r.rate_per_min,
      connectFee: r.connect_fee,
      includedSeconds: r.included_seconds,
      initialIncrement: r.initial_increment,
      billingIncrement: r.billing_increment,
    });
  const callerIds = new Map<number, string[]>();
  const dids = new Map<number, string[]>();
  const blocked = new Map<number, string[]>();
  const dials = new Map<number, { key: number; number: string }[]>();
  const forced = new Map<number, { number: string; name: string | null }>();
  for (const r of n.callerIds) push(callerIds, r.account_id, r.number);
  for (const r of n.dids) push(dids, r.account_id!, r.number);
  for (const r of n.blocked) push(blocked, r.account_id, r.prefix);
  for (const r of n.dials) push(dials, r.account_id, { key: r.key, number: r.number });
  for (const r of n.forced) forced.set(r.account_id, { number: r.number, name: r.name });

  const out = new Map<number, AccountBundle>();
  for (const a of accounts) {
    out.set(a.id, {
      account: {
        id: a.id,
        parentId: a.parent_id,
        isReseller: a.is_reseller,
        isActive: a.status === 'active',
        validUntil: a.valid_until_ms === null ? null : Number(a.valid_until_ms),
        mode: a.mode,
        balance: a.balance,
        creditLimit: a.credit_limit,
        unlimitedCredit: a.unlimited_credit,
        rateGroupId: a.rate_group_id,
        nonCliRateGroupId: a.non_cli_rate_group_id,
        localizationId: a.localization_id,
        cliPoolMode: a.cli_pool_mode,
        callLimit: a.call_limit,
        cpsLimit: cps(a.cps_limit),
        minProfit: minProfit(a.min_profit_type, a.min_profit_value),
        blockedCodes: blocked.get(a.id) ?? [],
        speedDials: dials.get(a.id) ?? [],
        dids: dids.get(a.id) ?? [],
        callerIds: callerIds.get(a.id) ?? [],
        forceCallerId: forced.get(a.id) ?? null,
        rateOverrides: overrides.has(a.id) ? new RateIndex<RateRow>(overrides.get(a.id)!) : null,
      },
      trunks: [],
      hosts: [],
      devices: [],
    });
  }
  for (const t of trunks)
    out.get(t.account_id)?.trunks.push({
      id: t.id,
      accountId: t.account_id,
      isActive: t.status === 'active',
      callLimit: t.call_limit,
      cpsLimit: cps(t.cps_limit),
      maxDurationSec: t.max_duration_sec,
      minProfit: minProfit(t.min_profit_type, t.min_profit_value),
    });
  for (const h of hosts) {
    const parsed = parseHostCidr(h.cidr);
    if (!parsed) continue;
    out.get(h.account_id)?.hosts.push({
      id: h.id,
      trunkId: h.trunk_id,
      accountId: h.account_id,
      cidr: h.cidr,
      ...parsed,
      port: h.port,
      techPrefix: h.tech_prefix,
      isActive: h.status === 'active',
      callLimit: h.call_limit,
      cpsLimit: cps(h.cps_limit),
    });
  }
  for (const d of devices)
    out.get(d.account_id)?.devices.push({
      id: d.id,
      accountId: d.account_id,
      username: d.username,
      isActive: d.status === 'active',
    });
  return out;
}

export async function loadRateGroupSnaps(
  db: Db,
  ids: readonly number[] | null,
): Promise<Map<number, RateGroupSnap>> {
  const out = new Map<number, RateGroupSnap>();
  for (const g of await repo.loadRateGroups(db, ids)) {
    const rates: RateRow[] = [];
    for await (const rows of repo.streamRates(db, g.id))
      for (const r of rows)
        rates.push({
          id: r.id,
          prefix: r.prefix,
          isOverride: false,
          effectiveFrom: Number(r.from_ms),
          effectiveTo: r.to_ms === null ? null : Number(r.to_ms),
          ratePerMin: r.rate_per_min,
          connectFee: r.connect_fee,
          includedSeconds: r.included_seconds,
          initialIncrement: r.initial_increment,
          billingIncrement: r.billing_increment,
        });
    out.set(
      g.id,
      rateGroupSnap(
        {
          id: g.id,
          isActive: g.status === 'active',
          initialIncrement: g.initial_increment,
          billingIncrement: g.billing_increment,
        },
        rates,
      ),
    );
  }
  return out;
}

async function loadLocalizationSnaps(db: Db, ids: readonly number[] | null) {
  const out = new Map<number, LocalizationSnap>();
  for (const l of await repo.loadLocalizations(db, ids))
    out.set(l.id, {
      id: l.id,
      destinationRules: l.destination_rules as unknown as TranslationRule[],
      callerNumberRules: l.caller_number_rules as unknown as TranslationRule[],
      callerNameRules: l.caller_name_rules as unknown as TranslationRule[],
    });
  return out;
}

async function loadRoutePlans(db: Db) {
  const { plans, entries, assignments } = await plansRepo.loadPlans(db);
  const entriesOf = new Map<number, { prefix: string; priority: number; providerTrunkId: number }[]>();
  for (const e of entries)
    push(entriesOf, e.route_plan_id, {
      prefix: e.prefix,
      priority: e.priority,
      providerTrunkId: e.provider_trunk_id,
    });
  return {
    plans: plans.map((p): RoutePlanSnap => ({ id: p.id, entries: entriesOf.get(p.id) ?? [] })),
    assignments: assignments.map((a) => [a.account_id, a.route_plan_id] as [number, number]),
  };
}

async function loadReasonOverrides(db: Db): Promise<[DenyReason, SipAnswer][]> {
  return (await repo.loadReasons(db))
    .filter((r) => isDenyReason(r.reason))
    .map((r) => [r.reason as DenyReason, { sipCode: r.sip_code, sipReason: r.sip_reason }]);
}

export class StateLoader {
  private current: CallAuthState = new CallAuthState();
  private pending = emptyPending();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private unlisten: Unlisten | null = null;
  private syncSeq = 0;
  private readonly syncWaiters = new Map<string, () => void>();
  private closed = false;
  /** Bumped by every change of an account's balance installed (applyLocalBalances' guard). */
  private stamp = 0;
  /** The stamp of the last install of each account's balance (heard, reloaded or local). */
  private readonly stampOf = new Map<number, number>();
  /** The stamp of the last whole reload: every account was installed then. */
  private reloadStamp = 0;
  /** Milliseconds the last full load took (for the log and the benchmark). */
  lastLoadMs = 0;

  constructor(private readonly deps: LoaderDeps) {}

  /** The snapshot decisions read now. Never hold on to it across an await. */
  get state(): CallAuthState {
    return this.current;
  }

  /** Subscribes first (so nothing committed during the load is missed), then loads everything. */
  async start(): Promise<void> {
    if (this.deps.listen)
      this.unlisten = await this.deps.listen(
        CHANNEL,
        (p) => this.onMessage(p),
        () => this.onMessage('all:*'),
      );
    await this.reloadAll();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.unlisten?.();
    await this.flushing;
  }

  /** Reads everything into a new state and swaps it in. */
  async reloadAll(): Promise<void> {
    const started = Date.now();
    const db = this.deps.db;
    const next = new CallAuthState();
    next.settings = { ...next.settings, ...this.deps.settings };
    const bundles = await loadAccountBundles(db, null);
    const groups = await loadRateGroupSnaps(db, null);
    const locs = await loadLocalizationSnaps(db, null);
    const reasons = await loadReasonOverrides(db);
    const routePlans = await loadRoutePlans(db);
    for (const [id, b] of bundles) next.applyAccount(id, b);
    next.applyRoutePlans(routePlans.plans, routePlans.assignments);
    for (const [id, g] of groups) next.applyRateGroup(id, g);
    for (const [id, l] of locs) next.applyLocalization(id, l);
    next.applyReasons(reasons);
    next.version = this.current.version + 1;
    this.current = next;
    this.stampOf.clear();
    this.reloadStamp = ++this.stamp;
    this.lastLoadMs = Date.now() - started;
    this.deps.log?.info(
      {
        accounts: bundles.size,
        rateGroups: groups.size,
        ms: this.lastLoadMs,
        heapUsedMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      },
      'call authorization state loaded',
    );
  }

  private onMessage(payload: string): void {
    const colon = payload.indexOf(':');
    const kind = payload.slice(0, colon);
    const rest = payload.slice(colon + 1);
    if (kind === 'sync') {
      // Everything committed before this marker has been heard: flush, then wake the waiter.
      const waiter = this.syncWaiters.get(rest);
      this.schedule(0);
      if (waiter) void this.idle().then(waiter);
      return;
    }
    const p = this.pending;
    if (kind === 'balance') {
      for (const item of rest.split(',')) {
        const eq = item.indexOf('=');
        const id = Number(item.slice(0, eq));
        if (eq > 0 && Number.isInteger(id)) p.balances.set(id, item.slice(eq + 1));
      }
    } else if (rest === '*' || kind === 'all') {
      p.all = true;
    } else {
      const ids = rest.split(',').map(Number).filter(Number.isInteger);
      if (kind === 'account') for (const id of ids) p.accounts.add(id);
      else if (kind === 'rate_group') for (const id of ids) p.groups.add(id);
      else if (kind === 'localization') for (const id of ids) p.localizations.add(id);
    }
    if (kind === 'reasons') p.reasons = true;
    if (kind === 'route_plans') p.routePlans = true;
    this.schedule(this.deps.debounceMs ?? 10);
  }

  private schedule(ms: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  private hasPending(): boolean {
    const p = this.pending;
    return (
      p.all ||
      p.reasons ||
      p.routePlans ||
      p.accounts.size + p.balances.size + p.groups.size + p.localizations.size > 0
    );
  }

  /** Resolves once no change is waiting or being applied. */
  async idle(): Promise<void> {
    while (!this.closed && (this.flushing || this.timer || this.hasPending())) {
      if (this.flushing) await this.flushing;
      else {
        if (!this.timer) this.schedule(0);
        await new Promise((r) => setTimeout(r, 1));
      }
    }
  }

  /** Take it before a transaction that moves balances commits; pass it to applyLocalBalances. */
  balanceStamp(): number {
    return this.stamp;
  }

  /**
   * Sets balances this instance just committed, without waiting for their notification. An
   * account whose balance was installed after `since` (taken before the commit) is skipped: that
   * value may be newer than ours, and ours is on its way through the channel anyway (NOTIFY
   * delivers in commit order, so it can never overwrite a later one).
   */
  applyLocalBalances(balances: ReadonlyMap<number, string>, since: number): void {
    const fresh: [number, string][] = [];
    for (const [id, balance] of balances) {
      if (Math.max(this.stampOf.get(id) ?? 0, this.reloadStamp) > since) continue;
      fresh.push([id, balance]);
      this.stampOf.set(id, ++this.stamp);
    }
    if (fresh.length) this.current.applyBalances(fresh);
  }

  /**
   * Waits until every change committed before this call is in the state: sends a marker through
   * the same channel (delivered after everything committed before it) and waits for it.
   */
  async sync(): Promise<void> {
    if (!this.deps.listen) return this.reloadAll();
    const token = `${process.pid}-${++this.syncSeq}`;
    const heard = new Promise<void>((resolve) => this.syncWaiters.set(token, resolve));
    await sql`SELECT pg_notify(${CHANNEL}, ${'sync:' + token})`.execute(this.deps.db);
    await heard;
    this.syncWaiters.delete(token);
  }

  private async flush(): Promise<void> {
    if (this.flushing) {
      // One flush at a time; what arrived meanwhile goes in the next one.
      this.schedule(this.deps.debounceMs ?? 10);
      return;
    }
    if (!this.hasPending()) return;
    const p = this.pending;
    this.pending = emptyPending();
    this.flushing = this.apply(p)
      .catch((err) => {
        this.deps.log?.error({ err }, 'call authorization state: reload failed, retrying everything');
        this.pending.all = true;
        this.schedule(1000);
      })
      .finally(() => {
        this.flushing = null;
      });
    await this.flushing;
  }

  private async apply(p: Pending): Promise<void> {
    // Past this many changed accounts (notifications that piled up while a reload ran), one
    // reload costs less than reading them by id.
    if (p.all || p.accounts.size > 20_000) return this.reloadAll();
    const db = this.deps.db;
    const accountIds = [...p.accounts];
    const bundles = accountIds.length ? await loadAccountBundles(db, accountIds) : new Map();
    const groups = p.groups.size ? await loadRateGroupSnaps(db, [...p.groups]) : new Map();
    const locIds = [...p.localizations];
    const locs = locIds.length ? await loadLocalizationSnaps(db, locIds) : new Map();
    const reasons = p.reasons ? await loadReasonOverrides(db) : null;
    const routePlans = p.routePlans ? await loadRoutePlans(db) : null;
    // One synchronous step: no decision runs in between. Balances heard before this flush first,
    // then the accounts read during it (their rows are at least as new).
    const s = this.current;
    if (p.balances.size) {
      s.applyBalances(p.balances);
      for (const id of p.balances.keys()) this.stampOf.set(id, ++this.stamp);
    }
    for (const id of accountIds) {
      s.applyAccount(id, bundles.get(id) ?? null);
      this.stampOf.set(id, ++this.stamp);
    }
    for (const id of p.groups) s.applyRateGroup(id, groups.get(id) ?? null);
    for (const id of locIds) s.applyLocalization(id, locs.get(id) ?? null);
    if (reasons) s.applyReasons(reasons);
    if (routePlans) s.applyRoutePlans(routePlans.plans, routePlans.assignments);
  }
}
