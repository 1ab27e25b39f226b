/**
 * The posting engine: the only writer of ledger_entries and of accounts.balance.
 *
 * Locking contract. Postings are applied by applyBatch, N >= 1 at a time, in ONE transaction that
 *   1. locks every account of the batch (SELECT ... FOR UPDATE, in id order, so batches never
 *      deadlock each other),
 *   2. looks the idempotency keys up, after the locks, so two requests with the same key on the same
 *      account are serialized and the second sees the first: the same fingerprint returns the first
 *      entry and changes nothing; another fingerprint is 409 IDEMPOTENCY_KEY_REUSED,
 *   3. builds each entry from the locked balance plus the entries before it in the batch (a reset
 *      is -that balance), refusing per posting what is invalid (no write, no effect on the others),
 *   4. appends the entries, moves the cached balances and writes the outbox rows in one statement.
 *      A key that a concurrent transaction took meanwhile (only possible across accounts, which the
 *      locks do not serialize) skips its row; the batch then rolls back and each posting is retried
 *      alone, where the key lookup answers it.
 * Entries and balances commit together or not at all, and balance_after chains in seq order.
 *
 * Throughput. Each commit waits for a disk flush while holding the row locks, so one posting per
 * transaction caps a busy account at 1 / (flush time). Postings are therefore queued in a few lanes
 * per database (an account always in the same lane) and each lane posts whatever queued while its
 * previous batch ran ("natural batching": no timer, a lone posting goes at once). Postings inside a
 * caller's transaction (account creation), reversals and test hooks are applied alone, directly.
 */
import type { LedgerEntryType } from '../../db/schema.js';
import { actorLabelOf, apiKeyIdOf, userIdOf, type Ctx } from '../../platform/context.js';
import { isOperator, accountNotFound } from '../../platform/tenancy/index.js';
import type { Db, Executor, Tx } from '../../platform/db/database.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, isUniqueViolation } from '../../platform/errors.js';
import { formatMoney, money, type Money } from '../../platform/money.js';
import type { AccountKind } from '../accounts/index.js';
import { balanceOutOfRange, entryAlreadyReversed, idempotencyKeyReused } from './ledger.errors.js';
import { toEntryDto } from './ledger.mapper.js';
import * as repo from './ledger.repository.js';
import type { EntryRow, LedgerAccount } from './ledger.repository.js';
import type { LedgerEntryDto } from './ledger.schemas.js';

export interface PostingResult {
  entry: LedgerEntryDto;
  /** true when the idempotency key had already posted: nothing changed, the first entry is returned. */
  replayed: boolean;
}

/** Test-only pause point, to kill a process inside a posting transaction (crash test). */
export interface PostingHooks {
  /** Runs after the entry and its balance change are written, before the commit. */
  afterEntryInsert?: () => Promise<void>;
}

/** What one posting writes. */
export interface Draft {
  type: LedgerEntryType;
  /** Signed: credits > 0, debits < 0. */
  amount: Money;
  reason: string;
  method?: string | null;
  externalRef?: string | null;
  reversesEntryId?: string | null;
  /** A manual charge the admin allowed beyond the available funds (DOMAIN 3.16). */
  allowNegative?: boolean;
}

export interface PostingRequest {
  kind: AccountKind | null;
  accountId: number;
  /** As stored: already scoped (see scopedKey in ledger.rules.ts). */
  idempotencyKey: string;
  /** Hash of what was asked; a key reused with another fingerprint is refused. */
  fingerprint: string;
  /** Reads state the row lock must guard beyond the balance (a reversal's target): posted alone. */
  alone?: boolean;
  /**
   * Builds the entry from the locked account, whose balance already includes the postings before
   * it in the batch. Throws AppError to refuse this posting only. `ctx` carries the transaction.
   */
  draft: (account: LedgerAccount, ctx: Ctx) => Promise<Draft> | Draft;
}

interface Item extends PostingRequest {
  ctx: Ctx;
  hooks?: PostingHooks;
}

type Outcome = { ok: true; result: PostingResult } | { ok: false; error: unknown };

/** NUMERIC(20,6) holds up to 14 integer digits. */
const MAX_ABS_BALANCE = money('99999999999999.999999');
const MAX_BATCH = 100;
const LANES = 4;

/** Raised inside a batch when a concurrent transaction took one of its keys: roll back, retry alone. */
class KeyTakenMeanwhile extends Error {}

const isTransaction = (db: Executor): db is Tx => (db as Tx).isTransaction === true;

/**
 * Posts one entry: checks the account is visible to the actor (the tenant scope of the accounts
 * module; for the operator, whose scope is every account, the locked row is the check), then
 * applies it, through its lane or alone (see the header).
 */
export async function post(ctx: Ctx, req: PostingRequest, hooks?: PostingHooks): Promise<PostingResult> {
  // The operator's scope is every account: existence and kind are checked on the locked row.
  if (!isOperator(ctx.actor)) {
    const visible = await repo.findLedgerAccount(ctx.db, ctx.actor, req.kind, req.accountId);
    if (!visible) throw accountNotFound();
  }
  const item: Item = { ...req, ctx, hooks };
  if (isTransaction(ctx.db)) return unwrap((await applyBatch(ctx.db, [item]))[0]);
  if (req.alone || hooks?.afterEntryInsert) return unwrap((await applyWithRetry(ctx.db, [item]))[0]);
  return enqueue(ctx.db, item);
}

/** Posts several entries in the caller's transaction (opening balances); the first refusal throws. */
export async function postAllInTransaction(ctx: Ctx, reqs: PostingRequest[]): Promise<PostingResult[]> {
  if (!reqs.length) return [];
  const outcomes = await inTransaction(ctx, (tx) =>
    applyBatch(
      tx.db as Tx,
      reqs.map((r) => ({ ...r, ctx: tx })),
    ),
  );
  return outcomes.map(unwrap);
}

function unwrap(o: Outcome): PostingResult {
  if (o.ok) return o.result;
  throw o.error;
}

function replay(existing: EntryRow, fingerprint: string): Outcome {
  if (existing.request_hash !== fingerprint) return { ok: false, error: idempotencyKeyReused() };
  return { ok: true, result: { entry: toEntryDto(existing), replayed: true } };
}

/** Steps 1-4 of the header, for a batch, inside `db`'s transaction (or a new one). */
async function applyBatch(db: Executor, items: Item[]): Promise<Outcome[]> {
  const run = async (tx: Executor): Promise<Outcome[]> => {
    const ids = [...new Set(items.map((i) => i.accountId))].sort((a, b) => a - b);
    const locked = new Map((await repo.lockAccounts(tx, ids)).map((a) => [a.id, a]));
    const keys = [...new Set(items.map((i) => i.idempotencyKey))];
    const existing = new Map((await repo.findEntriesByKeys(tx, keys)).map((e) => [e.idempotency_key, e]));

    const outcomes: (Outcome | undefined)[] = new Array(items.length);
    const rows: repo.NewEntry[] = [];
    const writerOf = new Map<string, number>(); // key -> index of the item that writes it
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const earlier = existing.get(item.idempotencyKey);
      if (earlier) {
        outcomes[i] = replay(earlier, item.fingerprint);
        continue;
      }
      if (writerOf.has(item.idempotencyKey)) continue; // answered from its twin after the write
      const account = locked.get(item.accountId);
      if (!account || (item.kind !== null && account.is_reseller !== (item.kind === 'reseller'))) {
        outcomes[i] = { ok: false, error: accountNotFound() };
        continue;
      }
      try {
        const d = await item.draft({ ...account }, { ...item.ctx, db: tx });
        const after = money(account.balance).plus(d.amount);
        if (after.abs().gt(MAX_ABS_BALANCE)) throw balanceOutOfRange();
        rows.push(newEntry(item, account, d, after));
        account.balance = formatMoney(after);
        writerOf.set(item.idempotencyKey, i);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        outcomes[i] = { ok: false, error: err };
      }
    }

    if (rows.length) {
      const written = await repo.appendEntries(tx, rows);
      if (written.length !== rows.length) throw new KeyTakenMeanwhile();
      const byKey = new Map(written.map((e) => [e.idempotency_key, e]));
      for (const [key, i] of writerOf)
        outcomes[i] = { ok: true, result: { entry: toEntryDto(byKey.get(key)!), replayed: false } };
      for (const i of writerOf.values()) await items[i].hooks?.afterEntryInsert?.();
    }
    // A key sent twice in one batch: the later one is answered like a retry of the first.
    for (let i = 0; i < items.length; i++) {
      if (outcomes[i]) continue;
      const w = writerOf.get(items[i].idempotencyKey)!;
      const first = outcomes[w]!;
      outcomes[i] =
        first.ok && items[w].fingerprint === items[i].fingerprint
          ? { ok: true, result: { entry: first.result.entry, replayed: true } }
          : { ok: false, error: idempotencyKeyReused() };
    }
    return outcomes as Outcome[];
  };
  if (isTransaction(db)) return run(db);
  return db.transaction().execute(run);
}

/**
 * applyBatch in its own transaction; when the batch fails as a whole (a key taken meanwhile, a
 * deadlock with another writer, a constraint), each posting is retried alone so a failure is
 * attributed to the posting that caused it.
 */
async function applyWithRetry(db: Db, items: Item[], attempt = 0): Promise<Outcome[]> {
  try {
    return await applyBatch(db, items);
  } catch (err) {
    if (items.length > 1) {
      const out: Outcome[] = [];
      for (const item of items) out.push(...(await applyWithRetry(db, [item], attempt)));
      return out;
    }
    const item = items[0];
    if (err instanceof KeyTakenMeanwhile) {
      const winner = (await repo.findEntriesByKeys(db, [item.idempotencyKey]))[0];
      if (winner) return [replay(winner, item.fingerprint)];
      // The other transaction rolled back: the key is free again.
      if (attempt < 3) return applyWithRetry(db, items, attempt + 1);
    }
    // A deadlock with another writer (e.g. a reseller delete locking its subtree) or a serialization
    // failure: PostgreSQL rolled this transaction back, so it can simply run again.
    const code = (err as { code?: string })?.code;
    if ((code === '40P01' || code === '40001') && attempt < 3) return applyWithRetry(db, items, attempt + 1);
    if (isUniqueViolation(err, 'ledger_entries_reverses_key'))
      return [{ ok: false, error: entryAlreadyReversed(null) }];
    return [{ ok: false, error: err }];
  }
}

function newEntry(item: Item, account: LedgerAccount, d: Draft, after: Money): repo.NewEntry {
  const actor = item.ctx.actor;
  return {
    accountId: account.id,
    type: d.type,
    amount: formatMoney(d.amount),
    balanceAfter: formatMoney(after),
    currency: account.currency,
    idempotencyKey: item.idempotencyKey,
    requestHash: item.fingerprint,
    reason: d.reason,
    method: d.method ?? null,
    externalRef: d.externalRef ?? null,
    reversesEntryId: d.reversesEntryId ?? null,
    allowNegative: d.allowNegative ?? false,
    createdBy: actorLabelOf(actor),
    createdByUserId: userIdOf(actor),
    createdByApiKeyId: apiKeyIdOf(actor),
    requestId: item.ctx.requestId ?? null,
    createdAt: item.ctx.now(),
  };
}

interface Waiting {
  item: Item;
  resolve: (r: PostingResult) => void;
  reject: (e: unknown) => void;
}
interface Lane {
  queue: Waiting[];
  running: boolean;
}

/** Lanes per database handle: state lives as long as the handle, two databases never share one. */
const lanesByDb = new WeakMap<Db, Lane[]>();

function enqueue(db: Db, item: Item): Promise<PostingResult> {
  let lanes = lanesByDb.get(db);
  if (!lanes) {
    lanes = Array.from({ length: LANES }, () => ({ queue: [], running: false }));
    lanesByDb.set(db, lanes);
  }
  const lane = lanes[item.accountId % LANES];
  return new Promise<PostingResult>((resolve, reject) => {
    lane.queue.push({ item, resolve, reject });
    if (!lane.running) void drain(db, lane);
  });
}

/** Posts the lane's queue, a batch at a time, until it is empty. */
async function drain(db: Db, lane: Lane): Promise<void> {
  lane.running = true;
  try {
    while (lane.queue.length) {
      const batch = lane.queue.splice(0, MAX_BATCH);
      try {
        const outcomes = await applyWithRetry(
          db,
          batch.map((w) => w.item),
        );
        batch.forEach((w, i) => {
          const o = outcomes[i];
          if (o.ok) w.resolve(o.result);
          else w.reject(o.error);
        });
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
  } finally {
    lane.running = false;
  }
}

/** One charge of a batch of rated calls (CDR intake): its key belongs to a CDR row of the same transaction. */
export interface CallCharge {
  /** The entry's id, chosen by the caller so the CDR row can reference it in the same transaction. */
  id: string;
  accountId: number;
  idempotencyKey: string;
  fingerprint: string;
  /** Positive: what the call costs; posted as a negative CALL entry. */
  cost: Money;
  reason: string;
  externalRef: string | null;
}

/**
 * Posts a batch of call charges in the caller's transaction, set-based: locks every account of the
 * batch plus those of `firstUsed` (one statement, id order, as applyBatch does, so concurrent
 * batches never deadlock on accounts), chains balance_after per account in the given order from
 * the locked balance, and appends the entries and moves each balance once, setting the accounts'
 * first_used_at where still null in the same UPDATE (appendEntries, one statement). Returns each
 * charged account's new balance (the caller installs them in its call-authorization state once
 * the transaction commits).
 * Idempotency: the caller inserted, in this transaction, the CDR rows whose keys these are (unique
 * on (callId, leg)), so no other transaction can hold them; a key already present is a broken
 * invariant and rolls the whole batch back (KEY_TAKEN) rather than charging twice or skipping.
 * A late call may take the balance below zero (DOMAIN 5): no funds check here.
 */
export async function postCallCharges(
  tx: Ctx,
  charges: readonly CallCharge[],
  firstUsed: readonly { accountId: number; at: string }[] = [],
): Promise<Map<number, string>> {
  if (!isTransaction(tx.db)) throw new Error('postCallCharges runs inside the caller transaction');
  const ids = [...new Set([...charges.map((c) => c.accountId), ...firstUsed.map((f) => f.accountId)])].sort(
    (a, b) => a - b,
  );
  if (!ids.length) return new Map();
  const locked = new Map((await repo.lockAccountsForCharges(tx.db, ids)).map((a) => [a.id, a]));
  const balances = new Map<number, Money>();
  const actor = tx.actor;
  const rows: repo.NewEntry[] = charges.map((c) => {
    const account = locked.get(c.accountId);
    if (!account) throw accountNotFound();
    const after = (balances.get(c.accountId) ?? money(account.balance)).minus(c.cost);
    if (after.abs().gt(MAX_ABS_BALANCE)) throw balanceOutOfRange();
    balances.set(c.accountId, after);
    return {
      id: c.id,
      accountId: c.accountId,
      type: 'CALL',
      amount: formatMoney(c.cost.neg()),
      balanceAfter: formatMoney(after),
      currency: account.currency,
      idempotencyKey: c.idempotencyKey,
      requestHash: c.fingerprint,
      reason: c.reason.slice(0, 500) || 'Call',
      method: null,
      externalRef: c.externalRef,
      reversesEntryId: null,
      allowNegative: false,
      createdBy: actorLabelOf(actor),
      createdByUserId: userIdOf(actor),
      createdByApiKeyId: apiKeyIdOf(actor),
      requestId: tx.requestId ?? null,
      createdAt: tx.now(),
    };
  });
  const written = await repo.appendEntries(tx.db, rows, firstUsed);
  if (written.length !== rows.length)
    throw new AppError('KEY_TAKEN', 'A call charge key is already posted; the batch was not applied.');
  return new Map([...balances].map(([id, b]) => [id, formatMoney(b)]));
}
