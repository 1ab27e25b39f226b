import { sql, type SelectQueryBuilder } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Actor } from '../../platform/context.js';
import type { Executor } from '../../platform/db/database.js';
import { accountScope, ownedScope } from '../../platform/tenancy/index.js';

const TEMPLATE_COLUMNS = [
  't.id',
  't.owner_id',
  't.name',
  't.description',
  't.settings',
  't.version',
  't.created_at',
  't.updated_at',
] as const;

export interface TemplateRow {
  id: number;
  owner_id: number | null;
  name: string;
  description: string | null;
  settings: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
}

type TemplateQuery = SelectQueryBuilder<DB & { t: DB['customer_templates'] }, 't', object>;

/**
 * Template scope: an admin sees every template, a reseller its own and those of the resellers in
 * its subtree. Customers never reach templates (their routes refuse them).
 */
function scopeTemplates<Q extends TemplateQuery>(q: Q, actor: Actor): Q {
  return q.where(ownedScope(actor, 't.owner_id')) as Q;
}

export async function findTemplate(
  db: Executor,
  actor: Actor,
  id: number,
  opts: { forUpdate?: boolean } = {},
): Promise<TemplateRow | undefined> {
  let q = scopeTemplates(
    db.selectFrom('customer_templates as t').select(TEMPLATE_COLUMNS).where('t.id', '=', id),
    actor,
  );
  if (opts.forUpdate) q = q.forUpdate('t');
  return (await q.executeTakeFirst()) as TemplateRow | undefined;
}

export async function listTemplates(db: Executor, actor: Actor): Promise<TemplateRow[]> {
  const q = scopeTemplates(db.selectFrom('customer_templates as t').select(TEMPLATE_COLUMNS), actor)
    .orderBy(sql`lower(t.name)`)
    .orderBy('t.id');
  return (await q.execute()) as TemplateRow[];
}

export async function insertTemplate(
  db: Executor,
  t: { ownerId: number | null; name: string; description: string | null; settings: Record<string, unknown> },
): Promise<number> {
  const r = await db
    .insertInto('customer_templates')
    .values({
      owner_id: t.ownerId,
      name: t.name,
      description: t.description,
      settings: JSON.stringify(t.settings),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updateTemplate(
  db: Executor,
  id: number,
  set: {
    name?: string;
    description?: string | null;
    settings?: Record<string, unknown>;
    bumpVersion: boolean;
  },
): Promise<void> {
  await db
    .updateTable('customer_templates')
    .set({
      ...(set.name !== undefined ? { name: set.name } : {}),
      ...(set.description !== undefined ? { description: set.description } : {}),
      ...(set.settings !== undefined ? { settings: JSON.stringify(set.settings) } : {}),
      ...(set.bumpVersion ? { version: sql`version + 1` } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteTemplate(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('customer_templates').where('id', '=', id).execute();
}

/** Live customers linked to each template, counted within the actor's account scope. */
export async function countUsedBy(
  db: Executor,
  actor: Actor,
  templateIds: number[],
): Promise<Map<number, number>> {
  if (templateIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('accounts as a')
    .select(['a.template_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('a.template_id', 'in', templateIds)
    .where('a.deleted_at', 'is', null)
    .where(accountScope(actor))
    .groupBy('a.template_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.template_id), Number(r.n)]));
}

/** Ids of live accounts in scope linked to the template, in id order after `afterId`. */
export async function linkedAccountIds(
  db: Executor,
  actor: Actor,
  templateId: number,
  afterId: number,
  limit: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom('accounts as a')
    .select('a.id')
    .where('a.template_id', '=', templateId)
    .where('a.deleted_at', 'is', null)
    .where('a.id', '>', afterId)
    .where(accountScope(actor))
    .orderBy('a.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function linkAccount(
  db: Executor,
  accountId: number,
  templateId: number,
  version: number,
): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ template_id: templateId, template_version: version, updated_at: sql`now()` })
    .where('id', '=', accountId)
    .execute();
}

/** Unlinks every account from a deleted template; returns their ids (for the audit). */
export async function unlinkAll(db: Executor, templateId: number): Promise<number[]> {
  const rows = await db
    .updateTable('accounts')
    .set({ template_id: null, template_version: null, updated_at: sql`now()` })
    .where('template_id', '=', templateId)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
