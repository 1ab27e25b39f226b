import { userIdOf, type Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import {
  preferencesNeedUser,
  preferenceTooLarge,
  preferenceValueRequired,
  tooManyPreferences,
} from './preferences.errors.js';
import * as repo from './preferences.repository.js';

const MAX_VALUE_CHARS = 10_000;
const MAX_KEYS_PER_USER = 100;

/*
 * Preferences are the user's own UI settings (hidden columns, page size). They change nothing any
 * other person sees, so unlike account changes they are not written to the audit log.
 */

function signedInUserId(ctx: Ctx): number {
  const id = userIdOf(ctx.actor);
  if (id === null) throw preferencesNeedUser();
  return id;
}

/** Every preference of the signed-in user, by key. */
export async function listPreferences(ctx: Ctx): Promise<Record<string, unknown>> {
  const rows = await repo.listPreferences(ctx.db, signedInUserId(ctx));
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** Stores one preference of the signed-in user, replacing the previous value. */
export async function setPreference(ctx: Ctx, key: string, value: unknown) {
  const userId = signedInUserId(ctx);
  if (value === undefined || value === null) throw preferenceValueRequired();
  const json = JSON.stringify(value);
  if (json.length > MAX_VALUE_CHARS) throw preferenceTooLarge(MAX_VALUE_CHARS);
  await inTransaction(ctx, async (tx) => {
    if (
      !(await repo.hasPreference(tx.db, userId, key)) &&
      (await repo.countPreferences(tx.db, userId)) >= MAX_KEYS_PER_USER
    )
      throw tooManyPreferences(MAX_KEYS_PER_USER);
    await repo.upsertPreference(tx.db, userId, key, json, tx.now());
  });
  return { key, value };
}

/** Forgets one preference (the UI falls back to its default). */
export async function deletePreference(ctx: Ctx, key: string): Promise<void> {
  await repo.deletePreference(ctx.db, signedInUserId(ctx), key);
}
