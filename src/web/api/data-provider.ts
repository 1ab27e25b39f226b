import type { DataProvider, GetListResult, Identifier, RaRecord } from 'react-admin';
import { api, ApiError } from './http.js';
import { CursorPages, queryKeyOf } from './cursor-pages.js';
import { changedFields } from '../accounts/form-fields.js';
import { isAccountResource, type Account, type AccountResource } from '../accounts/types.js';
import { cleanAccountFilter } from '../accounts/list-filter.js';
import { ACCOUNT_COLUMNS } from '../accounts/columns.js';
import type * as Wire from '../../server/api-types.js';

const SORTABLE = new Set(ACCOUNT_COLUMNS.filter((c) => c.sortable).map((c) => c.source));
import { rememberCreatedSipDevice } from '../connectivity/once-secret.js';

/** The most pages walked to reach a page never seen (a bookmarked deep page). */
const MAX_WALK = 50;
export const PAGE_SIZES = [10, 25, 50, 100, 200, 500];

/**
 * A keyset page; a small list that belongs to one parent (a customer's trunks, SIP devices...)
 * comes whole, as `{ data }` alone: one page, nothing after it.
 */
interface Page<T> {
  data: T[];
  nextCursor?: string | null;
  total?: number;
  totalCapped?: boolean;
}

export type BulkResult = Wire.BulkResultDto;

/** The schema leaves the snapshots open (`unknown`); they are the entity's fields or null. */
export type AuditEntry = Omit<Wire.AuditEntryDto, 'before' | 'after'> & {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
};

/** GET /dashboard: counts, money per currency, today and the created-per-day chart. */
export type DashboardData = Wire.DashboardDto;

/** Revenue, cost and margin in one currency (exact decimal strings; never summed across currencies). */
export type CurrencyMargin = Wire.CurrencyMarginDto;

/** GET /dashboard/usage: traffic and money per local day of the viewer. */
export type UsageData = Wire.DashboardUsageDto;

/** GET /dashboard/top-destinations: the busiest destinations of rated calls. */
export type TopDestinationsData = Wire.TopDestinationsDto;

/** react-admin's filter values -> the API's query parameters (blank ones dropped). */
function listQuery(filter: Record<string, unknown>) {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(filter ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    q[k] = String(v);
  }
  return q;
}

const clampPerPage = (n: number) => Math.min(500, Math.max(10, n || 25));

export interface TollgateDataProvider extends DataProvider {
  activate(resource: AccountResource, id: Identifier): Promise<Account>;
  deactivate(resource: AccountResource, id: Identifier): Promise<Account>;
  changePassword(resource: AccountResource, id: Identifier, password: string): Promise<void>;
  deleteAccount(resource: AccountResource, id: Identifier, confirmBalance?: string): Promise<void>;
  bulk(
    resource: AccountResource,
    action: 'activate' | 'deactivate' | 'delete' | 'changePassword',
    ids: Identifier[],
    extra?: { password?: string; confirmBalances?: boolean },
  ): Promise<BulkResult>;
  audit(resource: AccountResource, id: Identifier, beforeId?: number): Promise<AuditEntry[]>;
  dashboard(timezone: string, days?: number): Promise<DashboardData>;
  dashboardUsage(timezone: string, days: number): Promise<UsageData>;
  topDestinations(timezone: string, days: number, limit: number): Promise<TopDestinationsData>;
}

/** A react-admin data provider over Tollgate's REST API (keyset pages, CSRF, field errors). */
export function createDataProvider(): TollgateDataProvider {
  const cursors = new CursorPages();

  async function fetchPage(
    resource: string,
    query: Record<string, string>,
    limit: number,
    cursor: string | null,
  ) {
    return api<Page<RaRecord>>('GET', `/${resource}`, {
      query: { ...query, limit, cursor: cursor ?? undefined },
    });
  }

  const changed = (resource: string) => cursors.forgetResource(resource);

  return {
    async getList(resource, params): Promise<GetListResult> {
      const perPage = clampPerPage(params.pagination?.perPage ?? 25);
      const page = Math.max(1, params.pagination?.page ?? 1);
      const accounts = isAccountResource(resource);
      const query = listQuery(accounts ? cleanAccountFilter(params.filter) : params.filter);
      if (
        params.sort?.field &&
        params.sort.field !== 'id' &&
        (!accounts || SORTABLE.has(params.sort.field))
      ) {
        query.sort = params.sort.field;
        query.order = params.sort.order === 'ASC' ? 'asc' : 'desc';
      }
      const key = queryKeyOf(resource, params.filter, params.sort, perPage);
      let cursor = cursors.cursorFor(key, page);
      if (cursor === undefined) {
        // Walk forward from the nearest page we know the start of.
        let at = cursors.nearestKnown(key, page);
        if (page - at > MAX_WALK)
          throw new ApiError(400, {
            error: { code: 'PAGE_TOO_FAR', message: `Page ${page} is too far ahead; go back to page 1.` },
          });
        while (at < page) {
          const r = await fetchPage(resource, query, perPage, cursors.cursorFor(key, at) ?? null);
          cursors.remember(key, at, r.nextCursor ?? null);
          if (!r.nextCursor) break;
          at++;
        }
        cursor = cursors.cursorFor(key, page);
        if (cursor === undefined) {
          return { data: [], total: 0, pageInfo: { hasNextPage: false, hasPreviousPage: page > 1 } };
        }
      }
      const r = await fetchPage(resource, query, perPage, cursor);
      const whole = r.nextCursor === undefined;
      const nextCursor = r.nextCursor ?? null;
      cursors.remember(key, page, nextCursor);
      const total = whole ? r.data.length : r.total;
      return {
        data: r.data,
        // A capped total is a floor: let the pager follow nextCursor instead of page arithmetic.
        total: r.totalCapped ? undefined : total,
        pageInfo: { hasNextPage: nextCursor !== null, hasPreviousPage: page > 1 },
        meta: { total, totalCapped: Boolean(r.totalCapped) },
      };
    },

    async getOne(resource, params) {
      return { data: await api<RaRecord>('GET', `/${resource}/${params.id}`) } as never;
    },

    async getMany(resource, params) {
      const data: RaRecord[] = [];
      for (const id of params.ids) {
        try {
          data.push(await api<RaRecord>('GET', `/${resource}/${id}`));
        } catch (e) {
          if (!(e instanceof ApiError && e.status === 404)) throw e;
        }
      }
      return { data } as never;
    },

    async getManyReference(resource, params) {
      return this.getList(resource, { ...params, filter: { ...params.filter, [params.target]: params.id } });
    },

    async create(resource, params) {
      // "Create New By Template": the template's endpoint fills what the form leaves out and
      // records the template (and its version) on the new customer.
      const templateId = (params.meta as { templateId?: number } | undefined)?.templateId;
      const path = templateId ? `/customer-templates/${templateId}/customers` : `/${resource}`;
      const created = await api<RaRecord & { sipDevice?: { username: string; secret: string } }>(
        'POST',
        path,
        { body: params.data },
      );
      // The device's secret is shown once by the edit page; it never enters react-admin's cache.
      const { sipDevice, ...data } = created;
      if (sipDevice) rememberCreatedSipDevice(Number(data.id), sipDevice);
      changed(resource);
      return { data } as never;
    },

    async update(resource, params) {
      const patch = changedFields(params.data, params.previousData ?? {});
      if (Object.keys(patch).length === 0) return { data: params.previousData } as never;
      const data = await api<RaRecord>('PATCH', `/${resource}/${params.id}`, { body: patch });
      changed(resource);
      return { data } as never;
    },

    async updateMany() {
      throw new Error('Use the bulk actions (activate, deactivate, change password)');
    },

    async delete(resource, params) {
      await api('DELETE', `/${resource}/${params.id}`);
      changed(resource);
      return { data: params.previousData } as never;
    },

    async deleteMany(resource, params) {
      const r = await api<BulkResult>('POST', `/${resource}/bulk`, {
        body: { action: 'delete', ids: params.ids },
      });
      changed(resource);
      return { data: r.results.filter((x) => x.ok).map((x) => x.id) };
    },

    async activate(resource, id) {
      const r = await api<Account>('POST', `/${resource}/${id}/activate`);
      changed(resource);
      return r;
    },
    async deactivate(resource, id) {
      const r = await api<Account>('POST', `/${resource}/${id}/deactivate`);
      changed(resource);
      return r;
    },
    async changePassword(resource, id, password) {
      await api('POST', `/${resource}/${id}/password`, { body: { password } });
    },
    async deleteAccount(resource, id, confirmBalance) {
      await api('DELETE', `/${resource}/${id}`, { query: { confirmBalance } });
      changed(resource);
    },
    async bulk(resource, action, ids, extra = {}) {
      const r = await api<BulkResult>('POST', `/${resource}/bulk`, { body: { action, ids, ...extra } });
      changed(resource);
      return r;
    },
    async audit(resource, id, beforeId) {
      const r = await api<{ data: AuditEntry[] }>('GET', `/${resource}/${id}/audit`, {
        query: { limit: 50, beforeId },
      });
      return r.data;
    },
    async dashboard(timezone, days = 30) {
      return api<DashboardData>('GET', '/dashboard', { query: { timezone, days } });
    },
    async dashboardUsage(timezone, days) {
      return api<UsageData>('GET', '/dashboard/usage', { query: { timezone, days } });
    },
    async topDestinations(timezone, days, limit) {
      return api<TopDestinationsData>('GET', '/dashboard/top-destinations', {
        query: { timezone, days, limit },
      });
    },
  };
}
