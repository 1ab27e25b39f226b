import type { Store } from 'react-admin';
import { api } from './http.js';

/**
 * react-admin's store, kept in memory, with the keys that are the user's preferences (hidden and
 * ordered columns of each list, page size, the time zone times are shown in) also saved on the server per user, so they follow the
 * user to any browser. Everything else (current list params, selections) stays in memory.
 */
export const PERSISTED_KEY = /^[A-Za-z0-9._-]+\.(datatable|datatable_columnRanks|perPage|timezone)$/;

export interface PreferenceStore extends Store {
  load(userId: number): Promise<void>;
  forgetUser(): void;
}

export function createPreferenceStore(): PreferenceStore {
  const items = new Map<string, unknown>();
  const listeners = new Map<string, Set<(v: unknown) => void>>();
  let loadedFor: number | null = null;

  const emit = (key: string, value: unknown) => listeners.get(key)?.forEach((cb) => cb(value));

  const store: PreferenceStore = {
    setup() {},
    teardown() {},
    getItem<T>(key: string, defaultValue?: T): T | undefined {
      return items.has(key) ? (items.get(key) as T) : defaultValue;
    },
    setItem<T>(key: string, value: T) {
      if (value === undefined) return store.removeItem(key);
      items.set(key, value);
      emit(key, value);
      if (loadedFor !== null && PERSISTED_KEY.test(key)) {
        void api('PUT', `/preferences/${encodeURIComponent(key)}`, { body: { value } }).catch(
          () => undefined,
        );
      }
    },
    removeItem(key: string) {
      items.delete(key);
      emit(key, undefined);
      if (loadedFor !== null && PERSISTED_KEY.test(key)) {
        void api('DELETE', `/preferences/${encodeURIComponent(key)}`).catch(() => undefined);
      }
    },
    removeItems(prefix: string) {
      for (const key of [...items.keys()]) if (key.startsWith(prefix)) store.removeItem(key);
    },
    // Called by react-admin on sign-out: clear this browser's copy only, never the server's.
    reset() {
      for (const key of [...items.keys()]) {
        items.delete(key);
        emit(key, undefined);
      }
    },
    subscribe(key: string, cb: (v: unknown) => void) {
      let set = listeners.get(key);
      if (!set) listeners.set(key, (set = new Set()));
      set.add(cb);
      return () => set.delete(cb);
    },
    listItems(prefix?: string) {
      return Object.fromEntries([...items].filter(([k]) => !prefix || k.startsWith(prefix)));
    },
    async load(userId: number) {
      if (loadedFor === userId) return;
      const r = await api<{ data: Record<string, unknown> }>('GET', '/preferences');
      loadedFor = userId;
      for (const [key, value] of Object.entries(r.data)) {
        if (!PERSISTED_KEY.test(key)) continue;
        items.set(key, value);
        emit(key, value);
      }
    },
    forgetUser() {
      loadedFor = null;
      store.reset();
    },
  };
  return store;
}
