import { describe, expect, it } from 'vitest';
import { creditPosition, escapeCsvText } from './ledger.mapper.js';
import { fingerprintOf, scopedKey } from './ledger.service.js';

describe('credit position (DOMAIN 2.1)', () => {
  const acc = (mode: 'prepaid' | 'postpaid', balance: string, creditLimit = '0', unlimited = false) => ({
    mode,
    balance,
    credit_limit: creditLimit,
    unlimited_credit: unlimited,
  });

  it('prepaid: no credit, available = balance', () => {
    expect(creditPosition(acc('prepaid', '12.500000', '0'))).toEqual({
      effectiveCreditLimit: '0.000000',
      availableCredit: '12.500000',
    });
    expect(creditPosition(acc('prepaid', '-2.500000')).availableCredit).toBe('-2.500000');
  });

  it('postpaid: available = balance + credit limit, below zero once past the limit', () => {
    expect(creditPosition(acc('postpaid', '-60.000000', '100.000000'))).toEqual({
      effectiveCreditLimit: '100.000000',
      availableCredit: '40.000000',
    });
    expect(creditPosition(acc('postpaid', '-110.000000', '100.000000')).availableCredit).toBe('-10.000000');
  });

  it('unlimited credit is explicit: null, never a large number', () => {
    expect(creditPosition(acc('postpaid', '-1000000.000000', '0', true))).toEqual({
      effectiveCreditLimit: null,
      availableCredit: null,
    });
  });
});

describe('CSV text escaping (DOMAIN 3.6)', () => {
  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+card', "'+card"],
    ['-x', "'-x"],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['plain', 'plain'],
    ['a=b', 'a=b'],
    [null, ''],
  ])('%j -> %j', (input, out) => {
    expect(escapeCsvText(input)).toBe(out);
  });
});

describe('idempotency keys and fingerprints', () => {
  it('scopes client keys by tenant: the operator, each reseller, each customer', () => {
    expect(scopedKey({ kind: 'admin', userId: 1, apiKeyId: null, label: 'a' }, 'k')).toBe('op:k');
    expect(scopedKey({ kind: 'system', label: 's' }, 'k')).toBe('op:k');
    expect(
      scopedKey({ kind: 'reseller', userId: 2, accountId: 7, label: 'r', impersonatorUserId: null }, 'k'),
    ).toBe('reseller:7:k');
  });

  it('fingerprints differ by any part and are stable', () => {
    const f = fingerprintOf(['refill', 1, '10.000000', 'r', null, null]);
    expect(f).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf(['refill', 1, '10.000000', 'r', null, null])).toBe(f);
    expect(fingerprintOf(['refill', 2, '10.000000', 'r', null, null])).not.toBe(f);
    expect(fingerprintOf(['charge', 1, '10.000000', 'r', null, null])).not.toBe(f);
    expect(fingerprintOf(['refill', 1, '10.000000', 'r', 'cash', null])).not.toBe(f);
  });
});
