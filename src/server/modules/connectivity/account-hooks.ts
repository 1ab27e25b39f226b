import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { isOperator } from '../../platform/tenancy/index.js';
import { recordAudit } from '../audit/index.js';
import { findProfileForReference } from '../localizations/localizations.repository.js';
import { findRateGroupForReference } from '../rate-groups/rate-groups.repository.js';
import { insertDeviceFor } from '../sip-devices/sip-devices.service.js';
import { isUniqueViolation } from '../../platform/errors.js';
import { sipUsernameTaken } from '../sip-devices/sip-devices.errors.js';
import * as cascade from './cascade.repository.js';

/*
 * What the accounts module asks of the connectivity modules, in one place so its edits stay
 * small: reference checks on create/edit, the SIP device of "Create SIP device: yes", and the
 * connectivity step of the delete cascade. Every function runs in the caller's transaction.
 * (Imports stay below the module indexes to avoid an import cycle with accounts.)
 */

const refError = (code: string, field: string, message: string) =>
  new AppError(code, message, 400, { field });

export interface AccountReferences {
  /** The account's owner (its reseller), or null for the operator. */
  ownerId: number | null;
  /** null: not known yet (a template without a currency); the currency is then not checked. */
  currency: string | null;
  rateGroupId?: number | null;
  nonCliRateGroupId?: number | null;
  localizationId?: number | null;
}

/**
 * Rate groups and the localization profile an account points at must exist, belong to the same
 * owner as the account (DOMAIN 3.2), and rate groups must be active and in the account currency.
 * Only the references given (not undefined, not null) are checked.
 */
export async function checkAccountReferences(ctx: Ctx, refs: AccountReferences): Promise<void> {
  const isAdmin = isOperator(ctx.actor);
  for (const field of ['rateGroupId', 'nonCliRateGroupId'] as const) {
    const id = refs[field];
    if (id === undefined || id === null) continue;
    const g = await findRateGroupForReference(ctx.db, id);
    const sameOwner = g && (g.owner_id ?? null) === refs.ownerId;
    if (!g || (!sameOwner && !isAdmin))
      throw refError('RATE_GROUP_NOT_FOUND', field, 'Rate group not found.');
    if (!sameOwner)
      throw refError(
        'RATE_GROUP_OWNER_MISMATCH',
        field,
        'The rate group belongs to another owner than the account.',
      );
    if (g.status !== 'active') throw refError('RATE_GROUP_INACTIVE', field, 'The rate group is inactive.');
    if (refs.currency !== null && g.currency !== refs.currency)
      throw refError(
        'RATE_GROUP_CURRENCY_MISMATCH',
        field,
        `The rate group is in ${g.currency}; the account is in ${refs.currency}.`,
      );
  }
  const lid = refs.localizationId;
  if (lid !== undefined && lid !== null) {
    const p = await findProfileForReference(ctx.db, lid);
    const sameOwner = p && (p.owner_id ?? null) === refs.ownerId;
    if (!p || (!sameOwner && !isAdmin))
      throw refError('LOCALIZATION_NOT_FOUND', 'localizationId', 'Localization profile not found.');
    if (!sameOwner)
      throw refError(
        'LOCALIZATION_OWNER_MISMATCH',
        'localizationId',
        'The localization profile belongs to another owner than the account.',
      );
  }
}

/** DOMAIN 3.7: the customer role cannot be removed while the account has ingress trunks. */
export async function assertNoLiveTrunks(ctx: Ctx, accountId: number): Promise<void> {
  const n = await cascade.countLiveTrunks(ctx.db, accountId);
  if (n > 0)
    throw new AppError(
      'ACCOUNT_HAS_TRUNKS',
      `The account has ${n} ingress trunk(s); delete them before removing the customer role.`,
      409,
      { field: 'roles', trunks: n },
    );
}

/**
 * "Create SIP device: yes" (DOMAIN 3.2): a device whose username is the account number, with a
 * random secret returned once in the create answer.
 */
export async function provisionSipDevice(ctx: Ctx, account: { id: number; accountNumber: string }) {
  try {
    const d = await insertDeviceFor(ctx, account.id, { username: account.accountNumber });
    return { id: d.id, username: d.username, secret: d.secret };
  } catch (err) {
    if (isUniqueViolation(err, 'sip_devices_username_key')) throw sipUsernameTaken('createSipDevice');
    throw err;
  }
}

/**
 * The connectivity step of the delete cascade (DOMAIN 3.8 steps 3, 4, 6) for accounts being
 * deleted: devices, hosts, caller IDs, force caller IDs, speed dials and blocked codes are
 * soft-deleted; DIDs go back to their pool (a deleted reseller's pool moves up); trunks are
 * switched off; accounts that had trunks or hosts get a "trunk update" event (ACL reload).
 */
export async function releaseConnectivity(ctx: Ctx, accountIds: number[], now: Date): Promise<void> {
  if (accountIds.length === 0) return;
  const footprint = await cascade.trunkFootprint(ctx.db, accountIds);
  const removed = await cascade.softDeleteOwnedRows(ctx.db, accountIds, now);
  const didsReleased = await cascade.releaseDidsOf(ctx.db, accountIds, now);
  const poolsMoved = await cascade.movePoolsOf(ctx.db, accountIds, now);
  const trunksDeactivated = await cascade.deactivateTrunksOf(ctx.db, accountIds, now);
  await cascade.insertTrunkEvents(
    ctx.db,
    footprint
      .filter((f) => f.hosts > 0 || f.trunks > 0)
      .map((f) => ({
        accountId: f.account_id,
        payload: { action: 'account.delete', hostsRemoved: f.hosts, trunksDeactivated: f.trunks },
      })),
  );
  const total =
    Object.values(removed).reduce((a, b) => a + b, 0) + didsReleased + poolsMoved + trunksDeactivated;
  if (total > 0)
    await recordAudit(ctx, {
      action: 'connectivity.release',
      entityType: 'account',
      entityId: accountIds[accountIds.length - 1],
      accountId: accountIds[accountIds.length - 1],
      after: { accountIds, ...removed, didsReleased, poolsMoved, trunksDeactivated },
    });
}
