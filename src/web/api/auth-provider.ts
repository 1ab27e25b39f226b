import type { AuthProvider } from 'react-admin';
import { api, ApiError, setCsrfToken } from './http.js';
import type { PreferenceStore } from './preference-store.js';

export interface Me {
  id: number;
  login: string;
  email: string | null;
  displayName: string;
  role: 'admin' | 'reseller' | 'customer';
  accountId: number | null;
  accountName: string | null;
  csrfToken: string;
  expiresAt: string;
}

/**
 * Cookie sessions: sign-in sets an HttpOnly cookie and gives a CSRF token, which every change sends
 * back. A 401 from any call ends the session in the UI and returns to the sign-in page.
 */
export function createAuthProvider(store: PreferenceStore): AuthProvider & { me(): Me | null } {
  let me: Me | null = null;
  // Identity, permissions and the auth check all ask at once on a page load: one request serves them.
  let pendingMe: Promise<Me> | null = null;
  // Known to have no session (a 401, a sign-out): react-admin asks again after redirecting to the
  // sign-in page (checkAuth, then getPermissions for the routes, then the login route's own check),
  // one after another, so sharing the pending request is not enough; the answer is kept instead,
  // until a sign-in. One /auth/me per page load (e2e/operator-day-home.e2e.test.ts counts them).
  let signedOut = false;
  const noSession = () =>
    new ApiError(401, { error: { code: 'UNAUTHENTICATED', message: 'Not signed in.', details: {} } });
  const fetchMe = () => {
    if (signedOut) return Promise.reject(noSession());
    pendingMe ??= api<Me>('GET', '/auth/me')
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401) signedOut = true;
        throw e;
      })
      .finally(() => {
        pendingMe = null;
      });
    return pendingMe;
  };

  async function adopt(next: Me) {
    if (next.role === 'customer') {
      await api('POST', '/auth/logout').catch(() => undefined);
      throw new Error(
        'This console is for operator staff and resellers. Customers use the self-service portal.',
      );
    }
    me = next;
    signedOut = false;
    setCsrfToken(next.csrfToken);
    await store.load(next.id);
  }

  function forget() {
    me = null;
    setCsrfToken(null);
    store.forgetUser();
  }

  return {
    me: () => me,
    async login({ username, password }: { username: string; password: string }) {
      try {
        await adopt(await api<Me>('POST', '/auth/login', { body: { email: username, password } }));
      } catch (e) {
        forget();
        throw e;
      }
    },
    async logout() {
      if (me) await api('POST', '/auth/logout').catch(() => undefined);
      forget();
      signedOut = true;
    },
    async checkAuth() {
      if (me && new Date(me.expiresAt) > new Date()) return;
      try {
        await adopt(await fetchMe());
      } catch (e) {
        forget();
        throw e instanceof ApiError && e.status === 401
          ? { message: false } // straight to sign-in, no "session expired" noise on first visit
          : e;
      }
    },
    async checkError(error: { status?: number }) {
      if (error?.status === 401) {
        forget();
        signedOut = true;
        throw { message: 'Your session has ended. Please sign in again.' };
      }
    },
    async getIdentity() {
      if (!me) await this.checkAuth!({});
      return {
        id: me!.id,
        fullName: me!.displayName,
        role: me!.role,
        accountId: me!.accountId,
        accountName: me!.accountName,
      };
    },
    async getPermissions() {
      if (!me && !signedOut) await this.checkAuth!({}).catch(() => undefined);
      return me?.role ?? null;
    },
  };
}
