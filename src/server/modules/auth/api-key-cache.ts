import type { Actor } from '../../platform/context.js';
import type { Unlisten } from '../../platform/db/database.js';

/*
 * API keys resolved from memory (issue 12: the switch's key is checked on every call decision,
 * so no SQL per request). Keyed by the key's SHA-256, like the table.
 *
 * Invalidation contract: revocation takes effect at once.
 *   - On this instance, the revoke use case clears the cache after its commit, before it answers.
 *   - On every instance, a trigger NOTIFYs `api_keys` on any insert, revoke, role or hash change
 *     or delete once committed (migration 2026_12_04_0300), and the cache is cleared.
 *   - While the LISTEN connection is down (notifications could be missed) the cache is bypassed
 *     and cleared: every request reads the database until the connection is back.
 *   - A lookup that started before a clear never stores its (possibly stale) answer after it: each
 *     clear bumps a generation that the lookup compares before storing.
 * Unknown keys are remembered too (so garbage keys do not each cost a query), in a bounded set:
 * a new key is an insert, which clears them.
 *
 * Verified keys are also remembered by the key as presented, for VERIFIED_TTL_MS (issue 12: the
 * SHA-256 of the switch's key was ~2 % of a decision's CPU). Same invalidation (every clear drops
 * them, and they are never served while not listening); the TTL only bounds how long a presented
 * secret stays in memory past its last use. Only keys that resolved to a live key are kept: a
 * garbage key always costs its hash, so it cannot grow this map.
 */

export interface CachedKey {
  id: number;
  actor: Actor;
  /** Epoch ms of the last `last_used_at` write (touched at most once a minute). */
  touchedAt: number;
}

const CHANNEL = 'api_keys';
const MAX_ENTRIES = 10_000;
/** How long a verified key is served without hashing it again (still cleared by any change). */
export const VERIFIED_TTL_MS = 10_000;
const MAX_VERIFIED = 1_000;

export class ApiKeyCache {
  private readonly known = new Map<string, CachedKey | null>();
  /** Presented key -> its cached entry and until when it is served without hashing. */
  private readonly verified = new Map<string, { key: CachedKey; until: number }>();
  private generation = 0;
  private listening: boolean;
  private unlisten: Unlisten | null = null;

  private constructor(listening: boolean) {
    this.listening = listening;
  }

  /**
   * Starts listening (`listen` as Database.listen); without it the cache is off (every lookup
   * reads the database), which is what a deployment without notifications needs.
   */
  static async start(
    listen?: (
      channel: string,
      onMessage: (p: string) => void,
      onReconnect?: () => void,
      onDown?: () => void,
    ) => Promise<Unlisten>,
  ): Promise<ApiKeyCache> {
    const cache = new ApiKeyCache(false);
    if (listen) {
      cache.unlisten = await listen(
        CHANNEL,
        () => cache.clear(),
        () => {
          cache.clear();
          cache.listening = true;
        },
        () => {
          cache.listening = false;
          cache.clear();
        },
      );
      cache.listening = true;
    }
    return cache;
  }

  /** The cached answer: a key, null (known not to be a live key), or undefined (ask the database). */
  get(keyHash: string): CachedKey | null | undefined {
    if (!this.listening) return undefined;
    return this.known.get(keyHash);
  }

  /** The live key a presented key was verified as within VERIFIED_TTL_MS (no hash needed). */
  getVerified(presented: string, now: number): CachedKey | undefined {
    if (!this.listening) return undefined;
    const v = this.verified.get(presented);
    if (!v) return undefined;
    if (v.until > now) return v.key;
    this.verified.delete(presented);
    return undefined;
  }

  /** Remembers that `presented` is the live key `key` (as read at generation `stamp`). */
  setVerified(presented: string, key: CachedKey, stamp: number, now: number): void {
    if (!this.listening || stamp !== this.generation) return;
    if (this.verified.size >= MAX_VERIFIED) this.verified.clear();
    this.verified.set(presented, { key, until: now + VERIFIED_TTL_MS });
  }

  /** A token to pass back to `set`: answers read before a clear are not stored after it. */
  stamp(): number {
    return this.generation;
  }

  set(keyHash: string, value: CachedKey | null, stamp: number): void {
    if (!this.listening || stamp !== this.generation) return;
    if (this.known.size >= MAX_ENTRIES) this.known.clear();
    this.known.set(keyHash, value);
  }

  clear(): void {
    this.generation++;
    this.known.clear();
    this.verified.clear();
  }

  async close(): Promise<void> {
    this.listening = false;
    this.clear();
    await this.unlisten?.();
  }
}
