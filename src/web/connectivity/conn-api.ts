import { api, type Query } from '../api/http.js';
import type * as Wire from '../../server/api-types.js';

/*
 * The connectivity objects as the API returns them (trunks, hosts, SIP devices, caller IDs,
 * blocked codes, speed dials, DIDs, rate groups, localizations) and the calls the tabs make.
 * The types are the server's response schemas (server/api-types.ts): a renamed field fails tsc.
 */

export type Warning = Wire.WarningDto;
export type Trunk = Wire.TrunkDto;
export type Host = Wire.HostDto;
export type HostViewRow = Wire.HostViewRowDto;
export type CustomerLimitRow = Wire.CustomerLimitRowDto;
/** A level's limits beside its live use (customer, trunk or host of a limits row). */
export type LimitPair = Pick<CustomerLimitRow, 'callLimit' | 'cpsLimit' | 'currentCalls' | 'currentCps'>;
/** `secret` only in the answer of a create or a secret reset (shown once). */
export type SipDevice = Wire.SipDeviceDto & Partial<Pick<Wire.SipDeviceWithSecretDto, 'secret'>>;
export type CallerId = Wire.CallerIdDto;
export type ForceCallerId = Wire.ForceCallerIdDto;
export type BlockedCode = Wire.BlockedCodeDto;
export type SpeedDial = Wire.SpeedDialDto;
export type Did = Wire.DidDto;
export type RateGroup = Wire.RateGroupDto;
export type Rate = Wire.RateDto;
/** A customer's own rate (DOMAIN 4 step 7): ranked with its rate group's rows, override first on the same code. */
export type RateOverride = Wire.RateOverrideDto;
export type UploadResult = Wire.UploadResultDto;
export type Rule = Wire.RuleDto;
export type Localization = Wire.LocalizationDto;
export type PreviewResult = Wire.PreviewResultDto;
export type Translation = NonNullable<PreviewResult['destination']>;

/** A keyset page as every list endpoint answers it. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const list = async <T>(path: string, query?: Query) =>
  (await api<{ data: T[] }>('GET', path, { query })).data;

export const connApi = {
  trunks: (customerId: number) => list<Trunk>(`/customers/${customerId}/trunks`),
  createTrunk: (customerId: number, body: object) =>
    api<Trunk>('POST', `/customers/${customerId}/trunks`, { body }),
  patchTrunk: (id: number, body: object) => api<Trunk>('PATCH', `/trunks/${id}`, { body }),
  deleteTrunk: (id: number) => api('DELETE', `/trunks/${id}`),

  hostsOfTrunk: (trunkId: number) => list<Host>(`/trunks/${trunkId}/hosts`),
  hostsOfCustomer: (customerId: number) => list<Host>(`/customers/${customerId}/hosts`),
  createHost: (trunkId: number, body: object) => api<Host>('POST', `/trunks/${trunkId}/hosts`, { body }),
  patchHost: (id: number, body: object) => api<Host>('PATCH', `/hosts/${id}`, { body }),
  deleteHost: (id: number) => api('DELETE', `/hosts/${id}`),

  patchCustomerLimit: (id: number, body: object) =>
    api<CustomerLimitRow>('PATCH', `/limits/customers/${id}`, { body }),

  sipDevices: (customerId: number) => list<SipDevice>(`/customers/${customerId}/sip-devices`),
  createSipDevice: (customerId: number, body: object) =>
    api<Wire.SipDeviceWithSecretDto>('POST', `/customers/${customerId}/sip-devices`, { body }),
  patchSipDevice: (id: number, body: object) => api<SipDevice>('PATCH', `/sip-devices/${id}`, { body }),
  resetSipSecret: (id: number) => api<Wire.SipDeviceWithSecretDto>('POST', `/sip-devices/${id}/reset-secret`),
  deleteSipDevice: (id: number) => api('DELETE', `/sip-devices/${id}`),

  rateOverrides: (customerId: number) => list<RateOverride>(`/customers/${customerId}/rate-overrides`),
  createRateOverride: (customerId: number, body: object) =>
    api<RateOverride>('POST', `/customers/${customerId}/rate-overrides`, { body }),
  patchRateOverride: (customerId: number, id: number, body: object) =>
    api<RateOverride>('PATCH', `/customers/${customerId}/rate-overrides/${id}`, { body }),
  deleteRateOverride: (customerId: number, id: number) =>
    api('DELETE', `/customers/${customerId}/rate-overrides/${id}`),

  callerIds: (customerId: number) => list<CallerId>(`/customers/${customerId}/caller-ids`),
  createCallerId: (customerId: number, body: object) =>
    api<CallerId>('POST', `/customers/${customerId}/caller-ids`, { body }),
  patchCallerId: (id: number, body: object) => api<CallerId>('PATCH', `/caller-ids/${id}`, { body }),
  deleteCallerId: (id: number) => api('DELETE', `/caller-ids/${id}`),

  forceCallerIds: (customerId: number) => list<ForceCallerId>(`/customers/${customerId}/force-caller-ids`),
  createForceCallerId: (customerId: number, body: object) =>
    api<ForceCallerId>('POST', `/customers/${customerId}/force-caller-ids`, { body }),
  patchForceCallerId: (id: number, body: object) =>
    api<ForceCallerId>('PATCH', `/force-caller-ids/${id}`, { body }),
  deleteForceCallerId: (id: number) => api('DELETE', `/force-caller-ids/${id}`),

  blockedCodes: (customerId: number) => list<BlockedCode>(`/customers/${customerId}/blocked-codes`),
  createBlockedCode: (customerId: number, body: object) =>
    api<BlockedCode>('POST', `/customers/${customerId}/blocked-codes`, { body }),
  patchBlockedCode: (id: number, body: object) => api<BlockedCode>('PATCH', `/blocked-codes/${id}`, { body }),
  deleteBlockedCode: (id: number) => api('DELETE', `/blocked-codes/${id}`),

  speedDials: (customerId: number) => list<SpeedDial>(`/customers/${customerId}/speed-dials`),
  putSpeedDial: (customerId: number, key: number, number: string) =>
    api<SpeedDial>('PUT', `/customers/${customerId}/speed-dials/${key}`, { body: { number } }),
  clearSpeedDial: (customerId: number, key: number) =>
    api('DELETE', `/customers/${customerId}/speed-dials/${key}`),

  didsOfCustomer: (customerId: number) => list<Did>(`/customers/${customerId}/dids`),
  dids: (query: Query) => api<Wire.DidPageDto>('GET', '/dids', { query }),
  createDid: (body: object) => api<Did>('POST', '/dids', { body }),
  patchDid: (id: number, body: object) => api<Did>('PATCH', `/dids/${id}`, { body }),
  deleteDid: (id: number) => api('DELETE', `/dids/${id}`),
  assignDid: (id: number, customerId: number) =>
    api<Did>('POST', `/dids/${id}/assign`, { body: { customerId } }),
  releaseDid: (id: number) => api<Did>('POST', `/dids/${id}/release`),

  rateGroups: (query: Query) => api<Wire.RateGroupPageDto>('GET', '/rate-groups', { query }),
  createRateGroup: (body: object) => api<RateGroup>('POST', '/rate-groups', { body }),
  patchRateGroup: (id: number, body: object) => api<RateGroup>('PATCH', `/rate-groups/${id}`, { body }),
  deleteRateGroup: (id: number) => api('DELETE', `/rate-groups/${id}`),
  createRate: (groupId: number, body: object) => api<Rate>('POST', `/rate-groups/${groupId}/rates`, { body }),
  patchRate: (id: number, body: object) => api<Rate>('PATCH', `/rates/${id}`, { body }),
  deleteRate: (id: number) => api('DELETE', `/rates/${id}`),
  uploadDeck: (groupId: number, csv: Blob | string, mode: 'replace' | 'append', dryRun: boolean) =>
    api<UploadResult>('POST', `/rate-groups/${groupId}/rates/upload`, {
      query: { mode, dryRun },
      raw: { body: csv, type: 'text/csv' },
    }),
  lookup: (groupId: number, number: string) =>
    api<Wire.LookupResultDto>('GET', `/rate-groups/${groupId}/lookup`, { query: { number } }),

  localizations: (query: Query) => api<Wire.LocalizationPageDto>('GET', '/localizations', { query }),
  localization: (id: number) => api<Localization>('GET', `/localizations/${id}`),
  createLocalization: (body: object) => api<Localization>('POST', '/localizations', { body }),
  patchLocalization: (id: number, body: object) =>
    api<Localization>('PATCH', `/localizations/${id}`, { body }),
  deleteLocalization: (id: number) => api('DELETE', `/localizations/${id}`),
  previewRules: (body: object) => api<PreviewResult>('POST', '/localizations/preview', { body }),
};

/** How a limit reads: null is "No limit", 0 is "0 (none)". */
/** "3 / 10" (current beside its limit), "3 / No limit". */
export function usageText(current: number, limit: number | string | null): string {
  return `${current} / ${limitText(limit)}`;
}

export function limitText(v: number | string | null): string {
  if (v === null) return 'No limit';
  // CPS comes as a 2-place decimal ("2.50"); read it without the padding zeros.
  const t = String(v)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
  return t === '0' ? '0 (none)' : t;
}
