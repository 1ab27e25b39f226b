import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CustomerParams, IdParams } from '../../platform/http/schemas.js';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import {
  CreateHostBody,
  CreateTrunkBody,
  CustomerLimitPage,
  CustomerLimitQuery,
  CustomerLimitRow,
  Host,
  HostList,
  HostViewPage,
  HostViewQuery,
  ListTrunksQuery,
  PatchCustomerLimitBody,
  PatchHostBody,
  PatchTrunkBody,
  Trunk,
  TrunkList,
  TrunkPage,
} from './trunks.schemas.js';
import * as service from './trunks.service.js';

const TrunkParams = Type.Object({ trunkId: Type.Integer({ minimum: 1 }) });
const config = { roles: MANAGER_ROLES };
const trunks = ['trunks'];
const hosts = ['hosts'];
const limits = ['limits'];

/**
 * Ingress trunks, their hosts, and the Customer Limit and Host views (with each level's current
 * calls and CPS from `liveUsage`, call authorization's counters). One use case per handler.
 */
export function trunkRoutes(deps: { liveUsage?: service.LiveUsage } = {}): FastifyPluginAsyncTypebox {
  return async (app) => routes(app, deps);
}

const routes = async (
  app: Parameters<FastifyPluginAsyncTypebox>[0],
  deps: { liveUsage?: service.LiveUsage },
) => {
  app.get(
    '/trunks',
    {
      config,
      schema: {
        tags: trunks,
        summary: 'List trunks (filters; keyset pages by id)',
        querystring: ListTrunksQuery,
        response: { 200: TrunkPage },
      },
    },
    async (req) => service.listTrunks(req.ctx, req.query),
  );
  app.get(
    '/customers/:customerId/trunks',
    {
      config,
      schema: {
        tags: trunks,
        summary: "A customer's ingress trunks",
        params: CustomerParams,
        response: { 200: TrunkList },
      },
    },
    async (req) => ({ data: await service.listTrunksOfCustomer(req.ctx, req.params.customerId) }),
  );
  app.post(
    '/customers/:customerId/trunks',
    {
      config,
      schema: {
        tags: trunks,
        summary: 'Add an ingress trunk',
        params: CustomerParams,
        body: CreateTrunkBody,
        response: { 201: Trunk },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await service.createTrunk(req.ctx, req.params.customerId, req.body)),
  );
  app.get(
    '/trunks/:id',
    { config, schema: { tags: trunks, summary: 'Get a trunk', params: IdParams, response: { 200: Trunk } } },
    async (req) => service.getTrunk(req.ctx, req.params.id),
  );
  app.patch(
    '/trunks/:id',
    {
      config,
      schema: {
        tags: trunks,
        summary: 'Edit a trunk: name, status, limits, max duration, min profitability, tech prefix',
        params: IdParams,
        body: PatchTrunkBody,
        response: { 200: Trunk },
      },
    },
    async (req) => service.updateTrunk(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/trunks/:id',
    {
      config,
      schema: {
        tags: trunks,
        summary: 'Delete a trunk and its hosts (soft)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await service.deleteTrunk(req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/trunks/:trunkId/hosts',
    {
      config,
      schema: { tags: hosts, summary: "A trunk's hosts", params: TrunkParams, response: { 200: HostList } },
    },
    async (req) => ({ data: await service.listHostsOfTrunk(req.ctx, req.params.trunkId) }),
  );
  app.post(
    '/trunks/:trunkId/hosts',
    {
      config,
      schema: {
        tags: hosts,
        summary: 'Add a host (IP or CIDR) to a trunk',
        params: TrunkParams,
        body: CreateHostBody,
        response: { 201: Host },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await service.createHost(req.ctx, req.params.trunkId, req.body)),
  );
  app.get(
    '/customers/:customerId/hosts',
    {
      config,
      schema: {
        tags: hosts,
        summary: 'IP Settings tab: every host of a customer',
        params: CustomerParams,
        response: { 200: HostList },
      },
    },
    async (req) => ({ data: await service.listHostsOfCustomer(req.ctx, req.params.customerId) }),
  );
  app.get(
    '/hosts/:id',
    { config, schema: { tags: hosts, summary: 'Get a host', params: IdParams, response: { 200: Host } } },
    async (req) => service.getHost(req.ctx, req.params.id),
  );
  app.patch(
    '/hosts/:id',
    {
      config,
      schema: {
        tags: hosts,
        summary: 'Edit a host',
        params: IdParams,
        body: PatchHostBody,
        response: { 200: Host },
      },
    },
    async (req) => service.updateHost(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/hosts/:id',
    {
      config,
      schema: {
        tags: hosts,
        summary: 'Delete a host (soft; frees its IP/prefix pair)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await service.deleteHost(req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/limits/customers',
    {
      config,
      schema: {
        tags: limits,
        summary: 'Customer Limit view (keyset pages by name)',
        querystring: CustomerLimitQuery,
        response: { 200: CustomerLimitPage },
      },
    },
    async (req) => service.customerLimitView(req.ctx, req.query, deps.liveUsage),
  );
  app.patch(
    '/limits/customers/:id',
    {
      config,
      schema: {
        tags: limits,
        summary: "Edit a customer's call, CPS and credit limits (audited as an account edit)",
        params: IdParams,
        body: PatchCustomerLimitBody,
        response: { 200: CustomerLimitRow },
      },
    },
    async (req) => service.updateCustomerLimits(req.ctx, req.params.id, req.body, deps.liveUsage),
  );
  app.get(
    '/limits/hosts',
    {
      config,
      schema: {
        tags: limits,
        summary: 'Host view: the three levels of limits side by side',
        querystring: HostViewQuery,
        response: { 200: HostViewPage },
      },
    },
    async (req) => service.hostView(req.ctx, req.query, deps.liveUsage),
  );
};
