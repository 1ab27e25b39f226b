import { api, withQuery, type Query } from '../api/http.js';
import type * as Wire from '../../server/api-types.js';

/** A CDR as GET /customers/{id}/cdrs and GET /cdrs answer it. */
export type Cdr = Wire.CdrDto;

export type CdrDetail = Wire.CdrDetailDto;

export type CdrTotalsLine = Wire.CdrTotalsLineDto;

export interface CdrFilter {
  from?: string;
  to?: string;
  destination?: string;
  disposition?: string;
  reason?: string;
  status?: string;
  answeredOnly?: boolean;
  customerId?: number;
  sourceIp?: string;
  egressTrunk?: string;
}

/** The filter as query parameters, blanks dropped (the API refuses an empty string). */
export function cdrQuery(f: CdrFilter): Query {
  const q: Query = {};
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '' && v !== false) q[k] = v;
  return q;
}

const base = (customerId?: number) => (customerId ? `/customers/${customerId}/cdrs` : '/cdrs');

export const cdrsApi = {
  totals: (customerId: number | undefined, f: CdrFilter) =>
    api<Wire.CdrTotalsDto>('GET', `${base(customerId)}/totals`, { query: cdrQuery(f) }),
  exportUrl: (customerId: number | undefined, f: CdrFilter) =>
    withQuery(`/api/v1${base(customerId)}/export`, cdrQuery(f)),
};
