import crypto from 'node:crypto';
import type { Ctx } from '../../platform/context.js';
import type { MailSettings } from '../../platform/mail/index.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { enqueueOutboxEvent } from '../../platform/outbox/index.js';
import type { BalanceState } from '../../db/schema.js';
import { recordAudit } from '../audit/index.js';
import { classify, metricOf, thresholdOf } from './balance-state.js';
import { queueAccountMail } from './mail-compose.js';
import { findMailAccount, type MailAccount } from './notifications.repository.js';
import { findSettings, type SettingsRow } from './settings.repository.js';
import { slotKey } from './schedule-slots.js';
import * as repo from './low-balance.repository.js';

/*
 * The low-balance state machine (DOMAIN 3.15). Evaluated after ledger entries (the ledger reader
 * below) and by the 5-minute sweep; each evaluation locks the account's state row (see
 * low-balance.repository) and writes its mails with keys per slot, so two instances agree.
 */

const DAY = 86_400_000;

export interface Evaluation {
  state: BalanceState;
  previous: BalanceState;
  mails: string[];
  trunksDisabled: number[];
  trunksEnabled: number[];
}

function balanceVars(a: MailAccount, s: SettingsRow, state: BalanceState): Record<string, string> {
  const metric = metricOf(a);
  return {
    balance: a.balance,
    creditLimit: a.mode === 'postpaid' ? a.credit_limit : '0',
    available: metric === null ? 'unlimited' : metric.toFixed(6),
    threshold: thresholdOf(s, a).toFixed(6),
    state,
  };
}

async function trunkChange(ctx: Ctx, accountId: number, action: string, trunkIds: number[]) {
  await recordAudit(ctx, {
    action,
    entityType: 'account',
    entityId: accountId,
    accountId,
    after: { trunkIds, reason: 'LOW_BALANCE' },
  });
  await enqueueOutboxEvent(ctx.db, {
    topic: 'trunk.updated',
    dedupeKey: crypto.randomUUID(),
    accountId,
    payload: { action, trunkIds, reason: 'LOW_BALANCE' },
  });
}

/** Evaluates one account now: state, low-balance and zero-balance mails, escalation, re-enable. */
export async function evaluateAccount(
  ctx: Ctx,
  mail: MailSettings,
  accountId: number,
): Promise<Evaluation | null> {
  return inTransaction(ctx, async (tx) => {
    const now = tx.now();
    const row = await repo.lockState(tx.db, accountId, now);
    const a = await findMailAccount(tx.db, accountId);
    // Deleted accounts get nothing (ASTPP #378); their trunks went with the delete cascade.
    if (!a || a.deleted_at !== null || a.is_reseller) return null;
    const s = await findSettings(tx.db, accountId);
    const watched = s.low_balance_enabled || s.zero_balance_notification;
    const next = watched ? classify(metricOf(a), thresholdOf(s, a)) : 'OK';
    const out: Evaluation = {
      state: next,
      previous: row.state,
      mails: [],
      trunksDisabled: [],
      trunksEnabled: [],
    };
    const metric = metricOf(a);

    if (next === 'OK') {
      if (row.state !== 'OK' || row.escalated_at) {
        out.trunksEnabled = await repo.enableTaggedTrunks(tx.db, accountId, now);
        if (out.trunksEnabled.length)
          await trunkChange(tx, accountId, 'trunk.low_balance_enable', out.trunksEnabled);
      }
      row.low_since = null;
      row.escalated_at = null;
    } else if (row.state === 'OK' || row.low_since === null) {
      row.low_since = now;
    }
    if (metric === null || metric.gt(0)) row.zero_armed = true;

    if (
      next === 'ZERO' &&
      row.state !== 'ZERO' &&
      s.zero_balance_notification &&
      row.zero_armed &&
      (row.zero_mail_at === null || now.getTime() >= row.zero_mail_at.getTime() + DAY)
    ) {
      const q = await queueAccountMail(tx, mail, {
        accountId,
        kind: 'zero_balance',
        route: 'money',
        vars: balanceVars(a, s, next),
        dedupeKey: `zero_balance:${accountId}:${now.toISOString()}`,
      });
      if (q) out.mails.push('zero_balance');
      row.zero_armed = false;
      row.zero_mail_at = now;
    }

    if (s.low_balance_enabled && next !== 'OK' && row.low_since) {
      const since = row.low_since.getTime();
      if (now.getTime() < since + s.repeat_days * DAY) {
        const slot = slotKey(now, a.timezone, s.schedule, s.send_at);
        const q = await queueAccountMail(tx, mail, {
          accountId,
          kind: 'low_balance',
          route: { recipient: s.recipient },
          vars: balanceVars(a, s, next),
          dedupeKey: `low_balance:${accountId}:${slot}`,
        });
        if (q) out.mails.push(`low_balance:${slot}`);
      }
      const d = s.disable_trunks_after_days;
      if (d !== null && row.escalated_at === null && now.getTime() >= since + d * DAY) {
        out.trunksDisabled = await repo.disableTrunksForLowBalance(tx.db, accountId, now);
        row.escalated_at = now;
        if (out.trunksDisabled.length)
          await trunkChange(tx, accountId, 'trunk.low_balance_disable', out.trunksDisabled);
      }
    }
    row.state = next;
    await repo.saveState(tx.db, row, now);
    return out;
  });
}

/** The 5-minute sweep: every watched account, in bounded batches by id. */
export async function sweepLowBalance(
  ctx: Ctx,
  mail: MailSettings,
  opts: { afterId?: number; batch?: number } = {},
): Promise<{ evaluated: number; lastId: number | null }> {
  const ids = await repo.sweepBatch(ctx.db, opts.afterId ?? 0, opts.batch ?? 200);
  for (const id of ids) await evaluateAccount(ctx, mail, id);
  return { evaluated: ids.length, lastId: ids.length ? ids[ids.length - 1]! : null };
}

/**
 * After each committed ledger entry: reads entries past the cursor (by seq) and evaluates their
 * watched accounts. An entry whose seq commits late behind the cursor is caught by the sweep.
 */
export async function evaluateLedgerChanges(
  ctx: Ctx,
  mail: MailSettings,
  opts: { batch?: number } = {},
): Promise<{ entries: number; evaluated: number }> {
  const taken = await inTransaction(ctx, async (tx) => {
    const position = await repo.takeLedgerCursor(tx.db);
    if (position === null) return null;
    const entries = await repo.ledgerAccountsAfter(tx.db, position, opts.batch ?? 500);
    if (entries.length) await repo.moveLedgerCursor(tx.db, entries[entries.length - 1]!.seq);
    return entries;
  });
  if (!taken) return { entries: 0, evaluated: 0 };
  const ids = await repo.watchedAmong(ctx.db, [...new Set(taken.map((e) => e.accountId))]);
  for (const id of ids) await evaluateAccount(ctx, mail, id);
  return { entries: taken.length, evaluated: ids.length };
}

/** The state as the settings page shows it. */
export async function stateOf(ctx: Ctx, accountId: number) {
  const r = await repo.findState(ctx.db, accountId);
  return { state: r?.state ?? 'OK', lowSince: r?.low_since ?? null, escalatedAt: r?.escalated_at ?? null };
}

/** The row action: a low-balance mail now, whatever the state; no state or counter changes. */
export async function queueManualLowBalanceAlert(ctx: Ctx, mail: MailSettings, accountId: number) {
  const a = await findMailAccount(ctx.db, accountId);
  if (!a) throw new Error(`account ${accountId} not found`);
  const s = await findSettings(ctx.db, accountId);
  const state = classify(metricOf(a), thresholdOf(s, a));
  return queueAccountMail(ctx, mail, {
    accountId,
    kind: 'low_balance',
    route: { recipient: s.recipient },
    vars: balanceVars(a, s, state),
    dedupeKey: `low_balance_manual:${accountId}:${crypto.randomUUID()}`,
  });
}
