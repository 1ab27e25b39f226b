import { describe, expect, it } from 'vitest';
import { money } from '../../platform/money.js';
import {
  decide,
  decideExtension,
  fundedSeconds,
  type AuthorizeRequest,
  type Decision,
  type RateSnapshot,
} from './call-auth.decide.js';
import { account, buildState, host, rate, T0, trunk, type FixtureSpec } from './call-auth.fixtures.js';
import type { AccountSnap } from './call-auth.state.js';
import { MemoryCounterStore, toLiveCall } from './counters.js';

/*
 * DOMAIN 4, one test per step and per reason. The base world: customer 10 (prepaid, 10.00) with
 * trunk 20 and host 30 on 192.0.2.0/24; rate group 1 sells 44 at 0.06/min, 1/1.
 */

const NOW = T0;

function world(over: { accounts?: AccountSnap[] } & Partial<FixtureSpec> = {}) {
  return buildState({
    accounts: over.accounts ?? [account(10)],
    trunks: over.trunks ?? [trunk(20, 10)],
    hosts: over.hosts ?? [host(30, 20, 10, '192.0.2.0/24')],
    devices: over.devices ?? [],
    groups: over.groups ?? [{ id: 1, rates: [rate('44', '0.060000')] }],
  });
}

function call(over: Partial<AuthorizeRequest> = {}): AuthorizeRequest {
  return {
    callId: 'c1',
    sourceIp: '192.0.2.10',
    calledNumber: '441234567',
    callingNumber: '15551230000',
    ...over,
  };
}

function allowed(d: Decision) {
  if (d.decision !== 'allow') throw new Error(`expected allow, got ${d.reason}`);
  return d.plan;
}

function reason(d: Decision) {
  return d.decision === 'deny' ? d.reason : 'ALLOW';
}

describe('step 1: identify', () => {
  it('finds the host whose CIDR holds the source IP', () => {
    const p = allowed(decide(world(), call(), NOW));
    expect([p.accountId, p.trunkId, p.hostId, p.sipDeviceId]).toEqual([10, 20, 30, null]);
  });

  it('AUTH_UNKNOWN_SOURCE when no host holds the address (or the address is not an IP)', () => {
    expect(reason(decide(world(), call({ sourceIp: '198.51.100.1' }), NOW))).toBe('AUTH_UNKNOWN_SOURCE');
    expect(reason(decide(world(), call({ sourceIp: 'not-an-ip' }), NOW))).toBe('AUTH_UNKNOWN_SOURCE');
  });

  it('prefers the longest tech prefix, strips it, and ignores hosts whose prefix does not begin the number', () => {
    const s = world({
      accounts: [account(10), account(11)],
      trunks: [trunk(20, 10), trunk(21, 11)],
      hosts: [
        host(30, 20, 10, '192.0.2.0/24', { techPrefix: '9' }),
        host(31, 21, 11, '192.0.2.0/24', { techPrefix: '99' }),
      ],
    });
    const p = allowed(decide(s, call({ calledNumber: '99441234' }), NOW));
    expect(p.accountId).toBe(11);
    expect(p.calledNumber).toBe('441234');
    expect(allowed(decide(s, call({ calledNumber: '9441234' }), NOW)).accountId).toBe(10);
    expect(reason(decide(s, call({ calledNumber: '441234' }), NOW))).toBe('AUTH_UNKNOWN_SOURCE');
  });

  it('with equal tech prefixes, prefers the longest mask', () => {
    const s = world({
      accounts: [account(10), account(11)],
      trunks: [trunk(20, 10), trunk(21, 11)],
      hosts: [host(30, 20, 10, '192.0.0.0/16'), host(31, 21, 11, '192.0.2.10/32')],
    });
    expect(allowed(decide(s, call(), NOW)).accountId).toBe(11);
    expect(allowed(decide(s, call({ sourceIp: '192.0.3.1' }), NOW)).accountId).toBe(10);
  });

  it('checks the port when the host has one and the request gives one', () => {
    const s = world({ hosts: [host(30, 20, 10, '192.0.2.0/24', { port: 5060 })] });
    expect(reason(decide(s, call({ sourcePort: 5080 }), NOW))).toBe('AUTH_UNKNOWN_SOURCE');
    expect(reason(decide(s, call({ sourcePort: 5060 }), NOW))).toBe('ALLOW');
  });

  it('matches IPv6 ranges and IPv4-mapped addresses', () => {
    const s = world({ hosts: [host(30, 20, 10, '2001:db8::/32'), host(31, 20, 10, '203.0.113.7/32')] });
    expect(allowed(decide(s, call({ sourceIp: '2001:db8:1::5' }), NOW)).hostId).toBe(30);
    expect(allowed(decide(s, call({ sourceIp: '::ffff:203.0.113.7' }), NOW)).hostId).toBe(31);
  });

  it('SIP path: a verified active device identifies its customer; no host, trunk or host limits', () => {
    const s = world({ devices: [{ id: 50, accountId: 10, username: 'Alice100', isActive: true }] });
    const p = allowed(
      decide(s, call({ sourceIp: '198.51.100.1', sipUsername: 'alice100', digestVerified: true }), NOW),
    );
    expect([p.accountId, p.trunkId, p.hostId, p.sipDeviceId]).toEqual([10, null, null, 50]);
    expect(p.levels.map((l) => l.scope)).toEqual(['customer']);
    // Not verified: the IP path decides (and this address is unknown).
    expect(reason(decide(s, call({ sourceIp: '198.51.100.1', sipUsername: 'alice100' }), NOW))).toBe(
      'AUTH_UNKNOWN_SOURCE',
    );
  });

  it('SIP path: an inactive or unknown device is AUTH_UNKNOWN_SOURCE', () => {
    const s = world({ devices: [{ id: 50, accountId: 10, username: 'alice100', isActive: false }] });
    const req = call({ sipUsername: 'alice100', digestVerified: true });
    expect(reason(decide(s, req, NOW))).toBe('AUTH_UNKNOWN_SOURCE');
    expect(reason(decide(s, { ...req, sipUsername: 'bob' }, NOW))).toBe('AUTH_UNKNOWN_SOURCE');
  });
});

describe('step 2: account checks', () => {
  it('ACCOUNT_INACTIVE for an inactive customer, or one no longer in the snapshot (deleted)', () => {
    expect(reason(decide(world({ accounts: [account(10, { isActive: false })] }), call(), NOW))).toBe(
      'ACCOUNT_INACTIVE',
    );
    const s = world();
    s.accounts.delete(10);
    expect(reason(decide(s, call(), NOW))).toBe('ACCOUNT_INACTIVE');
  });

  it('ACCOUNT_EXPIRED when validUntil is past', () => {
    expect(reason(decide(world({ accounts: [account(10, { validUntil: NOW - 1 })] }), call(), NOW))).toBe(
      'ACCOUNT_EXPIRED',
    );
    expect(reason(decide(world({ accounts: [account(10, { validUntil: NOW + 1 })] }), call(), NOW))).toBe(
      'ALLOW',
    );
  });

  it('TRUNK_INACTIVE and HOST_INACTIVE', () => {
    expect(reason(decide(world({ trunks: [trunk(20, 10, { isActive: false })] }), call(), NOW))).toBe(
      'TRUNK_INACTIVE',
    );
    expect(
      reason(decide(world({ hosts: [host(30, 20, 10, '192.0.2.0/24', { isActive: false })] }), call(), NOW)),
    ).toBe('HOST_INACTIVE');
  });

  it('NO_RATE_GROUP without a rate group, or with an inactive one', () => {
    expect(reason(decide(world({ accounts: [account(10, { rateGroupId: null })] }), call(), NOW))).toBe(
      'NO_RATE_GROUP',
    );
    expect(
      reason(
        decide(world({ groups: [{ id: 1, isActive: false, rates: [rate('44', '0.06')] }] }), call(), NOW),
      ),
    ).toBe('NO_RATE_GROUP');
  });

  it('applies the same checks to every reseller above the customer', () => {
    const groups = [
      { id: 1, rates: [rate('44', '0.06')] },
      { id: 2, rates: [rate('44', '0.03')] },
    ];
    const chain = (r1: Partial<AccountSnap>, r2: Partial<AccountSnap> = {}) =>
      world({
        accounts: [
          account(10, { parentId: 100 }),
          account(100, { isReseller: true, parentId: 200, rateGroupId: 2, ...r1 }),
          account(200, { isReseller: true, rateGroupId: 2, ...r2 }),
        ],
        groups,
      });
    expect(reason(decide(chain({}), call(), NOW))).toBe('ALLOW');
    expect(reason(decide(chain({}, { isActive: false }), call(), NOW))).toBe('ACCOUNT_INACTIVE');
    expect(reason(decide(chain({ validUntil: NOW - 1 }), call(), NOW))).toBe('ACCOUNT_EXPIRED');
    expect(reason(decide(chain({}, { rateGroupId: null }), call(), NOW))).toBe('NO_RATE_GROUP');
    const gone = chain({});
    gone.accounts.delete(200);
    expect(reason(decide(gone, call(), NOW))).toBe('ACCOUNT_INACTIVE');
  });
});

describe('step 3: speed dial', () => {
  const dev = { devices: [{ id: 50, accountId: 10, username: 'alice100', isActive: true }] };
  const req = (n: string) => call({ calledNumber: n, sipUsername: 'alice100', digestVerified: true });

  it('replaces a single-digit destination of a device call with the stored number', () => {
    const s = world({
      ...dev,
      accounts: [account(10, { speedDials: [{ key: 7, number: '447700900123' }] })],
    });
    expect(allowed(decide(s, req('7'), NOW)).calledNumber).toBe('447700900123');
    expect(reason(decide(s, req('3'), NOW))).toBe('NO_RATE');
  });

  it('never applies to IP calls', () => {
    const s = world({ accounts: [account(10, { speedDials: [{ key: 7, number: '447700900123' }] })] });
    expect(reason(decide(s, call({ calledNumber: '7' }), NOW))).toBe('NO_RATE');
  });
});

describe('step 4: localization', () => {
  it('applies the first matching rule of each list to destination, caller number and name', () => {
    const s = world({ accounts: [account(10, { localizationId: 5 })] });
    s.applyLocalization(5, {
      id: 5,
      destinationRules: [
        { match: '00', action: 'strip', value: '' },
        { match: '0044', action: 'replace', value: '99' },
      ],
      callerNumberRules: [{ match: '*', action: 'prepend', value: '1' }],
      callerNameRules: [{ match: '*', action: 'replace', value: 'ACME' }],
    });
    const p = allowed(
      decide(s, call({ calledNumber: '00441234', callingNumber: '5551230000', callingName: 'x' }), NOW),
    );
    expect(p.calledNumber).toBe('441234');
    expect(p.callingNumber).toBe('15551230000');
    expect(p.callingName).toBe('ACME');
  });
});

describe('step 5: blocked codes', () => {
  it('DESTINATION_BLOCKED when a blocked prefix begins the translated destination', () => {
    const s = world({ accounts: [account(10, { localizationId: 5, blockedCodes: ['4490'] })] });
    s.applyLocalization(5, {
      id: 5,
      destinationRules: [{ match: '0', action: 'replace', value: '44' }],
      callerNumberRules: [],
      callerNameRules: [],
    });
    // 0901 only becomes 44901 after translation: the block still applies.
    expect(reason(decide(s, call({ calledNumber: '0901234' }), NOW))).toBe('DESTINATION_BLOCKED');
    expect(reason(decide(s, call({ calledNumber: '0801234' }), NOW))).toBe('ALLOW');
  });

  it("a reseller's blocked codes apply to its customers", () => {
    const s = world({
      accounts: [account(10, { parentId: 100 }), account(100, { isReseller: true, blockedCodes: ['447'] })],
    });
    expect(reason(decide(s, call({ calledNumber: '447700900123' }), NOW))).toBe('DESTINATION_BLOCKED');
    expect(reason(decide(s, call({ calledNumber: '441234' }), NOW))).toBe('ALLOW');
  });
});

describe('step 6: CLI pool', () => {
  const groups = [
    { id: 1, rates: [rate('44', '0.06')] },
    { id: 9, rates: [rate('44', '0.50')] },
  ];
  const withMode = (mode: number, over: Partial<AccountSnap> = {}) =>
    world({
      accounts: [
        account(10, {
          cliPoolMode: mode,
          nonCliRateGroupId: 9,
          dids: ['3311'],
          callerIds: ['3322'],
          ...over,
        }),
      ],
      groups,
    });
  const cli = (s: ReturnType<typeof withMode>, n: string) =>
    decide(s, call({ callingNumber: n }), NOW, { pick: () => 0 });

  it('mode 0: no check', () => {
    expect(allowed(cli(withMode(0), '999')).callingNumber).toBe('999');
  });

  it('modes 1 and 2: keep a match, else a random DID / caller ID; an empty list is CLI_POOL_EMPTY', () => {
    expect(allowed(cli(withMode(1), '3311')).callingNumber).toBe('3311');
    expect(allowed(cli(withMode(1), '999')).callingNumber).toBe('3311');
    expect(allowed(cli(withMode(2), '999')).callingNumber).toBe('3322');
    expect(reason(cli(withMode(1, { dids: [] }), '999'))).toBe('CLI_POOL_EMPTY');
    expect(reason(cli(withMode(2, { callerIds: [] }), '999'))).toBe('CLI_POOL_EMPTY');
    const picks: number[] = [];
    decide(withMode(1, { dids: ['1', '2', '3'] }), call({ callingNumber: '9' }), NOW, {
      pick: (n) => (picks.push(n), 2),
    });
    expect(picks).toEqual([3]);
  });

  it('modes 3, 4, 5: a match keeps the rate group, else the non-CLI rate group', () => {
    const group = (mode: number, n: string) => allowed(cli(withMode(mode), n)).rate.rateGroupId;
    expect([group(3, '3311'), group(3, '3322'), group(3, '999')]).toEqual([1, 9, 9]);
    expect([group(4, '3311'), group(4, '3322'), group(4, '999')]).toEqual([9, 1, 9]);
    expect([group(5, '3311'), group(5, '3322'), group(5, '999')]).toEqual([1, 1, 9]);
  });

  it('modes 6, 7, 8: a match is accepted, else CLI_REJECTED', () => {
    const r = (mode: number, n: string) => reason(cli(withMode(mode), n));
    expect([r(6, '3311'), r(6, '3322'), r(6, '999')]).toEqual(['ALLOW', 'CLI_REJECTED', 'CLI_REJECTED']);
    expect([r(7, '3311'), r(7, '3322'), r(7, '999')]).toEqual(['CLI_REJECTED', 'ALLOW', 'CLI_REJECTED']);
    expect([r(8, '3311'), r(8, '3322'), r(8, '999')]).toEqual(['ALLOW', 'ALLOW', 'CLI_REJECTED']);
  });

  it('the force caller ID replaces only what is sent, after the pool, and never picks the rate group', () => {
    const s = withMode(3, { forceCallerId: { number: '3311', name: 'ACME' } });
    const p = allowed(cli(s, '999'));
    expect([p.callingNumber, p.callingName, p.rate.rateGroupId]).toEqual(['3311', 'ACME', 9]);
  });

  it('NO_RATE_GROUP when a non-CLI call has no non-CLI rate group', () => {
    expect(reason(cli(withMode(3, { nonCliRateGroupId: null }), '999'))).toBe('NO_RATE_GROUP');
  });
});

describe('step 7: rate lookup', () => {
  it('the longest prefix valid now, snapshotted with the effective increments', () => {
    const s = world({
      groups: [
        {
          id: 1,
          initialIncrement: 30,
          billingIncrement: 6,
          rates: [
            rate('44', '0.06'),
            rate('447', '0.20', { initialIncrement: 60 }),
            rate('4479', '0.90', { effectiveFrom: NOW + 1000 }),
            rate('4478', '0.90', { effectiveTo: NOW }),
          ],
        },
      ],
    });
    const r = (n: string) => allowed(decide(s, call({ calledNumber: n }), NOW)).rate;
    expect(r('4412')).toMatchObject({
      prefix: '44',
      ratePerMin: '0.06',
      initialIncrement: 30,
      nextIncrement: 6,
    });
    expect(r('4470')).toMatchObject({ prefix: '447', initialIncrement: 60, nextIncrement: 6 });
    expect(r('4479').prefix).toBe('447');
    expect(r('4478').prefix).toBe('447');
  });

  it('NO_RATE when no code begins the destination', () => {
    expect(reason(decide(world(), call({ calledNumber: '331234' }), NOW))).toBe('NO_RATE');
  });

  it('NO_RATE when a reseller above has no buy rate for the destination', () => {
    const s = world({
      accounts: [account(10, { parentId: 100 }), account(100, { isReseller: true, rateGroupId: 2 })],
      groups: [
        { id: 1, rates: [rate('44', '0.06')] },
        { id: 2, rates: [rate('33', '0.03')] },
      ],
    });
    expect(reason(decide(s, call(), NOW))).toBe('NO_RATE');
  });
});

describe('step 9: funds and the grant (hand-computed)', () => {
  const R = (over: Partial<RateSnapshot> = {}): RateSnapshot => ({
    rateId: 1,
    rateGroupId: 1,
    prefix: '44',
    ratePerMin: '0.06',
    connectFee: '0',
    includedSeconds: 0,
    initialIncrement: 1,
    nextIncrement: 1,
    ...over,
  });
  const one = money('1.00');

  it('1/1 at 0.06/min on 1.00: 1000 s (cost exactly 1.00)', () => {
    expect(fundedSeconds(R(), one)).toBe(1000);
  });
  it('60/60: 960 s (16 blocks of 0.06; a 17th would cost 1.02)', () => {
    expect(fundedSeconds(R({ initialIncrement: 60, nextIncrement: 60 }), one)).toBe(960);
  });
  it('30/6: 996 s (30 + 161 blocks of 6; the next block would cost 1.002)', () => {
    expect(fundedSeconds(R({ initialIncrement: 30, nextIncrement: 6 }), one)).toBe(996);
  });
  it('connect fee 0.10: 0.90 left for 900 s; a fee above the balance funds nothing', () => {
    expect(fundedSeconds(R({ connectFee: '0.10' }), one)).toBe(900);
    expect(fundedSeconds(R({ connectFee: '1.50' }), one)).toBe(0);
  });
  it('30 included seconds come on top; a balance below the first block still gets them', () => {
    expect(fundedSeconds(R({ includedSeconds: 30 }), one)).toBe(1030);
    expect(fundedSeconds(R({ includedSeconds: 30, initialIncrement: 60 }), money('0.01'))).toBe(30);
    expect(fundedSeconds(R({ initialIncrement: 60 }), money('0.01'))).toBe(0);
  });
  it('a free rate passes whatever the balance; a fee-only rate needs only the fee', () => {
    expect(fundedSeconds(R({ ratePerMin: '0' }), money('-5'))).toBe(Infinity);
    expect(fundedSeconds(R({ ratePerMin: '0', connectFee: '0.05' }), money('0.10'))).toBe(Infinity);
    expect(fundedSeconds(R({ ratePerMin: '0', connectFee: '0.05' }), money('0.01'))).toBe(0);
  });
  it('stays exact where P/60 is not a finite decimal (0.01/min on 0.10: 600 s)', () => {
    expect(fundedSeconds(R({ ratePerMin: '0.01' }), money('0.10'))).toBe(600);
  });

  const funds = (a: Partial<AccountSnap>, held?: string, chunk = 7200) => {
    const s = world({ accounts: [account(10, a)] });
    s.settings.grantChunkSec = chunk;
    return decide(s, call(), NOW, { held: () => held });
  };

  it('grants min(t, chunk) and holds cost(grant)', () => {
    const p = allowed(funds({ balance: '1.00' }, undefined, 300));
    expect(p.grantSec).toBe(300);
    expect(p.holds).toEqual([
      expect.objectContaining({ accountId: 10, amount: '0.300000', ceiling: '1.000000' }),
    ]);
    expect(allowed(funds({ balance: '1.00' })).grantSec).toBe(1000);
  });

  it('INSUFFICIENT_FUNDS at zero; live reservations and credit count', () => {
    expect(reason(funds({ balance: '0' }))).toBe('INSUFFICIENT_FUNDS');
    expect(allowed(funds({ balance: '1.00' }, '0.50')).grantSec).toBe(500);
    expect(reason(funds({ balance: '1.00' }, '1.00'))).toBe('INSUFFICIENT_FUNDS');
    // Postpaid: balance -9 with a credit limit of 10 leaves 1.00; prepaid ignores the credit limit.
    expect(allowed(funds({ mode: 'postpaid', balance: '-9', creditLimit: '10' })).grantSec).toBe(1000);
    expect(reason(funds({ mode: 'prepaid', balance: '0', creditLimit: '10' }))).toBe('INSUFFICIENT_FUNDS');
    const unlimited = allowed(funds({ mode: 'postpaid', balance: '-1000', unlimitedCredit: true }));
    expect([unlimited.grantSec, unlimited.holds[0].ceiling]).toEqual([7200, null]);
  });

  it('caps the grant at the trunk max duration and the global maximum', () => {
    const s = world({ trunks: [trunk(20, 10, { maxDurationSec: 120 })] });
    expect(allowed(decide(s, call(), NOW)).grantSec).toBe(120);
    const big = world({ accounts: [account(10, { balance: '1000' })] });
    big.settings.grantChunkSec = 100_000;
    expect(allowed(decide(big, call(), NOW)).grantSec).toBe(7200);
  });

  it('each reseller is checked at its buy rate, and the smallest time wins', () => {
    const s = world({
      accounts: [
        account(10, { parentId: 100, balance: '100' }),
        account(100, { isReseller: true, rateGroupId: 2, balance: '0.30' }),
      ],
      groups: [
        { id: 1, rates: [rate('44', '0.06')] },
        { id: 2, rates: [rate('44', '0.03')] },
      ],
    });
    s.settings.grantChunkSec = 7200;
    const p = allowed(decide(s, call(), NOW));
    expect(p.grantSec).toBe(600); // 0.30 at 0.03/min
    expect(p.holds.map((h) => [h.accountId, h.amount])).toEqual([
      [10, '0.600000'],
      [100, '0.300000'],
    ]);
    expect(p.levels.map((l) => `${l.scope}:${l.id}`)).toEqual([
      'host:30',
      'trunk:20',
      'customer:10',
      'reseller:100',
    ]);
    const broke = world({
      accounts: [
        account(10, { parentId: 100 }),
        account(100, { isReseller: true, rateGroupId: 2, balance: '0' }),
      ],
      groups: [
        { id: 1, rates: [rate('44', '0.06')] },
        { id: 2, rates: [rate('44', '0.03')] },
      ],
    });
    expect(reason(decide(broke, call(), NOW))).toBe('INSUFFICIENT_FUNDS');
  });
});

describe('extensions', () => {
  it('adds one chunk while the money lasts, counting the call’s own hold as free again', () => {
    const s = world({ accounts: [account(10, { balance: '0.50' })] });
    const first = allowed(decide(s, call(), NOW, { held: () => '0' }));
    expect(first.grantSec).toBe(300);
    const ext = decideExtension(s, first, { held: () => first.holds[0].amount });
    expect(ext).toMatchObject({ ok: true, grantSec: 500 });
    if (!ext.ok) return;
    expect(ext.holds[0].amount).toBe('0.500000');
    expect(decideExtension(s, { ...first, grantSec: 500, holds: ext.holds }, { held: () => '0.50' })).toEqual(
      {
        ok: false,
        reason: 'INSUFFICIENT_FUNDS',
      },
    );
  });

  it('MAX_DURATION_REACHED at the cap', () => {
    const s = world({ trunks: [trunk(20, 10, { maxDurationSec: 300 })] });
    const first = allowed(decide(s, call(), NOW));
    expect(decideExtension(s, first)).toEqual({ ok: false, reason: 'MAX_DURATION_REACHED' });
  });
});

describe('steps 10 and 11: limits and the reservation (memory store)', () => {
  async function run(s: ReturnType<typeof world>, store: MemoryCounterStore, id: string, now = NOW) {
    const held = await store.held([10, 100]);
    const d = decide(s, call({ callId: id }), now, { held: (a) => held.get(a) });
    if (d.decision === 'deny') return d.reason;
    const o = await store.admit(toLiveCall(d.plan, now, 120), d.plan.levels, now);
    return o.decision === 'allow' ? 'ALLOW' : o.reason;
  }

  const cases: [string, Partial<FixtureSpec>, string][] = [
    ['HOST_CPS_LIMIT', { hosts: [host(30, 20, 10, '192.0.2.0/24', { cpsLimit: 1 })] }, 'HOST_CPS_LIMIT'],
    ['HOST_CALL_LIMIT', { hosts: [host(30, 20, 10, '192.0.2.0/24', { callLimit: 1 })] }, 'HOST_CALL_LIMIT'],
    ['TRUNK_CPS_LIMIT', { trunks: [trunk(20, 10, { cpsLimit: 1 })] }, 'TRUNK_CPS_LIMIT'],
    ['TRUNK_CALL_LIMIT', { trunks: [trunk(20, 10, { callLimit: 1 })] }, 'TRUNK_CALL_LIMIT'],
    ['CUSTOMER_CPS_LIMIT', { accounts: [account(10, { cpsLimit: 1 })] }, 'CUSTOMER_CPS_LIMIT'],
    ['CUSTOMER_CALL_LIMIT', { accounts: [account(10, { callLimit: 1 })] }, 'CUSTOMER_CALL_LIMIT'],
    [
      'RESELLER_CPS_LIMIT',
      { accounts: [account(10, { parentId: 100 }), account(100, { isReseller: true, cpsLimit: 1 })] },
      'RESELLER_CPS_LIMIT',
    ],
    [
      'RESELLER_CALL_LIMIT',
      { accounts: [account(10, { parentId: 100 }), account(100, { isReseller: true, callLimit: 1 })] },
      'RESELLER_CALL_LIMIT',
    ],
  ];
  for (const [name, spec, expected] of cases)
    it(`${name}: the second call in the same instant is refused`, async () => {
      const s = world(spec as never);
      const store = new MemoryCounterStore(() => NOW);
      expect(await run(s, store, 'a')).toBe('ALLOW');
      expect(await run(s, store, 'b')).toBe(expected);
    });

  it('a limit of 0 admits nothing; null admits everything', async () => {
    const store = new MemoryCounterStore(() => NOW);
    expect(await run(world({ accounts: [account(10, { callLimit: 0 })] }), store, 'a')).toBe(
      'CUSTOMER_CALL_LIMIT',
    );
    expect(await run(world({ accounts: [account(10, { cpsLimit: 0 })] }), store, 'b')).toBe(
      'CUSTOMER_CPS_LIMIT',
    );
    const free = new MemoryCounterStore(() => NOW);
    const rich = world({ accounts: [account(10, { balance: '100' })] });
    for (let i = 0; i < 50; i++) expect(await run(rich, free, `c${i}`)).toBe('ALLOW');
  });

  it('names the first failure in order and takes nothing when any level fails (all or nothing)', async () => {
    const s = world({
      hosts: [host(30, 20, 10, '192.0.2.0/24', { callLimit: 1 })],
      accounts: [account(10, { cpsLimit: 1 })],
    });
    const store = new MemoryCounterStore(() => NOW);
    expect(await run(s, store, 'a')).toBe('ALLOW');
    // Both the host call limit and the customer CPS are exhausted: the host comes first.
    expect(await run(s, store, 'b')).toBe('HOST_CALL_LIMIT');
    // The refused call took no customer token: after the host slot frees, one second later, a call passes.
    await store.end('a', { answered: false, holds: null, now: NOW });
    expect(await run(s, store, 'c', NOW + 1000)).toBe('ALLOW');
  });

  it('CPS tokens refill at the limit rate; call slots free at the end', async () => {
    const s = world({ accounts: [account(10, { cpsLimit: 2, callLimit: 3 })] });
    const store = new MemoryCounterStore(() => NOW);
    expect([await run(s, store, 'a'), await run(s, store, 'b'), await run(s, store, 'c')]).toEqual([
      'ALLOW',
      'ALLOW',
      'CUSTOMER_CPS_LIMIT',
    ]);
    expect(await run(s, store, 'd', NOW + 500)).toBe('ALLOW');
    expect(await run(s, store, 'e', NOW + 1000)).toBe('CUSTOMER_CALL_LIMIT');
    await store.end('a', { answered: true, holds: null, now: NOW + 1000 });
    expect(await run(s, store, 'f', NOW + 1000)).toBe('ALLOW');
  });

  it('INSUFFICIENT_FUNDS on the re-check when other calls took the money first; a replay reserves nothing', async () => {
    const s = world({ accounts: [account(10, { balance: '0.45' })] });
    const store = new MemoryCounterStore(() => NOW);
    const d1 = allowed(decide(s, call({ callId: 'a' }), NOW));
    const d2 = allowed(decide(s, call({ callId: 'b' }), NOW));
    // Both were sized against the same balance (0.30 each); only one fits in 0.45.
    expect((await store.admit(toLiveCall(d1, NOW, 120), d1.levels, NOW)).decision).toBe('allow');
    expect(await store.admit(toLiveCall(d2, NOW, 120), d2.levels, NOW)).toEqual({
      decision: 'deny',
      reason: 'INSUFFICIENT_FUNDS',
    });
    expect((await store.admit(toLiveCall(d1, NOW, 120), d1.levels, NOW)).decision).toBe('allow');
    expect(await store.held([10])).toEqual(new Map([[10, '0.300000']]));
    // The next decision sees the hold: 0.15 left buys 150 s.
    const held = await store.held([10]);
    expect(allowed(decide(s, call({ callId: 'c' }), NOW, { held: (a) => held.get(a) })).grantSec).toBe(150);
  });

  it('an unanswered end frees the hold; an answered one keeps it until release', async () => {
    const s = world();
    const store = new MemoryCounterStore(() => NOW);
    for (const id of ['a', 'b']) {
      const p = allowed(decide(s, call({ callId: id }), NOW));
      await store.admit(toLiveCall(p, NOW, 120), p.levels, NOW);
    }
    expect(await store.held([10])).toEqual(new Map([[10, '0.600000']]));
    await store.end('a', { answered: false, holds: null, now: NOW });
    expect(await store.end('a', { answered: false, holds: null, now: NOW })).toBeNull();
    await store.end('b', { answered: true, holds: null, now: NOW });
    expect(await store.held([10])).toEqual(new Map([[10, '0.300000']]));
    await store.release('b');
    expect(await store.held([10])).toEqual(new Map());
  });
});

describe('step 8: route plans and min profitability', () => {
  // Customer 10 sells 44 at 0.06/min; providers 60 and 61 (trunks 70, 71) buy at groups 6 and 7.
  const withPlan = (
    over: { buy6?: string; buy7?: string; rule?: AccountSnap['minProfit']; inactive71?: boolean } = {},
  ) => {
    const s = buildState({
      accounts: [
        account(10, { minProfit: over.rule ?? null }),
        account(60, { rateGroupId: 6 }),
        account(61, { rateGroupId: 7 }),
      ],
      trunks: [trunk(20, 10), trunk(70, 60), trunk(71, 61, { isActive: !over.inactive71 })],
      hosts: [host(30, 20, 10, '192.0.2.0/24')],
      groups: [
        { id: 1, rates: [rate('44', '0.06')] },
        { id: 6, rates: [rate('44', over.buy6 ?? '0.05')] },
        { id: 7, rates: [rate('44', over.buy7 ?? '0.04')] },
      ],
    });
    s.applyRoutePlans(
      [
        {
          id: 5,
          entries: [
            { prefix: '44', priority: 2, providerTrunkId: 70 },
            { prefix: '441', priority: 1, providerTrunkId: 71 },
            { prefix: '4', priority: 9, providerTrunkId: 71 },
          ],
        },
      ],
      [[10, 5]],
    );
    return s;
  };

  it('without a plan the decision carries no routes', () => {
    expect(allowed(decide(world(), call(), NOW)).routes).toBeNull();
  });

  it('lists the routes in priority order, each trunk at its longest matching prefix', () => {
    const p = allowed(decide(withPlan(), call(), NOW));
    expect(p.routes!.map((r) => [r.trunkId, r.prefix, r.priority, r.buyRate.ratePerMin])).toEqual([
      [71, '441', 1, '0.04'],
      [70, '44', 2, '0.05'],
    ]);
    expect(
      allowed(decide(withPlan(), call({ calledNumber: '4420' }), NOW)).routes!.map((r) => r.trunkId),
    ).toEqual([70, 71]);
  });

  it('NO_ROUTE when no entry matches or no provider can take it', () => {
    expect(reason(decide(withPlan(), call({ calledNumber: '331234' }), NOW))).toBe('NO_RATE');
    const s = withPlan({ inactive71: true });
    s.applyRoutePlans([{ id: 5, entries: [{ prefix: '441', priority: 1, providerTrunkId: 71 }] }], [[10, 5]]);
    expect(reason(decide(s, call(), NOW))).toBe('NO_ROUTE');
  });

  it('MIN_PROFITABILITY when the margin rule removed every route (percent of sell, absolute per call)', () => {
    // Sell 0.06, buys 0.05 and 0.04: margins 0.01 (16.7 %) and 0.02 (33 %).
    const pct = (v: string) => decide(withPlan({ rule: { type: 'percent', value: v } }), call(), NOW);
    expect(allowed(pct('20')).routes!.map((r) => r.trunkId)).toEqual([71]);
    expect(reason(pct('40'))).toBe('MIN_PROFITABILITY');
    const abs = (v: string) => decide(withPlan({ rule: { type: 'absolute', value: v } }), call(), NOW);
    expect(allowed(abs('0.01')).routes!.map((r) => r.trunkId)).toEqual([71, 70]);
    expect(reason(abs('0.03'))).toBe('MIN_PROFITABILITY');
    // A negative value allows a bounded loss: buy 0.07 against sell 0.06 passes at -0.02.
    expect(
      allowed(
        decide(
          withPlan({ buy6: '0.07', buy7: '0.07', rule: { type: 'absolute', value: '-0.02' } }),
          call(),
          NOW,
        ),
      ).routes,
    ).toHaveLength(2);
  });
});
