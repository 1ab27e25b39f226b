import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { adminLogin, Client, customerBody, type TestApp, createTestApp } from './app.js';
import { testDatabaseKinds } from './databases.js';

/*
 * The route-walking intruder test (issue 11). It reads /api/openapi.json from the built app and
 * calls EVERY operation with the path parameters filled with ids of the victim tenant's real rows
 * (a reseller with its customer, provider, sub-reseller, trunk, host, devices, DIDs, rates ...),
 * and JSON bodies generated from the operation's own schema (ids in them pointing at the victim
 * too), as (a) another reseller, (b) a customer of another reseller and (c) an anonymous caller.
 *
 * It fails when an answer is a 2xx that carries the victim's data (a marker every victim row's
 * name holds, the victim's account and DID numbers), or when any call changed a row of the
 * victim's (a fingerprint of every victim-owned row, taken before and after each change). A new
 * route is walked without a new test; an operation that cannot be walked goes in NOT_WALKED with
 * its reason, and the test fails when an operation is neither walked nor listed.
 */

/** Operations not walked, each with its reason (`METHOD /path` as in the spec). */
const NOT_WALKED: Record<string, string> = {};

/** Operations walked last: they end the caller's own session. */
const WALKED_LAST = new Set(['POST /api/v1/auth/logout']);

const MARKER = 'victimmark';

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  op: Schema;
}

for (const kind of testDatabaseKinds()) {
  describe(`intruders walk every route (${kind})`, () => {
    let t: TestApp;
    let admin: Client;
    let spec: Schema;
    const victim: Record<string, number> = {};
    const markers: string[] = [MARKER];

    const ok = async (res: Promise<{ statusCode: number; body: string; json(): any }>, status = 201) => {
      const r = await res;
      expect(r.statusCode, r.body).toBe(status);
      return r.json();
    };
    const post = (c: Client, url: string, body: unknown, key = crypto.randomUUID()) =>
      c.request('POST', url, body, { 'idempotency-key': key });

    beforeAll(async () => {
      t = await createTestApp(kind);
      admin = await adminLogin(t.app);
      spec = (await t.app.inject({ url: '/api/openapi.json' })).json();

      // The victim: reseller V and everything it owns.
      const vUser = `${MARKER}-reseller`;
      const v = await ok(
        admin.post(
          '/api/v1/resellers',
          customerBody({ name: `Victimmark Reseller`, portalUsername: vUser, password: 'victim-pass-1' }),
        ),
      );
      const V = await Client.login(t.app, vUser, 'victim-pass-1');
      const vc = await ok(
        V.post(
          '/api/v1/customers',
          customerBody({
            name: 'Victimmark Customer',
            companyName: 'Victimmark Co',
            password: 'victim-cust-1',
            portalUsername: `${MARKER}-customer`,
          }),
        ),
      );
      const vp = await ok(V.post('/api/v1/providers', customerBody({ name: 'Victimmark Provider' })));
      const vr2 = await ok(V.post('/api/v1/resellers', customerBody({ name: 'Victimmark Sub' })));
      for (const a of [v, vc, vp, vr2]) markers.push(a.accountNumber);
      Object.assign(victim, { reseller: v.id, customer: vc.id, provider: vp.id, subReseller: vr2.id });

      victim.customerEntry = (
        await ok(post(V, `/api/v1/customers/${vc.id}/refills`, { amount: '10', reason: 'Victimmark refill' }))
      ).id;
      victim.resellerEntry = (
        await ok(
          post(admin, `/api/v1/resellers/${v.id}/refills`, { amount: '10', reason: 'Victimmark refill' }),
        )
      ).id;
      const trunk = await ok(V.post(`/api/v1/customers/${vc.id}/trunks`, { name: 'Victimmark trunk' }));
      victim.trunk = trunk.id;
      victim.host = (
        await ok(V.post(`/api/v1/trunks/${trunk.id}/hosts`, { cidr: '198.51.100.7', techPrefix: '77' }))
      ).id;
      victim.sipDevice = (
        await ok(V.post(`/api/v1/customers/${vc.id}/sip-devices`, { username: `${MARKER}dev` }))
      ).id;
      victim.callerId = (
        await ok(
          V.post(`/api/v1/customers/${vc.id}/caller-ids`, {
            number: '4420794600',
            description: 'Victimmark cid',
          }),
        )
      ).id;
      victim.forceCallerId = (
        await ok(
          V.post(`/api/v1/customers/${vc.id}/force-caller-ids`, {
            name: 'Victimmark force',
            number: '4420794601',
          }),
        )
      ).id;
      victim.blockedCode = (
        await ok(
          V.post(`/api/v1/customers/${vc.id}/blocked-codes`, { prefix: '900', label: 'Victimmark block' }),
        )
      ).id;
      await ok(V.request('PUT', `/api/v1/customers/${vc.id}/speed-dials/1`, { number: '4420794602' }), 200);
      victim.rateOverride = (
        await ok(
          V.post(`/api/v1/customers/${vc.id}/rate-overrides`, {
            prefix: '4420',
            destination: 'Victimmark override',
            ratePerMin: '0.011',
          }),
        )
      ).id;
      const didNumber = `39${Date.now() % 1e9}`;
      markers.push(didNumber);
      victim.did = (
        await ok(V.post('/api/v1/dids', { number: didNumber, description: 'Victimmark did' }))
      ).id;
      await ok(V.post(`/api/v1/dids/${victim.did}/assign`, { customerId: vc.id }), 200);
      victim.rateGroup = (
        await ok(V.post('/api/v1/rate-groups', { name: 'Victimmark rates', currency: 'USD' }))
      ).id;
      victim.rate = (
        await ok(
          V.post(`/api/v1/rate-groups/${victim.rateGroup}/rates`, {
            prefix: '4420',
            destination: 'Victimmark London',
            ratePerMin: '0.012',
            effectiveFrom: '2026-01-01T00:00:00Z',
          }),
        )
      ).id;
      victim.localization = (await ok(V.post('/api/v1/localizations', { name: 'Victimmark loc' }))).id;
      victim.template = (
        await ok(V.post('/api/v1/customer-templates', { name: 'Victimmark template', settings: {} }))
      ).id;
      victim.import = (
        await ok(
          V.request(
            'POST',
            '/api/v1/customer-imports?fileName=victimmark.csv',
            'name,country,timezone,currency\nVictimmark Imported,US,UTC,USD\n',
            {
              'content-type': 'text/csv',
            },
          ),
        )
      ).id;
      victim.massCreate = (
        await ok(
          V.post('/api/v1/customer-mass-creates', {
            currency: 'USD',
            country: 'US',
            timezone: 'America/Chicago',
            count: 1,
            startPrefix: '58',
            accountNumberLength: 10,
          }),
          202,
        )
      ).massCreate.id;
      victim.apiKey = (await ok(admin.post('/api/v1/api-keys', { name: 'Victimmark key' }))).apiKey.id;
      victim.user = Number(
        (await sql<{ id: number }>`SELECT id FROM users WHERE login = ${vUser}`.execute(t.database.db))
          .rows[0].id,
      );
      // Rows the API names by id that the victim's actions made: a mail to its customer, a job.
      await V.request('POST', `/api/v1/customers/${vc.id}/welcome-letter`, {});
      const m = await sql<{ id: number }>`
        SELECT id FROM mails WHERE account_id = ${vc.id} ORDER BY id LIMIT 1`.execute(t.database.db);
      victim.mail = Number(m.rows[0]?.id ?? 0);
      expect(victim.mail).toBeGreaterThan(0);
      const j = await sql<{ id: number }>`SELECT max(id) AS id FROM jobs`.execute(t.database.db);
      victim.job = Number(j.rows[0]?.id ?? 0);
      // A CDR of the victim's customer (the read side of issue #13 names CDRs by id).
      const c = await sql<{ id: number }>`
        INSERT INTO cdrs (call_id, leg, account_id, status, source_ip, calling_number, called_number,
          started_at, ended_at, duration_sec, billsec, disposition, sip_code, hangup_cause, cost)
        VALUES (${`${MARKER}-cdr`}, 'A', ${vc.id}, 'rated', '198.51.100.7', '4420794600', '4420794602',
          now(), now(), 10, 10, ${`${MARKER} answered`}, 200, 'NORMAL_CLEARING', 0.01)
        RETURNING id`.execute(t.database.db);
      victim.cdr = Number(c.rows[0].id);
      // A sweeper alarm on the victim's customer (only an operator admin may acknowledge it).
      const al = await sql<{ id: number }>`
        INSERT INTO call_auth_alarms (kind, call_id, account_id, called_number, started_at, expires_at,
          grant_sec, amount_held)
        VALUES ('MISSING_END', ${`${MARKER}-alarm`}, ${vc.id}, '4420794602', now(), now(), 300, 0.3)
        RETURNING id`.execute(t.database.db);
      victim.alarm = Number(al.rows[0].id);
    });
    afterAll(async () => t?.close());

    /** The victim row a path parameter names, from the segment before it. */
    function paramValue(path: string, name: string): string {
      const segments = path.split('/');
      const before = segments[segments.indexOf(`{${name}}`) - 1];
      if (name === 'entryId')
        return String(path.includes('/resellers/') ? victim.resellerEntry : victim.customerEntry);
      if (name === 'customerId') return String(victim.customer);
      if (name === 'trunkId') return String(victim.trunk);
      if (name === 'overrideId') return String(victim.rateOverride);
      if (name === 'groupId') return String(victim.rateGroup);
      if (name === 'key') return path.includes('speed-dials') ? '1' : 'intruder-pref';
      // Switch-only and operator-only routes: any value; the intruders must be refused by role.
      if (name === 'callId') return `${MARKER}-call`;
      if (name === 'username') return `${MARKER}dev`;
      if (name === 'reason') return 'NO_RATE';
      // A sample import file: not tenant data, but operator staff and resellers only.
      if (name === 'layout') return 'astpp';
      if (name === 'kind') return 'welcome_letter';
      const byResource: Record<string, number> = {
        customers: victim.customer,
        providers: victim.provider,
        resellers: victim.reseller,
        trunks: victim.trunk,
        hosts: victim.host,
        'sip-devices': victim.sipDevice,
        'caller-ids': victim.callerId,
        'force-caller-ids': victim.forceCallerId,
        'blocked-codes': victim.blockedCode,
        dids: victim.did,
        'rate-groups': victim.rateGroup,
        rates: victim.rate,
        localizations: victim.localization,
        'customer-templates': victim.template,
        'customer-imports': victim.import,
        'customer-mass-creates': victim.massCreate,
        'api-keys': victim.apiKey,
        users: victim.user,
        mails: victim.mail,
        jobs: victim.job,
        cdrs: victim.cdr,
        'route-plans': 1,
        alarms: victim.alarm,
      };
      if (before === 'customers' && path.startsWith('/api/v1/limits/')) return String(victim.customer);
      const id = byResource[before];
      if (id === undefined) throw new Error(`No victim row for {${name}} in ${path}: add one to the fixture`);
      return String(id);
    }

    /** A value the schema accepts, best effort; ids point at the victim's rows. */
    function sample(schema: Schema | undefined, key = ''): unknown {
      if (!schema) return undefined;
      if (schema.const !== undefined) return schema.const;
      if (schema.enum) return schema.enum[0];
      if (schema.default !== undefined && schema.type !== 'object') return schema.default;
      const union = schema.anyOf ?? schema.oneOf;
      if (union) return sample(union.find((s: Schema) => s.type !== 'null') ?? union[0], key);
      const type = Array.isArray(schema.type) ? schema.type.find((x: string) => x !== 'null') : schema.type;
      const idOf: Record<string, number> = {
        customerId: victim.customer,
        accountId: victim.customer,
        resellerId: victim.reseller,
        trunkId: victim.trunk,
        rateGroupId: victim.rateGroup,
        nonCliRateGroupId: victim.rateGroup,
        localizationId: victim.localization,
        templateId: victim.template,
        entryId: victim.customerEntry,
      };
      switch (type) {
        case 'object': {
          const out: Record<string, unknown> = {};
          for (const k of schema.required ?? []) out[k] = sample(schema.properties?.[k], k);
          for (const k of Object.keys(idOf)) if (schema.properties?.[k] && !(k in out)) out[k] = idOf[k];
          return out;
        }
        case 'array':
          if (key === 'ids') return [victim.customer, victim.provider, victim.reseller, victim.subReseller];
          return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items));
        case 'integer':
        case 'number':
          if (idOf[key] !== undefined) return idOf[key];
          return schema.minimum ?? 1;
        case 'boolean':
          return false;
        case 'string': {
          if (schema.format === 'email') return 'intruder@example.com';
          if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
          if (schema.format === 'date') return '2026-01-01';
          const digits = /^\^\[0-9\]\{(\d+)/.exec(schema.pattern ?? '');
          if (digits) return '1'.repeat(Number(digits[1]));
          if (schema.pattern && /\^\(?0/.test(schema.pattern)) return '1';
          return 'intruder'.padEnd(schema.minLength ?? 1, 'x').slice(0, schema.maxLength ?? 100);
        }
        default:
          return undefined;
      }
    }

    function operations(): Operation[] {
      const ops: Operation[] = [];
      for (const [path, methods] of Object.entries<Schema>(spec.paths))
        for (const [method, op] of Object.entries<Schema>(methods))
          if (['get', 'post', 'put', 'patch', 'delete'].includes(method))
            ops.push({ method: method.toUpperCase(), path, op });
      const last = (o: Operation) => (WALKED_LAST.has(`${o.method} ${o.path}`) ? 1 : 0);
      return ops.sort((a, b) => last(a) - last(b));
    }

    function requestOf(o: Operation) {
      const url = o.path.replace(/\{(\w+)\}/g, (_, name) => paramValue(o.path, name));
      const query = new URLSearchParams();
      for (const p of o.op.parameters ?? [])
        if (p.in === 'query' && p.required) query.set(p.name, String(sample(p.schema, p.name)));
      const content = o.op.requestBody?.content ?? {};
      const headers: Record<string, string> = { 'idempotency-key': crypto.randomUUID() };
      let body: unknown;
      if (content['application/json']) body = sample(content['application/json'].schema) ?? {};
      else if (content['text/csv']) {
        headers['content-type'] = 'text/csv';
        body = 'prefix,rate\n1,1\n';
      }
      const q = query.toString();
      return { url: q ? `${url}?${q}` : url, body, headers };
    }

    /** A fingerprint of every row the victim owns, table by table. */
    async function fingerprint(): Promise<Record<string, string>> {
      const ids = [victim.reseller, victim.customer, victim.provider, victim.subReseller];
      const cols = await sql<{ table_name: string; column_name: string }>`
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name IN ('account_id', 'owner_id')`.execute(t.database.db);
      const where = new Map<string, string[]>();
      for (const c of cols.rows) where.set(c.table_name, [...(where.get(c.table_name) ?? []), c.column_name]);
      where.set('accounts', ['id', 'parent_id']);
      const values: Record<string, number[]> = {};
      for (const [table, column, id] of [
        ['rates', 'rate_group_id', victim.rateGroup],
        ['customer_import_chunks', 'import_id', victim.import],
        ['customer_import_issues', 'import_id', victim.import],
        ['customer_import_rejects', 'import_id', victim.import],
        ['customer_mass_create_rows', 'mass_create_id', victim.massCreate],
        ['api_keys', 'id', victim.apiKey],
      ] as const) {
        where.set(table, [column]);
        values[table] = [id];
      }
      const out: Record<string, string> = {};
      for (const [table, columns] of where) {
        const inList = values[table] ?? ids;
        const predicate = sql.join(
          columns.map((c) => sql`${sql.ref(`x.${c}`)} = ANY(${inList}::bigint[])`),
          sql` OR `,
        );
        const r = await sql<{ h: string | null }>`
          SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS h
          FROM ${sql.table(table)} x WHERE ${predicate}`.execute(t.database.db);
        out[table] = r.rows[0]?.h ?? '';
      }
      return out;
    }

    function leaks(body: string): string | null {
      const lower = body.toLowerCase();
      return markers.find((m) => lower.includes(m.toLowerCase())) ?? null;
    }

    it('every operation of the spec is walked or listed in NOT_WALKED with a reason', () => {
      const all = operations().map((o) => `${o.method} ${o.path}`);
      expect(all.length).toBeGreaterThan(100);
      for (const [op, reason] of Object.entries(NOT_WALKED)) {
        expect(all, `NOT_WALKED names ${op}, which the spec no longer has`).toContain(op);
        expect(reason.length, `NOT_WALKED ${op} needs a reason`).toBeGreaterThan(10);
      }
      // Every path parameter of every walked operation resolves to a victim row.
      for (const o of operations()) if (!NOT_WALKED[`${o.method} ${o.path}`]) requestOf(o);
    });

    const intruders: [string, () => Promise<Client>][] = [
      [
        'another reseller',
        async () => {
          const name = `intruder-r-${Date.now()}`;
          await ok(
            admin.post(
              '/api/v1/resellers',
              customerBody({ portalUsername: name, password: 'intruder-pass-1' }),
            ),
          );
          return Client.login(t.app, name, 'intruder-pass-1');
        },
      ],
      [
        'a customer of another reseller',
        async () => {
          const rName = `intruder-r2-${Date.now()}`;
          await ok(
            admin.post(
              '/api/v1/resellers',
              customerBody({ portalUsername: rName, password: 'intruder-pass-1' }),
            ),
          );
          const r = await Client.login(t.app, rName, 'intruder-pass-1');
          const cName = `intruder-c-${Date.now()}`;
          await ok(
            r.post('/api/v1/customers', customerBody({ portalUsername: cName, password: 'intruder-pass-2' })),
          );
          return Client.login(t.app, cName, 'intruder-pass-2');
        },
      ],
      ['anonymous', async () => new Client(t.app)],
    ];

    for (const [who, login] of intruders) {
      it(`as ${who}: no answer carries the victim's data and no call changes it`, async () => {
        const client = await login();
        const signedIn = who !== 'anonymous';
        const before = await fingerprint();
        const failures: string[] = [];
        let walked = 0;
        let pastValidation = 0;
        for (const o of operations()) {
          const name = `${o.method} ${o.path}`;
          if (NOT_WALKED[name]) continue;
          if (signedIn && WALKED_LAST.has(name))
            expect((await client.get('/api/v1/auth/me')).statusCode, 'the intruder is still signed in').toBe(
              200,
            );
          const { url, body, headers } = requestOf(o);
          const res = await client.request(o.method as 'GET', url, body, headers);
          walked++;
          if (res.statusCode !== 400) pastValidation++;
          if (res.statusCode >= 500) failures.push(`${name} -> ${res.statusCode}: ${res.body.slice(0, 200)}`);
          const leaked = res.statusCode < 300 ? leaks(res.body) : null;
          if (leaked)
            failures.push(`${name} -> ${res.statusCode} carries "${leaked}": ${res.body.slice(0, 200)}`);
          if (o.method !== 'GET') {
            const after = await fingerprint();
            for (const table of Object.keys(before))
              if (before[table] !== after[table])
                failures.push(`${name} -> ${res.statusCode} changed the victim's ${table}`);
            Object.assign(before, after);
          }
        }
        expect(failures).toEqual([]);
        expect(walked).toBe(operations().length - Object.keys(NOT_WALKED).length);
        // Bodies generated from the schemas get most calls past validation, to the tenancy checks.
        expect(pastValidation / walked).toBeGreaterThan(0.6);
        // ~200 operations, each one request: seconds on a quiet machine, a minute or more under load.
      }, 240_000);
    }
  });
}
