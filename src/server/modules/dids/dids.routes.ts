import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CustomerParams, IdParams } from '../../platform/http/schemas.js';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import {
  AssignDidBody,
  CreateDidBody,
  Did,
  DidList,
  DidPage,
  ListDidsQuery,
  PatchDidBody,
} from './dids.schemas.js';
import * as service from './dids.service.js';

const config = { roles: MANAGER_ROLES };
const tags = ['dids'];

/** The DID inventory and the customer's DIDs tab. */
export const didRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/dids',
    {
      config,
      schema: {
        tags,
        summary: 'The DID inventory (keyset pages by id)',
        querystring: ListDidsQuery,
        response: { 200: DidPage },
      },
    },
    async (req) => service.listDids(req.ctx, req.query),
  );
  app.post(
    '/dids',
    {
      config,
      schema: { tags, summary: 'Add a DID to the inventory', body: CreateDidBody, response: { 201: Did } },
    },
    async (req, reply) => reply.status(201).send(await service.createDid(req.ctx, req.body)),
  );
  app.get(
    '/dids/:id',
    { config, schema: { tags, summary: 'Get a DID', params: IdParams, response: { 200: Did } } },
    async (req) => service.getDid(req.ctx, req.params.id),
  );
  app.patch(
    '/dids/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Edit a DID (or move an unassigned one to another pool)',
        params: IdParams,
        body: PatchDidBody,
        response: { 200: Did },
      },
    },
    async (req) => service.updateDid(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/dids/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Remove a DID from the inventory (soft)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await service.deleteDid(req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/dids/:id/assign',
    {
      config,
      schema: {
        tags,
        summary: 'Assign a pool DID to a customer',
        params: IdParams,
        body: AssignDidBody,
        response: { 200: Did },
      },
    },
    async (req) => service.assignDid(req.ctx, req.params.id, req.body.customerId),
  );
  app.post(
    '/dids/:id/release',
    {
      config,
      schema: { tags, summary: 'Return a DID to its pool', params: IdParams, response: { 200: Did } },
    },
    async (req) => service.releaseDid(req.ctx, req.params.id),
  );
  app.get(
    '/customers/:customerId/dids',
    {
      config,
      schema: { tags, summary: "A customer's DIDs", params: CustomerParams, response: { 200: DidList } },
    },
    async (req) => ({ data: await service.listDidsOfCustomer(req.ctx, req.params.customerId) }),
  );
};
