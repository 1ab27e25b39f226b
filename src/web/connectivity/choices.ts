import { useGetIdentity, useGetList } from 'react-admin';
import type { Account } from '../accounts/types.js';
import type { FieldSpec } from '../shared/EntityDialog.js';
import type { Localization, RateGroup } from './conn-api.js';

/** The status select of the connectivity objects' dialogs. */
export const STATUS_CHOICES = [
  { id: 'active', name: 'Active' },
  { id: 'inactive', name: 'Inactive' },
];

export interface Choice {
  id: number;
  name: string;
}

interface Choices {
  rateGroups: Choice[];
  localizations: Choice[];
}

/** Whose rate groups and localizations an account may use: its reseller's, or the operator's. */
export type Owner = number | 'none';

/** The first 500 of a list in the server's own order (by name): no sort sent. */
const FIRST_500 = { pagination: { page: 1, perPage: 500 }, sort: { field: 'id', order: 'ASC' as const } };

/**
 * The owner of an account being edited or created: the reseller chosen in the form, else the
 * signed-in user's own (the operator for an admin, the reseller itself for a reseller). Null while
 * the identity is loading.
 */
export function useAccountOwner(resellerId: unknown): Owner | null {
  const { identity } = useGetIdentity();
  if (resellerId !== undefined && resellerId !== null && resellerId !== '') return Number(resellerId);
  if (!identity) return null;
  const accountId = (identity as { accountId?: number | null }).accountId;
  return identity.role === 'reseller' && accountId ? accountId : 'none';
}

/**
 * The rate groups and localization profiles the account form offers: only those the account's
 * owner may use (the server refuses another owner's), rate groups also active and in the account's
 * currency; the first 500 of each, by name.
 */
export function useConnectivityChoices(owner: Owner | null, currency?: string): Choices {
  // Read again each time a form opens (react-query's data is stale at once), so a group added a
  // moment ago is offered. Blank filters are not sent.
  const enabled = owner !== null;
  const groups = useGetList<RateGroup>(
    'rate-groups',
    { ...FIRST_500, filter: { resellerId: owner, status: 'active', currency } },
    { enabled },
  );
  const locs = useGetList<Localization>(
    'localizations',
    { ...FIRST_500, filter: { resellerId: owner } },
    { enabled },
  );
  return {
    rateGroups: (groups.data ?? []).map((g) => ({ id: g.id, name: `${g.name} (${g.currency})` })),
    localizations: (locs.data ?? []).map((l) => ({ id: l.id, name: l.name })),
  };
}

/**
 * Who a rate group or localization may be created for: the signed-in user's own (first) and each
 * reseller they manage (the first 500, by name).
 */
export function useOwnerChoices(): { id: string; name: string }[] {
  const { identity } = useGetIdentity();
  const { data } = useGetList<Account>('resellers', {
    pagination: { page: 1, perPage: 500 },
    sort: { field: 'name', order: 'ASC' },
    filter: {},
  });
  const resellers = (data ?? []).map((x) => ({ id: String(x.id), name: `${x.name} (${x.accountNumber})` }));
  const mine = identity?.role === 'reseller' ? 'Mine' : 'Operator (no reseller)';
  return [{ id: '', name: mine }, ...resellers];
}

/** The owner field of the add dialogs: the operator (or the reseller signed in) or a reseller below. */
export function ownerField(choices: { id: string; name: string }[]): FieldSpec {
  return {
    name: 'resellerId',
    label: 'Owner',
    kind: 'select',
    choices,
    only: 'create',
    width: 300,
    help: "Only the owner's accounts can use it",
  };
}

/** The owner's id (a form's string) as the API takes it: a number, or absent for the actor's own. */
export function withOwner(body: Record<string, unknown>): Record<string, unknown> {
  const { resellerId, ...rest } = body;
  return resellerId ? { ...rest, resellerId: Number(resellerId) } : rest;
}
