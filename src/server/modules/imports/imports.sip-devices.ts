/**
 * The SIP device import: the devices of existing customers, one row per device, the customer
 * named by account number (the file GET /sip-devices/export writes). Runs through the same jobs
 * as the customer import (chunks, dry run, atomic or skipInvalid, every error per row, resume).
 *
 * The secret: a `secret` column (encrypted at upload, never stored in clear) becomes the device
 * secret. Our export never carries one, so a device without it gets a random secret that nobody is
 * shown, and the row carries a SIP_SECRET_GENERATED warning: the operator resets the secret on the
 * customer's SIP Devices tab (shown once there) or imports a file with the secrets.
 */
import type { Ctx } from '../../platform/context.js';
import { encryptSecret, generateSecret } from '../../platform/secrets.js';
import { recordAuditMany } from '../audit/index.js';
import { devicesByUsername, insertDevicesBulk, updateDevice } from '../sip-devices/index.js';
import { CellError, parseCell, type ImportSettings, type RowIssue } from './import-rows.js';
import type { AnyOutcome, ChunkPlan, FileKeys } from './imports.process.js';
import * as repo from './imports.repository.js';

/** The columns a SIP device import reads (created_at is export-only, ignored). */
export const DEVICE_IMPORT_COLUMNS = [
  'account_number',
  'username',
  'caller_id_name',
  'caller_id_number',
  'status',
  'codecs',
  'voicemail_enabled',
  'created_at',
  'secret',
] as const;

interface DeviceFields {
  callerIdName: string | null;
  callerIdNumber: string | null;
  status: 'active' | 'inactive';
  codecs: string[];
  voicemailEnabled: boolean;
}

interface DeviceRow {
  rowNumber: number;
  cells: string[];
  accountNumber: string | null;
  username: string | null;
  /** Fields from non-empty cells; nullable ones emptied are null, emptied codecs []. */
  fields: Partial<DeviceFields>;
  secretEnc: string | null;
  issues: RowIssue[];
}

type DeviceOutcome =
  | { kind: 'create'; row: DeviceRow; accountId: number }
  | { kind: 'update'; row: DeviceRow; deviceId: number; accountId: number; set: Partial<DeviceFields> }
  | { kind: 'unchanged' | 'skip' | 'reject'; row: DeviceRow };

const SIP_USERNAME = /^[A-Za-z0-9._@+-]{3,40}$/;
const CODEC = /^[A-Za-z0-9.-]{1,20}$/;
const DIGITS = /^[0-9]{1,20}$/;

/** Reads and checks the cells of one device row: every error of the row, each on its column. */
export function readDeviceRow(rowNumber: number, cells: string[], settings: ImportSettings): DeviceRow {
  const row: DeviceRow = {
    rowNumber,
    cells,
    accountNumber: null,
    username: null,
    fields: {},
    secretEnc: null,
    issues: [],
  };
  const error = (column: string | null, code: string, message: string) =>
    row.issues.push({ rowNumber, column, severity: 'error', code, message });
  const width = settings.columns.length;
  if (cells.length > width && cells.slice(width).some((c) => c !== ''))
    error(null, 'COLUMN_COUNT', `The row has ${cells.length} cells; the header has ${width}.`);
  for (let i = 0; i < width; i++) {
    const name = settings.columns[i];
    if (!name || name === 'created_at') continue;
    const raw = cells[i] ?? '';
    try {
      switch (name) {
        case 'account_number':
          row.accountNumber = (parseCell('trimmed', raw) as string) || null;
          break;
        case 'username': {
          const u = parseCell('trimmed', raw) as string;
          if (u === '') break;
          if (SIP_USERNAME.test(u)) row.username = u;
          else
            error(
              name,
              'SIP_USERNAME_INVALID',
              'A SIP username has 3-40 characters: letters, digits and . _ @ + -.',
            );
          break;
        }
        case 'caller_id_name': {
          const v = parseCell('text', raw) as string;
          if (v.length > 40) error(name, 'INVALID_VALUE', 'At most 40 characters.');
          else row.fields.callerIdName = v === '' ? null : v;
          break;
        }
        case 'caller_id_number': {
          const v = raw.trim();
          if (v !== '' && !DIGITS.test(v)) error(name, 'INVALID_VALUE', 'Digits only, 1-20 of them.');
          else row.fields.callerIdNumber = v === '' ? null : v;
          break;
        }
        case 'status': {
          const v = raw.trim().toLowerCase();
          if (v === '') break;
          if (v === 'active' || v === 'inactive') row.fields.status = v;
          else error(name, 'INVALID_VALUE', `"${raw}" is not active or inactive.`);
          break;
        }
        case 'codecs': {
          const list = raw === '' ? [] : (parseCell('list', raw) as string[]);
          const bad = list.find((c) => !CODEC.test(c));
          if (bad !== undefined) error(name, 'INVALID_VALUE', `"${bad}" is not a codec name.`);
          else if (list.length > 10) error(name, 'INVALID_VALUE', 'At most 10 codecs.');
          else if (new Set(list).size !== list.length)
            error(name, 'INVALID_VALUE', 'A codec is named twice.');
          else row.fields.codecs = list;
          break;
        }
        case 'voicemail_enabled':
          if (raw !== '') row.fields.voicemailEnabled = parseCell('bool', raw) as boolean;
          break;
        case 'secret':
          if (raw === '') break;
          if (raw.startsWith('enc:')) row.secretEnc = raw.slice(4);
          else
            error(
              name,
              'SIP_PASSWORD_INVALID',
              'A SIP secret has 12-128 printable characters and no spaces.',
            );
          break;
      }
    } catch (err) {
      if (!(err instanceof CellError)) throw err;
      error(name, err.code, err.message);
    }
  }
  if (!row.accountNumber && !row.issues.some((i) => i.column === 'account_number'))
    error('account_number', 'REQUIRED', "The customer's account number is required.");
  if (!row.username && !row.issues.some((i) => i.column === 'username'))
    error('username', 'REQUIRED', 'The SIP username is required.');
  return row;
}

const reject = (row: DeviceRow, column: string | null, code: string, message: string): DeviceOutcome => {
  row.issues.push({ rowNumber: row.rowNumber, column, severity: 'error', code, message });
  return { kind: 'reject', row };
};

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Decides every device row of a chunk without writing: create (on the customer of that account
 * number in the actor's scope), update / unchanged / skip (a device of that username on the same
 * customer, by onExisting), or reject. `fileKeys` catches usernames repeated across chunks in passes
 * that write nothing.
 */
export async function classifyDeviceChunk(
  ctx: Ctx,
  plan: ChunkPlan,
  rawRows: [number, string[]][],
  fileKeys: FileKeys | null,
): Promise<DeviceOutcome[]> {
  const { settings } = plan;
  const rows = rawRows.map(([n, cells]) => readDeviceRow(n, cells, settings));
  const numbers = [...new Set(rows.map((r) => r.accountNumber).filter((n): n is string => !!n))];
  const accounts = new Map(
    (await repo.accountsByNumber(ctx.db, ctx.actor, numbers)).map((a) => [a.account_number, a]),
  );
  const existing = new Map(
    (
      await devicesByUsername(
        ctx.db,
        rows.map((r) => r.username).filter((u): u is string => !!u),
      )
    ).map((d) => [d.username.toLowerCase(), d]),
  );
  const seen = fileKeys?.sipUsernames ?? new Set<string>();
  const out: DeviceOutcome[] = [];
  for (const row of rows) {
    if (row.issues.some((i) => i.severity === 'error')) {
      out.push({ kind: 'reject', row });
      continue;
    }
    const account = accounts.get(row.accountNumber!);
    if (!account || account.deleted || !account.in_scope || account.is_reseller) {
      out.push(
        reject(
          row,
          'account_number',
          'CUSTOMER_NOT_FOUND',
          `No customer ${row.accountNumber} that you manage.`,
        ),
      );
      continue;
    }
    if (!account.is_customer) {
      out.push(
        reject(
          row,
          'account_number',
          'ACCOUNT_NOT_CUSTOMER',
          'This account does not have the customer role.',
        ),
      );
      continue;
    }
    const key = row.username!.toLowerCase();
    if (seen.has(key)) {
      out.push(
        reject(row, 'username', 'DUPLICATE_IN_FILE', 'An earlier row of this file has this SIP username.'),
      );
      continue;
    }
    seen.add(key);
    const found = existing.get(key);
    if (!found) {
      if (!row.secretEnc)
        row.issues.push({
          rowNumber: row.rowNumber,
          column: 'secret',
          severity: 'warning',
          code: 'SIP_SECRET_GENERATED',
          message:
            'No secret in the file: the device gets a random secret nobody is shown; reset it on the SIP Devices tab.',
        });
      out.push({ kind: 'create', row, accountId: account.id });
      continue;
    }
    if (found.account_id !== account.id || settings.onExisting === 'error') {
      out.push(reject(row, 'username', 'SIP_USERNAME_TAKEN', 'A SIP device with this username exists.'));
      continue;
    }
    if (settings.onExisting === 'skip') {
      out.push({ kind: 'skip', row });
      continue;
    }
    if (row.secretEnc)
      row.issues.push({
        rowNumber: row.rowNumber,
        column: 'secret',
        severity: 'warning',
        code: 'SIP_SECRET_IGNORED_ON_UPDATE',
        message: "An import never changes an existing device's secret; reset it on the SIP Devices tab.",
      });
    const current: DeviceFields = {
      callerIdName: found.caller_id_name,
      callerIdNumber: found.caller_id_number,
      status: found.status,
      codecs: found.codecs,
      voicemailEnabled: found.voicemail_enabled,
    };
    const set: Partial<DeviceFields> = {};
    for (const [f, v] of Object.entries(row.fields) as [keyof DeviceFields, unknown][]) {
      const was = current[f];
      const same = Array.isArray(v) ? sameList(v, was as string[]) : v === was;
      if (!same) (set as Record<string, unknown>)[f] = v;
    }
    out.push(
      Object.keys(set).length === 0
        ? { kind: 'unchanged', row }
        : { kind: 'update', row, deviceId: found.id, accountId: account.id, set },
    );
  }
  return out;
}

/**
 * Writes a classified device chunk inside the caller's transaction: new devices in one insert
 * (a username taken meanwhile fails the chunk, whose retry rejects that row), updates one by one.
 */
export async function writeDeviceChunk(
  tx: Ctx,
  plan: ChunkPlan,
  outcomes: DeviceOutcome[],
): Promise<AnyOutcome[]> {
  const creates = outcomes.filter(
    (o): o is Extract<DeviceOutcome, { kind: 'create' }> => o.kind === 'create',
  );
  const made = await insertDevicesBulk(
    tx.db,
    creates.map((c) => ({
      accountId: c.accountId,
      username: c.row.username!,
      secretEnc: c.row.secretEnc ?? encryptSecret(generateSecret()),
      ...c.row.fields,
    })),
  );
  const audits: Parameters<typeof recordAuditMany>[1] = made.map((m) => ({
    action: 'sip_device.create',
    entityType: 'sip_device',
    entityId: m.id,
    accountId: m.accountId,
    after: { username: m.username, source: 'import', importId: plan.importId },
  }));
  for (const o of outcomes) {
    if (o.kind !== 'update') continue;
    await updateDevice(
      tx.db,
      o.deviceId,
      {
        ...(o.set.callerIdName !== undefined ? { caller_id_name: o.set.callerIdName } : {}),
        ...(o.set.callerIdNumber !== undefined ? { caller_id_number: o.set.callerIdNumber } : {}),
        ...(o.set.status !== undefined ? { status: o.set.status } : {}),
        ...(o.set.codecs !== undefined ? { codecs: o.set.codecs } : {}),
        ...(o.set.voicemailEnabled !== undefined ? { voicemail_enabled: o.set.voicemailEnabled } : {}),
      },
      tx.now(),
    );
    audits.push({
      action: 'sip_device.update',
      entityType: 'sip_device',
      entityId: o.deviceId,
      accountId: o.accountId,
      after: { ...o.set, source: 'import', importId: plan.importId },
    });
  }
  await recordAuditMany(tx, audits);
  return outcomes;
}
