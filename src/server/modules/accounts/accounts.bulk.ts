import type { Ctx } from '../../platform/context.js';
import { recordAuditMany } from '../audit/index.js';
import { deleteAccountRows, insertAccountRows, insertPortalUsers } from './accounts-bulk.repository.js';
import { newAccountValues, type AccountOwner } from './accounts.rules.js';
import type { CreateAccountInput } from './accounts.schemas.js';

/** One account for the bulk path: already validated by the caller against the create form. */
export interface NewBulkAccount {
  /** The caller's key for this row (an import row number, a mass-create sequence). */
  key: number;
  input: CreateAccountInput & { accountNumber: string };
  roles: string[];
  owner: AccountOwner | null;
  passwordHash: string | null;
  importId?: number | null;
  importRow?: number | null;
  /** What the audit entry says about where the account came from. */
  source: Record<string, unknown>;
}

/**
 * Inserts many accounts with their portal users and audit entries in a few statements (unnest of
 * one array per column), inside the caller's transaction. The caller has validated every row and
 * checked uniqueness; a row that still hits a unique index (a concurrent writer) is left out and
 * reported in `conflicted`, never half-created: an account whose user cannot be inserted is
 * removed again in the same transaction.
 */
export async function insertAccountsBulk(
  ctx: Ctx,
  kind: 'customer' | 'reseller',
  rows: NewBulkAccount[],
): Promise<{ created: Map<number, { id: number; accountNumber: string }>; conflicted: number[] }> {
  const created = new Map<number, { id: number; accountNumber: string }>();
  if (rows.length === 0) return { created, conflicted: [] };
  const inserted = await insertAccountRows(
    ctx.db,
    rows.map((r) => ({
      ...newAccountValues(kind, r.input, r.roles, r.owner),
      account_number: r.input.accountNumber,
      import_id: r.importId ?? null,
      import_row: r.importRow ?? null,
    })),
  );
  const idByNumber = new Map(inserted.map((r) => [r.account_number, Number(r.id)]));

  const withAccount = rows.filter((r) => idByNumber.has(r.input.accountNumber));
  const withUser = await insertPortalUsers(
    ctx.db,
    kind,
    withAccount.map((r) => ({
      login: r.input.portalUsername ?? r.input.accountNumber,
      email: r.input.mainEmail ?? null,
      displayName: r.input.name.trim(),
      accountId: idByNumber.get(r.input.accountNumber)!,
      passwordHash: r.passwordHash,
    })),
  );
  const orphans = withAccount
    .map((r) => idByNumber.get(r.input.accountNumber)!)
    .filter((id) => !withUser.has(id));
  if (orphans.length) await deleteAccountRows(ctx.db, orphans);

  const conflicted: number[] = [];
  const audits = [];
  for (const r of rows) {
    const id = idByNumber.get(r.input.accountNumber);
    if (id === undefined || !withUser.has(id)) {
      conflicted.push(r.key);
      continue;
    }
    created.set(r.key, { id, accountNumber: r.input.accountNumber });
    // A compact entry: what the account was created from. Its values are the account's own at
    // creation; writing them all again per row would double the cost of a million-row import.
    audits.push({
      action: `${kind}.create`,
      entityType: 'account',
      entityId: id,
      accountId: id,
      after: { accountNumber: r.input.accountNumber, name: r.input.name.trim(), ...r.source },
    });
  }
  await recordAuditMany(ctx, audits);
  return { created, conflicted };
}
