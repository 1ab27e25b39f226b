import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams } from '../../platform/http/schemas.js';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import {
  BlockedCode,
  BlockedCodeList,
  CreateBlockedCodeBody,
  PatchBlockedCodeBody,
} from './blocked-codes.schemas.js';
import * as service from './blocked-codes.service.js';

const config = { roles: MANAGER_ROLES };
const tags = ['blocked-codes'];
const AccountParams = Type.Object({ customerId: Type.Integer({ minimum: 1 }) });

/** The Blocked Codes tab (any account: customers, providers, resellers). */
export const blockedCodeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers/:customerId/blocked-codes',
    {
      config,
      schema: {
        tags,
        summary: "An account's blocked destination prefixes",
        params: AccountParams,
        response: { 200: BlockedCodeList },
      },
    },
    async (req) => ({ data: await service.listBlockedCodes(req.ctx, req.params.customerId) }),
  );
  app.post(
    '/customers/:customerId/blocked-codes',
    {
      config,
      schema: {
        tags,
        summary: 'Block a destination prefix',
        params: AccountParams,
        body: CreateBlockedCodeBody,
        response: { 201: BlockedCode },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await service.createBlockedCode(req.ctx, req.params.customerId, req.body)),
  );
  app.patch(
    '/blocked-codes/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Edit a blocked code',
        params: IdParams,
        body: PatchBlockedCodeBody,
        response: { 200: BlockedCode },
      },
    },
    async (req) => service.updateBlockedCode(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/blocked-codes/:id',
    {
      config,
      schema: { tags, summary: 'Unblock (soft delete)', params: IdParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await service.deleteBlockedCode(req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
