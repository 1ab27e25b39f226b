import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import {
  Account,
  AccountPage,
  AuditEntry,
  BulkBody,
  BulkResult,
  ChangePasswordBody,
  CreateAccountBody,
  CreatedAccount,
  DeleteQuery,
  IdParams,
  ListAccountsQuery,
  PatchAccountBody,
  type AccountKind,
  type CreateAccountInput,
} from './accounts.schemas.js';
import * as service from './accounts.service.js';

const PLURAL: Record<AccountKind, string> = {
  customer: 'customers',
  provider: 'providers',
  reseller: 'resellers',
};
// Operator staff and resellers manage accounts; customers only read their own.

/** The same REST surface for customers, providers and resellers; each handler calls one use case. */
export function accountRoutes(kind: AccountKind): FastifyPluginAsyncTypebox {
  const base = `/${PLURAL[kind]}`;
  const tags = [PLURAL[kind]];
  return async (app) => {
    app.get(
      base,
      {
        schema: {
          tags,
          summary: `List ${PLURAL[kind]} (keyset pages)`,
          querystring: ListAccountsQuery,
          response: { 200: AccountPage },
        },
      },
      async (req) => service.listAccounts(req.ctx, kind, req.query),
    );

    app.post(
      base,
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags,
          summary: `Create a ${kind}`,
          body: CreateAccountBody,
          response: { 201: CreatedAccount },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await service.createAccount(req.ctx, kind, req.body as CreateAccountInput)),
    );

    app.get(
      `${base}/:id`,
      { schema: { tags, summary: `Get a ${kind}`, params: IdParams, response: { 200: Account } } },
      async (req) => service.getAccount(req.ctx, kind, req.params.id),
    );

    app.patch(
      `${base}/:id`,
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags,
          summary: `Edit a ${kind}`,
          params: IdParams,
          body: PatchAccountBody,
          response: { 200: Account },
        },
      },
      async (req) => service.updateAccount(req.ctx, kind, req.params.id, req.body),
    );

    app.delete(
      `${base}/:id`,
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags,
          summary: `Delete a ${kind} (soft; a non-zero balance must be quoted in confirmBalance)`,
          params: IdParams,
          querystring: DeleteQuery,
          response: { 204: Type.Null() },
        },
      },
      async (req, reply) => {
        await service.deleteAccount(req.ctx, kind, req.params.id, req.query);
        return reply.status(204).send(null);
      },
    );

    for (const [action, status] of [
      ['activate', 'active'],
      ['deactivate', 'inactive'],
    ] as const) {
      app.post(
        `${base}/:id/${action}`,
        {
          config: { roles: MANAGER_ROLES },
          schema: { tags, summary: `${action} a ${kind}`, params: IdParams, response: { 200: Account } },
        },
        async (req) => service.setAccountStatus(req.ctx, kind, req.params.id, status),
      );
    }

    app.post(
      `${base}/:id/password`,
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags,
          summary: `Change the portal password of a ${kind} (ends its sessions)`,
          params: IdParams,
          body: ChangePasswordBody,
          response: { 204: Type.Null() },
        },
      },
      async (req, reply) => {
        await service.changeAccountPassword(req.ctx, kind, req.params.id, req.body.password);
        return reply.status(204).send(null);
      },
    );

    app.post(
      `${base}/bulk`,
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags,
          summary: 'Bulk activate / deactivate / delete / change password: one result per id',
          body: BulkBody,
          response: { 200: BulkResult },
        },
      },
      async (req) =>
        service.bulkAccounts(req.ctx, kind, req.body.action, req.body.ids, {
          password: req.body.password,
          confirmBalances: req.body.confirmBalances,
        }),
    );

    app.get(
      `${base}/:id/audit`,
      {
        schema: {
          tags,
          summary: `Audit history of a ${kind}, newest first`,
          params: IdParams,
          querystring: Type.Object(
            {
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
              beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ data: Type.Array(AuditEntry) }) },
        },
      },
      async (req) => ({
        data: await service.getAccountAudit(
          req.ctx,
          kind,
          req.params.id,
          req.query.limit ?? 50,
          req.query.beforeId,
        ),
      }),
    );
  };
}
