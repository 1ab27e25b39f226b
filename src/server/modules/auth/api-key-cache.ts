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
 */

export interface CachedKey {
  id: number;
  actor: Actor;
  /** Epoch ms of the last `last_used_at` write (touched at most once a minute). */
  touchedAt: number;
}

const CHANNEL = 'api_keys';
const MAX_ENTRIES = 10_000;

export class ApiKeyCache {
  private readonly known = new Map<string, CachedKey | null>();
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
  }

  async close(): Promise<void> {
    this.listening = false;
    this.clear();
    await this.unlisten?.();
  }
}
