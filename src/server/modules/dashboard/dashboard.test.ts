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
import { lastDays } from './dashboard.service.js';

describe('lastDays', () => {
  it('counts calendar days in the given zone, oldest first, across a month end', () => {
    // 2026-03-01 02:00 UTC is still 28 February in New York.
    expect(lastDays(new Date('2026-03-01T02:00:00Z'), 'America/New_York', 3)).toEqual([
      '2026-02-26',
      '2026-02-27',
      '2026-02-28',
    ]);
    expect(lastDays(new Date('2026-03-01T02:00:00Z'), 'UTC', 2)).toEqual(['2026-02-28', '2026-03-01']);
  });
});

describe.each(testDatabaseKinds())('dashboard on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let resellerA: Client;
  let resellerAId: number;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
    const ra = await admin.post(
      '/api/v1/resellers',
      customerBody({ portalUsername: 'dash-res-a', password: 'reseller-pass-a' }),
    );
    resellerAId = ra.json().id;
    const rb = await admin.post(
      '/api/v1/resellers',
      customerBody({ portalUsername: 'dash-res-b', password: 'reseller-pass-b' }),
    );
    resellerA = await Client.login(t.app, 'dash-res-a', 'reseller-pass-a');
    const resellerB = await Client.login(t.app, 'dash-res-b', 'reseller-pass-b');
    expect(rb.statusCode).toBe(201);
    // Admin's own: 2 prepaid active, 1 postpaid inactive, 1 deleted (never counted).
    await admin.post('/api/v1/customers', customerBody());
    await admin.post('/api/v1/customers', customerBody());
    await admin.post('/api/v1/customers', customerBody({ mode: 'postpaid', status: 'inactive' }));
    const gone = (await admin.post('/api/v1/customers', customerBody())).json();
    expect((await admin.delete(`/api/v1/customers/${gone.id}`)).statusCode).toBe(204);
    // Reseller A: 1 postpaid; reseller B: 2 prepaid.
    await resellerA.post('/api/v1/customers', customerBody({ mode: 'postpaid', name: 'A-only customer' }));
    await resellerB.post('/api/v1/customers', customerBody({ name: 'B-only customer 1' }));
    await resellerB.post('/api/v1/customers', customerBody({ name: 'B-only customer 2' }));
  });
  afterAll(async () => t?.close());

  it('counts live customers by status and by prepaid/postpaid for an admin', async () => {
    const res = await admin.get('/api/v1/dashboard');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().customers).toEqual({ total: 6, active: 5, inactive: 1, prepaid: 4, postpaid: 2 });
  });

  it('lists the newest customers first, with their currency and time zone', async () => {
    const newest = (await admin.get('/api/v1/dashboard')).json().newest;
    expect(newest).toHaveLength(5);
    expect(newest[0].name).toBe('B-only customer 2');
    expect(newest[0]).toMatchObject({ kind: 'customer', currency: 'USD', timezone: 'America/New_York' });
    expect(newest.map((n: { resellerName: string | null }) => n.resellerName)).toContain(null);
  });

  it('counts accounts created per day in the asked time zone, zero-filled', async () => {
    // Move one customer three days back: it must land on that day, not today.
    const anyCustomer = (await admin.get('/api/v1/customers?limit=10&sort=name&order=asc')).json().data[0];
    await sql`UPDATE accounts SET created_at = now() - interval '3 days' WHERE id = ${anyCustomer.id}`.execute(
      t.database.db,
    );
    const res = await admin.get('/api/v1/dashboard?days=7&timezone=Asia/Tokyo');
    const per = res.json().createdPerDay;
    expect(per.timezone).toBe('Asia/Tokyo');
    expect(per.days).toHaveLength(7);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date());
    expect(per.days[6].date).toBe(today);
    const total = per.days.reduce((s: number, d: { count: number }) => s + d.count, 0);
    // 2 resellers + 6 live customers, all within the week.
    expect(total).toBe(8);
    expect(per.days.filter((d: { count: number }) => d.count === 0).length).toBeGreaterThanOrEqual(5);
  });

  it("shows a reseller only its own subtree (another reseller's customers never count)", async () => {
    const res = await resellerA.get('/api/v1/dashboard');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.customers).toEqual({ total: 1, active: 1, inactive: 0, prepaid: 0, postpaid: 1 });
    expect(body.newest.map((n: { name: string }) => n.name)).toEqual(['A-only customer']);
    expect(body.newest[0].resellerName).not.toBeNull();
    const created = body.createdPerDay.days.reduce((s: number, d: { count: number }) => s + d.count, 0);
    expect(created).toBe(1);
    expect(resellerAId).toBeGreaterThan(0);
  });

  it('refuses a customer and a bad time zone', async () => {
    await admin.post(
      '/api/v1/customers',
      customerBody({ portalUsername: 'dash-cust', password: 'customer-pass-1' }),
    );
    const customer = await Client.login(t.app, 'dash-cust', 'customer-pass-1');
    expectError(await customer.get('/api/v1/dashboard'), 403, 'FORBIDDEN');
    expectError(
      await admin.get('/api/v1/dashboard?timezone=Mars/Olympus'),
      400,
      'VALIDATION_FAILED',
      'timezone',
    );
    expectError(await admin.get('/api/v1/dashboard?days=0'), 400, 'VALIDATION_FAILED', 'days');
  });
});
