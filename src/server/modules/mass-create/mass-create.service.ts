import { checkAccountReferences } from '../../platform/account-lifecycle.js';
import type { Actor, Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { validationError } from '../../platform/errors.js';
import { csvLine, quoteCsvCell, textCsvCell } from '../../platform/csv/csv-cells.js';
import { enqueueJob } from '../../platform/jobs/index.js';
import { money } from '../../platform/money.js';
import { createBoxKeys, keyMatches, open, parseBoxKey } from '../../platform/sealed-box.js';
import { recordAudit } from '../audit/index.js';
import { accountsService, type CreateAccountInput } from '../accounts/index.js';
import {
  capacityExceeded,
  downloadKeyInvalid,
  massCreateNotFound,
  resultNotAvailable,
} from './mass-create.errors.js';
import * as repo from './mass-create.repository.js';
import type { MassCreateDto, MassCreateInput } from './mass-create.schemas.js';
import { numberSpace } from './number-allocation.js';
import { requireManager, resolveOwnerId } from '../../platform/tenancy/index.js';

export const MASS_CREATE_JOB = 'customer-mass-create.run';

const requireCreator = (ctx: Ctx) => requireManager(ctx, 'Only operators and resellers create accounts.');

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function toDto(row: repo.MassCreateRow): MassCreateDto {
  const hashedShare = row.count === 0 ? 0 : Math.floor((row.prepared * 95) / row.count);
  return {
    id: row.id,
    resellerId: row.owner_id,
    status: row.status,
    count: row.count,
    prepared: row.prepared,
    created: row.created,
    percent: row.status === 'done' ? 100 : hashedShare,
    resultState: row.result_state,
    params: row.params as Record<string, unknown>,
    failure: (row.failure as { code: string; message: string } | null) ?? null,
    createdAt: iso(row.created_at)!,
    finishedAt: iso(row.finished_at),
    downloadedAt: iso(row.downloaded_at),
  };
}

/** How many new numbers a prefix and length still hold: 10^(length - len(prefix)) - existing, deleted included. */
export async function numberCapacity(ctx: Ctx, prefix: string, length: number): Promise<bigint> {
  if (prefix.length >= length)
    throw validationError('accountNumberLength', 'The length must exceed the prefix length.');
  const used = await repo.countNumbersLike(ctx.db, prefix, length);
  const left = numberSpace(prefix, length) - BigInt(used);
  return left > 0n ? left : 0n;
}

export async function getCapacity(ctx: Ctx, prefix: string, length: number) {
  requireCreator(ctx);
  return { capacity: String(await numberCapacity(ctx, prefix, length)) };
}

/** The create-form fields every generated account shares (validated like the create form). */
export function sharedInput(p: MassCreateInput): Omit<CreateAccountInput, 'name'> {
  const mode = p.mode ?? 'prepaid';
  return {
    currency: p.currency,
    country: p.country,
    timezone: p.timezone,
    mode,
    creditLimit: p.creditLimit ?? '0',
    cliPoolMode: p.cliPoolMode ?? 0,
    rateGroupId: p.rateGroupId ?? null,
    nonCliRateGroupId: p.nonCliRateGroupId ?? null,
    billingSchedule: p.billingSchedule ?? 'monthly',
    billingDay: p.billingDay ?? 1,
  };
}

/**
 * The opening balance every generated account gets (DOMAIN 3.4): prepaid only (a postpaid account
 * gets a credit limit instead), with up to six decimals. Posted as INITIAL_BALANCE entries.
 */
export function checkOpeningBalance(p: MassCreateInput): void {
  if (p.balance === undefined || money(p.balance).isZero()) return;
  if ((p.mode ?? 'prepaid') !== 'prepaid')
    throw validationError(
      'balance',
      'The balance applies to prepaid accounts only; a postpaid account gets a creditLimit.',
    );
  // An opening balance carries six decimals (DOMAIN 3.16), checked by the money format itself.
}

/**
 * Starts a mass create (DOMAIN 3.4) as a background job: the capacity is checked up front; the
 * job hashes the generated passwords in bounded batches (argon2id, the slow part), then creates
 * every account, with its opening balance, in ONE transaction (all or nothing). The passwords are
 * sealed to a key returned here once (`downloadKey`) and never stored, so only the requester can
 * open the result.
 */
export async function startMassCreate(ctx: Ctx, input: MassCreateInput) {
  requireCreator(ctx);
  const prefix = input.startPrefix ?? '';
  if (prefix.length >= input.accountNumberLength)
    throw validationError('accountNumberLength', 'The account number length must exceed the prefix length.');
  const shared = sharedInput(input);
  accountsService.checkAccountRules(ctx, shared as Partial<CreateAccountInput>);
  checkOpeningBalance(input);
  const ownerId = await resolveOwnerId(ctx, input.resellerId);
  // The same reference rule as the create form: checked before the job, so no row can fail on it.
  await checkAccountReferences(ctx, {
    ownerId,
    currency: input.currency,
    rateGroupId: input.rateGroupId ?? undefined,
    nonCliRateGroupId: input.nonCliRateGroupId ?? undefined,
  });
  const capacity = await numberCapacity(ctx, prefix, input.accountNumberLength);
  if (BigInt(input.count) > capacity)
    throw capacityExceeded(String(capacity), prefix, input.accountNumberLength);
  const keys = createBoxKeys();
  const params = { ...input, startPrefix: prefix, resellerId: ownerId };
  return inTransaction(ctx, async (tx) => {
    const id = await repo.insertMassCreate(tx.db, {
      ownerId,
      actor: ctx.actor,
      params,
      count: input.count,
      publicKey: keys.publicKey,
    });
    await enqueueJob(tx.db, { kind: MASS_CREATE_JOB, payload: { massCreateId: id } });
    await recordAudit(tx, {
      action: 'customer_mass_create.start',
      entityType: 'customer_mass_create',
      entityId: id,
      accountId: ownerId,
      after: params,
    });
    const row = (await repo.findMassCreate(tx.db, tx.actor, id))!;
    return { massCreate: toDto(row), downloadKey: keys.privateKey };
  });
}

async function load(ctx: Ctx, id: number) {
  const row = await repo.findMassCreate(ctx.db, ctx.actor, id);
  if (!row) throw massCreateNotFound();
  return row;
}

export async function getMassCreate(ctx: Ctx, id: number) {
  requireCreator(ctx);
  return toDto(await load(ctx, id));
}

export async function listMassCreates(ctx: Ctx) {
  requireCreator(ctx);
  return { data: (await repo.listMassCreates(ctx.db, ctx.actor, 50)).map(toDto) };
}

export const RESULT_COLUMNS = [
  'account_number',
  'name',
  'portal_username',
  'password',
  'pin',
  'status',
  'mode',
  'currency',
  'country',
  'timezone',
  'credit_limit',
  // Ids, named as such: the result file is for this database (references by name are rate_group).
  'rate_group_id',
  'non_cli_rate_group_id',
  'cli_pool_mode',
  'billing_schedule',
  'billing_day',
  'valid_until',
  'reseller',
  'sip_username',
  'sip_password',
];

/**
 * The result, once: every account with its one-time password and PIN, as a CSV in import format.
 * Opened with the download key; then the sealed passwords are deleted, so a second call is 410.
 */
export async function downloadResult(ctx: Ctx, id: number, downloadKey: string) {
  requireCreator(ctx);
  const row = await load(ctx, id);
  if (row.result_state !== 'ready') throw resultNotAvailable(row.result_state);
  const key = parseBoxKey(downloadKey);
  if (!key || !keyMatches(key, row.public_key)) throw downloadKeyInvalid();
  const p = row.params as MassCreateInput & { validUntil?: string | null; resellerNumber?: string | null };
  const shared = sharedInput(p);
  const rows = await repo.resultRows(ctx.db, id);
  let body = csvLine(RESULT_COLUMNS);
  for (const r of rows) {
    const password = open(r.password_box, key);
    if (password === null) throw new Error(`Mass create ${id}: row ${r.seq} cannot be opened`);
    const sipSecret = r.sip_secret_box === null ? null : open(r.sip_secret_box, key);
    if (r.sip_secret_box !== null && sipSecret === null)
      throw new Error(`Mass create ${id}: the SIP secret of row ${r.seq} cannot be opened`);
    body += csvLine(
      [
        r.account_number ?? '',
        r.account_number ?? '',
        r.account_number ?? '',
        textCsvCell(password),
        r.pin ?? '',
        'active',
        shared.mode ?? 'prepaid',
        shared.currency,
        shared.country,
        shared.timezone,
        shared.mode === 'postpaid' ? (shared.creditLimit ?? '0') : '0',
        shared.rateGroupId ? String(shared.rateGroupId) : '',
        shared.nonCliRateGroupId ? String(shared.nonCliRateGroupId) : '',
        String(shared.cliPoolMode ?? 0),
        shared.billingSchedule ?? 'monthly',
        String(shared.billingDay ?? 1),
        p.validUntil ?? '',
        p.resellerNumber ?? '',
        sipSecret === null ? '' : (r.account_number ?? ''),
        sipSecret === null ? '' : textCsvCell(sipSecret),
      ].map((c, i) => (i === 3 || i === 19 ? c : quoteCsvCell(c))),
    );
  }
  await inTransaction(ctx, async (tx) => {
    const claimed = await repo.updateMassCreate(
      tx.db,
      id,
      { result_state: 'downloaded', downloaded_at: new Date().toISOString() },
      { resultState: 'ready' },
    );
    if (!claimed) throw resultNotAvailable('downloaded');
    await repo.deleteRows(tx.db, id);
    await recordAudit(tx, {
      action: 'customer_mass_create.download',
      entityType: 'customer_mass_create',
      entityId: id,
      accountId: row.owner_id,
      after: { rows: rows.length },
    });
  });
  return { fileName: `mass-create-${id}.csv`, body };
}

export function actorOf(row: repo.MassCreateRow): Actor {
  return row.actor as Actor;
}
