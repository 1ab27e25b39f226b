import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import { Type } from 'typebox';
import {
  Capacity,
  CapacityQuery,
  IdParams,
  MassCreate,
  MassCreateBody,
  MassCreateList,
  MassCreateStarted,
  ResultBody,
} from './mass-create.schemas.js';
import * as service from './mass-create.service.js';

const tags = ['customer mass create'];

/** Mass create: start (background job), capacity, progress, and the one-time result download. */
export const massCreateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const base = '/customer-mass-creates';

  app.get(
    `${base}/capacity`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'How many new account numbers a prefix and length still hold',
        querystring: CapacityQuery,
        response: { 200: Capacity },
      },
    },
    async (req) => service.getCapacity(req.ctx, req.query.startPrefix ?? '', req.query.accountNumberLength),
  );

  app.post(
    base,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary:
          'Create 1..10,000 customers in the background, all or nothing; keep the downloadKey (shown once)',
        body: MassCreateBody,
        response: { 202: MassCreateStarted },
      },
    },
    async (req, reply) => reply.status(202).send(await service.startMassCreate(req.ctx, req.body)),
  );

  app.get(
    base,
    {
      config: { roles: MANAGER_ROLES },
      schema: { tags, summary: 'Mass creates, newest first', response: { 200: MassCreateList } },
    },
    async (req) => service.listMassCreates(req.ctx),
  );

  app.get(
    `${base}/:id`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'A mass create with its progress (poll for the progress bar)',
        params: IdParams,
        response: { 200: MassCreate },
      },
    },
    async (req) => service.getMassCreate(req.ctx, req.params.id),
  );

  app.post(
    `${base}/:id/result`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'Download the accounts with one-time passwords and PINs as CSV (import format), ONCE',
        params: IdParams,
        body: ResultBody,
        produces: ['text/csv'],
        response: { 200: { description: 'CSV file', content: { 'text/csv': { schema: Type.String() } } } },
      },
    },
    async (req, reply) => {
      const { fileName, body } = await service.downloadResult(req.ctx, req.params.id, req.body.downloadKey);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .header('cache-control', 'no-store')
        .send(body);
    },
  );
};
