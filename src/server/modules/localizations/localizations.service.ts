import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { isUniqueViolation, validationError } from '../../platform/errors.js';
import { recordAudit, recordUpdate } from '../audit/index.js';
import { iso } from '../../platform/http/schemas.js';
import { keysetPage } from '../../platform/cursor-keys.js';
import { requireManager, resolveOwnerId } from '../../platform/tenancy/index.js';
import { localizationInUse, localizationNameTaken, localizationNotFound } from './localizations.errors.js';
import * as repo from './localizations.repository.js';
import type {
  CreateLocalizationInput,
  LocalizationDto,
  PatchLocalizationInput,
  PreviewInput,
  PreviewRulesInput,
} from './localizations.schemas.js';
import { checkRules, localize, type TranslationRule } from './translate.js';

export function toLocalizationDto(r: repo.ProfileRow): LocalizationDto {
  return {
    id: r.id,
    resellerId: r.owner_id,
    name: r.name,
    destinationRules: r.destination_rules as TranslationRule[],
    callerNumberRules: r.caller_number_rules as TranslationRule[],
    callerNameRules: r.caller_name_rules as TranslationRule[],
    customerCount: Number(r.customer_count ?? 0),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

/** Validates each given list; the field names the list and the rule (`destinationRules.2.match`). */
function checkAll(input: Partial<repo.ProfileRules>): void {
  const lists = [
    ['destinationRules', input.destinationRules, 'number'],
    ['callerNumberRules', input.callerNumberRules, 'number'],
    ['callerNameRules', input.callerNameRules, 'name'],
  ] as const;
  for (const [name, rules, kind] of lists) {
    if (!rules) continue;
    const problem = checkRules(rules, kind);
    if (problem) throw validationError(`${name}.${problem[0]}.${problem[1]}`, problem[2]);
  }
}

function mapUniqueViolation(err: unknown): never {
  if (isUniqueViolation(err, 'localization_profiles_owner_name_key')) throw localizationNameTaken();
  throw err;
}

async function requireProfile(ctx: Ctx, id: number, forUpdate = false) {
  const p = await repo.findProfile(ctx.db, ctx.actor, id, { forUpdate });
  if (!p) throw localizationNotFound();
  return p;
}

/** Creates a localization profile: three ordered rule lists. */
export async function createLocalization(ctx: Ctx, input: CreateLocalizationInput): Promise<LocalizationDto> {
  requireManager(ctx);
  const rules = {
    destinationRules: input.destinationRules ?? [],
    callerNumberRules: input.callerNumberRules ?? [],
    callerNameRules: input.callerNameRules ?? [],
  };
  checkAll(rules);
  try {
    return await inTransaction(ctx, async (tx) => {
      const ownerId = await resolveOwnerId(tx, input.resellerId);
      const id = await repo.insertProfile(tx.db, { ownerId, name: input.name.trim(), ...rules });
      const dto = toLocalizationDto((await repo.findProfile(tx.db, tx.actor, id))!);
      await recordAudit(tx, {
        action: 'localization.create',
        entityType: 'localization',
        entityId: id,
        accountId: ownerId,
        after: dto,
      });
      return dto;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

export async function getLocalization(ctx: Ctx, id: number): Promise<LocalizationDto> {
  requireManager(ctx);
  return toLocalizationDto(await requireProfile(ctx, id));
}

export async function listLocalizations(
  ctx: Ctx,
  q: { name?: string; resellerId?: number | 'none'; limit?: number; cursor?: string },
) {
  requireManager(ctx);
  const { rows, nextCursor } = await keysetPage(
    q,
    (page) => repo.listProfilesPage(ctx.db, ctx.actor, q, page),
    (r) => r.name.toLowerCase(),
  );
  return { data: rows.map(toLocalizationDto), nextCursor };
}

/** Edits the name or replaces whole rule lists. */
export async function updateLocalization(
  ctx: Ctx,
  id: number,
  patch: PatchLocalizationInput,
): Promise<LocalizationDto> {
  requireManager(ctx);
  checkAll(patch);
  try {
    return await inTransaction(ctx, async (tx) => {
      const row = await requireProfile(tx, id, true);
      const before = toLocalizationDto(row);
      await repo.updateProfile(tx.db, id, { ...patch, name: patch.name?.trim() }, tx.now());
      const after = toLocalizationDto((await repo.findProfile(tx.db, tx.actor, id))!);
      await recordUpdate(tx, {
        action: 'localization.update',
        entityType: 'localization',
        entityId: id,
        accountId: row.owner_id,
        before,
        after,
      });
      return after;
    });
  } catch (err) {
    mapUniqueViolation(err);
  }
}

/** Soft-deletes a profile no live account uses. */
export async function deleteLocalization(ctx: Ctx, id: number): Promise<void> {
  requireManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await requireProfile(tx, id, true);
    const users = Number(row.customer_count ?? 0);
    if (users > 0) throw localizationInUse(users);
    await repo.softDeleteProfile(tx.db, id, tx.now());
    await recordAudit(tx, {
      action: 'localization.delete',
      entityType: 'localization',
      entityId: id,
      accountId: row.owner_id,
      before: toLocalizationDto(row),
    });
  });
}

/** "Try a number" with a saved profile: each rule tried, and the result. */
export async function previewLocalization(ctx: Ctx, id: number, sample: PreviewInput) {
  requireManager(ctx);
  return localize(toLocalizationDto(await requireProfile(ctx, id)), sample);
}

/** "Try a number" with rules not saved yet (the edit form). */
export function previewRules(ctx: Ctx, input: PreviewRulesInput) {
  requireManager(ctx);
  const rules = {
    destinationRules: input.destinationRules ?? [],
    callerNumberRules: input.callerNumberRules ?? [],
    callerNameRules: input.callerNameRules ?? [],
  };
  checkAll(rules);
  return localize(rules, input);
}
