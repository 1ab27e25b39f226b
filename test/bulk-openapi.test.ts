import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './app.js';

describe('bulk-work API in OpenAPI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(async () => t?.close());

  it('describes every bulk endpoint, progress included', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/api/v1/customers/export',
      '/api/v1/customer-templates',
      '/api/v1/customer-templates/{id}',
      '/api/v1/customer-templates/{id}/prefill',
      '/api/v1/customer-templates/{id}/customers',
      '/api/v1/customer-templates/{id}/reapply-preview',
      '/api/v1/customer-templates/{id}/reapply',
      '/api/v1/customers/{id}/save-as-template',
      '/api/v1/customer-mass-creates',
      '/api/v1/customer-mass-creates/capacity',
      '/api/v1/customer-mass-creates/{id}',
      '/api/v1/customer-mass-creates/{id}/result',
      '/api/v1/customer-imports',
      '/api/v1/customer-imports/fields',
      '/api/v1/customer-imports/{id}',
      '/api/v1/customer-imports/{id}/dry-run',
      '/api/v1/customer-imports/{id}/start',
      '/api/v1/customer-imports/{id}/preview',
      '/api/v1/customer-imports/{id}/issues',
      '/api/v1/customer-imports/{id}/issues.csv',
      '/api/v1/customer-imports/{id}/rejected.csv',
    ])
      expect(paths, p).toContain(p);
    const progress =
      doc.paths['/api/v1/customer-imports/{id}'].get.responses['200'].content['application/json'].schema;
    expect(JSON.stringify(progress)).toContain('rowsDone');
    expect(Object.keys(doc.paths['/api/v1/customers/export'].get.responses['200'].content)).toEqual([
      'text/csv',
    ]);
  });
});
