import { useEffect, useState } from 'react';
import { useGetIdentity } from 'react-admin';
import { api } from '../api/http.js';
import { connApi } from './conn-api.js';
import type { FieldSpec } from './CrudTable.js';

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

async function load(owner: Owner, currency: string | undefined): Promise<Choices> {
  const [groups, locs] = await Promise.all([
    connApi.rateGroups({ limit: 500, resellerId: owner, status: 'active', currency: currency || undefined }),
    connApi.localizations({ limit: 500, resellerId: owner }),
  ]);
  return {
    rateGroups: groups.data.map((g) => ({ id: g.id, name: `${g.name} (${g.currency})` })),
    localizations: locs.data.map((l) => ({ id: l.id, name: l.name })),
  };
}

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
  const [choices, setChoices] = useState<Choices>({ rateGroups: [], localizations: [] });
  useEffect(() => {
    if (owner === null) return;
    let live = true;
    // Loaded each time a form opens (or the owner changes), so a group added a moment ago is offered.
    load(owner, currency)
      .then((c) => live && setChoices(c))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [owner, currency]);
  return choices;
}

/**
 * Who a rate group or localization may be created for: the signed-in user's own (first) and each
 * reseller they manage (the first 500, by name).
 */
export function useOwnerChoices(): { id: string; name: string }[] {
  const { identity } = useGetIdentity();
  const [resellers, setResellers] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    let live = true;
    api<{ data: { id: number; name: string; accountNumber: string }[] }>('GET', '/resellers', {
      query: { limit: 500, sort: 'name', order: 'asc' },
    })
      .then((r) => {
        if (live)
          setResellers(r.data.map((x) => ({ id: String(x.id), name: `${x.name} (${x.accountNumber})` })));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
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
