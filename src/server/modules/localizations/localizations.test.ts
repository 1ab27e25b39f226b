import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, expectError, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { makeCustomer, makeReseller, ok } from '../../../../test/connectivity.js';

describe.each(testDatabaseKinds())('localization profiles on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  const uk = {
    destinationRules: [
      { match: '00', action: 'strip', value: '' },
      { match: '0', action: 'replace', value: '44' },
    ],
    callerNumberRules: [{ match: '*', action: 'prepend', value: '44' }],
    callerNameRules: [{ match: '*', action: 'replace', value: 'ACME' }],
  };

  it('creates a profile, previews each step, assigns it to a customer, refuses delete while used', async () => {
    const p = await ok(admin.post('/api/v1/localizations', { name: 'UK national', ...uk }), 201);
    expect(p).toMatchObject({
      name: 'UK national',
      resellerId: null,
      customerCount: 0,
      destinationRules: uk.destinationRules,
    });
    const pre = await ok(
      admin.post(`/api/v1/localizations/${p.id}/preview`, {
        destination: '02079460000',
        callerNumber: '2079460001',
        callerName: 'x',
      }),
    );
    expect(pre.destination).toEqual({
      input: '02079460000',
      output: '442079460000',
      matchedRule: 1,
      steps: [
        { index: 0, rule: uk.destinationRules[0], matched: false },
        { index: 1, rule: uk.destinationRules[1], matched: true, output: '442079460000' },
      ],
    });
    expect(pre.callerNumber.output).toBe('442079460001');
    expect(pre.callerName.output).toBe('ACME');
    const c = await makeCustomer(admin, { localizationId: p.id });
    expect(c.localizationId).toBe(p.id);
    expect((await ok(admin.get(`/api/v1/localizations/${p.id}`))).customerCount).toBe(1);
    expectError(await admin.delete(`/api/v1/localizations/${p.id}`), 409, 'LOCALIZATION_IN_USE', 'id');
    expectError(
      await admin.post('/api/v1/localizations', { name: 'uk NATIONAL' }),
      409,
      'LOCALIZATION_NAME_TAKEN',
      'name',
    );
    const e = await ok(
      admin.patch(`/api/v1/localizations/${p.id}`, {
        destinationRules: [{ match: '011', action: 'strip', value: '' }],
      }),
    );
    expect(e.destinationRules).toHaveLength(1);
    expect(e.callerNumberRules).toEqual(uk.callerNumberRules);
    await ok(admin.patch(`/api/v1/customers/${c.id}`, { localizationId: null }));
    await ok(admin.delete(`/api/v1/localizations/${p.id}`), 204);
    expect((await ok(admin.get('/api/v1/localizations?name=uk'))).data).toEqual([]);
  });

  it('previews unsaved rules ("try a number" while editing)', async () => {
    const r = await ok(admin.post('/api/v1/localizations/preview', { ...uk, destination: '0033123' }));
    expect(r.destination).toMatchObject({ output: '33123', matchedRule: 0 });
    expect(r.callerNumber).toBeNull();
  });

  it.each([
    [{ destinationRules: [{ match: '0a', action: 'strip', value: '' }] }, 'destinationRules.0.match'],
    [{ destinationRules: [{ match: '*', action: 'strip', value: '' }] }, 'destinationRules.0.value'],
    [{ callerNumberRules: [{ match: '0', action: 'replace', value: '+44' }] }, 'callerNumberRules.0.value'],
    [{ destinationRules: [{ match: '0', action: 'drop', value: '' }] }, 'destinationRules.0.action'],
    [{ destinationRules: [{ match: '0', action: 'strip' }] }, 'destinationRules.0.value'],
  ])('rejects rules %j naming the rule and field', async (rules, field) => {
    const res = await admin.post('/api/v1/localizations', { name: `bad ${Math.random()}`, ...rules });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.details.field).toBe(field);
  });

  it('another reseller gets 404; a reseller customer takes only its owner’s profile', async () => {
    const r1 = await makeReseller(t, admin);
    const r2 = await makeReseller(t, admin);
    const p = await ok(r1.client.post('/api/v1/localizations', { name: 'R1', ...uk }), 201);
    expect(p.resellerId).toBe(r1.account.id);
    expectError(await r2.client.get(`/api/v1/localizations/${p.id}`), 404, 'LOCALIZATION_NOT_FOUND');
    expectError(
      await r2.client.post(`/api/v1/localizations/${p.id}/preview`, { destination: '1' }),
      404,
      'LOCALIZATION_NOT_FOUND',
    );
    expectError(await r2.client.delete(`/api/v1/localizations/${p.id}`), 404, 'LOCALIZATION_NOT_FOUND');
    const c = await makeCustomer(r1.client, { localizationId: p.id });
    expect(c.localizationId).toBe(p.id);
    const res = await r2.client.post('/api/v1/customers', {
      name: 'x',
      country: 'US',
      timezone: 'UTC',
      currency: 'USD',
      localizationId: p.id,
    });
    expectError(res, 400, 'LOCALIZATION_NOT_FOUND', 'localizationId');
  });

  it("lists one owner's profiles; an admin creates one for a reseller, whose customers may use it", async () => {
    const r = await makeReseller(t, admin);
    const mine = await ok(admin.post('/api/v1/localizations', { name: 'Operator pick', ...uk }), 201);
    const theirs = await ok(
      admin.post('/api/v1/localizations', { name: 'Reseller pick', resellerId: r.account.id, ...uk }),
      201,
    );
    expect(theirs.resellerId).toBe(r.account.id);
    const names = async (query: string) =>
      (await ok(admin.get(`/api/v1/localizations?limit=500&${query}`))).data.map((l: any) => l.name);
    expect(await names(`resellerId=${r.account.id}`)).toEqual(['Reseller pick']);
    expect(await names('resellerId=none&name=pick')).toEqual(['Operator pick']);
    const c = await makeCustomer(admin, { resellerId: r.account.id, localizationId: theirs.id });
    expect(c.localizationId).toBe(theirs.id);
    expect(c.localizationName).toBe('Reseller pick');
    expect(mine.resellerId).toBeNull();
  });
});
