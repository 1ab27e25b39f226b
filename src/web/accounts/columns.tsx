import type { ReactNode } from 'react';
import { Link as MuiLink } from '@mui/material';
import { Link } from 'react-router-dom';
import { formatDate, formatDateTime, formatMoney } from '../format/format.js';
import { StatusChip } from '../layout/StatusChip.js';
import type { Account, AccountResource } from './types.js';

/**
 * The grid columns of both documents, in their words; `source` doubles as the sort key when
 * `sortable`.
 */
export interface AccountColumn {
  source: string;
  label: string;
  sortable: boolean;
  /** Hidden until the user shows it from the Columns menu. */
  hiddenByDefault?: boolean;
  /** Which lists show it (all when absent). */
  only?: AccountResource[];
  align?: 'right';
  /** Kept on one line (dates, amounts). */
  nowrap?: boolean;
  render: (a: Account, view: ColumnView) => ReactNode;
}

/** What a cell needs besides its row: the zone instants are shown in (the viewer's). */
export interface ColumnView {
  zone: string;
}

const dash = (v: ReactNode) => (v === null || v === undefined || v === '' ? '—' : v);

export const ACCOUNT_COLUMNS: AccountColumn[] = [
  { source: 'accountNumber', label: 'Account Number', sortable: true, render: (a) => a.accountNumber },
  { source: 'name', label: 'Name', sortable: true, render: (a) => a.name },
  { source: 'companyName', label: 'Company', sortable: true, render: (a) => dash(a.companyName) },
  {
    source: 'firstName',
    label: 'First Name',
    sortable: true,
    hiddenByDefault: true,
    render: (a) => dash(a.firstName),
  },
  {
    source: 'lastName',
    label: 'Last Name',
    sortable: true,
    hiddenByDefault: true,
    render: (a) => dash(a.lastName),
  },
  {
    source: 'roles',
    label: 'Type',
    sortable: false,
    hiddenByDefault: true,
    only: ['customers', 'providers'],
    render: (a) => a.roles.map((r) => (r === 'provider' ? 'Provider' : 'Customer')).join(', '),
  },
  {
    source: 'mode',
    label: 'Terms',
    sortable: true,
    render: (a) => (a.mode === 'prepaid' ? 'Prepaid' : 'Postpaid'),
  },
  {
    source: 'rateGroupId',
    label: 'Rate Group',
    sortable: true,
    hiddenByDefault: true,
    render: (a) => dash(a.rateGroupName),
  },
  {
    source: 'balance',
    label: 'Balance',
    sortable: true,
    align: 'right',
    nowrap: true,
    render: (a) => formatMoney(a.balance, a.currency),
  },
  {
    source: 'creditLimit',
    label: 'Credit Limit',
    sortable: true,
    align: 'right',
    nowrap: true,
    render: (a) =>
      a.mode === 'prepaid' ? '—' : a.unlimitedCredit ? 'Unlimited' : formatMoney(a.creditLimit, a.currency),
  },
  {
    source: 'trunkCount',
    label: 'Trunks',
    sortable: false,
    align: 'right',
    only: ['customers', 'providers'],
    render: (a) => (
      <MuiLink
        component={Link}
        to={`/${a.kind === 'provider' ? 'providers' : 'customers'}/${a.id}/trunks`}
        onClick={(e: { stopPropagation(): void }) => e.stopPropagation()}
        title="Show the trunks"
      >
        {a.trunkCount}
      </MuiLink>
    ),
  },
  {
    source: 'firstUsedAt',
    label: 'First Used',
    sortable: true,
    hiddenByDefault: true,
    nowrap: true,
    render: (a, v) => dash(formatDateTime(a.firstUsedAt, v.zone)),
  },
  {
    source: 'validUntil',
    label: 'Expiry Date',
    sortable: true,
    hiddenByDefault: true,
    nowrap: true,
    // A date, not an instant: the last day of service in the account's own zone.
    render: (a) => dash(formatDate(a.validUntil, a.timezone)),
  },
  {
    source: 'callLimit',
    label: 'Concurrent Calls',
    sortable: true,
    hiddenByDefault: true,
    align: 'right',
    render: (a) => (a.callLimit === null ? '∞' : a.callLimit),
  },
  {
    source: 'cpsLimit',
    label: 'CPS',
    sortable: true,
    hiddenByDefault: true,
    align: 'right',
    render: (a) => (a.cpsLimit === null ? '∞' : a.cpsLimit),
  },
  {
    source: 'localizationId',
    label: 'Localization',
    sortable: true,
    hiddenByDefault: true,
    render: (a) => dash(a.localizationName),
  },
  {
    source: 'resellerId',
    label: 'Reseller',
    sortable: true,
    render: (a) => a.resellerName ?? 'Admin',
  },
  {
    source: 'createdAt',
    label: 'Created Date',
    sortable: true,
    nowrap: true,
    render: (a, v) => formatDateTime(a.createdAt, v.zone),
  },
  {
    source: 'status',
    label: 'Status',
    sortable: true,
    render: (a) => <StatusChip status={a.status} />,
  },
];

export function columnsFor(resource: AccountResource): AccountColumn[] {
  return ACCOUNT_COLUMNS.filter((c) => !c.only || c.only.includes(resource));
}
