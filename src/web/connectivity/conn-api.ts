import { api } from '../api/http.js';
import type * as Wire from '../../server/api-types.js';

/*
 * The connectivity objects as the API returns them (trunks, hosts, SIP devices, caller IDs,
 * blocked codes, speed dials, DIDs, rate groups, localizations) and the calls the screens make
 * beside the data provider.
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
/** A bad row of a refused deck, listed in the error's details. */
export type DeckError = Wire.RateDeckErrorDto;
export type Rule = Wire.RuleDto;
export type Localization = Wire.LocalizationDto;
export type PreviewResult = Wire.PreviewResultDto;
export type Translation = NonNullable<PreviewResult['destination']>;

/**
 * The calls that are not a list, an add, an edit or a delete (those go through the data
 * provider): actions on one object, a deck upload, a lookup, a preview.
 */
export const connApi = {
  resetSipSecret: (id: number) => api<Wire.SipDeviceWithSecretDto>('POST', `/sip-devices/${id}/reset-secret`),

  putSpeedDial: (customerId: number, key: number, number: string) =>
    api<SpeedDial>('PUT', `/customers/${customerId}/speed-dials/${key}`, { body: { number } }),
  clearSpeedDial: (customerId: number, key: number) =>
    api('DELETE', `/customers/${customerId}/speed-dials/${key}`),

  assignDid: (id: number, customerId: number) =>
    api<Did>('POST', `/dids/${id}/assign`, { body: { customerId } }),
  releaseDid: (id: number) => api<Did>('POST', `/dids/${id}/release`),

  uploadDeck: (groupId: number, csv: Blob | string, mode: 'replace' | 'append', dryRun: boolean) =>
    api<UploadResult>('POST', `/rate-groups/${groupId}/rates/upload`, {
      query: { mode, dryRun },
      raw: { body: csv, type: 'text/csv' },
    }),
  lookup: (groupId: number, number: string) =>
    api<Wire.LookupResultDto>('GET', `/rate-groups/${groupId}/lookup`, { query: { number } }),

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
