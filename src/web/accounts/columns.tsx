import type { ReactNode } from 'react';
import { Chip } from '@mui/material';
import { Link } from 'react-router-dom';
import { formatDate, formatDateTime, formatMoney } from '../format/format.js';
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
  render: (a: Account) => ReactNode;
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
    render: (a) => (a.mode === 'prepaid' ? 'Prepay' : 'Postpaid'),
  },
  {
    source: 'rateGroupId',
    label: 'Rate Group',
    sortable: true,
    hiddenByDefault: true,
    render: (a) => dash(a.rateGroupId),
  },
  {
    source: 'balance',
    label: 'Balance',
    sortable: true,
    align: 'right',
    render: (a) => formatMoney(a.balance, a.currency),
  },
  {
    source: 'creditLimit',
    label: 'Credit Limit',
    sortable: true,
    align: 'right',
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
      <Link
        to={`/${a.kind === 'provider' ? 'providers' : 'customers'}/${a.id}/trunks`}
        onClick={(e) => e.stopPropagation()}
        title="Show the trunks"
      >
        {a.trunkCount}
      </Link>
    ),
  },
  {
    source: 'firstUsedAt',
    label: 'First Used',
    sortable: true,
    hiddenByDefault: true,
    render: (a) => dash(formatDateTime(a.firstUsedAt, a.timezone)),
  },
  {
    source: 'validUntil',
    label: 'Expiry Date',
    sortable: true,
    hiddenByDefault: true,
    render: (a) => dash(formatDate(a.validUntil, a.timezone)),
  },
  {
    source: 'callLimit',
    label: 'Concurrent Calls',
    sortable: true,
    align: 'right',
    render: (a) => (a.callLimit === null ? '∞' : a.callLimit),
  },
  {
    source: 'cpsLimit',
    label: 'CPS',
    sortable: true,
    align: 'right',
    render: (a) => (a.cpsLimit === null ? '∞' : a.cpsLimit),
  },
  {
    source: 'localizationId',
    label: 'Localization',
    sortable: true,
    hiddenByDefault: true,
    render: (a) => dash(a.localizationId),
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
    render: (a) => formatDateTime(a.createdAt, a.timezone),
  },
  {
    source: 'status',
    label: 'Status',
    sortable: true,
    render: (a) => (
      <Chip
        size="small"
        label={a.status === 'active' ? 'Active' : 'Inactive'}
        color={a.status === 'active' ? 'success' : 'default'}
        variant={a.status === 'active' ? 'filled' : 'outlined'}
      />
    ),
  },
];

export function columnsFor(resource: AccountResource): AccountColumn[] {
  return ACCOUNT_COLUMNS.filter((c) => !c.only || c.only.includes(resource));
}
