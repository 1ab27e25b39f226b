import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from './databases.js';
import { killStartedServers, startServer } from './processes.js';

afterAll(() => killStartedServers());

describe('the server process', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-proc-'));

  it('creates the first admin with a generated password printed once, and serves /health, /metrics and the docs', async () => {
    const s = startServer({ DATA_DIR: dataDir, TOLLGATE_ADMIN_EMAIL: '', TOLLGATE_ADMIN_PASSWORD: '' });
    const port = await s.port;
    const m = s.output().match(/email:\s+(\S+)\s+password:\s+(\S+)/);
    expect(m).not.toBeNull();
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: m![1], password: m![2] }),
    });
    expect(login.status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({
      status: 'ok',
      database: 'pglite',
    });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(
      /http_requests_total\{method="POST",route="\/api\/v1\/auth\/login",status="200"\} 1/,
    );
    expect(metrics).toMatch(
      /http_request_duration_seconds_bucket\{method="GET",route="\/health",le="0.005"\}/,
    );
    expect(metrics).toMatch(/db_pool_connections\{state="total"\}/);
    const openapi = await (await fetch(`http://127.0.0.1:${port}/api/openapi.json`)).json();
    expect(Object.keys(openapi.paths)).toContain('/api/v1/customers');
    expect((await fetch(`http://127.0.0.1:${port}/api/docs/`)).status).toBe(200);
    const log = s
      .output()
      .split('\n')
      .find((l) => l.includes('"url":"/health"'));
    expect(JSON.parse(log!)).toHaveProperty('reqId');

    // A second process on the same folder exits with a clear message, and the first keeps working.
    const second = startServer({ DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by another Tollgate process/);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);

    // SIGTERM: drains and exits 0, releasing the folder.
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'tollgate.pid'))).toBe(false);
  });

  it('restarts on the same data without creating another admin, and honours TOLLGATE_ADMIN_* only when empty', async () => {
    const s = startServer({
      DATA_DIR: dataDir,
      TOLLGATE_ADMIN_EMAIL: 'other@example.com',
      TOLLGATE_ADMIN_PASSWORD: 'other-pass-123',
    });
    const port = await s.port;
    expect(s.output()).not.toMatch(/First admin created/);
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'other@example.com', password: 'other-pass-123' }),
    });
    expect(login.status).toBe(401);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-stale-'));
    fs.writeFileSync(path.join(dir, 'tollgate.pid'), '999999');
    const s = startServer({
      DATA_DIR: dir,
      TOLLGATE_ADMIN_EMAIL: 'boss@example.com',
      TOLLGATE_ADMIN_PASSWORD: 'boss-pass-123',
    });
    await s.port;
    expect(s.output()).toMatch(/First admin created: boss@example.com/);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it.runIf(testDatabaseKinds().includes('postgres'))('runs on PostgreSQL with DATABASE_URL', async () => {
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const name = `tollgate_proc_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = `/${name}`;
      const s = startServer({ DATABASE_URL: url.toString(), DATA_DIR: '/nonexistent' });
      const port = await s.port;
      expect(s.output()).toMatch(/First admin created/);
      expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({
        status: 'ok',
        database: 'postgres',
      });
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
