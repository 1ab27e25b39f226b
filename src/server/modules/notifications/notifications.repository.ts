import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

/** What a mail needs of an account (deleted ones too: they are refused, visibly). */
export async function findMailAccount(db: Executor, id: number) {
  return db
    .selectFrom('accounts')
    .select([
      'id',
      'account_number',
      'name',
      'company_name',
      'main_email',
      'noc_emails',
      'billing_emails',
      'notification_emails',
      'notifications_enabled',
      'deleted_at',
      'parent_id',
      'ancestor_ids',
      'currency',
      'balance',
      'credit_limit',
      'unlimited_credit',
      'mode',
      'timezone',
      'is_reseller',
    ])
    .where('id', '=', id)
    .executeTakeFirst();
}
export type MailAccount = NonNullable<Awaited<ReturnType<typeof findMailAccount>>>;

/** The portal username of an account (for the welcome letter). */
export async function findPortalLogin(db: Executor, accountId: number): Promise<string | null> {
  const r = await db
    .selectFrom('users')
    .select('login')
    .where('account_id', '=', accountId)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return r?.login ?? null;
}

const TEMPLATE_COLUMNS = [
  'id',
  'owner_id',
  'kind',
  'subject',
  'text_body',
  'html_body',
  'updated_by',
  'updated_at',
] as const;

/**
 * The template a mail to an account uses: the override of its nearest reseller ancestor that has
 * one, else the operator's (owner NULL, always seeded).
 */
export async function findEffectiveTemplate(db: Executor, kind: string, ancestorIds: number[]) {
  return db
    .selectFrom('mail_templates')
    .select(TEMPLATE_COLUMNS)
    .where('kind', '=', kind)
    .where((eb) =>
      eb.or([eb('owner_id', 'is', null), sql<boolean>`owner_id = ANY(${ancestorIds}::bigint[])`]),
    )
    .orderBy(sql`array_position(${ancestorIds}::bigint[], owner_id) DESC NULLS LAST`)
    .limit(1)
    .executeTakeFirst();
}
export type TemplateRow = NonNullable<Awaited<ReturnType<typeof findEffectiveTemplate>>>;

/** The operator's (owner null) or one reseller's templates. */
export async function listTemplatesOf(db: Executor, ownerId: number | null) {
  const q = db.selectFrom('mail_templates').select(TEMPLATE_COLUMNS).orderBy('kind');
  return ownerId === null
    ? q.where('owner_id', 'is', null).execute()
    : q.where('owner_id', '=', ownerId).execute();
}

export async function upsertTemplate(
  db: Executor,
  ownerId: number | null,
  kind: string,
  t: { subject: string; textBody: string; htmlBody: string | null; updatedBy: string; now: Date },
) {
  const values = {
    subject: t.subject,
    text_body: t.textBody,
    html_body: t.htmlBody,
    updated_by: t.updatedBy,
    updated_at: t.now,
  };
  const updated = await db
    .updateTable('mail_templates')
    .set(values)
    .where('kind', '=', kind)
    .where((eb) => (ownerId === null ? eb('owner_id', 'is', null) : eb('owner_id', '=', ownerId)))
    .returning(TEMPLATE_COLUMNS)
    .executeTakeFirst();
  if (updated) return updated;
  return db
    .insertInto('mail_templates')
    .values({ owner_id: ownerId, kind, ...values })
    .returning(TEMPLATE_COLUMNS)
    .executeTakeFirstOrThrow();
}

export async function deleteTemplate(db: Executor, ownerId: number, kind: string): Promise<boolean> {
  const r = await db
    .deleteFrom('mail_templates')
    .where('owner_id', '=', ownerId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}
