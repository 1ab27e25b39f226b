import { api, withQuery, type Query } from '../api/http.js';

/** A CDR as GET /customers/{id}/cdrs and GET /cdrs answer it. */
export interface Cdr {
  id: number;
  callId: string;
  leg: string;
  accountId: number | null;
  accountNumber: string | null;
  accountName: string | null;
  currency: string | null;
  status: 'rated' | 'denied' | 'unrated';
  reason: string | null;
  noReservation: boolean;
  sourceIp: string;
  callingNumber: string;
  calledNumber: string;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string;
  billsec: string;
  disposition: string;
  sipCode: number;
  hangupCause: string;
  egressTrunk: string | null;
  ratePrefix: string | null;
  ratePerMin: string | null;
  connectFee: string | null;
  chargedSec: number;
  cost: string;
}

export interface CdrDetail extends Cdr {
  durationSec: string;
  sipUsername: string | null;
  rateId: number | null;
  rateGroupId: number | null;
  includedSeconds: number | null;
  initialIncrement: number | null;
  billingIncrement: number | null;
  ledgerEntryId: string | null;
  createdAt: string;
}

export interface CdrTotalsLine {
  currency: string | null;
  calls: number;
  answered: number;
  denied: number;
  billsec: string;
  chargedSec: number;
  cost: string;
}

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
  page: (customerId: number | undefined, f: CdrFilter, cursor?: string, limit = 25) =>
    api<{ data: Cdr[]; nextCursor: string | null }>('GET', base(customerId), {
      query: { ...cdrQuery(f), cursor, limit },
    }),
  totals: (customerId: number | undefined, f: CdrFilter) =>
    api<{ byCurrency: CdrTotalsLine[] }>('GET', `${base(customerId)}/totals`, { query: cdrQuery(f) }),
  detail: (id: number) => api<CdrDetail>('GET', `/cdrs/${id}`),
  exportUrl: (customerId: number | undefined, f: CdrFilter) =>
    withQuery(`/api/v1${base(customerId)}/export`, cdrQuery(f)),
};
