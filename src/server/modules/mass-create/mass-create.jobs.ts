/**
 * The mass-create job. Steps 1..n generate passwords and hash them (argon2id, ~10 ms of CPU each:
 * the slow part) in batches of PREPARE_BATCH, committing each batch with its position, so a restart
 * resumes there. The last step creates every account, with its opening balance (an INITIAL_BALANCE
 * ledger entry), in ONE transaction (all or nothing): numbers and PINs are drawn from a CSPRNG
 * inside that transaction, checked against the database, and guarded by the unique indexes; a
 * collision with a concurrent writer rolls back and the job retries.
 */
import { sql } from 'kysely';
import { systemActor, type Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError } from '../../platform/errors.js';
import type { JobContext, JobHandler } from '../../platform/jobs/index.js';
import { money } from '../../platform/money.js';
import { generatePassword, hashPassword } from '../../platform/passwords.js';
import { seal } from '../../platform/sealed-box.js';
import { encryptSecret, generateSecret } from '../../platform/secrets.js';
import { insertDevicesBulk, takenSipUsernames } from '../sip-devices/index.js';
import { recordAudit } from '../audit/index.js';
import {
  findAccount,
  insertAccountsBulk,
  takenLogins,
  takenNames,
  takenNumbers,
  takenPins,
  type AccountOwner,
  type CreateAccountInput,
  type NewBulkAccount,
} from '../accounts/index.js';
import { postInitialBalancesBulk } from '../ledger/index.js';
import * as repo from './mass-create.repository.js';
import type { MassCreateInput } from './mass-create.schemas.js';
import { MASS_CREATE_JOB, actorOf, sharedInput } from './mass-create.service.js';
import { numberDrawer } from './number-allocation.js';

export const PREPARE_BATCH = 200;
const HASH_CONCURRENCY = 4;
const INSERT_SLICE = 2_000;

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Draws `count` values not yet taken, from a drawer that never repeats itself. */
async function drawFree(
  draw: (n: number) => string[],
  count: number,
  isTaken: (candidates: string[]) => Promise<Set<string>>,
): Promise<string[] | null> {
  const out: string[] = [];
  while (out.length < count) {
    const need = count - out.length;
    const candidates = draw(Math.ceil(need * 1.1) + 8);
    if (candidates.length === 0) return null;
    const taken = await isTaken(candidates);
    for (const c of candidates) if (!taken.has(c) && out.length < count) out.push(c);
  }
  return out;
}

class CapacityGone extends Error {}

export function massCreateJobHandlers(opts: { prepareBatch?: number } = {}): JobHandler[] {
  const batch = opts.prepareBatch ?? PREPARE_BATCH;
  const handler: JobHandler = {
    kind: MASS_CREATE_JOB,
    async step(jc: JobContext, payload) {
      const { massCreateId: id } = payload as { massCreateId: number };
      let row = await repo.findMassCreate(jc.db, systemActor, id);
      if (!row || row.status === 'done' || row.status === 'failed') return 'done';
      if (row.status === 'queued') {
        await repo.updateMassCreate(
          jc.db,
          id,
          { status: 'running', started_at: sql`now()` },
          { status: ['queued'] },
        );
        row = (await repo.findMassCreate(jc.db, systemActor, id))!;
      }
      const ctx: Ctx = {
        actor: actorOf(row),
        db: jc.db,
        now: jc.now,
        requestId: `customer-mass-create:${id}`,
      };

      if (row.prepared < row.count) {
        const start = row.prepared;
        const n = Math.min(batch, row.count - start);
        const passwords = Array.from({ length: n }, () => generatePassword(16));
        const hashes = await mapLimit(passwords, HASH_CONCURRENCY, hashPassword);
        const prepared = passwords.map((pw, i) => ({
          seq: start + i,
          passwordHash: hashes[i]!,
          passwordBox: seal(pw, row!.public_key),
        }));
        await inTransaction(ctx, async (tx) => {
          await repo.insertPreparedRows(tx.db, id, prepared);
          const ok = await repo.updateMassCreate(tx.db, id, { prepared: start + n }, { prepared: start });
          if (!ok) throw new Error('The mass create moved on without this step');
        });
        return 'more';
      }

      const p = row.params as MassCreateInput;
      try {
        await inTransaction(ctx, async (tx) => {
          let owner: AccountOwner | null = null;
          let resellerNumber: string | null = null;
          if (p.resellerId) {
            const found = await findAccount(tx.db, systemActor, 'reseller', p.resellerId);
            if (!found) throw new AppError('RESELLER_NOT_FOUND', 'The reseller is gone.');
            owner = { id: found.id, ancestor_ids: found.ancestor_ids.map(Number) };
            resellerNumber = found.account_number;
          }
          const numbers = await drawFree(
            numberDrawer(p.startPrefix ?? '', p.accountNumberLength),
            row!.count,
            // A number is free when no account has it, no login uses it, and no account of the
            // owner is named like it (the name of a generated account is its number).
            // With createSipDevices the number is also the device's username, so no live device
            // may have it either.
            async (c) => {
              const names = await takenNames(
                tx.db,
                c.map((name) => ({ ownerId: owner?.id ?? 0, name })),
              );
              const devices = p.createSipDevices ? await takenSipUsernames(tx.db, c) : new Set<string>();
              return new Set([
                ...(await takenNumbers(tx.db, c)),
                ...(await takenLogins(tx.db, c)),
                ...c.filter((x) => names.has(`${owner?.id ?? 0}:${x}`) || devices.has(x)),
              ]);
            },
          );
          if (!numbers) throw new CapacityGone();
          const pins = p.generatePin
            ? await drawFree(numberDrawer('', p.pinLength ?? 6), row!.count, (c) => takenPins(tx.db, c))
            : null;
          if (p.generatePin && !pins) throw new CapacityGone('Not enough free PINs of that length.');
          const validUntil = p.validDays
            ? new Date(jc.now().getTime() + p.validDays * 86_400_000).toISOString()
            : null;
          const shared = sharedInput(p);
          const opening = p.balance !== undefined && !money(p.balance).isZero() ? p.balance : null;
          const hashes = await repo.preparedRows(tx.db, id);
          const accounts: NewBulkAccount[] = hashes.map((h, i) => ({
            key: h.seq,
            input: {
              ...(shared as CreateAccountInput),
              accountNumber: numbers[i]!,
              name: numbers[i]!,
              pin: pins ? pins[i]! : null,
              validUntil,
            },
            roles: ['customer'],
            owner,
            passwordHash: h.password_hash,
            source: {
              source: 'massCreate',
              massCreateId: id,
              ...(opening ? { initialBalance: opening } : {}),
            },
          }));
          const done: {
            seq: number;
            accountNumber: string;
            pin: string | null;
            accountId: number;
            sipSecretBox: string | null;
          }[] = [];
          for (let i = 0; i < accounts.length; i += INSERT_SLICE) {
            const slice = accounts.slice(i, i + INSERT_SLICE);
            const { created, conflicted } = await insertAccountsBulk(tx, 'customer', slice);
            if (conflicted.length)
              throw new Error(`${conflicted.length} generated numbers were taken meanwhile; retrying`);
            if (opening)
              await postInitialBalancesBulk(
                tx,
                [...created.values()].map((a) => ({ accountId: a.id, initialBalance: opening })),
              );
            // "Create SIP devices": one per account, username = account number, a random secret
            // kept encrypted for digest auth and sealed to the requester for the one download.
            const secrets = new Map(slice.map((a) => [a.key, p.createSipDevices ? generateSecret() : null]));
            if (p.createSipDevices)
              await insertDevicesBulk(
                tx.db,
                slice.map((a) => ({
                  accountId: created.get(a.key)!.id,
                  username: a.input.accountNumber,
                  secretEnc: encryptSecret(secrets.get(a.key)!),
                })),
              );
            for (const a of slice) {
              const secret = secrets.get(a.key);
              done.push({
                seq: a.key,
                accountNumber: a.input.accountNumber,
                pin: a.input.pin ?? null,
                accountId: created.get(a.key)!.id,
                sipSecretBox: secret ? seal(secret, row!.public_key) : null,
              });
            }
          }
          await repo.setRowAccounts(tx.db, id, done);
          await repo.updateMassCreate(tx.db, id, {
            status: 'done',
            created: done.length,
            result_state: 'ready',
            finished_at: sql`now()`,
            params: JSON.stringify({ ...p, validUntil, resellerNumber }),
          });
          await recordAudit(tx, {
            action: 'customer_mass_create.finish',
            entityType: 'customer_mass_create',
            entityId: id,
            accountId: owner?.id ?? null,
            after: {
              created: done.length,
              first: done[0]?.accountNumber,
              last: done.at(-1)?.accountNumber,
              sipDevices: p.createSipDevices ? done.length : 0,
            },
          });
        });
      } catch (err) {
        const failure =
          err instanceof CapacityGone
            ? {
                code: 'NUMBER_CAPACITY_EXCEEDED',
                message: err.message || 'The prefix and length ran out of free numbers.',
              }
            : err instanceof AppError && err.status < 500
              ? { code: err.code, message: err.message }
              : null;
        if (!failure) throw err;
        await repo.updateMassCreate(jc.db, id, {
          status: 'failed',
          failure: JSON.stringify(failure),
          finished_at: sql`now()`,
        });
        await repo.deleteRows(jc.db, id);
      }
      return 'done';
    },
    async onFailed(jc, payload, error) {
      const { massCreateId: id } = payload as { massCreateId: number };
      await repo.updateMassCreate(
        jc.db,
        id,
        {
          status: 'failed',
          failure: JSON.stringify({
            code: 'MASS_CREATE_FAILED',
            message: String((error as Error)?.message ?? error),
          }),
          finished_at: sql`now()`,
        },
        { status: ['queued', 'running'] },
      );
      await repo.deleteRows(jc.db, id);
    },
  };
  return [handler];
}
