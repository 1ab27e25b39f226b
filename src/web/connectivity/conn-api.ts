import { api, type Query } from '../api/http.js';

/*
 * The connectivity objects as the API returns them (trunks, hosts, SIP devices, caller IDs,
 * blocked codes, speed dials, DIDs, rate groups, localizations) and the calls the tabs make.
 */

export interface Warning {
  code: string;
  field: string;
  message: string;
}

export interface Trunk {
  id: number;
  customerId: number;
  customerName: string;
  name: string;
  status: string;
  disabledReason: string | null;
  effectiveStatus: string;
  callLimit: number | null;
  cpsLimit: string | null;
  maxDurationSec: number | null;
  minProfitability: { type: string; value: string } | null;
  effectiveMinProfitability: { type: string; value: string; source: 'trunk' | 'customer' } | null;
  techPrefix: string;
  hostCount: number;
  warnings: Warning[];
}

export interface Host {
  id: number;
  trunkId: number;
  trunkName: string;
  customerId: number;
  customerName: string;
  cidr: string;
  port: number | null;
  techPrefix: string;
  status: string;
  effectiveStatus: string;
  callLimit: number | null;
  cpsLimit: string | null;
  warnings: Warning[];
}

export interface LimitPair {
  callLimit: number | null;
  cpsLimit: string | null;
  /** Live calls holding a slot at this level now, calls admitted in the last second. */
  currentCalls: number;
  currentCps: number;
}

export interface HostViewRow {
  id: number;
  cidr: string;
  port: number | null;
  techPrefix: string;
  status: string;
  effectiveStatus: string;
  customer: { id: number; name: string; accountNumber: string; status: string } & LimitPair;
  trunk: { id: number; name: string; status: string } & LimitPair;
  host: LimitPair;
}

export interface CustomerLimitRow extends LimitPair {
  id: number;
  accountNumber: string;
  name: string;
  status: string;
  mode: string;
  currency: string;
  creditLimit: string;
  unlimitedCredit: boolean;
  trunkCount: number;
  trunks: ({ id: number; name: string; status: string; effectiveStatus: string } & LimitPair)[];
  warnings: Warning[];
}

export interface SipDevice {
  id: number;
  customerId: number;
  username: string;
  callerIdName: string | null;
  callerIdNumber: string | null;
  status: string;
  effectiveStatus: string;
  codecs: string[];
  voicemailEnabled: boolean;
  secret?: string;
}

export interface CallerId {
  id: number;
  number: string;
  description: string | null;
  status: string;
}

export interface ForceCallerId {
  id: number;
  name: string | null;
  number: string;
  status: string;
}

export interface BlockedCode {
  id: number;
  prefix: string;
  label: string | null;
  createdAt: string;
}

export interface SpeedDial {
  id: number;
  key: number;
  number: string;
}

export interface Did {
  id: number;
  number: string;
  resellerId: number | null;
  customerId: number | null;
  customerName: string | null;
  status: string;
  description: string | null;
  monthlyFee: string;
  assignedAt: string | null;
}

export interface RateGroup {
  id: number;
  resellerId: number | null;
  name: string;
  description: string | null;
  currency: string;
  status: string;
  initialIncrement: number;
  billingIncrement: number;
  rateCount: number;
  customerCount: number;
}

export interface Rate {
  id: number;
  rateGroupId: number;
  prefix: string;
  destination: string;
  ratePerMin: string;
  connectFee: string;
  includedSeconds: number;
  initialIncrement: number;
  billingIncrement: number;
  effectiveFrom: string;
  effectiveTo: string | null;
}

/** A customer's own rate (DOMAIN 4 step 7): ranked with its rate group's rows, override first on the same code. */
export interface RateOverride extends Omit<Rate, 'rateGroupId'> {
  customerId: number;
  status: 'active' | 'inactive';
  createdAt: string;
  updatedAt: string;
}

export interface UploadResult {
  mode: string;
  dryRun: boolean;
  rows: number;
  inserted: number;
  deleted: number;
  durationMs: number;
}

export interface Rule {
  match: string;
  action: 'strip' | 'replace' | 'prepend';
  value: string;
}

export interface Localization {
  id: number;
  resellerId: number | null;
  name: string;
  destinationRules: Rule[];
  callerNumberRules: Rule[];
  callerNameRules: Rule[];
  customerCount: number;
}

export interface Translation {
  input: string;
  output: string;
  matchedRule: number | null;
  steps: { index: number; rule: Rule; matched: boolean; output?: string }[];
}

export interface PreviewResult {
  destination: Translation | null;
  callerNumber: Translation | null;
  callerName: Translation | null;
}

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

  hostView: (query: Query) => api<Page<HostViewRow>>('GET', '/limits/hosts', { query }),
  customerLimits: (query: Query) => api<Page<CustomerLimitRow>>('GET', '/limits/customers', { query }),
  patchCustomerLimit: (id: number, body: object) =>
    api<CustomerLimitRow>('PATCH', `/limits/customers/${id}`, { body }),

  sipDevices: (customerId: number) => list<SipDevice>(`/customers/${customerId}/sip-devices`),
  createSipDevice: (customerId: number, body: object) =>
    api<SipDevice>('POST', `/customers/${customerId}/sip-devices`, { body }),
  patchSipDevice: (id: number, body: object) => api<SipDevice>('PATCH', `/sip-devices/${id}`, { body }),
  resetSipSecret: (id: number) => api<SipDevice>('POST', `/sip-devices/${id}/reset-secret`),
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
  dids: (query: Query) => api<Page<Did>>('GET', '/dids', { query }),
  createDid: (body: object) => api<Did>('POST', '/dids', { body }),
  patchDid: (id: number, body: object) => api<Did>('PATCH', `/dids/${id}`, { body }),
  deleteDid: (id: number) => api('DELETE', `/dids/${id}`),
  assignDid: (id: number, customerId: number) =>
    api<Did>('POST', `/dids/${id}/assign`, { body: { customerId } }),
  releaseDid: (id: number) => api<Did>('POST', `/dids/${id}/release`),

  rateGroups: (query: Query) => api<Page<RateGroup>>('GET', '/rate-groups', { query }),
  rateGroup: (id: number) => api<RateGroup>('GET', `/rate-groups/${id}`),
  createRateGroup: (body: object) => api<RateGroup>('POST', '/rate-groups', { body }),
  patchRateGroup: (id: number, body: object) => api<RateGroup>('PATCH', `/rate-groups/${id}`, { body }),
  deleteRateGroup: (id: number) => api('DELETE', `/rate-groups/${id}`),
  rates: (groupId: number, query: Query) =>
    api<Page<Rate>>('GET', `/rate-groups/${groupId}/rates`, { query }),
  createRate: (groupId: number, body: object) => api<Rate>('POST', `/rate-groups/${groupId}/rates`, { body }),
  patchRate: (id: number, body: object) => api<Rate>('PATCH', `/rates/${id}`, { body }),
  deleteRate: (id: number) => api('DELETE', `/rates/${id}`),
  uploadDeck: (groupId: number, csv: Blob | string, mode: 'replace' | 'append', dryRun: boolean) =>
    api<UploadResult>('POST', `/rate-groups/${groupId}/rates/upload`, {
      query: { mode, dryRun },
      raw: { body: csv, type: 'text/csv' },
    }),
  lookup: (groupId: number, number: string) =>
    api<{ number: string; at: string; rate: Rate | null; candidates: Rate[] }>(
      'GET',
      `/rate-groups/${groupId}/lookup`,
      { query: { number } },
    ),

  localizations: (query: Query) => api<Page<Localization>>('GET', '/localizations', { query }),
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
