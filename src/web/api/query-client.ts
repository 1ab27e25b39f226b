import { QueryClient } from '@tanstack/react-query';

/**
 * A query is retried (three times, backing off) only when the server or the network failed. A
 * refusal (any 4xx) or "not signed in" is the answer: retrying it only delays it, and with
 * react-query's default every query retried a 401 for seven seconds, so the sign-in page of a
 * first visit appeared after 12-14 s.
 */
export function shouldRetry(failures: number, error: unknown): boolean {
  if (failures >= 3) return false;
  if (typeof error !== 'object' || error === null) return true;
  const e = error as { status?: unknown; message?: unknown };
  if (e.message === false) return false;
  return !(typeof e.status === 'number' && e.status >= 400 && e.status < 500);
}

/** The admin UI's one query client (react-admin's and the screens' queries). */
export function createQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: shouldRetry } } });
}
