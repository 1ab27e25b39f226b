import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  Client,
  adminLogin,
  createTestApp,
  customerBody,
  expectError,
  type TestApp,
} from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import type { Ctx } from '../../platform/context.js';
import { listOutboxEvents } from '../../platform/outbox/index.js';
import { money } from '../../platform/money.js';
import { ledgerService } from './index.js';

const newKey = () => crypto.randomUUID();

/** A posting through HTTP with its Idempotency-Key. */
function post(c: Client, url: string, body: unknown, key: string | null = newKey()) {
  return c.request('POST', url, body, key === null ? {} : { 'idempotency-key': key });
}

describe.each(testDatabaseKinds())('ledger on %s', (kind) => {
  let t: TestApp;
  let admin: Client;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  async function createCustomer(over: Record<string, unknown> = {}, by: Client = admin) {
    const res = await by.post('/api/v1/customers', customerBody(over));
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }
  const refill = (id: number, amount: string, extra: Record<string, unknown> = {}, key?: string) =>
    post(admin, `/api/v1/customers/${id}/refills`, { amount, reason: 'Payment received', ...extra }, key);
  const charge = (id: number, amount: string, extra: Record<string, unknown> = {}, key?: string) =>
    post(admin, `/api/v1/customers/${id}/charges`, { amount, reason: 'Manual fee', ...extra }, key);
  const reset = (id: number, key?: string) => post(admin, `/api/v1/customers/${id}/balance-resets`, {}, key);
  const reverse = (id: number, entryId: string, key?: string) =>
    post(
      admin,
      `/api/v1/customers/${id}/ledger-entries/${entryId}/reversal`,
      { reason: 'Posted by mistake' },
      key,
    );
  const balanceOf = async (id: number) => (await admin.get(`/api/v1/customers/${id}/balance`)).json();
  const historyOf = async (id: number, qs = '') =>
    (await admin.get(`/api/v1/customers/${id}/ledger-entries?limit=500${qs}`)).json().data;

  /** The reconciliation every scenario ends with: the cache equals the ledger, everywhere. */
  async function expectReconciled() {
    const res = await admin.get('/api/v1/ledger/reconcile');
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report.differences).toEqual([]);
    expect(report.ok).toBe(true);
    return report;
  }

  function ok(res: { statusCode: number; body: string; json(): any }) {
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  describe('scenarios with hand-computed figures', () => {
    it('prepaid: test credit 5.00 + refill 20.00 - charge 7.50 = 17.50; a charge of 20 is refused (INSUFFICIENT_FUNDS) unless allowNegative, then -2.50', async () => {
      const c = await createCustomer({ mode: 'prepaid', testCredit: '5.00' });
      expect(c.balance).toBe('5.000000');
      expect(ok(await refill(c.id, '20.00')).balanceAfter).toBe('25.000000');
      const fee = ok(await charge(c.id, '7.50'));
      expect([fee.balanceAfter, fee.allowNegative]).toEqual(['17.500000', false]);
      const refused = expectError(await charge(c.id, '20'), 400, 'INSUFFICIENT_FUNDS', 'amount');
      expect(refused.error.details.available).toBe('17.500000');
      expect((await balanceOf(c.id)).balance).toBe('17.500000');
      const over = ok(await charge(c.id, '20', { allowNegative: true }));
      expect(over.amount).toBe('-20.000000');
      expect(over.balanceAfter).toBe('-2.500000');
      expect(over.allowNegative).toBe(true);
      expect(await balanceOf(c.id)).toEqual({
        accountId: c.id,
        currency: 'USD',
        mode: 'prepaid',
        balance: '-2.500000',
        creditLimit: '0.000000',
        unlimitedCredit: false,
        effectiveCreditLimit: '0.000000',
        availableCredit: '-2.500000',
      });
      const h = await historyOf(c.id);
      expect(h.map((e: any) => [e.type, e.amount, e.balanceAfter])).toEqual([
        ['CHARGE', '-20.000000', '-2.500000'],
        ['CHARGE', '-7.500000', '17.500000'],
        ['PAYMENT', '20.000000', '25.000000'],
        ['TEST_CREDIT', '5.000000', '5.000000'],
      ]);
      expect(h.every((e: any) => e.currency === 'USD' && e.createdBy === 'user:admin@example.com')).toBe(
        true,
      );
      await expectReconciled();
    });

    it('200 concurrent manual charges of 1.00 on a prepaid 10.00: exactly 10 post, 190 are refused, the balance ends at 0', async () => {
      const c = await createCustomer({ mode: 'prepaid', initialBalance: '10.00' });
      const results = await Promise.all(Array.from({ length: 200 }, () => charge(c.id, '1.00')));
      const codes = results.map((r) => (r.statusCode === 201 ? 'ok' : r.json().error.code));
      expect(codes.filter((x) => x === 'ok')).toHaveLength(10);
      expect(codes.filter((x) => x === 'INSUFFICIENT_FUNDS')).toHaveLength(190);
      expect((await balanceOf(c.id)).balance).toBe('0.000000');
      await expectReconciled();
    });

    it('postpaid, credit limit 100: charges 60 + 40 reach the limit (available 0), a further 10 is refused unless allowNegative (-10), refill 150 gives 140', async () => {
      const c = await createCustomer({ mode: 'postpaid', creditLimit: '100' });
      expect((await balanceOf(c.id)).availableCredit).toBe('100.000000');
      ok(await charge(c.id, '60'));
      expect((await balanceOf(c.id)).availableCredit).toBe('40.000000');
      ok(await charge(c.id, '40'));
      const atLimit = await balanceOf(c.id);
      expect([atLimit.balance, atLimit.availableCredit]).toEqual(['-100.000000', '0.000000']);
      expectError(await charge(c.id, '10'), 400, 'INSUFFICIENT_FUNDS', 'amount');
      ok(await charge(c.id, '10', { allowNegative: true }));
      const beyond = await balanceOf(c.id);
      expect([beyond.balance, beyond.availableCredit]).toEqual(['-110.000000', '-10.000000']);
      ok(await refill(c.id, '150'));
      const after = await balanceOf(c.id);
      expect([after.balance, after.effectiveCreditLimit, after.availableCredit]).toEqual([
        '40.000000',
        '100.000000',
        '140.000000',
      ]);
      // the account grid shows the same figures
      const row = (await admin.get(`/api/v1/customers/${c.id}`)).json();
      expect([row.balance, row.creditLimit, row.availableCredit]).toEqual([
        '40.000000',
        '100.000000',
        '140.000000',
      ]);
      await expectReconciled();
    });

    it('unlimited credit: a 1,000,000 charge posts; available and effective limit are explicit nulls', async () => {
      const c = await createCustomer({ mode: 'postpaid', unlimitedCredit: true });
      ok(await charge(c.id, '1000000'));
      const b = await balanceOf(c.id);
      expect(b).toMatchObject({
        balance: '-1000000.000000',
        unlimitedCredit: true,
        effectiveCreditLimit: null,
        availableCredit: null,
      });
      await expectReconciled();
    });

    it('reset: 12.34 + 0.66 = 13.00 resets with -13.00 to 0; a second reset posts 0; a debt of -60 resets with +60', async () => {
      const c = await createCustomer({ initialBalance: '12.34' });
      expect(c.balance).toBe('12.340000');
      ok(await refill(c.id, '0.66'));
      const r = ok(await reset(c.id));
      expect([r.type, r.amount, r.balanceAfter, r.reason]).toEqual([
        'BALANCE_RESET',
        '-13.000000',
        '0.000000',
        'Balance reset',
      ]);
      const again = ok(await reset(c.id));
      expect([again.amount, again.balanceAfter]).toEqual(['0.000000', '0.000000']);

      const p = await createCustomer({ mode: 'postpaid', creditLimit: '100' });
      ok(await charge(p.id, '60'));
      const r2 = ok(
        await post(admin, `/api/v1/customers/${p.id}/balance-resets`, { reason: 'Written off by finance' }),
      );
      expect([r2.amount, r2.balanceAfter, r2.reason]).toEqual([
        '60.000000',
        '0.000000',
        'Written off by finance',
      ]);
      expect((await balanceOf(p.id)).availableCredit).toBe('100.000000');
      await expectReconciled();
    });

    it('reversal: 50 - 20 = 30, reversing the charge gives 50; never twice, never a reversal of a reversal', async () => {
      const c = await createCustomer();
      const pay = ok(await refill(c.id, '50'));
      const fee = ok(await charge(c.id, '20'));
      expect(fee.balanceAfter).toBe('30.000000');
      const rev = ok(await reverse(c.id, fee.id));
      expect([rev.type, rev.amount, rev.balanceAfter, rev.reversesEntryId]).toEqual([
        'REVERSAL',
        '20.000000',
        '50.000000',
        fee.id,
      ]);
      expectError(await reverse(c.id, fee.id), 409, 'ENTRY_ALREADY_REVERSED', 'entryId');
      expectError(await reverse(c.id, rev.id), 409, 'ENTRY_NOT_REVERSIBLE', 'entryId');
      const listed = (await admin.get(`/api/v1/customers/${c.id}/ledger-entries/${fee.id}`)).json();
      expect(listed.reversedByEntryId).toBe(rev.id);
      const revPay = ok(await reverse(c.id, pay.id));
      expect([revPay.amount, revPay.balanceAfter]).toEqual(['-50.000000', '0.000000']);
      // another account's entry, or an unknown one, is not found through this account
      const other = await createCustomer();
      expectError(await reverse(other.id, pay.id), 404, 'LEDGER_ENTRY_NOT_FOUND');
      expectError(await reverse(c.id, crypto.randomUUID()), 404, 'LEDGER_ENTRY_NOT_FOUND');
      await expectReconciled();
    });

    it('test credit: a TEST_CREDIT entry on prepaid, refused on postpaid (which gets creditLimit), none for 0', async () => {
      const c = await createCustomer({ testCredit: '10', initialBalance: '2.5' });
      expect(c.balance).toBe('12.500000');
      const h = await historyOf(c.id);
      expect(h.map((e: any) => [e.type, e.amount, e.balanceAfter, e.idempotencyKey])).toEqual([
        ['TEST_CREDIT', '10.000000', '12.500000', `open:${c.id}:TEST_CREDIT`],
        ['INITIAL_BALANCE', '2.500000', '2.500000', `open:${c.id}:INITIAL_BALANCE`],
      ]);
      // no "payment received" for test credit or an opening balance (DOMAIN 3.15)
      expect(await listOutboxEvents(t.database.db, { accountId: c.id })).toEqual([]);

      const name = `Postpaid trial ${newKey()}`;
      expectError(
        await admin.post('/api/v1/customers', customerBody({ name, mode: 'postpaid', testCredit: '10' })),
        400,
        'VALIDATION_FAILED',
        'testCredit',
      );
      // the whole creation rolled back with it
      expect((await admin.get(`/api/v1/customers?name=${encodeURIComponent(name)}`)).json().total).toBe(0);
      const zero = await createCustomer({ testCredit: '0' });
      expect(await historyOf(zero.id)).toEqual([]);
      expectError(
        await admin.post('/api/v1/customers', customerBody({ testCredit: '-1' })),
        400,
        'VALIDATION_FAILED',
        'testCredit',
      );
      // a reseller creating its customer posts the opening entries as itself
      const debt = await createCustomer({ mode: 'postpaid', creditLimit: '50', initialBalance: '-20' });
      expect([debt.balance, debt.availableCredit]).toEqual(['-20.000000', '30.000000']);
      await expectReconciled();
    });

    it('currency minor units: JPY 0 places, KWD 3, USD 2; the unit is checked on every manual amount', async () => {
      const jpy = await createCustomer({ currency: 'JPY', initialBalance: '1000' });
      expect(ok(await refill(jpy.id, '500')).balanceAfter).toBe('1500.000000');
      expect(ok(await refill(jpy.id, '100.00')).balanceAfter).toBe('1600.000000');
      expectError(await refill(jpy.id, '100.5'), 400, 'AMOUNT_PRECISION', 'amount');
      expectError(await charge(jpy.id, '0.1'), 400, 'AMOUNT_PRECISION', 'amount');
      expectError(await charge(jpy.id, '1601'), 400, 'INSUFFICIENT_FUNDS', 'amount');
      expect(ok(await charge(jpy.id, '1601', { allowNegative: true })).balanceAfter).toBe('-1.000000');

      const kwd = await createCustomer({ currency: 'KWD' });
      expect(ok(await refill(kwd.id, '1.234')).balanceAfter).toBe('1.234000');
      expectError(await refill(kwd.id, '1.2345'), 400, 'AMOUNT_PRECISION', 'amount');
      expect(ok(await charge(kwd.id, '0.235')).balanceAfter).toBe('0.999000');
      const rk = ok(await reset(kwd.id));
      expect([rk.amount, rk.currency]).toEqual(['-0.999000', 'KWD']);

      const usd = await createCustomer();
      expectError(await refill(usd.id, '0.001'), 400, 'AMOUNT_PRECISION', 'amount');
      expectError(await refill(usd.id, '0'), 400, 'AMOUNT_NOT_POSITIVE', 'amount');
      expectError(await refill(usd.id, '-5'), 400, 'VALIDATION_FAILED', 'amount');
      expectError(await refill(usd.id, '1.1234567'), 400, 'VALIDATION_FAILED', 'amount');
      // An opening balance carries six decimals whatever the currency (DOMAIN 3.16: migrated balances).
      const opened = await admin.post(
        '/api/v1/customers',
        customerBody({ currency: 'JPY', initialBalance: '10.123456' }),
      );
      expect(opened.statusCode, opened.body).toBe(201);
      expect(opened.json().balance).toBe('10.123456');
      expectError(
        await admin.post(
          '/api/v1/customers',
          customerBody({ currency: 'JPY', initialBalance: '10.1234567' }),
        ),
        400,
        'VALIDATION_FAILED',
        'initialBalance',
      );
      expectError(
        await admin.post('/api/v1/customers', customerBody({ currency: 'JPY', testCredit: '0.5' })),
        400,
        'AMOUNT_PRECISION',
        'testCredit',
      );
      await expectReconciled();
    });

    it('refuses a balance beyond NUMERIC(20,6) with 400, never a 500', async () => {
      const c = await createCustomer({ mode: 'postpaid', unlimitedCredit: true });
      ok(await charge(c.id, '99999999999999'));
      expectError(await charge(c.id, '1'), 400, 'BALANCE_OUT_OF_RANGE', 'amount');
      expect((await balanceOf(c.id)).balance).toBe('-99999999999999.000000');
      await expectReconciled();
    });

    it('adjustments take either sign, never zero', async () => {
      const c = await createCustomer();
      const up = ok(
        await post(admin, `/api/v1/customers/${c.id}/adjustments`, { amount: '3.25', reason: 'Goodwill' }),
      );
      const down = ok(
        await post(admin, `/api/v1/customers/${c.id}/adjustments`, { amount: '-1.25', reason: 'Rounding' }),
      );
      expect([up.type, up.balanceAfter, down.amount, down.balanceAfter]).toEqual([
        'ADJUSTMENT',
        '3.250000',
        '-1.250000',
        '2.000000',
      ]);
      expectError(
        await post(admin, `/api/v1/customers/${c.id}/adjustments`, { amount: '0', reason: 'x' }),
        400,
        'AMOUNT_ZERO',
        'amount',
      );
      await expectReconciled();
    });
  });

  describe('idempotency', () => {
    it('the same key and body returns the first entry and changes nothing; "10" and "10.00" are the same body', async () => {
      const c = await createCustomer();
      const key = newKey();
      const first = await refill(c.id, '10', { method: 'cash' }, key);
      expect(first.headers['idempotent-replayed']).toBe('false');
      const again = await refill(c.id, '10.00', { method: 'cash' }, key);
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
      expect((await balanceOf(c.id)).balance).toBe('10.000000');
      expect(await historyOf(c.id)).toHaveLength(1);
      expect(first.json().idempotencyKey).toBe(`op:${key}`);
      await expectReconciled();
    });

    it('the same key with another amount, type, reason or account is a 409', async () => {
      const c = await createCustomer();
      const d = await createCustomer();
      const key = newKey();
      ok(await refill(c.id, '10', {}, key));
      expectError(await refill(c.id, '11', {}, key), 409, 'IDEMPOTENCY_KEY_REUSED', 'idempotency-key');
      expectError(await refill(c.id, '10', { reason: 'other' }, key), 409, 'IDEMPOTENCY_KEY_REUSED');
      expectError(await charge(c.id, '10', {}, key), 409, 'IDEMPOTENCY_KEY_REUSED');
      expectError(await refill(d.id, '10', {}, key), 409, 'IDEMPOTENCY_KEY_REUSED');
      expectError(await reset(c.id, key), 409, 'IDEMPOTENCY_KEY_REUSED');
      expect((await balanceOf(c.id)).balance).toBe('10.000000');
      expect((await balanceOf(d.id)).balance).toBe('0.000000');
    });

    it('a reset and a reversal retried after the state moved still answer their first result', async () => {
      const c = await createCustomer({ initialBalance: '40' });
      const rkey = newKey();
      const r1 = ok(await reset(c.id, rkey));
      ok(await refill(c.id, '5'));
      const r2 = ok(await reset(c.id, rkey));
      expect(r2).toEqual(r1);
      expect((await balanceOf(c.id)).balance).toBe('5.000000');
      const fee = ok(await charge(c.id, '2'));
      const vkey = newKey();
      const v1 = ok(await reverse(c.id, fee.id, vkey));
      expect(ok(await reverse(c.id, fee.id, vkey))).toEqual(v1);
      expect((await balanceOf(c.id)).balance).toBe('5.000000');
      await expectReconciled();
    });

    it('every posting needs the Idempotency-Key header (400 naming it); a bad key is refused', async () => {
      const c = await createCustomer();
      const fee = ok(await charge(c.id, '1', { allowNegative: true }));
      for (const [url, body] of [
        ['refills', { amount: '1', reason: 'x' }],
        ['charges', { amount: '1', reason: 'x' }],
        ['adjustments', { amount: '1', reason: 'x' }],
        ['balance-resets', {}],
        [`ledger-entries/${fee.id}/reversal`, { reason: 'x' }],
      ] as const) {
        expectError(
          await post(admin, `/api/v1/customers/${c.id}/${url}`, body, null),
          400,
          'VALIDATION_FAILED',
          'idempotency-key',
        );
      }
      expectError(
        await post(admin, `/api/v1/customers/balance-resets/bulk`, { ids: [c.id] }, null),
        400,
        'VALIDATION_FAILED',
        'idempotency-key',
      );
      expectError(await refill(c.id, '1', {}, 'x'.repeat(201)), 400, 'VALIDATION_FAILED', 'idempotency-key');
      expectError(await refill(c.id, '1', {}, 'has space'), 400, 'VALIDATION_FAILED', 'idempotency-key');
      expect(await historyOf(c.id)).toHaveLength(1);
    });

    it('a refill writes one "payment received" outbox event in its transaction; a replay or a charge writes none', async () => {
      const c = await createCustomer();
      const key = newKey();
      const e = ok(await refill(c.id, '42.50', { method: 'bank_transfer', externalRef: 'TX-77' }, key));
      ok(await refill(c.id, '42.50', { method: 'bank_transfer', externalRef: 'TX-77' }, key));
      ok(await charge(c.id, '1'));
      const events = await listOutboxEvents(t.database.db, { accountId: c.id });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        topic: 'payment.received',
        dedupeKey: e.id,
        processedAt: null,
        payload: {
          entryId: e.id,
          accountId: c.id,
          amount: '42.500000',
          currency: 'USD',
          balanceAfter: '42.500000',
          method: 'bank_transfer',
          externalRef: 'TX-77',
          createdAt: e.createdAt,
        },
      });
    });

    it('a refused posting (unknown account, bad amount) leaves no entry and no event', async () => {
      const before = await t.database.db
        .selectFrom('outbox_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expectError(await refill(999999, '1'), 404, 'ACCOUNT_NOT_FOUND');
      const after = await t.database.db
        .selectFrom('outbox_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });
  });

  describe('batched postings', () => {
    const operator = (): Ctx => ({
      actor: { kind: 'admin', userId: null, apiKeyId: null, label: 'user:burst@example.com' },
      db: t.database.db,
      now: () => new Date(),
    });

    it('a burst on one account is posted in batches: each posting answered alone, the chain exact, refusals isolated', async () => {
      const c = await createCustomer({ mode: 'postpaid', creditLimit: '10' });
      const ctx = operator();
      const burst = Array.from({ length: 60 }, (_, i) => {
        const key = `burst-${c.id}-${i}`;
        if (i === 17)
          return ledgerService.postRefill(ctx, 'customer', c.id, key, { amount: '0.001', reason: 'x' });
        if (i === 33)
          return ledgerService.postRefill(ctx, 'customer', c.id, key, {
            amount: '99999999999999',
            reason: 'x',
          });
        if (i === 41) return ledgerService.resetBalance(ctx, 'customer', c.id, key, {});
        return i % 3 === 0
          ? ledgerService.postCharge(ctx, 'customer', c.id, key, { amount: '0.40', reason: `c${i}` })
          : ledgerService.postRefill(ctx, 'customer', c.id, key, { amount: '1.10', reason: `r${i}` });
      });
      const settled = await Promise.allSettled(burst);
      const codes = settled.map((s) =>
        s.status === 'rejected' ? (s.reason as { code: string }).code : 'ok',
      );
      expect(codes[17]).toBe('AMOUNT_PRECISION');
      expect(codes[33]).toBe('BALANCE_OUT_OF_RANGE');
      expect(codes.filter((x) => x === 'ok')).toHaveLength(58);
      // Hand sum, in posting order: 41 postings before the reset (i = 0..40 less i = 17 and 33),
      // the reset brings the balance to 0, then i = 42..59.
      const sum = (from: number, to: number) => {
        let total = 0;
        for (let i = from; i <= to; i++) if (i !== 17 && i !== 33) total += i % 3 === 0 ? -40 : 110;
        return total;
      };
      const reset = (settled[41] as PromiseFulfilledResult<{ entry: any }>).value.entry;
      expect(reset.amount).toBe((-sum(0, 40) / 100).toFixed(6));
      expect((await balanceOf(c.id)).balance).toBe((sum(42, 59) / 100).toFixed(6));
      await expectReconciled();
    });

    it('the same key twice in one batch posts once; the twin with another body is refused', async () => {
      const c = await createCustomer();
      const ctx = operator();
      const key = `twin-${c.id}`;
      const [lead, a, b, other] = await Promise.allSettled([
        ledgerService.postRefill(ctx, 'customer', c.id, `lead-${c.id}`, { amount: '1', reason: 'lead' }),
        ledgerService.postRefill(ctx, 'customer', c.id, key, { amount: '2', reason: 'twin' }),
        ledgerService.postRefill(ctx, 'customer', c.id, key, { amount: '2.00', reason: 'twin' }),
        ledgerService.postRefill(ctx, 'customer', c.id, key, { amount: '3', reason: 'twin' }),
      ]);
      expect(lead.status).toBe('fulfilled');
      const [ra, rb] = [a, b].map((r) => (r as PromiseFulfilledResult<any>).value);
      expect(ra.entry.id).toBe(rb.entry.id);
      expect([ra.replayed, rb.replayed]).toEqual([false, true]);
      expect((other as PromiseRejectedResult).reason.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect((await balanceOf(c.id)).balance).toBe('3.000000');
    });

    it('one key sent at once for two accounts in different lanes posts once; the other is a 409', async () => {
      const a = await createCustomer();
      let b = await createCustomer();
      while (b.id % 4 === a.id % 4) b = await createCustomer();
      const ctx = operator();
      const key = `race-${a.id}-${b.id}`;
      const settled = await Promise.allSettled([
        ledgerService.postRefill(ctx, 'customer', a.id, key, { amount: '5', reason: 'race' }),
        ledgerService.postRefill(ctx, 'customer', b.id, key, { amount: '5', reason: 'race' }),
      ]);
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      const refused = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const total = money((await balanceOf(a.id)).balance).plus((await balanceOf(b.id)).balance);
      expect(total.toFixed(2)).toBe('5.00');
      await expectReconciled();
    });
  });

  describe('history, refill report, CSV', () => {
    const day = (d: string) => () => new Date(d);
    let c: any;
    let entries: any[];

    beforeAll(async () => {
      c = await createCustomer({ name: `History ${newKey()}` });
      const actor = { kind: 'admin' as const, userId: null, apiKeyId: null, label: 'user:clerk@example.com' };
      const at = (now: string): Ctx => ({ actor, db: t.database.db, now: day(now) });
      entries = [];
      const steps: [string, (ctx: Ctx) => Promise<{ entry: any }>][] = [
        [
          '2026-01-01T09:00:00.000Z',
          (x) =>
            ledgerService.postRefill(x, 'customer', c.id, newKey(), {
              amount: '100',
              reason: 'Wire',
              method: 'bank_transfer',
              externalRef: 'B-1',
            }),
        ],
        [
          '2026-01-02T09:00:00.000Z',
          (x) =>
            ledgerService.postCharge(x, 'customer', c.id, newKey(), {
              amount: '10',
              reason: '=HYPERLINK("http://evil")',
            }),
        ],
        [
          '2026-01-02T18:00:00.000Z',
          (x) =>
            ledgerService.postRefill(x, 'customer', c.id, newKey(), {
              amount: '20',
              reason: 'Card',
              method: '+card',
            }),
        ],
        [
          '2026-01-03T09:00:00.000Z',
          (x) =>
            ledgerService.postCharge(x, 'customer', c.id, newKey(), { amount: '5', reason: 'Setup fee' }),
        ],
        [
          '2026-01-04T09:00:00.000Z',
          (x) =>
            ledgerService.postRefill(x, 'customer', c.id, newKey(), {
              amount: '7',
              reason: 'Cash',
              method: 'cash',
            }),
        ],
        [
          '2026-01-05T09:00:00.000Z',
          (x) =>
            ledgerService.postAdjustment(x, 'customer', c.id, newKey(), {
              amount: '-2',
              reason: 'Correction',
            }),
        ],
        [
          '2026-01-06T09:00:00.000Z',
          (x) =>
            ledgerService.postRefill(x, 'customer', c.id, newKey(), {
              amount: '1',
              reason: 'Top-up',
              method: 'online',
            }),
        ],
      ];
      for (const [now, step] of steps) entries.push((await step(at(now))).entry);
    });

    it('lists every entry newest first with the balance after each, by keyset pages', async () => {
      const seen: any[] = [];
      let cursor = '';
      let pages = 0;
      for (;;) {
        const res = await admin.get(`/api/v1/customers/${c.id}/ledger-entries?limit=3${cursor}`);
        expect(res.statusCode, res.body).toBe(200);
        const page = res.json();
        seen.push(...page.data);
        pages++;
        if (!page.nextCursor) break;
        cursor = `&cursor=${page.nextCursor}`;
      }
      expect(pages).toBe(3);
      expect(seen.map((e) => e.id)).toEqual([...entries].reverse().map((e) => e.id));
      expect(seen.map((e) => e.balanceAfter)).toEqual([
        '111.000000',
        '110.000000',
        '112.000000',
        '105.000000',
        '110.000000',
        '90.000000',
        '100.000000',
      ]);
      expect(seen.at(-1)).toMatchObject({
        type: 'PAYMENT',
        method: 'bank_transfer',
        externalRef: 'B-1',
        createdBy: 'user:clerk@example.com',
        createdAt: '2026-01-01T09:00:00.000Z',
        reversedByEntryId: null,
      });
    });

    it('filters by date range [from, to) and by type', async () => {
      const q = async (qs: string) =>
        (await admin.get(`/api/v1/customers/${c.id}/ledger-entries?${qs}`))
          .json()
          .data.map((e: any) => e.amount);
      expect(await q('from=2026-01-02T00:00:00Z&to=2026-01-03T00:00:00Z')).toEqual([
        '20.000000',
        '-10.000000',
      ]);
      expect(await q('from=2026-01-02T18:00:00Z&to=2026-01-03T09:00:00Z')).toEqual(['20.000000']);
      expect(await q('type=CHARGE&type=ADJUSTMENT')).toEqual(['-2.000000', '-5.000000', '-10.000000']);
      expect(await q('type=CHARGE&from=2026-01-03T00:00:00Z')).toEqual(['-5.000000']);
      expectError(
        await admin.get(
          `/api/v1/customers/${c.id}/ledger-entries?from=2026-01-03T00:00:00Z&to=2026-01-03T00:00:00Z`,
        ),
        400,
        'INVALID_DATE_RANGE',
        'to',
      );
      expectError(
        await admin.get(`/api/v1/customers/${c.id}/ledger-entries?type=BONUS`),
        400,
        'VALIDATION_FAILED',
        'type.0',
      );
      expectError(
        await admin.get(`/api/v1/customers/${c.id}/ledger-entries?cursor=nope`),
        400,
        'INVALID_CURSOR',
        'cursor',
      );
      expectError(
        await admin.get(`/api/v1/customers/${c.id}/ledger-entries?from=yesterday`),
        400,
        'VALIDATION_FAILED',
        'from',
      );
    });

    it('the refill report lists PAYMENT entries only, with method, reference, who and when', async () => {
      const res = await admin.get(`/api/v1/customers/${c.id}/refills?from=2026-01-02T00:00:00Z`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().data.map((e: any) => [e.amount, e.method, e.createdBy])).toEqual([
        ['1.000000', 'online', 'user:clerk@example.com'],
        ['7.000000', 'cash', 'user:clerk@example.com'],
        ['20.000000', '+card', 'user:clerk@example.com'],
      ]);
      expectError(
        await admin.get(`/api/v1/customers/${c.id}/refills?type=CHARGE`),
        400,
        'VALIDATION_FAILED',
        'type',
      );
    });

    it('exports the history as CSV with formula-looking text escaped and amounts untouched', async () => {
      const res = await admin.get(`/api/v1/customers/${c.id}/ledger-entries/export?to=2026-01-03T00:00:00Z`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(
        /^attachment; filename="ledger_\d+_\d{4}-\d\d-\d\d\.csv"$/,
      );
      const lines = res.body.trimEnd().split('\n');
      expect(lines[0]).toBe(
        'created_at,entry_id,type,amount,balance_after,currency,reason,method,external_ref,reverses_entry_id,reversed_by_entry_id,created_by',
      );
      expect(lines.slice(1)).toEqual([
        `2026-01-02T18:00:00.000Z,${entries[2].id},PAYMENT,20.000000,110.000000,USD,Card,'+card,,,,user:clerk@example.com`,
        `2026-01-02T09:00:00.000Z,${entries[1].id},CHARGE,-10.000000,90.000000,USD,"'=HYPERLINK(""http://evil"")",,,,,user:clerk@example.com`,
        `2026-01-01T09:00:00.000Z,${entries[0].id},PAYMENT,100.000000,100.000000,USD,Wire,bank_transfer,B-1,,,user:clerk@example.com`,
      ]);
      const refills = await admin.get(`/api/v1/customers/${c.id}/refills/export`);
      expect(refills.statusCode).toBe(200);
      expect(refills.headers['content-disposition']).toMatch(/filename="refills_/);
      expect(
        refills.body
          .trimEnd()
          .split('\n')
          .slice(1)
          .map((l) => l.split(',')[2]),
      ).toEqual(['PAYMENT', 'PAYMENT', 'PAYMENT', 'PAYMENT']);
    });

    it('streams a long export across many pages in order', async () => {
      const big = await createCustomer();
      const ctx: Ctx = {
        actor: { kind: 'system', label: 'system' },
        db: t.database.db,
        now: () => new Date(),
      };
      for (let i = 1; i <= 1005; i++)
        await ledgerService.postRefill(ctx, 'customer', big.id, `many-${big.id}-${i}`, {
          amount: '1',
          reason: `r${i}`,
        });
      const res = await admin.get(`/api/v1/customers/${big.id}/ledger-entries/export`);
      const rows = res.body.trimEnd().split('\n').slice(1);
      expect(rows).toHaveLength(1005);
      expect(rows[0].split(',')[4]).toBe('1005.000000');
      expect(rows.at(-1)!.split(',')[4]).toBe('1.000000');
      expect(new Set(rows.map((r) => r.split(',')[1])).size).toBe(1005);
    });
  });

  describe('bulk reset', () => {
    it('resets each id in its own transaction, reports one result per id, and is safe to retry', async () => {
      const a = await createCustomer({ initialBalance: '10' });
      const b = await createCustomer({ mode: 'postpaid', creditLimit: '5', initialBalance: '-3' });
      const key = newKey();
      const body = { ids: [a.id, 999999, b.id], reason: 'Month end' };
      const res = await post(admin, '/api/v1/customers/balance-resets/bulk', body, key);
      expect(res.statusCode, res.body).toBe(200);
      const r = res.json();
      expect([r.succeeded, r.failed]).toEqual([2, 1]);
      expect(r.results.map((x: any) => [x.id, x.ok, x.entry?.amount ?? x.error.code])).toEqual([
        [a.id, true, '-10.000000'],
        [999999, false, 'ACCOUNT_NOT_FOUND'],
        [b.id, true, '3.000000'],
      ]);
      const retry = (await post(admin, '/api/v1/customers/balance-resets/bulk', body, key)).json();
      expect(retry.results.map((x: any) => x.entry?.id)).toEqual(r.results.map((x: any) => x.entry?.id));
      expect(await historyOf(a.id, '&type=BALANCE_RESET')).toHaveLength(1);
      expect((await balanceOf(b.id)).balance).toBe('0.000000');
      await expectReconciled();
    });
  });

  describe('currency and credit changes', () => {
    it('the currency may change until the first entry exists, then it is fixed (409)', async () => {
      const c = await createCustomer();
      expect((await admin.patch(`/api/v1/customers/${c.id}`, { currency: 'EUR' })).json().currency).toBe(
        'EUR',
      );
      ok(await refill(c.id, '1'));
      expectError(
        await admin.patch(`/api/v1/customers/${c.id}`, { currency: 'GBP' }),
        409,
        'CURRENCY_LOCKED',
        'currency',
      );
      expect(
        (await admin.patch(`/api/v1/customers/${c.id}`, { currency: 'EUR', city: 'Lyon' })).statusCode,
      ).toBe(200);
      expect((await historyOf(c.id))[0].currency).toBe('EUR');
    });

    it('credit-limit and account-type changes are logged with who, from, to and when', async () => {
      const c = await createCustomer({ mode: 'postpaid', creditLimit: '100' });
      const t0 = Date.now();
      await admin.patch(`/api/v1/customers/${c.id}`, { creditLimit: '250' });
      await admin.patch(`/api/v1/customers/${c.id}`, { mode: 'prepaid' });
      const audit = (await admin.get(`/api/v1/customers/${c.id}/audit`)).json().data;
      const [toPrepaid, raise] = audit;
      expect(raise).toMatchObject({
        action: 'customer.update',
        actor: 'user:admin@example.com',
        before: { creditLimit: '100.000000', availableCredit: '100.000000' },
        after: { creditLimit: '250.000000', availableCredit: '250.000000' },
      });
      expect(toPrepaid).toMatchObject({
        actor: 'user:admin@example.com',
        before: { mode: 'postpaid', creditLimit: '250.000000' },
        after: { mode: 'prepaid', creditLimit: '0.000000' },
      });
      for (const e of [raise, toPrepaid]) expect(Date.parse(e.at)).toBeGreaterThanOrEqual(t0 - 1000);
      // the balance was not touched by either change
      expect(toPrepaid.before.balance).toBeUndefined();
    });
  });

  describe('permissions', () => {
    let r1: Client;
    let r2: Client;
    let reseller1: any;
    let c1: any;
    let c2: any;
    let c2Entry: any;

    beforeAll(async () => {
      const mk = async (name: string) => {
        const r = (
          await admin.post(
            '/api/v1/resellers',
            customerBody({ name, portalUsername: name, password: `${name}-pass-1` }),
          )
        ).json();
        return [r, await Client.login(t.app, name, `${name}-pass-1`)] as const;
      };
      [reseller1, r1] = await mk('ledger-r1');
      const [, client2] = await mk('ledger-r2');
      r2 = client2;
      c1 = await createCustomer({ portalUsername: 'ledger-c1', password: 'ledger-c1-pass' }, r1);
      c2 = await createCustomer({}, r2);
      c2Entry = ok(await post(r2, `/api/v1/customers/${c2.id}/refills`, { amount: '5', reason: 'r2 pays' }));
    });

    it('a reseller refills, charges and resets its own customers; the entry names it', async () => {
      const e = ok(
        await post(r1, `/api/v1/customers/${c1.id}/refills`, { amount: '9', reason: 'cash desk' }),
      );
      expect(e.createdBy).toBe('user:ledger-r1');
      expect(e.idempotencyKey).toMatch(new RegExp(`^reseller:${reseller1.id}:`));
      ok(await post(r1, `/api/v1/customers/${c1.id}/charges`, { amount: '4', reason: 'fee' }));
      ok(await post(r1, `/api/v1/customers/${c1.id}/balance-resets`, {}));
      expect((await r1.get(`/api/v1/customers/${c1.id}/ledger-entries`)).json().data).toHaveLength(3);
    });

    it('reseller keys are their own: the same key by two tenants posts twice', async () => {
      const key = newKey();
      ok(await post(r1, `/api/v1/customers/${c1.id}/refills`, { amount: '1', reason: 'k' }, key));
      ok(await post(admin, `/api/v1/customers/${c1.id}/refills`, { amount: '1', reason: 'k' }, key));
      ok(await post(r2, `/api/v1/customers/${c2.id}/refills`, { amount: '1', reason: 'k' }, key));
      expect((await historyOf(c1.id, '&type=PAYMENT')).filter((e: any) => e.reason === 'k')).toHaveLength(2);
    });

    it("intruder: another reseller's customer is not found, for every operation", async () => {
      const base = `/api/v1/customers/${c2.id}`;
      expectError(await post(r1, `${base}/refills`, { amount: '1', reason: 'x' }), 404, 'ACCOUNT_NOT_FOUND');
      expectError(await post(r1, `${base}/charges`, { amount: '1', reason: 'x' }), 404, 'ACCOUNT_NOT_FOUND');
      expectError(
        await post(r1, `${base}/adjustments`, { amount: '1', reason: 'x' }),
        404,
        'ACCOUNT_NOT_FOUND',
      );
      expectError(await post(r1, `${base}/balance-resets`, {}), 404, 'ACCOUNT_NOT_FOUND');
      expectError(
        await post(r1, `${base}/ledger-entries/${c2Entry.id}/reversal`, { reason: 'x' }),
        404,
        'ACCOUNT_NOT_FOUND',
      );
      // its entry through one's own customer
      expectError(
        await post(r1, `/api/v1/customers/${c1.id}/ledger-entries/${c2Entry.id}/reversal`, { reason: 'x' }),
        404,
        'LEDGER_ENTRY_NOT_FOUND',
      );
      expectError(
        await r1.get(`/api/v1/customers/${c1.id}/ledger-entries/${c2Entry.id}`),
        404,
        'LEDGER_ENTRY_NOT_FOUND',
      );
      for (const path of [
        'balance',
        'ledger-entries',
        'refills',
        'ledger-entries/export',
        'refills/export',
        `ledger-entries/${c2Entry.id}`,
      ])
        expectError(await r1.get(`${base}/${path}`), 404, 'ACCOUNT_NOT_FOUND');
      const bulk = (await post(r1, '/api/v1/customers/balance-resets/bulk', { ids: [c1.id, c2.id] })).json();
      expect(bulk.results.map((x: any) => [x.id, x.ok])).toEqual([
        [c1.id, true],
        [c2.id, false],
      ]);
      // a reseller never reaches its own account, nor the ledger-wide reconciliation
      expectError(
        await post(r1, `/api/v1/resellers/${reseller1.id}/refills`, { amount: '1', reason: 'x' }),
        404,
        'ACCOUNT_NOT_FOUND',
      );
      expectError(await r1.get('/api/v1/ledger/reconcile'), 403, 'FORBIDDEN');
      expect((await balanceOf(c2.id)).balance).toBe('6.000000');
    });

    it("the operator refills a reseller's own balance through /resellers", async () => {
      const e = ok(
        await post(admin, `/api/v1/resellers/${reseller1.id}/refills`, {
          amount: '500',
          reason: 'Prepayment',
        }),
      );
      expect(e.accountId).toBe(reseller1.id);
      expect((await admin.get(`/api/v1/resellers/${reseller1.id}/balance`)).json().balance).toBe(
        '500.000000',
      );
      // a customer id is not a reseller
      expectError(
        await post(admin, `/api/v1/resellers/${c1.id}/refills`, { amount: '1', reason: 'x' }),
        404,
        'ACCOUNT_NOT_FOUND',
      );
    });

    it('a customer reads only its own history, with the portal permission, and posts nothing', async () => {
      const me = await Client.login(t.app, 'ledger-c1', 'ledger-c1-pass');
      const own = await me.get(`/api/v1/customers/${c1.id}/ledger-entries`);
      expect(own.statusCode, own.body).toBe(200);
      expect((await me.get(`/api/v1/customers/${c1.id}/balance`)).statusCode).toBe(200);
      expect((await me.get(`/api/v1/customers/${c1.id}/ledger-entries/export`)).statusCode).toBe(200);
      // the refill report needs "paymentHistory", which is not in the default set (DOMAIN 3.14)
      expectError(await me.get(`/api/v1/customers/${c1.id}/refills`), 403, 'PORTAL_PERMISSION_REQUIRED');
      await admin.patch(`/api/v1/customers/${c1.id}`, {
        portalPermissions: ['accountSummary', 'balance', 'invoices', 'paymentHistory'],
      });
      expect((await me.get(`/api/v1/customers/${c1.id}/refills`)).statusCode).toBe(200);
      await admin.patch(`/api/v1/customers/${c1.id}`, { portalPermissions: ['accountSummary'] });
      expectError(
        await me.get(`/api/v1/customers/${c1.id}/ledger-entries`),
        403,
        'PORTAL_PERMISSION_REQUIRED',
      );
      expectError(await me.get(`/api/v1/customers/${c2.id}/ledger-entries`), 404, 'ACCOUNT_NOT_FOUND');
      for (const path of ['refills', 'charges', 'adjustments', 'balance-resets'])
        expectError(
          await post(me, `/api/v1/customers/${c1.id}/${path}`, { amount: '1', reason: 'x' }),
          403,
          'FORBIDDEN',
        );
      expectError(
        await post(me, '/api/v1/customers/balance-resets/bulk', { ids: [c1.id] }),
        403,
        'FORBIDDEN',
      );
      expectError(await me.get('/api/v1/ledger/reconcile'), 403, 'FORBIDDEN');
    });

    it('postings are refused without a session, and without the CSRF token', async () => {
      const anon = new Client(t.app);
      expectError(
        await post(anon, `/api/v1/customers/${c1.id}/refills`, { amount: '1', reason: 'x' }),
        401,
        'UNAUTHENTICATED',
      );
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/customers/${c1.id}/refills`,
        payload: { amount: '1', reason: 'x' },
        headers: { 'idempotency-key': newKey(), cookie: (admin as any).cookie },
      });
      expectError(res, 403, 'CSRF_TOKEN_INVALID');
    });
  });

  describe('append-only storage', () => {
    it('the database refuses UPDATE, DELETE and TRUNCATE of ledger entries', async () => {
      const c = await createCustomer();
      const e = ok(await refill(c.id, '3'));
      await expect(
        sql`UPDATE ledger_entries SET amount = 300 WHERE id = ${e.id}`.execute(t.database.db),
      ).rejects.toThrow(/append-only/);
      await expect(sql`DELETE FROM ledger_entries WHERE id = ${e.id}`.execute(t.database.db)).rejects.toThrow(
        /append-only/,
      );
      await expect(sql`TRUNCATE ledger_entries`.execute(t.database.db)).rejects.toThrow(
        /append-only|foreign key/,
      );
      expect((await historyOf(c.id))[0].amount).toBe('3.000000');
      await expectReconciled();
    });
  });

  describe('OpenAPI', () => {
    it('documents every ledger endpoint with its Idempotency-Key header', async () => {
      const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      const paths = Object.keys(doc.paths);
      for (const p of [
        '/api/v1/customers/{id}/refills',
        '/api/v1/customers/{id}/charges',
        '/api/v1/customers/{id}/adjustments',
        '/api/v1/customers/{id}/balance-resets',
        '/api/v1/customers/balance-resets/bulk',
        '/api/v1/customers/{id}/ledger-entries/{entryId}/reversal',
        '/api/v1/customers/{id}/ledger-entries',
        '/api/v1/customers/{id}/ledger-entries/export',
        '/api/v1/customers/{id}/refills/export',
        '/api/v1/customers/{id}/balance',
        '/api/v1/resellers/{id}/refills',
        '/api/v1/ledger/reconcile',
      ])
        expect(paths).toContain(p);
      const params = doc.paths['/api/v1/customers/{id}/refills'].post.parameters;
      expect(params).toContainEqual(
        expect.objectContaining({ in: 'header', name: 'idempotency-key', required: true }),
      );
    });
  });
});

describe.each(testDatabaseKinds())('reconciliation on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  it("reports a cached balance written behind the ledger's back, and an entry that breaks the chain", async () => {
    const a = (await admin.post('/api/v1/customers', customerBody({ initialBalance: '10' }))).json();
    const b = (await admin.post('/api/v1/customers', customerBody({ initialBalance: '20' }))).json();
    expect((await admin.get('/api/v1/ledger/reconcile')).json()).toMatchObject({
      ok: true,
      checkedAccounts: 2,
      checkedEntries: 2,
      differences: [],
    });
    await sql`UPDATE accounts SET balance = 12.5 WHERE id = ${a.id}`.execute(t.database.db);
    await sql`INSERT INTO ledger_entries (account_id, type, amount, balance_after, currency, idempotency_key,
                request_hash, reason, created_by)
              VALUES (${b.id}, 'ADJUSTMENT', 1, 99, 'EUR', 'forged', 'x', 'forged', 'nobody')`.execute(
      t.database.db,
    );
    const report = (await admin.get('/api/v1/ledger/reconcile')).json();
    expect(report.ok).toBe(false);
    expect(report.differences).toEqual([
      {
        accountId: a.id,
        accountNumber: a.accountNumber,
        cachedBalance: '12.500000',
        ledgerBalance: '10.000000',
        difference: '2.500000',
        lastBalanceAfter: '10.000000',
        chainBreaks: 0,
        currencyMismatches: 0,
      },
      {
        accountId: b.id,
        accountNumber: b.accountNumber,
        cachedBalance: '20.000000',
        ledgerBalance: '21.000000',
        difference: '-1.000000',
        lastBalanceAfter: '99.000000',
        chainBreaks: 1,
        currencyMismatches: 1,
      },
    ]);
  });
});
