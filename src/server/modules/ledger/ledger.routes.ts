import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AccountKind } from '../accounts/index.js';
import {
  AdjustmentBody,
  BalanceSummary,
  BulkResetBody,
  BulkResetResult,
  ChargeBody,
  EntryPage,
  EntryParams,
  ExportEntriesQuery,
  ExportRefillsQuery,
  IdempotencyHeaders,
  IdParams,
  LedgerEntry,
  LedgerEntryListed,
  ListEntriesQuery,
  ListRefillsQuery,
  ReconcileReport,
  RefillBody,
  ResetBody,
  ReversalBody,
} from './ledger.schemas.js';
import * as service from './ledger.service.js';

const PLURAL: Record<AccountKind, string> = {
  customer: 'customers',
  provider: 'providers',
  reseller: 'resellers',
};

const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
});
const postingResponses = {
  201: LedgerEntry,
  400: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
};
const IDEMPOTENCY_NOTE =
  'Requires an Idempotency-Key header; a retry with the same key answers the same entry ' +
  '(header Idempotent-Replayed: true) and changes nothing.';

/** Answers a posting: 201 with the entry, first time and on replay alike. */
function sendPosting(reply: FastifyReply, r: service.PostingResult) {
  return reply.status(201).header('idempotent-replayed', String(r.replayed)).send(r.entry);
}

function sendCsv(reply: FastifyReply, file: { filename: string; stream: NodeJS.ReadableStream }) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .send(file.stream);
}

/**
 * Balance operations and history of one kind of account (customers, resellers). Every handler
 * calls one use case; postings need admin or reseller, reads any signed-in role within its scope.
 */
export function ledgerRoutes(
  kind: AccountKind,
  hooks: { heldForLiveCalls?: service.HeldForLiveCalls } = {},
): FastifyPluginAsyncTypebox {
  const base = `/${PLURAL[kind]}`;
  const tags = ['ledger'];
  return async (app) => {
    app.post(
      `${base}/:id/refills`,
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags,
          summary: `Refill a ${kind} (PAYMENT entry, +amount; writes a payment.received event)`,
          description: IDEMPOTENCY_NOTE,
          params: IdParams,
          headers: IdempotencyHeaders,
          body: RefillBody,
          response: postingResponses,
        },
      },
      async (req, reply) =>
        sendPosting(
          reply,
          await service.postRefill(req.ctx, kind, req.params.id, req.headers['idempotency-key'], req.body),
        ),
    );

    app.post(
      `${base}/:id/charges`,
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags,
          summary: `Post a charge to a ${kind} (CHARGE entry, stored as -amount; refused beyond the available funds, net of live calls' holds, unless allowNegative)`,
          description: IDEMPOTENCY_NOTE,
          params: IdParams,
          headers: IdempotencyHeaders,
          body: ChargeBody,
          response: postingResponses,
        },
      },
      async (req, reply) =>
        sendPosting(
          reply,
          await service.postCharge(
            req.ctx,
            kind,
            req.params.id,
            req.headers['idempotency-key'],
            req.body,
            undefined,
            hooks.heldForLiveCalls,
          ),
        ),
    );

    app.post(
      `${base}/:id/adjustments`,
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags,
          summary: `Post a signed adjustment to a ${kind} (ADJUSTMENT entry)`,
          description: IDEMPOTENCY_NOTE,
          params: IdParams,
          headers: IdempotencyHeaders,
          body: AdjustmentBody,
          response: postingResponses,
        },
      },
      async (req, reply) =>
        sendPosting(
          reply,
          await service.postAdjustment(
            req.ctx,
            kind,
            req.params.id,
            req.headers['idempotency-key'],
            req.body,
          ),
        ),
    );

    app.post(
      `${base}/:id/balance-resets`,
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags,
          summary: `Reset a ${kind}'s balance to 0 (BALANCE_RESET entry of -balance)`,
          description: IDEMPOTENCY_NOTE,
          params: IdParams,
          headers: IdempotencyHeaders,
          body: Type.Optional(ResetBody),
          response: postingResponses,
        },
      },
      async (req, reply) =>
        sendPosting(
          reply,
          await service.resetBalance(
            req.ctx,
            kind,
            req.params.id,
            req.headers['idempotency-key'],
            req.body ?? {},
          ),
        ),
    );

    app.post(
      `${base}/balance-resets/bulk`,
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags,
          summary: `Reset the balances of up to 1,000 ${PLURAL[kind]}: one transaction and one result per id`,
          description:
            'Requires an Idempotency-Key header; each row is keyed by it and its id, so the whole ' +
            'request can be retried safely.',
          headers: IdempotencyHeaders,
          body: BulkResetBody,
          response: { 200: BulkResetResult, 400: ErrorBody },
        },
      },
      async (req) =>
        service.bulkResetBalances(req.ctx, kind, req.body.ids, req.headers['idempotency-key'], req.body),
    );

    app.post(
      `${base}/:id/ledger-entries/:entryId/reversal`,
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags,
          summary: 'Reverse an entry (REVERSAL entry of -amount; an entry is reversed at most once)',
          description: IDEMPOTENCY_NOTE,
          params: EntryParams,
          headers: IdempotencyHeaders,
          body: ReversalBody,
          response: postingResponses,
        },
      },
      async (req, reply) =>
        sendPosting(
          reply,
          await service.reverseEntry(
            req.ctx,
            kind,
            req.params.id,
            req.params.entryId,
            req.headers['idempotency-key'],
            req.body,
          ),
        ),
    );

    app.get(
      `${base}/:id/balance`,
      {
        schema: {
          tags,
          summary: `Balance, credit limit and available funds of a ${kind}`,
          params: IdParams,
          response: { 200: BalanceSummary, 404: ErrorBody },
        },
      },
      async (req) => service.getBalance(req.ctx, kind, req.params.id, hooks.heldForLiveCalls),
    );

    app.get(
      `${base}/:id/ledger-entries`,
      {
        schema: {
          tags,
          summary: `Charge history of a ${kind}: every entry, newest first, keyset pages`,
          params: IdParams,
          querystring: ListEntriesQuery,
          response: { 200: EntryPage, 400: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => service.listEntries(req.ctx, kind, req.params.id, req.query, { paymentsOnly: false }),
    );

    app.get(
      `${base}/:id/ledger-entries/export`,
      {
        schema: {
          tags,
          summary: `Charge history of a ${kind} as CSV (streamed)`,
          params: IdParams,
          querystring: ExportEntriesQuery,
          produces: ['text/csv'],
        },
      },
      async (req, reply) =>
        sendCsv(
          reply,
          await service.exportEntriesCsv(req.ctx, kind, req.params.id, req.query, { paymentsOnly: false }),
        ),
    );

    app.get(
      `${base}/:id/ledger-entries/:entryId`,
      {
        schema: {
          tags,
          summary: 'One ledger entry',
          params: EntryParams,
          response: { 200: LedgerEntryListed, 404: ErrorBody },
        },
      },
      async (req) => service.getEntry(req.ctx, kind, req.params.id, req.params.entryId),
    );

    app.get(
      `${base}/:id/refills`,
      {
        schema: {
          tags,
          summary: `Refill report of a ${kind}: PAYMENT entries, newest first, keyset pages`,
          params: IdParams,
          querystring: ListRefillsQuery,
          response: { 200: EntryPage, 400: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => service.listEntries(req.ctx, kind, req.params.id, req.query, { paymentsOnly: true }),
    );

    app.get(
      `${base}/:id/refills/export`,
      {
        schema: {
          tags,
          summary: `Refill report of a ${kind} as CSV (streamed)`,
          params: IdParams,
          querystring: ExportRefillsQuery,
          produces: ['text/csv'],
        },
      },
      async (req, reply) =>
        sendCsv(
          reply,
          await service.exportEntriesCsv(req.ctx, kind, req.params.id, req.query, { paymentsOnly: true }),
        ),
    );
  };
}

/** Operator-wide ledger checks. */
export const ledgerAdminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/ledger/reconcile',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['ledger'],
        summary: 'Recompute every balance from the ledger and list the accounts that differ',
        response: { 200: ReconcileReport },
      },
    },
    async (req) => service.reconcileLedger(req.ctx),
  );
};
