import { api, apiDownload, withQuery } from '../api/http.js';
import type * as Wire from '../../server/api-types.js';

export type Counters = Wire.CustomerImportDto['progress'];

/** What an import creates (one file per object type). */
export type ImportKind = Wire.CustomerImportDto['kind'];

export type CustomerImport = Wire.CustomerImportDto;

export type ImportIssue = Wire.ImportIssueDto;

export type ImportField = Wire.ImportFieldDto;

export type ImportLayout = Wire.ImportLayoutDto;

export interface ImportSettings {
  columns?: (string | null)[];
  defaults?: Record<string, string>;
  mode?: 'skipInvalid' | 'atomic';
  onExisting?: 'error' | 'skip' | 'update';
}

export type Template = Wire.TemplateDto;

export type FieldChange = Wire.FieldChangeDto;

export type MassCreate = Wire.MassCreateDto;

const IMPORTS = '/customer-imports';

export const importApi = {
  fields: (kind: ImportKind = 'customers') =>
    api<Wire.ImportFieldsDto>('GET', `${IMPORTS}/fields`, { query: { kind } }),
  sampleUrl: (layout: ImportLayout['id']) => `/api/v1${IMPORTS}/samples/${layout}`,
  upload: (file: File, kind: ImportKind = 'customers') =>
    api<CustomerImport>('POST', IMPORTS, {
      query: { fileName: file.name, kind },
      raw: { body: file, type: 'text/csv' },
    }),
  get: (id: number) => api<CustomerImport>('GET', `${IMPORTS}/${id}`),
  dryRun: (id: number, s: ImportSettings) =>
    api<CustomerImport>('POST', `${IMPORTS}/${id}/dry-run`, { body: s }),
  start: (id: number, s: ImportSettings) =>
    api<CustomerImport>('POST', `${IMPORTS}/${id}/start`, { body: s }),
  preview: (id: number) =>
    api<{ rows: { rowNumber: number; action: string; values: Record<string, unknown> }[] }>(
      'GET',
      `${IMPORTS}/${id}/preview`,
    ),
  issues: (id: number, run: 'dry' | 'real', afterId?: number) =>
    api<{ data: ImportIssue[]; nextAfterId: number | null }>('GET', `${IMPORTS}/${id}/issues`, {
      query: { run, afterId, limit: 1000 },
    }),
  rejectedCsvUrl: (id: number) => `/api/v1${IMPORTS}/${id}/rejected.csv`,
  issuesCsvUrl: (id: number) => `/api/v1${IMPORTS}/${id}/issues.csv`,
};

export type ReapplyPreview = Wire.ReapplyPreviewDto;

export type ReapplyResult = Wire.ReapplyResultDto;

export const templateApi = {
  get: (id: number) => api<Template>('GET', `/customer-templates/${id}`),
  update: (
    id: number,
    patch: { name?: string; description?: string | null; settings?: Record<string, unknown> },
  ) => api<Template>('PATCH', `/customer-templates/${id}`, { body: patch }),
  saveAs: (customerId: number, name: string, description?: string) =>
    api<Template>('POST', `/customers/${customerId}/save-as-template`, {
      body: description ? { name, description } : { name },
    }),
  prefill: (id: number) =>
    api<{ templateId: number; templateVersion: number; values: Record<string, unknown> }>(
      'GET',
      `/customer-templates/${id}/prefill`,
    ),
  /** One page of the preview (keyset by customer id). */
  reapplyPreview: (id: number, afterId?: number) =>
    api<ReapplyPreview>('GET', `/customer-templates/${id}/reapply-preview`, {
      query: { limit: 1000, afterId },
    }),
  reapply: (id: number, expectedVersion: number, accountIds: number[]) =>
    api<ReapplyResult>('POST', `/customer-templates/${id}/reapply`, {
      body: { expectedVersion, accountIds },
    }),
};

const MASS = '/customer-mass-creates';
export const massCreateApi = {
  capacity: (startPrefix: string, accountNumberLength: number) =>
    api<{ capacity: string }>('GET', `${MASS}/capacity`, { query: { startPrefix, accountNumberLength } }),
  start: (body: Record<string, unknown>) =>
    api<{ massCreate: MassCreate; downloadKey: string }>('POST', MASS, { body }),
  get: (id: number) => api<MassCreate>('GET', `${MASS}/${id}`),
  list: () => api<{ data: MassCreate[] }>('GET', MASS),
  result: (id: number, downloadKey: string) => apiDownload(`${MASS}/${id}/result`, { downloadKey }),
};

/** Grid column (react-admin source) -> export column name; currency always rides with money. */
const EXPORT_NAME: Record<string, string> = {
  accountNumber: 'account_number',
  name: 'name',
  companyName: 'company_name',
  firstName: 'first_name',
  lastName: 'last_name',
  roles: 'roles',
  mode: 'mode',
  rateGroupId: 'rate_group',
  balance: 'balance',
  creditLimit: 'credit_limit',
  firstUsedAt: 'first_used',
  validUntil: 'valid_until',
  callLimit: 'call_limit',
  cpsLimit: 'cps_limit',
  localizationId: 'localization',
  resellerId: 'reseller',
  createdAt: 'created_at',
  status: 'status',
};

export function exportColumns(visibleSources: string[]): string[] {
  const names = visibleSources.map((s) => EXPORT_NAME[s]).filter((n): n is string => Boolean(n));
  if ((names.includes('balance') || names.includes('credit_limit')) && !names.includes('currency'))
    names.push('currency');
  return names;
}

function filterQuery(filter: Record<string, unknown>): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(filter))
    if (v !== undefined && v !== null && v !== '') q[k] = String(v);
  return q;
}

export function exportUrl(filter: Record<string, unknown>, columns: string[]): string {
  const q = filterQuery(filter);
  if (columns.length) q.columns = columns.join(',');
  return withQuery('/api/v1/customers/export', q);
}

/** Every column of the filtered resellers (the migration file: parents first). */
export function resellerExportUrl(filter: Record<string, unknown>): string {
  return withQuery('/api/v1/resellers/export', filterQuery(filter));
}

/** The SIP devices of the customers the filter selects (never their secrets). */
export function sipDeviceExportUrl(filter: Record<string, unknown>): string {
  return withQuery('/api/v1/sip-devices/export', filterQuery(filter));
}
