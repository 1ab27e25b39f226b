import { api } from '../api/http.js';

/*
 * Call authorization as the admin UI reads it: live calls and alarms, route plans and their
 * assignment to a customer, and the SIP answer of each refusal reason.
 */

interface Labels {
  accountName: string | null;
  accountNumber: string | null;
  currency: string | null;
  trunkName: string | null;
  hostAddress: string | null;
}

export interface LiveCall extends Labels {
  callId: string;
  accountId: number;
  trunkId: number | null;
  hostId: number | null;
  sipDeviceId: number | null;
  calledNumber: string;
  callingNumber: string;
  startedAt: string;
  grantSec: number;
  expiresAt: string;
  amountHeld: string;
  state: 'live' | 'awaiting_cdr';
}

export interface CallAlarm extends Labels {
  id: number;
  kind: 'MISSING_END' | 'MISSING_CDR';
  callId: string;
  accountId: number;
  trunkId: number | null;
  hostId: number | null;
  calledNumber: string;
  startedAt: string;
  expiresAt: string;
  grantSec: number;
  amountHeld: string;
  createdAt: string;
  /** null = open. */
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

export interface RoutePlanEntry {
  prefix: string;
  priority: number;
  providerTrunkId: number;
}

export interface RoutePlan {
  id: number;
  name: string;
  entries: RoutePlanEntry[];
}

export interface ReasonSetting {
  reason: string;
  sipCode: number;
  sipReason: string;
  defaultSipCode: number;
  defaultSipReason: string;
}

export interface ProviderTrunk {
  id: number;
  name: string;
  customerId: number;
  customerName: string;
}

export const callAuthApi = {
  liveCalls: () => api<{ data: LiveCall[] }>('GET', '/calls/live', { query: { limit: 1000 } }),
  alarms: (acknowledged: boolean) =>
    api<{ data: CallAlarm[]; nextCursor: number | null }>('GET', '/call-auth/alarms', {
      query: { acknowledged: String(acknowledged), limit: 50 },
    }),
  acknowledgeAlarm: (id: number) => api<CallAlarm>('POST', `/call-auth/alarms/${id}/acknowledge`),
  routePlans: async () => (await api<{ data: RoutePlan[] }>('GET', '/route-plans')).data,
  createRoutePlan: (body: object) => api<RoutePlan>('POST', '/route-plans', { body }),
  updateRoutePlan: (id: number, body: object) => api<RoutePlan>('PUT', `/route-plans/${id}`, { body }),
  deleteRoutePlan: (id: number) => api('DELETE', `/route-plans/${id}`),
  routePlanOf: (customerId: number) =>
    api<{ customerId: number; routePlanId: number | null }>('GET', `/customers/${customerId}/route-plan`),
  assignRoutePlan: (customerId: number, routePlanId: number | null) =>
    api('PUT', `/customers/${customerId}/route-plan`, { body: { routePlanId } }),
  reasons: async () => (await api<{ data: ReasonSetting[] }>('GET', '/call-auth/reasons')).data,
  setReason: (reason: string, body: { sipCode: number; sipReason: string }) =>
    api<ReasonSetting>('PUT', `/call-auth/reasons/${reason}`, { body }),
  /** The trunks of every provider (route plans send calls to them); one request per provider. */
  providerTrunks: async (): Promise<ProviderTrunk[]> => {
    const providers = await api<{ data: { id: number }[] }>('GET', '/providers', { query: { limit: 500 } });
    const lists = await Promise.all(
      providers.data.map((p) =>
        api<{ data: ProviderTrunk[] }>('GET', '/trunks', { query: { customerId: p.id, limit: 500 } }),
      ),
    );
    return lists.flatMap((l) => l.data);
  },
};

/** "4m 30s" for a grant in seconds. */
export function durationText(sec: number): string {
  const m = Math.floor(sec / 60);
  const s = sec % 60;
  return m === 0 ? `${s}s` : s === 0 ? `${m}m` : `${m}m ${s}s`;
}
