import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CustomerParams } from '../../platform/http/schemas.js';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import { PutSpeedDialBody, SpeedDial, SpeedDialList, SpeedDialParams } from './speed-dials.schemas.js';
import * as service from './speed-dials.service.js';

const config = { roles: MANAGER_ROLES };
const tags = ['speed-dials'];

/** The Speed Dial tab: keys 0-9. */
export const speedDialRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers/:customerId/speed-dials',
    {
      config,
      schema: {
        tags,
        summary: "A customer's speed-dial keys",
        params: CustomerParams,
        response: { 200: SpeedDialList },
      },
    },
    async (req) => ({ data: await service.listSpeedDials(req.ctx, req.params.customerId) }),
  );
  app.put(
    '/customers/:customerId/speed-dials/:key',
    {
      config,
      schema: {
        tags,
        summary: 'Set a key (0-9) to a number',
        params: SpeedDialParams,
        body: PutSpeedDialBody,
        response: { 200: SpeedDial },
      },
    },
    async (req) => service.setSpeedDial(req.ctx, req.params.customerId, req.params.key, req.body.number),
  );
  app.delete(
    '/customers/:customerId/speed-dials/:key',
    {
      config,
      schema: { tags, summary: 'Clear a key', params: SpeedDialParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await service.clearSpeedDial(req.ctx, req.params.customerId, req.params.key);
      return reply.status(204).send(null);
    },
  );
};
