import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { adminLogin, createTestApp, customerBody, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { classify, metricOf, thresholdOf } from '../notifications/balance-state.js';
import { defaultSettings, type SettingsRow } from '../notifications/settings.repository.js';
import { belowLowBalanceThreshold } from './low-balance-filter.js';

/*
 * The SQL predicate (lists, dashboard) and the state machine's arithmetic (alerts) must say the
 * same thing for every account: each case below is asked of both.
 */
type Case = {
  mode: 'prepaid' | 'postpaid';
  balance: string;
  creditLimit?: string;
  unlimited?: boolean;
  settings?: Partial<SettingsRow>;
};
const CASES: Case[] = [
  { mode: 'prepaid', balance: '100' },
  { mode: 'prepaid', balance: '5' },
  { mode: 'prepaid', balance: '5.000001' },
  { mode: 'prepaid', balance: '0' },
  { mode: 'prepaid', balance: '-3' },
  { mode: 'prepaid', balance: '8', settings: { threshold_amount: '10' } },
  { mode: 'postpaid', balance: '-96', creditLimit: '100' },
  { mode: 'postpaid', balance: '-94', creditLimit: '100' },
  { mode: 'postpaid', balance: '-100', creditLimit: '100' },
  { mode: 'postpaid', balance: '-500', unlimited: true },
  {
    mode: 'postpaid',
    balance: '-50',
    creditLimit: '200',
    settings: { threshold_type: 'percent', threshold_percent: '80' },
  },
  {
    mode: 'postpaid',
    balance: '-10',
    creditLimit: '200',
    settings: { threshold_type: 'percent', threshold_percent: '80' },
  },
  // A percent threshold where none applies (prepaid now): only ZERO remains.
  { mode: 'prepaid', balance: '1', settings: { threshold_type: 'percent', threshold_percent: '50' } },
  { mode: 'prepaid', balance: '-1', settings: { threshold_type: 'percent', threshold_percent: '50' } },
];

describe.each(testDatabaseKinds())(
  'the low-balance list filter agrees with the alert state machine on %s',
  (kind) => {
    let t: TestApp;
    let admin: Client;
    const ids: number[] = [];

    beforeAll(async () => {
      t = await createTestApp(kind);
      admin = await adminLogin(t.app);
      for (const c of CASES) {
        const res = await admin.post(
          '/api/v1/customers',
          customerBody({
            mode: c.mode,
            ...(c.mode === 'postpaid'
              ? { creditLimit: c.creditLimit ?? '0', unlimitedCredit: !!c.unlimited }
              : {}),
          }),
        );
        expect(res.statusCode, res.body).toBe(201);
        const id = res.json().id as number;
        ids.push(id);
        await sql`UPDATE accounts SET balance = ${c.balance} WHERE id = ${id}`.execute(t.database.db);
        if (c.settings) {
          const s = { ...defaultSettings(id), ...c.settings };
          await sql`INSERT INTO notification_settings (account_id, threshold_type, threshold_amount, threshold_percent)
                  VALUES (${id}, ${s.threshold_type}, ${s.threshold_amount}, ${s.threshold_percent})`.execute(
            t.database.db,
          );
        }
      }
    });
    afterAll(async () => t?.close());

    it('for every case', async () => {
      const rows = await t.database.db
        .selectFrom('accounts as a')
        .select(['a.id', belowLowBalanceThreshold('a').as('below')])
        .where('a.id', 'in', ids)
        .execute();
      const bySql = new Map(rows.map((r) => [Number(r.id), Boolean(r.below)]));
      const got = CASES.map((_, i) => bySql.get(ids[i]!));
      const expected = CASES.map((c, i) => {
        const a = {
          balance: c.balance,
          credit_limit: c.mode === 'postpaid' ? (c.creditLimit ?? '0') : '0',
          unlimited_credit: !!c.unlimited,
          mode: c.mode,
        };
        return classify(metricOf(a), thresholdOf({ ...defaultSettings(ids[i]!), ...c.settings }, a)) !== 'OK';
      });
      expect(got).toEqual(expected);
      // Hand-checked: the interesting ones really are on each side.
      expect(expected).toEqual([
        false,
        true,
        false,
        true,
        true,
        true,
        true,
        false,
        true,
        false,
        true,
        false,
        false,
        true,
      ]);
    });
  },
);
