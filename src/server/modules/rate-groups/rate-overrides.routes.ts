import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CustomerParams } from '../../platform/http/schemas.js';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import {
  CreateRateOverrideBody,
  PatchRateOverrideBody,
  RateOverride,
  RateOverrideList,
  RateOverrideParams,
} from './rate-overrides.schemas.js';
import * as service from './rate-overrides.service.js';

const config = { roles: MANAGER_ROLES };
const tags = ['rate-overrides'];

/** The customer's Rate overrides tab: rates of its own, ranked with its rate group's (DOMAIN 4 step 7). */
export const rateOverrideRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers/:customerId/rate-overrides',
    {
      config,
      schema: {
        tags,
        summary: "A customer's rate overrides",
        params: CustomerParams,
        response: { 200: RateOverrideList },
      },
    },
    async (req) => ({ data: await service.listRateOverrides(req.ctx, req.params.customerId) }),
  );
  app.post(
    '/customers/:customerId/rate-overrides',
    {
      config,
      schema: {
        tags,
        summary: 'Add a rate override (unique per code and start)',
        params: CustomerParams,
        body: CreateRateOverrideBody,
        response: { 201: RateOverride },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await service.createRateOverride(req.ctx, req.params.customerId, req.body)),
  );
  app.patch(
    '/customers/:customerId/rate-overrides/:overrideId',
    {
      config,
      schema: {
        tags,
        summary: 'Edit a rate override (not its code)',
        params: RateOverrideParams,
        body: PatchRateOverrideBody,
        response: { 200: RateOverride },
      },
    },
    async (req) =>
      service.updateRateOverride(req.ctx, req.params.customerId, req.params.overrideId, req.body),
  );
  app.delete(
    '/customers/:customerId/rate-overrides/:overrideId',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a rate override (soft)',
        params: RateOverrideParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await service.deleteRateOverride(req.ctx, req.params.customerId, req.params.overrideId);
      return reply.status(204).send(null);
    },
  );
};
