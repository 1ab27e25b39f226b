import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CustomerParams, IdParams } from '../../platform/http/schemas.js';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import {
  CallerId,
  CallerIdList,
  CreateCallerIdBody,
  CreateForceCallerIdBody,
  ForceCallerId,
  ForceCallerIdList,
  PatchCallerIdBody,
  PatchForceCallerIdBody,
} from './caller-ids.schemas.js';
import * as service from './caller-ids.service.js';

const config = { roles: MANAGER_ROLES };
const tags = ['caller-ids'];

/** The Caller IDs and Force Caller ID tabs. */
export const callerIdRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers/:customerId/caller-ids',
    {
      config,
      schema: {
        tags,
        summary: "A customer's caller IDs",
        params: CustomerParams,
        response: { 200: CallerIdList },
      },
    },
    async (req) => ({ data: await service.listCallerIds(req.ctx, req.params.customerId) }),
  );
  app.post(
    '/customers/:customerId/caller-ids',
    {
      config,
      schema: {
        tags,
        summary: 'Add a caller ID (unique per customer)',
        params: CustomerParams,
        body: CreateCallerIdBody,
        response: { 201: CallerId },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await service.createCallerId(req.ctx, req.params.customerId, req.body)),
  );
  app.patch(
    '/caller-ids/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Edit a caller ID',
        params: IdParams,
        body: PatchCallerIdBody,
        response: { 200: CallerId },
      },
    },
    async (req) => service.updateCallerId(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/caller-ids/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a caller ID (soft)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await service.deleteCallerId(req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/customers/:customerId/force-caller-ids',
    {
      config,
      schema: {
        tags,
        summary: "A customer's force caller IDs",
        params: CustomerParams,
        response: { 200: ForceCallerIdList },
      },
    },
    async (req) => ({ data: await service.listForceCallerIds(req.ctx, req.params.customerId) }),
  );
  app.post(
    '/customers/:customerId/force-caller-ids',
    {
      config,
      schema: {
        tags,
        summary: 'Add a force caller ID (at most one active)',
        params: CustomerParams,
        body: CreateForceCallerIdBody,
        response: { 201: ForceCallerId },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await service.createForceCallerId(req.ctx, req.params.customerId, req.body)),
  );
  app.patch(
    '/force-caller-ids/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Edit a force caller ID',
        params: IdParams,
        body: PatchForceCallerIdBody,
        response: { 200: ForceCallerId },
      },
    },
    async (req) => service.updateForceCallerId(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/force-caller-ids/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a force caller ID (soft)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await service.deleteForceCallerId(req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
