import { api } from '../api/http.js';
import type * as Wire from '../../server/api-types.js';

/*
 * Call authorization as the admin UI reads it: live calls and alarms, route plans and their
 * assignment to a customer, and the SIP answer of each refusal reason.
 */

/** A call holding a slot or money now (GET /calls/live). */
export type LiveCall = Wire.LiveCallDto;

/** A sweeper alarm (GET /call-auth/alarms); `acknowledgedAt` null = open. */
export type CallAlarm = Wire.CallAlarmDto;

export type RoutePlanEntry = Wire.RoutePlanEntryDto;

export type RoutePlan = Wire.RoutePlanDto;

export type ReasonSetting = Wire.ReasonSettingDto;

/** A provider's trunk as a route plan entry names it. */
export type ProviderTrunk = Pick<Wire.TrunkDto, 'id' | 'name' | 'customerId' | 'customerName'>;

export const callAuthApi = {
  liveCalls: () => api<Wire.LiveCallListDto>('GET', '/calls/live', { query: { limit: 1000 } }),
  alarms: (acknowledged: boolean) =>
    api<Wire.AlarmListDto>('GET', '/call-auth/alarms', {
      query: { acknowledged: String(acknowledged), limit: 50 },
    }),
  acknowledgeAlarm: (id: number) => api<CallAlarm>('POST', `/call-auth/alarms/${id}/acknowledge`),
  routePlans: async () => (await api<{ data: RoutePlan[] }>('GET', '/route-plans')).data,
  createRoutePlan: (body: object) => api<RoutePlan>('POST', '/route-plans', { body }),
  updateRoutePlan: (id: number, body: object) => api<RoutePlan>('PUT', `/route-plans/${id}`, { body }),
  deleteRoutePlan: (id: number) => api('DELETE', `/route-plans/${id}`),
  routePlanOf: (customerId: number) =>
    api<Wire.RoutePlanAssignmentDto>('GET', `/customers/${customerId}/route-plan`),
  assignRoutePlan: (customerId: number, routePlanId: number | null) =>
    api('PUT', `/customers/${customerId}/route-plan`, { body: { routePlanId } }),
  reasons: async () => (await api<{ data: ReasonSetting[] }>('GET', '/call-auth/reasons')).data,
  setReason: (reason: string, body: { sipCode: number; sipReason: string }) =>
    api<ReasonSetting>('PUT', `/call-auth/reasons/${reason}`, { body }),
  /** The trunks of every provider (route plans send calls to them); one request per provider. */
  providerTrunks: async (): Promise<ProviderTrunk[]> => {
    const providers = await api<Wire.AccountPageDto>('GET', '/providers', { query: { limit: 500 } });
    const lists = await Promise.all(
      providers.data.map((p) =>
        api<Wire.TrunkPageDto>('GET', '/trunks', { query: { customerId: p.id, limit: 500 } }),
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
