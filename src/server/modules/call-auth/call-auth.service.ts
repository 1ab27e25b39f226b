import crypto from 'node:crypto';
import type { Ctx } from '../../platform/context.js';
import { actorLabelOf, systemActor, userIdOf } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { recordAudit } from '../audit/index.js';
import { forbidden, notFound } from '../../platform/errors.js';
import { formatMoney, money } from '../../platform/money.js';
import { sipDevicesService } from '../sip-devices/index.js';
import {
  decide,
  decideExtension,
  holdAmount,
  type AuthorizeRequest,
  type Decision,
  type Route,
} from './call-auth.decide.js';
import type { StateLoader } from './call-auth.loader.js';
import { DENY_REASONS, DENY_REASON_CODES, type DenyReason } from './call-auth.reasons.js';
import * as repo from './call-auth.repository.js';
import { toLiveCall, type CounterStore, type ExtendAnswer, type LiveCall, type Outcome } from './counters.js';
import type { ReservationJournal } from './reservation-journal.js';

/*
 * Call authorization use cases. The decision path (authorize, extend, end) reads only the
 * in-memory snapshot (loader.state) and the counter store; the durable copy is queued to the
 * journal. Only the admin settings, alarms and the sweeper's alarm write touch SQL.
 */

export interface CallAuthEngine {
  loader: StateLoader;
  store: CounterStore;
  journal: ReservationJournal;
}

export interface RateDto {
  prefix: string;
  ratePerMin: string;
  connectFee: string;
  initialIncrement: number;
  nextIncrement: number;
  includedSeconds: number;
}

export type AuthorizeResponse =
  | {
      callId: string;
      decision: 'allow';
      accountId: number;
      trunkId: number | null;
      hostId: number | null;
      sipDeviceId: number | null;
      grantSec: number;
      calledNumber: string;
      callingNumber: string;
      callingName: string | null;
      rate: RateDto;
      routes: Route[] | null;
    }
  | { callId: string; decision: 'deny'; reason: DenyReason; sipCode: number; sipReason: string };

function denyDto(engine: CallAuthEngine, callId: string, reason: DenyReason) {
  const answer = engine.loader.state.sipAnswer(reason);
  return { callId, decision: 'deny' as const, reason, sipCode: answer.sipCode, sipReason: answer.sipReason };
}

function render(engine: CallAuthEngine, callId: string, o: Outcome): AuthorizeResponse {
  if (o.decision === 'deny') return denyDto(engine, callId, o.reason);
  const c = o.call;
  return {
    callId,
    decision: 'allow',
    accountId: c.accountId,
    trunkId: c.trunkId,
    hostId: c.hostId,
    sipDeviceId: c.sipDeviceId,
    grantSec: c.grantSec,
    calledNumber: c.calledNumber,
    callingNumber: c.callingNumber,
    callingName: c.callingName,
    rate: {
      prefix: c.rate.prefix,
      ratePerMin: formatMoney(c.rate.ratePerMin),
      connectFee: formatMoney(c.rate.connectFee),
      initialIncrement: c.rate.initialIncrement,
      nextIncrement: c.rate.nextIncrement,
      includedSeconds: c.rate.includedSeconds,
    },
    routes: c.routes ?? null,
  };
}

function requireSwitchOrAdmin(ctx: Ctx): void {
  if (ctx.actor.kind !== 'switch' && ctx.actor.kind !== 'admin')
    throw forbidden('Only a switch or an admin asks for call decisions.');
}

/**
 * DOMAIN 4: decides one call. The same callId again answers the first decision and reserves
 * nothing more: admit and recordDeny return the first outcome recorded for the id (so no separate
 * replay read: one round trip fewer with Redis). Steps 1-9 run on the snapshot; with the memory
 * store in one pass that reads what the accounts already hold as it goes, with Redis twice (once
 * to learn whose money is involved, once with what those accounts hold). Steps 10-11 run
 * atomically in the counter store, which checks the funds again.
 */
export async function authorizeCall(
  ctx: Ctx,
  engine: CallAuthEngine,
  req: AuthorizeRequest,
): Promise<AuthorizeResponse> {
  requireSwitchOrAdmin(ctx);
  const { store, loader } = engine;
  const state = loader.state;
  const now = ctx.now().getTime();
  let d: Decision;
  if (store.heldNow) {
    const heldNow = store.heldNow.bind(store);
    d = decide(state, req, now, { held: heldNow });
  } else {
    d = decide(state, req, now);
    if (d.decision === 'allow') {
      const held = await store.held(d.plan.holds.map((h) => h.accountId));
      if (held.size > 0) d = decide(state, req, now, { held: (id) => held.get(id) });
    }
  }
  // A source no host knows, asked without verified credentials, is not recorded: the switch
  // answers it with a digest challenge, and the INVITE that comes back with credentials has the
  // same Call-ID (a recorded deny would be replayed to it). Deciding it again costs no counter.
  // A Call-ID already decided (the challenged INVITE came back and was allowed) answers that
  // decision: one replay read on this rare path only.
  if (d.decision === 'deny' && d.reason === 'AUTH_UNKNOWN_SOURCE' && !req.digestVerified) {
    const first = await store.replay(req.callId);
    return first ? render(engine, req.callId, first) : denyDto(engine, req.callId, d.reason);
  }
  if (d.decision === 'deny') return render(engine, req.callId, await store.recordDeny(req.callId, d.reason));
  const outcome = await store.admit(toLiveCall(d.plan, now, state.settings.marginSec), d.plan.levels, now);
  // A replay answers the call as it stands: the journal has it already (or has dropped it).
  if (outcome.decision === 'allow' && !outcome.replayed) engine.journal.upsert(outcome.call);
  return render(engine, req.callId, outcome);
}

export type ExtendResponse =
  | { callId: string; decision: 'allow'; grantSec: number }
  | { callId: string; decision: 'deny'; reason: DenyReason; sipCode: number; sipReason: string };

async function liveCall(engine: CallAuthEngine, callId: string): Promise<LiveCall | null> {
  const o = await engine.store.replay(callId);
  return o?.decision === 'allow' && o.call.endedAt === null ? o.call : null;
}

function extendAnswerDto(engine: CallAuthEngine, callId: string, a: ExtendAnswer): ExtendResponse {
  if ('reason' in a) return denyDto(engine, callId, a.reason);
  return { callId, decision: 'allow', grantSec: a.grantSec };
}

/**
 * Another chunk for a live call (DOMAIN 4, extensions): steps 9 and 11 again. `grantSec` is the
 * new total from the authorization; a refusal means the call ends at the grant it has.
 * Idempotent per `seq` (the switch numbers a call's extensions 1, 2, 3 ...): a retried request
 * with the same `seq` gets the first answer, allow or deny, and reserves nothing more.
 */
export async function extendCall(
  ctx: Ctx,
  engine: CallAuthEngine,
  callId: string,
  seq: number,
): Promise<ExtendResponse> {
  requireSwitchOrAdmin(ctx);
  // A concurrent extension of the same call moves its grant: decide again from the new one.
  for (let attempt = 0; attempt < 10; attempt++) {
    const call = await liveCall(engine, callId);
    if (!call) return denyDto(engine, callId, 'CALL_NOT_LIVE');
    const seen = call.extensions?.find((e) => e.seq === seq);
    if (seen) return extendAnswerDto(engine, callId, seen);
    const held = await engine.store.held(call.holds.map((h) => h.accountId));
    const next = decideExtension(engine.loader.state, call, { held: (id) => held.get(id) });
    const marginSec = engine.loader.state.settings.marginSec;
    const r = await engine.store.extend(callId, {
      seq,
      fromGrantSec: call.grantSec,
      next: next.ok
        ? {
            grantSec: next.grantSec,
            expiresAt: call.startedAt + (next.grantSec + marginSec) * 1000,
            holds: next.holds,
          }
        : { reason: next.reason },
    });
    if (r.status === 'stale') continue;
    if (r.status === 'not-live') return denyDto(engine, callId, 'CALL_NOT_LIVE');
    if (!r.replayed) engine.journal.upsert(r.call);
    return extendAnswerDto(engine, callId, r.answer);
  }
  throw new Error(`extension ${seq} of ${callId}: the call kept changing`);
}

/**
 * The end of a call: frees its slot at every level. Unanswered, it frees its money too; answered,
 * the hold shrinks to what the call cost (when the duration is given) and stays until its CDR
 * is rated (or the sweeper gives up on it with a MISSING_CDR alarm). A second end changes nothing.
 */
export async function endCall(
  ctx: Ctx,
  engine: CallAuthEngine,
  callId: string,
  body: { answered?: boolean; durationSec?: number },
): Promise<{ callId: string; ended: boolean }> {
  requireSwitchOrAdmin(ctx);
  const answered = body.answered ?? (body.durationSec !== undefined && body.durationSec > 0);
  const durationSec = body.durationSec;
  // The hold of an answered call shrinks to what it cost, priced from the call as the store has it
  // (one read of the call, inside the store's end: no separate look-up first).
  const reprice =
    answered && durationSec !== undefined
      ? (call: LiveCall) =>
          call.holds.map((h) => ({ ...h, amount: holdAmount(h.rate, Math.min(durationSec, call.grantSec)) }))
      : undefined;
  const ended = await engine.store.end(callId, { answered, holds: null, reprice, now: ctx.now().getTime() });
  if (!ended) return { callId, ended: false };
  if (answered) engine.journal.upsert(ended);
  else engine.journal.remove(callId);
  return { callId, ended: true };
}

/** Frees what a call still holds: its CDR is rated (the CDR module calls this after its commit). */
export async function releaseCall(engine: CallAuthEngine, callId: string): Promise<boolean> {
  const released = await engine.store.release(callId);
  if (released) engine.journal.remove(callId);
  return released !== null;
}

/**
 * The sweeper (DOMAIN 3.9, 5): frees every call past grant + margin and records why: an end that
 * never came (MISSING_END) or an answered call whose CDR never came (MISSING_CDR). With several
 * instances only the one whose release succeeded writes the alarm.
 */
export async function sweepExpiredCalls(ctx: Ctx, engine: CallAuthEngine, limit = 500): Promise<number> {
  const now = ctx.now().getTime();
  let n = 0;
  for (const call of await engine.store.expired(now, limit)) {
    const released = await engine.store.release(call.callId);
    if (!released) continue;
    engine.journal.remove(call.callId);
    n++;
    await repo.insertAlarm(ctx.db, {
      kind: released.endedAt === null ? 'MISSING_END' : 'MISSING_CDR',
      callId: released.callId,
      accountId: released.accountId,
      trunkId: released.trunkId,
      hostId: released.hostId,
      calledNumber: released.calledNumber,
      startedAt: new Date(released.startedAt),
      expiresAt: new Date(released.expiresAt),
      grantSec: released.grantSec,
      amountHeld: formatMoney(released.holds[0]?.amount ?? '0'),
    });
  }
  return n;
}

/**
 * The Live Calls view: calls holding a slot or money now, newest first. Admins see all; a
 * reseller the calls of its subtree (walked in the snapshot, so no SQL either).
 */
export async function listLiveCalls(ctx: Ctx, engine: CallAuthEngine, q: { limit?: number }) {
  const actor = ctx.actor;
  if (actor.kind !== 'admin' && actor.kind !== 'reseller') throw forbidden('Only staff see live calls.');
  const state = engine.loader.state;
  const inScope = (accountId: number) => {
    if (actor.kind === 'admin') return true;
    let id: number | null = accountId;
    for (let depth = 0; id !== null && depth < 33; depth++) {
      if (id === actor.accountId) return true;
      id = state.accounts.get(id)?.parentId ?? null;
    }
    return false;
  };
  const calls = (await engine.store.live())
    .filter((c) => inScope(c.accountId))
    .sort((a, b) => b.startedAt - a.startedAt)
    .slice(0, q.limit ?? 100);
  const labels = await labelsFor(ctx, calls);
  return {
    data: calls.map((c) => ({
      ...labels(c),
      callId: c.callId,
      accountId: c.accountId,
      trunkId: c.trunkId,
      hostId: c.hostId,
      sipDeviceId: c.sipDeviceId,
      calledNumber: c.calledNumber,
      callingNumber: c.callingNumber,
      startedAt: new Date(c.startedAt).toISOString(),
      grantSec: c.grantSec,
      expiresAt: new Date(c.expiresAt).toISOString(),
      amountHeld: formatMoney(c.holds[0]?.amount ?? '0'),
      state: c.endedAt === null ? ('live' as const) : ('awaiting_cdr' as const),
    })),
  };
}

type Refs = { accountId: number; trunkId: number | null; hostId: number | null };

/** Names beside the ids of a page of live calls or alarms: one batched read (not the decision path). */
async function labelsFor(ctx: Ctx, rows: readonly Refs[]) {
  const notNull = (v: number | null): v is number => v !== null;
  const l = await repo.labelsOf(ctx.db, {
    accountIds: rows.map((r) => r.accountId),
    trunkIds: rows.map((r) => r.trunkId).filter(notNull),
    hostIds: rows.map((r) => r.hostId).filter(notNull),
  });
  return (r: Refs) => {
    const a = l.accounts.get(r.accountId);
    return {
      accountName: a?.name ?? null,
      accountNumber: a?.account_number ?? null,
      currency: a?.currency ?? null,
      trunkName: r.trunkId === null ? null : (l.trunks.get(r.trunkId) ?? null),
      hostAddress: r.hostId === null ? null : (l.hosts.get(r.hostId) ?? null),
    };
  };
}

/** What an account has held for live calls (decimal string). */
export async function heldFor(engine: CallAuthEngine, accountId: number): Promise<string> {
  const held = await engine.store.held([accountId]);
  return formatMoney(money(held.get(accountId) ?? '0'));
}

/**
 * Current calls and CPS per level (`host:30`, `trunk:20`, `customer:10`, `reseller:5`), for the
 * Customer Limit and Host views: one batched read of the counter store, no SQL.
 */
export async function levelUsage(engine: CallAuthEngine, keys: string[], now: number) {
  return engine.store.usage(keys, now);
}

// ---- the switch's digest credentials ----

/**
 * HA1 = md5(username:realm:secret) for a live, active device, so the switch verifies digests
 * itself. The secret never leaves this function and is never logged.
 */
export async function sipCredentials(ctx: Ctx, username: string, realm: string) {
  requireSwitchOrAdmin(ctx);
  const creds = await sipDevicesService.deviceCredentials({ ...ctx, actor: systemActor }, username);
  if (!creds || !creds.isActive)
    throw notFound('SIP_DEVICE_NOT_FOUND', 'No active SIP device has this username.');
  const ha1 = crypto.createHash('md5').update(`${username}:${realm}:${creds.secret}`).digest('hex');
  return { username, realm, ha1 };
}

// ---- admin settings: SIP answer per reason; alarms ----

function requireAdmin(ctx: Ctx): void {
  if (ctx.actor.kind !== 'admin') throw forbidden('Only an admin changes call-authorization settings.');
}

/** Every reason with the SIP answer in effect and its default. */
export async function listReasons(ctx: Ctx) {
  requireAdmin(ctx);
  const overrides = new Map((await repo.loadReasons(ctx.db)).map((r) => [r.reason, r]));
  return DENY_REASON_CODES.map((reason) => {
    const o = overrides.get(reason);
    const def = DENY_REASONS[reason];
    return {
      reason,
      sipCode: o?.sip_code ?? def.sipCode,
      sipReason: o?.sip_reason ?? def.sipReason,
      defaultSipCode: def.sipCode,
      defaultSipReason: def.sipReason,
    };
  });
}

/** Sets the SIP code and text a reason is answered with; the next decision uses it. */
export async function setReason(ctx: Ctx, reason: DenyReason, input: { sipCode: number; sipReason: string }) {
  requireAdmin(ctx);
  await repo.upsertReason(ctx.db, { reason, ...input }, ctx.now());
  return (await listReasons(ctx)).find((r) => r.reason === reason)!;
}

export async function listAlarms(ctx: Ctx, q: { limit?: number; cursor?: number; acknowledged?: boolean }) {
  requireAdmin(ctx);
  const limit = q.limit ?? 50;
  const rows = await repo.listAlarms(ctx.db, {
    limit,
    afterId: q.cursor ?? null,
    acknowledged: q.acknowledged,
  });
  const page = rows.slice(0, limit);
  const labels = await labelsFor(
    ctx,
    page.map((r) => ({ accountId: r.account_id, trunkId: r.trunk_id, hostId: r.host_id })),
  );
  return {
    data: page.map((r) => toAlarmDto(r, labels)),
    nextCursor: rows.length > limit ? page[page.length - 1].id : null,
  };
}

function toAlarmDto(r: repo.AlarmRow, labels: Awaited<ReturnType<typeof labelsFor>>) {
  return {
    ...labels({ accountId: r.account_id, trunkId: r.trunk_id, hostId: r.host_id }),
    id: r.id,
    kind: r.kind,
    callId: r.call_id,
    accountId: r.account_id,
    trunkId: r.trunk_id,
    hostId: r.host_id,
    calledNumber: r.called_number,
    startedAt: new Date(r.started_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
    grantSec: r.grant_sec,
    amountHeld: formatMoney(r.amount_held),
    createdAt: new Date(r.created_at).toISOString(),
    acknowledgedAt: r.acknowledged_at === null ? null : new Date(r.acknowledged_at).toISOString(),
    acknowledgedBy: r.acknowledged_by,
  };
}

/** The alarm does not exist. */
export const alarmNotFound = () => notFound('CALL_ALARM_NOT_FOUND', 'Alarm not found.');

/**
 * An admin acknowledges a sweeper alarm: records who and when, audited against the alarm's
 * account. Acknowledging an alarm acknowledged already changes nothing and answers it as it is
 * (the first acknowledger stays), so a double click or two admins at once are not an error.
 */
export async function acknowledgeAlarm(ctx: Ctx, id: number) {
  requireAdmin(ctx);
  const row = await inTransaction(ctx, async (tx) => {
    const done = await repo.acknowledgeAlarm(
      tx.db,
      id,
      { userId: userIdOf(tx.actor), label: actorLabelOf(tx.actor) },
      tx.now(),
    );
    if (!done) return repo.findAlarm(tx.db, id);
    await recordAudit(tx, {
      action: 'call_alarm.acknowledge',
      entityType: 'call_alarm',
      entityId: done.id,
      accountId: done.account_id,
      before: { kind: done.kind, callId: done.call_id, acknowledgedAt: null },
      after: {
        kind: done.kind,
        callId: done.call_id,
        acknowledgedAt: new Date(done.acknowledged_at!).toISOString(),
        acknowledgedBy: done.acknowledged_by,
      },
    });
    return done;
  });
  if (!row) throw alarmNotFound();
  const labels = await labelsFor(ctx, [
    { accountId: row.account_id, trunkId: row.trunk_id, hostId: row.host_id },
  ]);
  return toAlarmDto(row, labels);
}
