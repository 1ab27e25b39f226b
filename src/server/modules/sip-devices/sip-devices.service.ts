import { systemActor, type Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { isUniqueViolation } from '../../platform/errors.js';
import { decryptSecret, encryptSecret, generateSecret } from '../../platform/secrets.js';
import { recordAudit, recordUpdate } from '../audit/index.js';
import { iso } from '../../platform/http/schemas.js';
import { requireAccount } from '../accounts/index.js';
import { requireManager } from '../../platform/tenancy/index.js';
import { sipDeviceNotFound, sipUsernameTaken } from './sip-devices.errors.js';
import * as repo from './sip-devices.repository.js';
import type {
  CreateSipDeviceInput,
  PatchSipDeviceInput,
  SipDeviceDto,
  SipDeviceWithSecretDto,
} from './sip-devices.schemas.js';

/*
 * SIP devices (DOMAIN 3.10). The switch needs the secret itself for digest authentication, so it
 * cannot be a one-way hash (an HA1 would tie it to one realm and to MD5). It is stored encrypted
 * with AES-256-GCM (platform/secrets.ts), shown once on create and on reset, never listed, never
 * audited, and decrypted only for the switch (deviceCredentials).
 */

export function toDeviceDto(r: repo.DeviceRow): SipDeviceDto {
  return {
    id: r.id,
    customerId: r.account_id,
    username: r.username,
    callerIdName: r.caller_id_name,
    callerIdNumber: r.caller_id_number,
    status: r.status,
    effectiveStatus: r.customer_status === 'active' && r.status === 'active' ? 'active' : 'inactive',
    codecs: r.codecs,
    voicemailEnabled: r.voicemail_enabled,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

function mapUniqueViolation(err: unknown, field = 'username'): never {
  if (isUniqueViolation(err, 'sip_devices_username_key')) throw sipUsernameTaken(field);
  throw err;
}

/**
 * Inserts a device for an account already checked by the caller, inside the caller's transaction.
 * Also used by account creation ("Create SIP device: yes"). Returns the secret in clear, once.
 */
export async function insertDeviceFor(
  ctx: Ctx,
  accountId: number,
  input: CreateSipDeviceInput,
): Promise<SipDeviceWithSecretDto> {
  const secret = input.secret ?? generateSecret();
  const id = await repo.insertDevice(ctx.db, {
    accountId,
    username: input.username,
    secretEnc: encryptSecret(secret),
    callerIdName: input.callerIdName ?? null,
    callerIdNumber: input.callerIdNumber ?? null,
    status: input.status ?? 'active',
    codecs: input.codecs ?? [],
    voicemailEnabled: input.voicemailEnabled ?? false,
  });
  const dto = toDeviceDto((await repo.findDevice(ctx.db, systemActor, id))!);
  await recordAudit(ctx, {
    action: 'sip_device.create',
    entityType: 'sip_device',
    entityId: id,
    accountId,
    after: dto,
  });
  return { ...dto, secret };
}

/** Adds a SIP device; without a secret, a random one (20 characters) is generated. */
export async function createSipDevice(
  ctx: Ctx,
  customerId: number,
  input: CreateSipDeviceInput,
): Promise<SipDeviceWithSecretDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const account = await requireAccount(tx, customerId, { customer: true });
      return insertDeviceFor(tx, account.id, input);
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function listSipDevices(ctx: Ctx, customerId: number): Promise<SipDeviceDto[]> {
  requireManager(ctx);
  const account = await requireAccount(ctx, customerId);
  return (await repo.listDevicesOfAccount(ctx.db, account.id)).map(toDeviceDto);
}

export async function getSipDevice(ctx: Ctx, id: number): Promise<SipDeviceDto> {
  requireManager(ctx);
  const row = await repo.findDevice(ctx.db, ctx.actor, id);
  if (!row) throw sipDeviceNotFound();
  return toDeviceDto(row);
}

/** Edits a device; a new secret may be set here (it is not echoed back). */
export async function updateSipDevice(
  ctx: Ctx,
  id: number,
  patch: PatchSipDeviceInput,
): Promise<SipDeviceDto> {
  requireManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const row = await repo.findDevice(tx.db, tx.actor, id, { forUpdate: true });
      if (!row) throw sipDeviceNotFound();
      const before = toDeviceDto(row);
      await repo.updateDevice(
        tx.db,
        id,
        {
          ...(patch.username !== undefined ? { username: patch.username } : {}),
          ...(patch.secret !== undefined ? { secret_enc: encryptSecret(patch.secret) } : {}),
          ...(patch.callerIdName !== undefined ? { caller_id_name: patch.callerIdName } : {}),
          ...(patch.callerIdNumber !== undefined ? { caller_id_number: patch.callerIdNumber } : {}),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.codecs !== undefined ? { codecs: patch.codecs } : {}),
          ...(patch.voicemailEnabled !== undefined ? { voicemail_enabled: patch.voicemailEnabled } : {}),
        },
        tx.now(),
      );
      const after = toDeviceDto((await repo.findDevice(tx.db, tx.actor, id))!);
      await recordUpdate(tx, {
        action: 'sip_device.update',
        entityType: 'sip_device',
        entityId: id,
        accountId: row.account_id,
        before,
        after: { ...after, ...(patch.secret !== undefined ? { secret: 'changed' } : {}) },
      });
      return after;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

/** Replaces the secret with a new random one and shows it once. */
export async function resetSipDeviceSecret(ctx: Ctx, id: number): Promise<SipDeviceWithSecretDto> {
  requireManager(ctx);
  return inTransaction(ctx, async (tx) => {
    const row = await repo.findDevice(tx.db, tx.actor, id, { forUpdate: true });
    if (!row) throw sipDeviceNotFound();
    const secret = generateSecret();
    await repo.updateDevice(tx.db, id, { secret_enc: encryptSecret(secret) }, tx.now());
    await recordAudit(tx, {
      action: 'sip_device.reset_secret',
      entityType: 'sip_device',
      entityId: id,
      accountId: row.account_id,
      after: { secret: 'changed' },
    });
    return { ...toDeviceDto((await repo.findDevice(tx.db, tx.actor, id))!), secret };
  });
}

/** Soft-deletes a device, which frees its username. */
export async function deleteSipDevice(ctx: Ctx, id: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await repo.findDevice(tx.db, tx.actor, id, { forUpdate: true });
    if (!row) throw sipDeviceNotFound();
    await repo.softDeleteDevice(tx.db, id, tx.now());
    await recordAudit(tx, {
      action: 'sip_device.delete',
      entityType: 'sip_device',
      entityId: id,
      accountId: row.account_id,
      before: toDeviceDto(row),
    });
  });
}

/**
 * For the switch's digest authentication (call authorization, DOMAIN 4 step 1): the clear secret
 * of a live device, or null. System actor only: no user-facing route calls this.
 */
export async function deviceCredentials(ctx: Ctx, username: string) {
  if (ctx.actor.kind !== 'system') return null;
  const row = await repo.findDeviceSecret(ctx.db, username);
  if (!row) return null;
  return {
    deviceId: row.id,
    customerId: row.account_id,
    isActive: row.status === 'active' && row.customer_status === 'active',
    secret: decryptSecret(row.secret_enc),
  };
}
