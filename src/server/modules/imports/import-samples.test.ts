import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, createTestApp, type Client, type TestApp } from '../../../../test/app.js';
import { testDatabaseKinds } from '../../../../test/databases.js';
import { testRunner } from '../../../../test/jobs.js';

/* The import page's sample files: each one, downloaded as the page does, dry-runs with no error. */
describe.each(testDatabaseKinds())('import sample files on %s', (kind) => {
  let t: TestApp;
  let admin: Client;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await adminLogin(t.app);
  });
  afterAll(async () => t?.close());

  async function dryRun(text: string, defaults: Record<string, string>) {
    const up = await admin.request('POST', '/api/v1/customer-imports?fileName=sample.csv', text, {
      'content-type': 'text/csv',
    });
    expect(up.statusCode, up.body).toBe(201);
    const imp = up.json();
    const res = await admin.post(`/api/v1/customer-imports/${imp.id}/dry-run`, { defaults });
    expect(res.statusCode, res.body).toBe(202);
    await testRunner(t.database).runUntilIdle();
    const done = (await admin.get(`/api/v1/customer-imports/${imp.id}`)).json();
    const issues = (await admin.get(`/api/v1/customer-imports/${imp.id}/issues?run=dry&limit=100`)).json()
      .data;
    return { upload: imp, done, issues };
  }

  it('lists the columns and the two layouts, with what a layout leaves to the batch defaults', async () => {
    const body = (await admin.get('/api/v1/customer-imports/fields')).json();
    expect(body.data.map((f: { name: string }) => f.name)).toContain('account_number');
    expect(body.layouts.map((l: { id: string }) => l.id)).toEqual(['tollgate', 'astpp']);
    const astpp = body.layouts.find((l: { id: string }) => l.id === 'astpp');
    expect(astpp.headers.slice(0, 3)).toEqual(['Account', 'Password', 'First Name']);
    expect([...astpp.needsDefaults].sort()).toEqual(['country', 'currency', 'timezone']);
    expect(body.layouts[0].needsDefaults).toEqual([]);
  });

  it.each([
    ['tollgate', {}],
    ['astpp', { currency: 'USD', country: 'US', timezone: 'America/New_York' }],
  ])('the %s sample dry-runs with 0 errors', async (layout, defaults) => {
    const res = await admin.get(`/api/v1/customer-imports/samples/${layout}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="customers-sample-${layout}.csv"`);
    const { upload, done, issues } = await dryRun(res.body, defaults as Record<string, string>);
    expect(upload.rowCount).toBe(2);
    // ASTPP's "Mobile" has no column of ours: it is named as ignored, never an error.
    expect(upload.unmappedHeaders).toEqual(layout === 'astpp' ? ['Mobile'] : []);
    expect(issues.filter((i: { severity: string }) => i.severity === 'error')).toEqual([]);
    expect(done.dryRun).toMatchObject({ status: 'done', created: 2, rejected: 0 });
  });

  it('refuses a layout it does not know', async () => {
    expect((await admin.get('/api/v1/customer-imports/samples/sippy')).statusCode).toBe(400);
  });
});
