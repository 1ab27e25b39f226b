import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../platform/db/database.js';
import { ADMIN_EMAIL, Client, expectError } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { makeReseller, ok } from '../../../../test/connectivity.js';
import { makeCallingCustomer, makeRateGroup, startCallPathApp } from '../../../../test/call-path.js';

/*
 * The sweeper's alarms: raised for a call whose end never came, acknowledged by an admin (who and
 * when, audited), listed apart; nobody else may acknowledge. And the digest retry a switch makes
 * after challenging an unknown source: the same Call-ID with verified credentials is decided anew.
 */

describe.each(testDatabaseKinds())('call alarms on %s', (kind) => {
  let app: FastifyInstance;
  let database: Database;
  let clock = Date.UTC(2026, 11, 3, 9, 0, 0);
  let admin: Client;
  let sw: Client;
  let customer: any;

  beforeAll(async () => {
    ({ app, database, admin, sw } = await startCallPathApp(kind, {
      now: () => new Date(clock),
      switchKeyName: 'sw',
    }));
    const group = await makeRateGroup(admin, { name: 'retail', currency: 'USD' }, [
      { prefix: '44', ratePerMin: '0.06', effectiveFrom: new Date(clock - 86_400_000).toISOString() },
    ]);
    ({ customer } = await makeCallingCustomer(
      admin,
      { rateGroupId: group.id, initialBalance: '5.00' },
      '192.0.2.0/24',
    ));
    await app.callAuth.engine.loader.sync();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  const lostCall = async (callId: string) => {
    const d = await ok(
      sw.post('/api/v1/calls/authorize', {
        callId,
        sourceIp: '192.0.2.10',
        calledNumber: '4420',
        callingNumber: '15551230000',
      }),
    );
    expect(d.decision).toBe('allow');
  };

  it('an admin acknowledges a MISSING_END alarm: who and when, audited, listed apart; again changes nothing', async () => {
    await lostCall('lost-1');
    await lostCall('lost-2');
    clock += 421_000;
    expect(await app.callAuth.sweep()).toBe(2);
    const open = (await ok(admin.get('/api/v1/call-auth/alarms?acknowledged=false'))).data;
    expect(open.map((a: any) => [a.kind, a.callId, a.acknowledgedAt])).toEqual([
      ['MISSING_END', 'lost-2', null],
      ['MISSING_END', 'lost-1', null],
    ]);
    const first = open.find((a: any) => a.callId === 'lost-1');

    clock += 5_000;
    const acked = await ok(admin.post(`/api/v1/call-auth/alarms/${first.id}/acknowledge`));
    expect(acked).toMatchObject({
      id: first.id,
      callId: 'lost-1',
      acknowledgedAt: new Date(clock).toISOString(),
      acknowledgedBy: `user:${ADMIN_EMAIL}`,
      accountName: customer.name,
    });
    // Listed apart: open ones, acknowledged ones, and both by default.
    expect(
      (await ok(admin.get('/api/v1/call-auth/alarms?acknowledged=false'))).data.map((a: any) => a.callId),
    ).toEqual(['lost-2']);
    expect(
      (await ok(admin.get('/api/v1/call-auth/alarms?acknowledged=true'))).data.map((a: any) => a.callId),
    ).toEqual(['lost-1']);
    expect((await ok(admin.get('/api/v1/call-auth/alarms'))).data).toHaveLength(2);

    // Again, later, by an API key of role admin: answered unchanged, the first acknowledger stays.
    clock += 60_000;
    const { key } = await ok(admin.post('/api/v1/api-keys', { name: 'ops', role: 'admin' }), 201);
    const again = await ok(
      Client.withApiKey(app, key).post(`/api/v1/call-auth/alarms/${first.id}/acknowledge`),
    );
    expect(again.acknowledgedAt).toBe(acked.acknowledgedAt);
    expect(again.acknowledgedBy).toBe(`user:${ADMIN_EMAIL}`);

    const audit = (await ok(admin.get(`/api/v1/customers/${customer.id}/audit`))).data.filter(
      (x: any) => x.action === 'call_alarm.acknowledge',
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entityId: first.id });
  });

  it('an unknown alarm is 404; resellers and the switch may not acknowledge', async () => {
    expectError(await admin.post('/api/v1/call-auth/alarms/999999/acknowledge'), 404, 'CALL_ALARM_NOT_FOUND');
    expectError(await admin.post('/api/v1/call-auth/alarms/0/acknowledge'), 400, 'VALIDATION_FAILED', 'id');
    const alarm = (await ok(admin.get('/api/v1/call-auth/alarms?acknowledged=false'))).data[0];
    const r = await makeReseller({ app, database, close: async () => {} }, admin);
    expectError(await r.client.post(`/api/v1/call-auth/alarms/${alarm.id}/acknowledge`), 403, 'FORBIDDEN');
    expectError(await sw.post(`/api/v1/call-auth/alarms/${alarm.id}/acknowledge`), 403, 'FORBIDDEN');
    expect(
      (await ok(admin.get('/api/v1/call-auth/alarms?acknowledged=false'))).data.map((a: any) => a.id),
    ).toContain(alarm.id);
  });

  it('an unknown source is not replayed to the same Call-ID coming back with verified digest credentials', async () => {
    await ok(
      admin.post(`/api/v1/customers/${customer.id}/sip-devices`, {
        username: 'alice-digest',
        secret: 'alice-secret-123',
      }),
      201,
    );
    await app.callAuth.engine.loader.sync();
    const ask = (extra: Record<string, unknown>) =>
      ok(
        sw.post('/api/v1/calls/authorize', {
          callId: 'challenged-1',
          sourceIp: '203.0.113.50',
          calledNumber: '4420',
          callingNumber: '15551230000',
          ...extra,
        }),
      );
    expect(await ask({})).toMatchObject({ decision: 'deny', reason: 'AUTH_UNKNOWN_SOURCE', sipCode: 403 });
    expect(await ask({})).toMatchObject({ decision: 'deny', reason: 'AUTH_UNKNOWN_SOURCE' });
    const allowed = await ask({ sipUsername: 'alice-digest', digestVerified: true });
    expect(allowed).toMatchObject({ decision: 'allow', accountId: customer.id });
    expect(allowed.sipDeviceId).toBeGreaterThan(0);
    // From then on the Call-ID has its decision: the same allow, nothing reserved twice.
    expect(await ask({})).toMatchObject({ decision: 'allow', sipDeviceId: allowed.sipDeviceId });
    // A verified username that is no active device is recorded like any other refusal.
    expect(await ask({ callId: 'challenged-2', sipUsername: 'nobody', digestVerified: true })).toMatchObject({
      reason: 'AUTH_UNKNOWN_SOURCE',
    });
    expect(
      await ask({ callId: 'challenged-2', sipUsername: 'alice-digest', digestVerified: true }),
    ).toMatchObject({
      reason: 'AUTH_UNKNOWN_SOURCE',
    });
    await ok(sw.post('/api/v1/calls/challenged-1/end', { answered: false }));
  });
});
