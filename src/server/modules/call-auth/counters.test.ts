import { describe, expect, it } from 'vitest';
import { MemoryCounterStore, OUTCOME_TTL_MS, type LiveCall } from './counters.js';

const live = (callId: string, startedAt: number): LiveCall => ({
  callId,
  accountId: 1,
  trunkId: null,
  hostId: null,
  sipDeviceId: null,
  calledNumber: '4420',
  callingNumber: '1',
  callingName: null,
  startedAt,
  grantSec: 7200,
  maxSec: 7200,
  expiresAt: startedAt + 7_320_000,
  slots: [],
  holds: [],
  rate: {
    rateId: 1,
    rateGroupId: 1,
    prefix: '44',
    ratePerMin: '0',
    connectFee: '0',
    includedSeconds: 0,
    initialIncrement: 1,
    nextIncrement: 1,
  },
  endedAt: null,
  answered: null,
});

describe('memory counter store: replayed outcomes', () => {
  it('forgets outcomes past their hour, oldest first, but never those of calls still live', async () => {
    let now = 1_000_000;
    const store = new MemoryCounterStore(() => now);
    expect((await store.admit(live('long-call', now), [], now)).decision).toBe('allow');
    for (let i = 0; i < 1500; i++) await store.recordDeny(`old-${i}`, 'NO_RATE');
    now += OUTCOME_TTL_MS + 1;
    // New decisions trigger the clean-up (every 1024 remembered).
    for (let i = 0; i < 2100; i++) await store.recordDeny(`new-${i}`, 'NO_RATE');
    expect(await store.replay('old-0')).toBeNull();
    expect(await store.replay('old-1499')).toBeNull();
    expect(await store.replay('new-0')).toEqual({ decision: 'deny', reason: 'NO_RATE' });
    expect((await store.replay('long-call'))?.decision).toBe('allow');
  });
});
