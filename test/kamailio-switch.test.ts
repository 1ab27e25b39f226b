import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin, customerBody, createTestApp, type Client, type TestApp } from './app.js';

/*
 * A real switch in front of Tollgate (issue #12): sipp calls through Kamailio
 * (integrations/kamailio/kamailio.cfg), which asks POST /api/v1/calls/authorize for every INVITE,
 * enforces the answer and reports the end of each dialog. Every outcome is seen by sipp as the
 * SIP code its scenario expects (sipp exits 0 only when the scenario ran to its end).
 *
 * One IP (127.0.0.1) carries three customers, told apart by the host's tech prefix; 127.0.0.2 is
 * an address no host has. Under CI=true a missing kamailio or sipp fails the suite.
 */

const root = path.resolve(import.meta.dirname, '..');
const integration = path.join(root, 'integrations', 'kamailio');
const has = (bin: string, arg: string) => spawnSync(bin, [arg], { stdio: 'ignore' }).error === undefined;
const available = has('kamailio', '-v') && has('sipp', '-v');
if (!available && process.env.CI === 'true') {
  throw new Error(
    'CI=true but kamailio or sipp is missing: install kamailio, kamailio-extra-modules, sip-tester.',
  );
}

/** A UDP port free right now on 127.0.0.1 (the OS picks it). */
async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Resolves when something answers a SIP OPTIONS on host:port (Kamailio is up and routing). */
async function sipAnswers(port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const local = (s.address() as AddressInfo).port;
  try {
    while (Date.now() < until) {
      const got = new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 300);
        s.once('message', () => {
          clearTimeout(t);
          resolve(true);
        });
      });
      const msg =
        `OPTIONS sip:ping@127.0.0.1:${port} SIP/2.0\r\n` +
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-${Date.now()}\r\n` +
        `From: <sip:ping@127.0.0.1>;tag=1\r\nTo: <sip:ping@127.0.0.1>\r\n` +
        `Call-ID: ping-${Date.now()}@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\nContent-Length: 0\r\n\r\n`;
      s.send(msg, port, '127.0.0.1');
      if (await got) return;
    }
    throw new Error(`nothing answered SIP on 127.0.0.1:${port}`);
  } finally {
    s.close();
  }
}

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}
const procs: ChildProcess[] = [];
/** Each in its own process group: Kamailio forks workers, and they must go with it. */
function run(cmd: string, args: string[], cwd: string): Proc {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  procs.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(-1));
  });
  return { child, output: () => out, exited };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** SIGTERM to every group we started (Kamailio stops its workers), then SIGKILL what is left. */
async function stopAll(): Promise<void> {
  for (const c of procs) signalGroup(c, 'SIGTERM');
  const until = Date.now() + 3000;
  while (Date.now() < until && procs.some((c) => c.exitCode === null && c.signalCode === null))
    await new Promise((r) => setTimeout(r, 50));
  for (const c of procs) signalGroup(c, 'SIGKILL');
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  detail: () => string,
  ms = 8000,
): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}\n${detail()}`);
}

const REALM = 'tollgate.test';
const DEVICE = { user: 'alice-phone', password: 'alice-secret-2026' };

describe.skipIf(!available)('Kamailio + sipp against the decision API', () => {
  let t: TestApp;
  let admin: Client;
  let tmp: string;
  let kamPort: number;
  let kamailio: Proc;
  let uas: Proc;
  const accounts: Record<'funded' | 'broke' | 'limited' | 'short' | 'paced', number> = {
    funded: 0,
    broke: 0,
    limited: 0,
    short: 0,
    paced: 0,
  };

  /** One sipp UAC call through Kamailio; resolves with sipp's exit code (0: scenario passed). */
  function call(
    scenario: string,
    number: string,
    opts: {
      from?: string;
      talkMs?: number;
      calls?: number;
      ratePerSec?: number;
      /** Digest credentials for the scenario's [authentication]. */
      auth?: { user: string; password: string };
    } = {},
  ) {
    return run(
      'sipp',
      [
        `127.0.0.1:${kamPort}`,
        '-sf',
        path.join(integration, 'sipp', scenario),
        '-s',
        number,
        '-i',
        opts.from ?? '127.0.0.1',
        '-m',
        String(opts.calls ?? 1),
        ...(opts.ratePerSec ? ['-r', String(opts.ratePerSec)] : []),
        ...(opts.auth ? ['-au', opts.auth.user, '-ap', opts.auth.password] : []),
        '-d',
        String(opts.talkMs ?? 200),
        '-nostdin',
        '-recv_timeout',
        '8000',
        '-timeout',
        '20s',
        '-timeout_error',
        '-mp',
        '0',
      ],
      tmp,
    );
  }
  const kamLog = () =>
    `kamailio:\n${kamailio.output().slice(-4000)}\nsipp UAS:\n${uas.output().slice(-2000)}`;
  async function expectCall(p: Proc) {
    const code = await p.exited;
    expect(code, `sipp:\n${p.output()}\n${kamLog()}`).toBe(0);
  }
  const liveFor = async (accountId: number) =>
    ((await admin.get('/api/v1/calls/live')).json().data as { accountId: number; state: string }[]).filter(
      // An answered call that ended waits for its CDR ('awaiting_cdr'); its call slot is free.
      (c) => c.accountId === accountId && c.state === 'live',
    ).length;

  beforeAll(async () => {
    t = await createTestApp('pglite');
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const apiPort = (t.app.server.address() as AddressInfo).port;
    admin = await adminLogin(t.app);
    const ok = async (res: Promise<{ statusCode: number; body: string; json: () => any }>, status = 201) => {
      const r = await res;
      if (r.statusCode !== status) throw new Error(`${r.statusCode} ${r.body}`);
      return r.json();
    };
    const { key } = await ok(admin.post('/api/v1/api-keys', { name: 'kamailio', role: 'switch' }));
    const group = await ok(admin.post('/api/v1/rate-groups', { name: 'retail', currency: 'USD' }));
    await ok(
      admin.post(`/api/v1/rate-groups/${group.id}/rates`, {
        prefix: '44',
        ratePerMin: '0.06',
        initialIncrement: 1,
        billingIncrement: 1,
        effectiveFrom: new Date(Date.now() - 86_400_000).toISOString(),
      }),
    );
    const customer = async (
      balance: string,
      techPrefix: string,
      trunkCallLimit?: number,
      trunkCpsLimit?: string,
    ) => {
      const c = await ok(
        admin.post('/api/v1/customers', customerBody({ rateGroupId: group.id, initialBalance: balance })),
      );
      const tr = await ok(
        admin.post(`/api/v1/customers/${c.id}/trunks`, {
          name: 'Kamailio',
          ...(trunkCallLimit ? { callLimit: trunkCallLimit } : {}),
          ...(trunkCpsLimit ? { cpsLimit: trunkCpsLimit } : {}),
        }),
      );
      await ok(admin.post(`/api/v1/trunks/${tr.id}/hosts`, { cidr: '127.0.0.1', techPrefix }));
      return c.id as number;
    };
    accounts.funded = await customer('10.00', '1001');
    accounts.broke = await customer('0', '1002');
    accounts.limited = await customer('10.00', '1003', 1);
    // 0.003 at 0.06/min, 1 s increments: a 3 s grant.
    accounts.short = await customer('0.003', '1004');
    // One new call every 5 s: a burst at 10 calls/s is far above it.
    accounts.paced = await customer('10.00', '1005', undefined, '0.2');
    await ok(admin.post(`/api/v1/customers/${accounts.funded}/blocked-codes`, { prefix: '4499' }));
    // A SIP device of the funded customer: its calls come from an address no host has.
    await ok(
      admin.post(`/api/v1/customers/${accounts.funded}/sip-devices`, {
        username: DEVICE.user,
        secret: DEVICE.password,
      }),
    );
    await t.app.callAuth.engine.loader.sync();

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-kamailio-'));
    kamPort = await freeUdpPort();
    const uasPort = await freeUdpPort();
    const cfg = fs
      .readFileSync(path.join(integration, 'kamailio.cfg'), 'utf8')
      .replaceAll('__SIP_LISTEN__', `udp:127.0.0.1:${kamPort}`)
      .replaceAll('__TOLLGATE_URL__', `http://127.0.0.1:${apiPort}`)
      .replaceAll('__API_KEY__', key)
      .replaceAll('__DEST_URI__', `127.0.0.1:${uasPort}`)
      .replaceAll('__SIP_REALM__', REALM);
    fs.writeFileSync(path.join(tmp, 'kamailio.cfg'), cfg);
    fs.mkdirSync(path.join(tmp, 'run'));

    uas = run(
      'sipp',
      [
        '-sf',
        path.join(integration, 'sipp', 'uas.xml'),
        '-i',
        '127.0.0.1',
        '-p',
        String(uasPort),
        '-mp',
        '0',
        '-nostdin',
      ],
      tmp,
    );
    kamailio = run(
      'kamailio',
      [
        '-DD',
        '-E',
        '-f',
        path.join(tmp, 'kamailio.cfg'),
        '-Y',
        path.join(tmp, 'run'),
        '-w',
        tmp,
        '-m',
        '64',
        '-M',
        '8',
      ],
      tmp,
    );
    await sipAnswers(kamPort, 10_000).catch((e: Error) => {
      throw new Error(`${e.message}\nkamailio:\n${kamailio.output()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await stopAll();
    await t?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('an allowed call is answered (200, then BYE) with the tech prefix stripped, and its end is reported', async () => {
    await expectCall(call('uac-answered.xml', '1001441234567'));
    await waitFor(
      'the end of the call reported by Kamailio',
      async () => (await liveFor(accounts.funded)) === 0,
      kamLog,
    );
  }, 20_000);

  it('a blocked destination gets 403', async () => {
    await expectCall(call('uac-rejected-403.xml', '1001449912345'));
  }, 20_000);

  it('an unknown source IP is challenged (407); a device with the right digest is allowed and its end reported', async () => {
    await expectCall(call('uac-digest.xml', '441234567', { from: '127.0.0.2', auth: DEVICE, talkMs: 300 }));
    await waitFor(
      'the end of the device call reported by Kamailio',
      async () => (await liveFor(accounts.funded)) === 0,
      kamLog,
    );
    // Kamailio verified the digest and asked as the device (sipUsername + digestVerified): the
    // call, ended answered and awaiting its CDR, names the device.
    expect(kamailio.output()).toContain(`: ${DEVICE.user} verified`);
    const calls = (await admin.get('/api/v1/calls/live')).json().data as {
      accountId: number;
      sipDeviceId: number | null;
      hostId: number | null;
    }[];
    expect(calls.filter((c) => c.accountId === accounts.funded && c.sipDeviceId !== null)).toEqual([
      expect.objectContaining({ hostId: null }),
    ]);
  }, 20_000);

  it('an unknown source IP with a wrong password, or a username no device has, gets 403 after the challenge', async () => {
    await expectCall(
      call('uac-digest-refused.xml', '441234567', {
        from: '127.0.0.2',
        auth: { user: DEVICE.user, password: 'not-the-password' },
      }),
    );
    await expectCall(
      call('uac-digest-refused.xml', '441234567', {
        from: '127.0.0.2',
        auth: { user: 'nobody-here', password: DEVICE.password },
      }),
    );
    expect(await liveFor(accounts.funded)).toBe(0);
    expect(kamailio.output()).toMatch(new RegExp(`${DEVICE.user} failed \\(-2\\)`));
    expect(kamailio.output()).toContain('no active device nobody-here');
  }, 20_000);

  it('insufficient funds get 402', async () => {
    await expectCall(call('uac-rejected-402.xml', '1002441234567'));
  }, 20_000);

  it('with a trunk call limit of 1, the second concurrent call gets 503; the first ends normally', async () => {
    const first = call('uac-answered.xml', '1003441234567', { talkMs: 3000 });
    await waitFor('the first call to be live', async () => (await liveFor(accounts.limited)) === 1, kamLog);
    await expectCall(call('uac-rejected-503.xml', '1003441234568'));
    await expectCall(first);
    await waitFor('the call slot freed', async () => (await liveFor(accounts.limited)) === 0, kamLog);
  }, 30_000);

  it('above the trunk CPS limit, sipp at 10 calls/s sees "503 Trunk CPS limit" for every call', async () => {
    // The bucket holds one call: the first of the second is taken through the API (as the switch
    // would), so every call of the burst, 3 within 0.3 s, finds it empty (it refills in 5 s).
    const first = await admin.post('/api/v1/calls/authorize', {
      callId: `paced-first-${Date.now()}`,
      sourceIp: '127.0.0.1',
      calledNumber: '1005441234567',
      callingNumber: '15551230000',
    });
    expect(first.json(), first.body).toMatchObject({ decision: 'allow', accountId: accounts.paced });
    await expectCall(call('uac-rejected-cps.xml', '1005441234567', { calls: 3, ratePerSec: 10 }));
    await admin.post(`/api/v1/calls/${first.json().callId}/end`, { answered: false });
  }, 30_000);

  it("the call's grant is honoured: Kamailio hangs up when the granted seconds run out", async () => {
    const started = Date.now();
    await expectCall(call('uac-grant.xml', '1004441234567'));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(12_000);
    await waitFor('the end of the call reported', async () => (await liveFor(accounts.short)) === 0, kamLog);
  }, 30_000);
});
