import { actorLabelOf, apiKeyIdOf, userIdOf, type Ctx } from '../../platform/context.js';
import { insertAudit, insertAuditMany } from './audit.repository.js';

const SECRET_KEYS = /password|secret|pin|token|hash|apikey/i;

/** Drops secret values (keeps the fact that they changed) so the log never holds a credential. */
export function redactSecrets(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(redactSecrets);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEYS.test(k) ? (v === null || v === undefined ? v : '[redacted]') : redactSecrets(v);
  }
  return out;
}

/** Only the keys whose values differ, so an entry reads as "from -> to". */
export function diffObjects(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } | null {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key];
      a[key] = after[key];
    }
  }
  return Object.keys(a).length ? { before: b, after: a } : null;
}

function actorFields(ctx: Ctx) {
  const actor = ctx.actor;
  return {
    actorUserId: userIdOf(actor),
    actorApiKeyId: apiKeyIdOf(actor),
    actorLabel: actorLabelOf(actor),
    requestId: ctx.requestId ?? null,
  };
}

/** Writes many creation entries in one statement, with the context's executor (bulk paths). */
export async function recordAuditMany(
  ctx: Ctx,
  entries: {
    action: string;
    entityType: string;
    entityId: number | null;
    accountId: number | null;
    after: unknown;
  }[],
): Promise<void> {
  await insertAuditMany(
    ctx.db,
    actorFields(ctx),
    entries.map((e) => ({ ...e, after: redactSecrets(e.after ?? null) })),
  );
}

/** Writes one audit entry with the context's executor, so it commits or rolls back with the change. */
export async function recordAudit(
  ctx: Ctx,
  entry: {
    action: string;
    entityType: string;
    entityId: number | null;
    accountId: number | null;
    before?: unknown;
    after?: unknown;
  },
): Promise<void> {
  await insertAudit(ctx.db, {
    ...actorFields(ctx),
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    accountId: entry.accountId,
    before: redactSecrets(entry.before ?? null),
    after: redactSecrets(entry.after ?? null),
  });
}

/**
 * Records an edit as "from -> to": only the fields that changed (diffObjects), `updatedAt` aside
 * (the entry's own time says when), and nothing at all when nothing changed.
 */
export async function recordUpdate(
  ctx: Ctx,
  entry: {
    action: string;
    entityType: string;
    entityId: number | null;
    accountId: number | null;
    before: object;
    after: object;
  },
): Promise<void> {
  const { before, after, ...rest } = entry;
  const diff = diffObjects({ ...before, updatedAt: null }, { ...after, updatedAt: null });
  if (diff) await recordAudit(ctx, { ...rest, ...diff });
}
