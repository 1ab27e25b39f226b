import type { Ctx } from '../../platform/context.js';
import { AppError, forbidden, notFound } from '../../platform/errors.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { recordAudit } from '../audit/index.js';
import { iso } from '../../platform/http/schemas.js';
import { resellerNotFound } from '../../platform/tenancy/index.js';
import { renderTemplate, usedVariables } from './render.js';
import { TEMPLATE_VARIABLES, type MailKind } from './template-catalog.js';
import * as repo from './notifications.repository.js';
import type { MailTemplateDto, PreviewDto, PreviewInput, PutTemplateInput } from './templates.schemas.js';

/*
 * Mail templates (issue 15): the operator's one per kind (seeded, edited, never deleted) and a
 * reseller's overrides for its customers. A reseller sees what its customers get: its override,
 * else its nearest ancestor's, else the operator's.
 */

/** A template uses a variable its kind does not have. */
export const unknownVariable = (field: string, names: string[]) =>
  new AppError(
    'MAIL_TEMPLATE_UNKNOWN_VARIABLE',
    `Unknown variable ${names.map((n) => `{{${n}}}`).join(', ')}.`,
    { field, variables: names },
  );

/** The operator's templates cannot be deleted, only edited. */
export const templateRequired = () =>
  new AppError('MAIL_TEMPLATE_REQUIRED', "The operator's template can be edited, not deleted.");

/** This reseller has no override of that kind. */
export const templateNotFound = () => notFound('MAIL_TEMPLATE_NOT_FOUND', 'No override of this kind.');

function requireStaff(ctx: Ctx): void {
  if (ctx.actor.kind === 'customer') throw forbidden('Customers cannot manage mail templates.');
}

/**
 * Whose templates a call reads and writes: the operator's (owner null) or one reseller's
 * overrides, with the ancestors its customers inherit from. An admin picks any reseller with
 * `resellerId`; a reseller only ever gets its own (another id answers 404, as if it did not exist).
 */
interface TemplateScope {
  owner: number | null;
  ancestors: number[];
}

async function scopeOf(ctx: Ctx, resellerId?: number): Promise<TemplateScope> {
  let id: number | null = null;
  if (ctx.actor.kind === 'reseller') {
    if (resellerId !== undefined && resellerId !== ctx.actor.accountId) throw resellerNotFound();
    id = ctx.actor.accountId;
  } else if (resellerId !== undefined) {
    id = resellerId;
  }
  if (id === null) return { owner: null, ancestors: [] };
  const a = await repo.findMailAccount(ctx.db, id);
  if (!a || !a.is_reseller || a.deleted_at !== null) throw resellerNotFound();
  return { owner: id, ancestors: [...(a.ancestor_ids ?? []), id] };
}

const variablesOf = (kind: MailKind) =>
  Object.entries(TEMPLATE_VARIABLES[kind]).map(([name, sample]) => ({ name, sample }));

function toDto(scope: TemplateScope, r: repo.TemplateRow): MailTemplateDto {
  const owner = scope.owner;
  return {
    kind: r.kind as MailKind,
    subject: r.subject,
    textBody: r.text_body,
    htmlBody: r.html_body,
    source: r.owner_id === null ? 'operator' : 'reseller',
    ownerId: r.owner_id,
    isOwn: (r.owner_id ?? null) === owner,
    variables: variablesOf(r.kind as MailKind),
    updatedAt: iso(r.updated_at)!,
    updatedBy: r.updated_by,
  };
}

async function effective(ctx: Ctx, scope: TemplateScope, kind: MailKind): Promise<repo.TemplateRow> {
  const row = await repo.findEffectiveTemplate(ctx.db, kind, scope.ancestors);
  if (!row) throw new Error(`No operator template for kind ${kind}`);
  return row;
}

export async function listTemplates(ctx: Ctx, resellerId?: number): Promise<MailTemplateDto[]> {
  requireStaff(ctx);
  const scope = await scopeOf(ctx, resellerId);
  const operator = await repo.listTemplatesOf(ctx.db, null);
  const out: MailTemplateDto[] = [];
  for (const t of operator)
    out.push(
      scope.owner !== null ? toDto(scope, await effective(ctx, scope, t.kind as MailKind)) : toDto(scope, t),
    );
  return out;
}

export async function getTemplate(ctx: Ctx, kind: MailKind, resellerId?: number): Promise<MailTemplateDto> {
  requireStaff(ctx);
  const scope = await scopeOf(ctx, resellerId);
  return toDto(scope, await effective(ctx, scope, kind));
}

function checkVariables(
  kind: MailKind,
  input: { subject?: string; textBody?: string; htmlBody?: string | null },
) {
  const known = TEMPLATE_VARIABLES[kind];
  for (const field of ['subject', 'textBody', 'htmlBody'] as const) {
    const unknown = usedVariables(input[field] ?? '').filter((n) => !(n in known));
    if (unknown.length) throw unknownVariable(field, unknown);
  }
}

/**
 * Saves a template of a kind: the operator's (admin), a reseller's override (the reseller, or an
 * admin naming it with `resellerId`).
 */
export async function putTemplate(
  ctx: Ctx,
  kind: MailKind,
  input: PutTemplateInput,
  resellerId?: number,
): Promise<MailTemplateDto> {
  requireStaff(ctx);
  checkVariables(kind, input);
  const scope = await scopeOf(ctx, resellerId);
  return inTransaction(ctx, async (tx) => {
    const row = await repo.upsertTemplate(tx.db, scope.owner, kind, {
      subject: input.subject,
      textBody: input.textBody,
      htmlBody: input.htmlBody,
      updatedBy: tx.actor.label,
      now: tx.now(),
    });
    await recordAudit(tx, {
      action: 'mail_template.save',
      entityType: 'mail_template',
      entityId: row.id,
      accountId: row.owner_id,
      after: { kind, subject: input.subject },
    });
    return toDto(scope, row);
  });
}

/** A reseller's override is dropped (by it, or an admin); its customers get the inherited one again. */
export async function deleteTemplate(ctx: Ctx, kind: MailKind, resellerId?: number): Promise<void> {
  requireStaff(ctx);
  const { owner } = await scopeOf(ctx, resellerId);
  if (owner === null) throw templateRequired();
  if (!(await repo.deleteTemplate(ctx.db, owner, kind))) throw templateNotFound();
}

/** Renders the stored template, or the given draft, with the samples (or given values). */
export async function previewTemplate(
  ctx: Ctx,
  kind: MailKind,
  input: PreviewInput,
  resellerId?: number,
): Promise<PreviewDto> {
  requireStaff(ctx);
  const stored = await effective(ctx, await scopeOf(ctx, resellerId), kind);
  const parts = {
    subject: input.subject ?? stored.subject,
    textBody: input.textBody ?? stored.text_body,
    htmlBody: input.htmlBody === undefined ? stored.html_body : input.htmlBody,
  };
  const known = TEMPLATE_VARIABLES[kind];
  const unknownVariables = [
    ...new Set([parts.subject, parts.textBody, parts.htmlBody ?? ''].flatMap(usedVariables)),
  ].filter((n) => !(n in known));
  return { ...renderTemplate(parts, { ...known, ...(input.variables ?? {}) }), unknownVariables };
}
