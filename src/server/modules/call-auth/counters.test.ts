import { describe, expect, it } from 'vitest';
import { MemoryCounterStore, OUTCOME_GRACE_MS, type LiveCall } from './counters.js';

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
  it('replays a refusal for the grace period, an allowed call while it holds anything and the grace after', async () => {
    let now = 1_000_000;
    const store = new MemoryCounterStore(() => now);
    expect((await store.admit(live('long-call', now), [], now)).decision).toBe('allow');
    expect((await store.admit(live('short-call', now), [], now)).decision).toBe('allow');
    await store.recordDeny('refused', 'NO_RATE');
    // A retransmission: the first outcome, nothing reserved again.
    const again = await store.admit(live('short-call', now + 5), [], now + 5);
    expect(again).toMatchObject({ decision: 'allow', replayed: true, call: { startedAt: 1_000_000 } });
    expect(await store.recordDeny('refused', 'NO_ROUTE')).toEqual({ decision: 'deny', reason: 'NO_RATE' });

    now += 10_000;
    await store.end('short-call', { answered: false, holds: null, now });
    // Ended: replayed (as it was allowed) for the grace period from its end.
    now += OUTCOME_GRACE_MS - 1;
    expect((await store.replay('short-call'))?.decision).toBe('allow');
    expect(await store.replay('refused')).toBeNull();
    now += 2;
    expect(await store.replay('short-call')).toBeNull();
    // A live call is never forgotten, however long it lasts; released, it is after the grace.
    now += 3 * 3_600_000;
    expect((await store.replay('long-call'))?.decision).toBe('allow');
    expect(await store.release('long-call')).not.toBeNull();
    expect((await store.replay('long-call'))?.decision).toBe('allow');
    now += OUTCOME_GRACE_MS + 1;
    expect(await store.replay('long-call')).toBeNull();
    // Past its grace a refused id is decided again (and may be allowed now).
    expect((await store.admit(live('refused', now), [], now)).decision).toBe('allow');
  });

  it('keeps only the last grace period of decisions: memory bounded under a steady stream', async () => {
    let now = 1_000_000;
    const store = new MemoryCounterStore(() => now);
    const perSecond = 50;
    let peak = 0;
    // Ten grace periods of traffic: refusals, and calls that end unanswered a second later.
    for (let sec = 0; sec < (10 * OUTCOME_GRACE_MS) / 1000; sec++) {
      for (let i = 0; i < perSecond; i++) {
        const id = `${sec}-${i}`;
        if (i % 2) await store.recordDeny(id, 'NO_RATE');
        else await store.admit(live(id, now), [], now);
        if (sec > 0 && i % 2 === 0) await store.end(`${sec - 1}-${i}`, { answered: false, holds: null, now });
      }
      now += 1000;
      peak = Math.max(peak, store.rememberedOutcomes);
    }
    // At most one grace period (plus the second in progress) of outcomes is held.
    expect(peak).toBeLessThanOrEqual(((OUTCOME_GRACE_MS + 2000) / 1000) * perSecond);
    expect(peak).toBeGreaterThan((OUTCOME_GRACE_MS / 1000 - 2) * perSecond);
    expect(await store.replay('0-1')).toBeNull();
    expect((await store.live()).length).toBe(perSecond / 2);
  });
});
