import { systemActor, type Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, isUniqueViolation, notFound } from '../../platform/errors.js';
import { formatMoney, money } from '../../platform/money.js';
import { recordAudit } from '../audit/index.js';
import { checkAccountReferences } from '../../platform/account-lifecycle.js';
import {
  accountsService,
  findAccount,
  findAccountsByIds,
  toAccountDto,
  type AccountDto,
  type CreateAccountInput,
  type PatchAccountInput,
} from '../accounts/index.js';
import {
  notLinkedToTemplate,
  templateNameTaken,
  templateNotFound,
  templateVersionChanged,
} from './templates.errors.js';
import * as repo from './templates.repository.js';
import {
  TEMPLATE_FIELDS,
  type CreateTemplateInput,
  type FieldChange,
  type PatchTemplateInput,
  type TemplateDto,
  type TemplateField,
  type TemplateSettings,
} from './templates.schemas.js';
import { requireManager, resolveOwnerId } from '../../platform/tenancy/index.js';

const SET_FIELDS = new Set<string>(['roles', 'portalPermissions']);

/** One canonical form per value, so a template and an account compare equal when they mean the same. */
function canonical(field: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (field) {
    case 'creditLimit':
    case 'localCallPricePerMin':
      return formatMoney(String(value));
    case 'cpsLimit':
      return money(String(value)).toFixed(2);
    case 'minProfitability': {
      const m = value as { type: string; value: string };
      return { type: m.type, value: formatMoney(m.value) };
    }
    default:
      return value;
  }
}

const comparable = (field: string, value: unknown) => {
  const v = canonical(field, value);
  return JSON.stringify(SET_FIELDS.has(field) && Array.isArray(v) ? [...v].sort() : v);
};

function normalizeSettings(settings: TemplateSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of TEMPLATE_FIELDS) if (settings[f] !== undefined) out[f] = canonical(f, settings[f]);
  return out;
}

/** The template fields whose value on the account differs from the template's, as from -> to. */
export function templateChanges(settings: Record<string, unknown>, account: AccountDto): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const f of TEMPLATE_FIELDS) {
    if (!(f in settings)) continue;
    const current = (account as Record<string, unknown>)[f];
    if (comparable(f, current) !== comparable(f, settings[f]))
      changes.push({ field: f, from: canonical(f, current), to: settings[f] });
  }
  return changes;
}

const requireTemplateManager = (ctx: Ctx) => requireManager(ctx, 'Customers cannot manage templates.');

function checkSettings(ctx: Ctx, settings: Record<string, unknown>): void {
  accountsService.checkAccountRules(ctx, settings as Partial<CreateAccountInput>);
}

function toDto(row: repo.TemplateRow, usedBy: number): TemplateDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    resellerId: row.owner_id,
    version: row.version,
    settings: row.settings,
    usedBy,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function loadTemplate(ctx: Ctx, id: number, forUpdate = false): Promise<repo.TemplateRow> {
  const row = await repo.findTemplate(ctx.db, ctx.actor, id, { forUpdate });
  if (!row) throw templateNotFound();
  return row;
}

async function withUsedBy(ctx: Ctx, row: repo.TemplateRow): Promise<TemplateDto> {
  const counts = await repo.countUsedBy(ctx.db, ctx.actor, [row.id]);
  return toDto(row, counts.get(row.id) ?? 0);
}

function mapUnique(err: unknown): never {
  if (isUniqueViolation(err, 'customer_templates_owner_name_key')) throw templateNameTaken();
  throw err;
}

async function insertAndAudit(
  ctx: Ctx,
  t: { ownerId: number | null; name: string; description: string | null; settings: Record<string, unknown> },
  from?: number,
): Promise<TemplateDto> {
  try {
    return await inTransaction(ctx, async (tx) => {
      const id = await repo.insertTemplate(tx.db, t);
      const row = (await repo.findTemplate(tx.db, systemActor, id))!;
      await recordAudit(tx, {
        action: 'customer_template.create',
        entityType: 'customer_template',
        entityId: id,
        accountId: from ?? null,
        after: {
          name: row.name,
          description: row.description,
          settings: row.settings,
          fromCustomer: from ?? null,
        },
      });
      return toDto(row, 0);
    });
  } catch (err) {
    mapUnique(err);
  }
}

/**
 * The rate groups and localization profile a template names must be usable by its owner (the
 * same rule as an account's: same owner, rate groups active and in the template's currency), so
 * a template never stores another tenant's ids that would fail only when it is used.
 */
async function checkTemplateReferences(ctx: Ctx, ownerId: number | null, settings: Record<string, unknown>) {
  const id = (v: unknown) => (typeof v === 'number' ? v : null);
  await checkAccountReferences(ctx, {
    ownerId,
    currency: typeof settings.currency === 'string' ? settings.currency : null,
    rateGroupId: id(settings.rateGroupId),
    nonCliRateGroupId: id(settings.nonCliRateGroupId),
    localizationId: id(settings.localizationId),
  });
}

/** Creates a template from explicit settings. */
export async function createTemplate(ctx: Ctx, input: CreateTemplateInput): Promise<TemplateDto> {
  requireTemplateManager(ctx);
  const settings = normalizeSettings(input.settings as TemplateSettings);
  checkSettings(ctx, settings);
  const ownerId = await resolveOwnerId(ctx, input.resellerId);
  await checkTemplateReferences(ctx, ownerId, settings);
  return insertAndAudit(ctx, {
    ownerId,
    name: input.name.trim(),
    description: input.description ?? null,
    settings,
  });
}

/**
 * "Save as template": copies the customer's template fields (never its identity or credentials).
 * The template belongs to the customer's owner (the operator, or its reseller), whose rate groups
 * and localization the customer uses, so its references are valid for that owner (checked anyway).
 */
export async function saveCustomerAsTemplate(
  ctx: Ctx,
  accountId: number,
  input: { name: string; description?: string | null },
): Promise<TemplateDto> {
  requireTemplateManager(ctx);
  const account = await accountsService.getAccount(ctx, 'customer', accountId);
  const settings: Record<string, unknown> = {};
  for (const f of TEMPLATE_FIELDS) settings[f] = canonical(f, (account as Record<string, unknown>)[f]);
  const ownerId = account.resellerId ?? null;
  await checkTemplateReferences(ctx, ownerId, settings);
  return insertAndAudit(
    ctx,
    { ownerId, name: input.name.trim(), description: input.description ?? null, settings },
    accountId,
  );
}

export async function listTemplates(ctx: Ctx): Promise<{ data: TemplateDto[] }> {
  requireTemplateManager(ctx);
  const rows = await repo.listTemplates(ctx.db, ctx.actor);
  const counts = await repo.countUsedBy(
    ctx.db,
    ctx.actor,
    rows.map((r) => r.id),
  );
  return { data: rows.map((r) => toDto(r, counts.get(r.id) ?? 0)) };
}

export async function getTemplate(ctx: Ctx, id: number): Promise<TemplateDto> {
  requireTemplateManager(ctx);
  return withUsedBy(ctx, await loadTemplate(ctx, id));
}

/** Edits a template. Changing settings bumps its version and changes no customer (DOMAIN 3.3). */
export async function updateTemplate(ctx: Ctx, id: number, patch: PatchTemplateInput): Promise<TemplateDto> {
  requireTemplateManager(ctx);
  try {
    return await inTransaction(ctx, async (tx) => {
      const before = await loadTemplate(tx, id, true);
      const settings = patch.settings ? normalizeSettings(patch.settings as TemplateSettings) : undefined;
      if (settings) {
        checkSettings(tx, settings);
        await checkTemplateReferences(tx, before.owner_id, settings);
      }
      const settingsChanged =
        settings !== undefined && JSON.stringify(settings) !== JSON.stringify(before.settings);
      await repo.updateTemplate(tx.db, id, {
        name: patch.name?.trim(),
        description: patch.description,
        settings,
        bumpVersion: settingsChanged,
      });
      const after = await loadTemplate(tx, id);
      await recordAudit(tx, {
        action: 'customer_template.update',
        entityType: 'customer_template',
        entityId: id,
        accountId: null,
        before: {
          name: before.name,
          description: before.description,
          settings: before.settings,
          version: before.version,
        },
        after: {
          name: after.name,
          description: after.description,
          settings: after.settings,
          version: after.version,
        },
      });
      return withUsedBy(tx, after);
    });
  } catch (err) {
    mapUnique(err);
  }
}

/** Deletes a template; its customers keep their values and lose the link. */
export async function deleteTemplate(ctx: Ctx, id: number): Promise<void> {
  requireTemplateManager(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await loadTemplate(tx, id, true);
    const unlinked = await repo.unlinkAll(tx.db, id);
    for (const accountId of unlinked) {
      await recordAudit(tx, {
        action: 'customer.template_unlink',
        entityType: 'account',
        entityId: accountId,
        accountId,
        before: { templateId: id },
        after: { templateId: null },
      });
    }
    await repo.deleteTemplate(tx.db, id);
    await recordAudit(tx, {
      action: 'customer_template.delete',
      entityType: 'customer_template',
      entityId: id,
      accountId: null,
      before: {
        name: row.name,
        settings: row.settings,
        version: row.version,
        linkedCustomers: unlinked.length,
      },
    });
  });
}

/** The create form prefilled from the template ("Create New By Template"). */
export async function prefillFromTemplate(ctx: Ctx, id: number) {
  requireTemplateManager(ctx);
  const t = await loadTemplate(ctx, id);
  return { templateId: t.id, templateVersion: t.version, values: t.settings };
}

/**
 * Creates a customer from the template: the template's values, overridden by any field the caller
 * sends; the customer records the template and its version. One transaction.
 */
export async function createCustomerFromTemplate(
  ctx: Ctx,
  id: number,
  body: Record<string, unknown>,
): Promise<AccountDto> {
  requireTemplateManager(ctx);
  return inTransaction(ctx, async (tx) => {
    const t = await loadTemplate(tx, id);
    const values: Record<string, unknown> = { ...t.settings, ...body };
    // A caller switching the template's postpaid mode to prepaid drops the template's credit.
    if (values.mode === 'prepaid' && body.creditLimit === undefined) values.creditLimit = '0';
    if (values.mode === 'prepaid' && body.unlimitedCredit === undefined) values.unlimitedCredit = false;
    for (const required of ['country', 'timezone', 'currency'])
      if (values[required] === undefined)
        throw new AppError('VALIDATION_FAILED', `${required}: Required (the template does not set it).`, {
          field: required,
        });
    const created = await accountsService.createAccount(tx, 'customer', values as CreateAccountInput);
    await repo.linkAccount(tx.db, created.id, t.id, t.version);
    await recordAudit(tx, {
      action: 'customer.template_link',
      entityType: 'account',
      entityId: created.id,
      accountId: created.id,
      after: { templateId: t.id, templateVersion: t.version },
    });
    return accountsService.getAccount(tx, 'customer', created.id);
  });
}

/** What re-applying the template would change, per linked customer (keyset pages by id). */
export async function previewReapply(ctx: Ctx, id: number, page: { limit?: number; afterId?: number }) {
  requireTemplateManager(ctx);
  const t = await loadTemplate(ctx, id);
  const limit = page.limit ?? 100;
  const ids = await repo.linkedAccountIds(ctx.db, ctx.actor, id, page.afterId ?? 0, limit + 1);
  const more = ids.length > limit;
  const rows = await findAccountsByIds(ctx.db, ctx.actor, ids.slice(0, limit));
  return {
    templateId: t.id,
    templateVersion: t.version,
    customers: rows.map((r) => {
      const dto = toAccountDto(r);
      return {
        id: dto.id,
        accountNumber: dto.accountNumber,
        name: dto.name,
        templateVersion: dto.templateVersion,
        changes: templateChanges(t.settings, dto),
      };
    }),
    nextAfterId: more ? ids[limit - 1]! : null,
  };
}

const MAX_PER_CALL = 1000;

/**
 * Re-applies the template to its linked customers (DOMAIN 3.3): one transaction and one result per
 * customer; only template fields change, and the customer records the version applied. Refused as
 * a whole when the template changed since the preview (`expectedVersion`).
 */
export async function reapplyTemplate(
  ctx: Ctx,
  id: number,
  body: { expectedVersion: number; accountIds?: number[]; afterId?: number },
) {
  requireTemplateManager(ctx);
  const t = await loadTemplate(ctx, id);
  if (t.version !== body.expectedVersion) throw templateVersionChanged(t.version);
  let ids = body.accountIds;
  let nextAfterId: number | null = null;
  if (!ids) {
    const page = await repo.linkedAccountIds(ctx.db, ctx.actor, id, body.afterId ?? 0, MAX_PER_CALL + 1);
    ids = page.slice(0, MAX_PER_CALL);
    if (page.length > MAX_PER_CALL) nextAfterId = ids[ids.length - 1]!;
  }
  const results: {
    id: number;
    ok: boolean;
    changes: FieldChange[];
    error?: { code: string; message: string };
  }[] = [];
  for (const accountId of ids) {
    try {
      const changes = await inTransaction(ctx, async (tx) => {
        const row = await findAccount(tx.db, tx.actor, 'customer', accountId, { forUpdate: true });
        if (!row) throw notFound('ACCOUNT_NOT_FOUND', 'Account not found.');
        if (row.template_id !== t.id) throw notLinkedToTemplate();
        const changes = templateChanges(t.settings, toAccountDto(row));
        if (changes.length) {
          const patch = Object.fromEntries(
            changes.map((c) => [c.field, t.settings[c.field as TemplateField]]),
          );
          await accountsService.updateAccount(tx, 'customer', accountId, patch as PatchAccountInput);
        }
        if (changes.length || row.template_version !== t.version) {
          await repo.linkAccount(tx.db, accountId, t.id, t.version);
          await recordAudit(tx, {
            action: 'customer.template_reapply',
            entityType: 'account',
            entityId: accountId,
            accountId,
            before: { templateVersion: row.template_version },
            after: { templateId: t.id, templateVersion: t.version, fields: changes.map((c) => c.field) },
          });
        }
        return changes;
      });
      results.push({ id: accountId, ok: true, changes });
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      results.push({
        id: accountId,
        ok: false,
        changes: [],
        error: { code: err.code, message: err.message },
      });
    }
  }
  const succeeded = results.filter((r) => r.ok).length;
  return { templateVersion: t.version, results, succeeded, failed: results.length - succeeded, nextAfterId };
}
