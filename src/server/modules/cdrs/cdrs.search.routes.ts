import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Role } from '../../platform/http/types.js';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import {
  CdrDetail,
  CdrIdParams,
  CdrPage,
  CdrSearchFilter,
  CdrSearchQuery,
  CdrTotals,
  CustomerCdrFilter,
  CustomerCdrListQuery,
} from './cdrs.search.schemas.js';
import * as service from './cdrs.search.service.js';

const READERS: Role[] = ['admin', 'reseller', 'customer'];
const tags = ['cdrs'];
const CustomerParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
const CsvBody = Type.String({ description: 'CSV, one CDR per line, newest first' });

function sendCsv(reply: FastifyReply, file: { filename: string; chunks: AsyncIterable<string> }) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(file.chunks) as unknown as string); // a stream: Fastify pipes it
}

/** The customer's CDRs tab and the CDR search (issue #13). */
export const cdrSearchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers/:id/cdrs',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary:
          "A customer's CDRs, newest first: date range, destination, disposition, reason, answered only",
        params: CustomerParams,
        querystring: CustomerCdrListQuery,
        response: { 200: CdrPage },
      },
    },
    async (req) => service.listCustomerCdrs(req.ctx, req.params.id, req.query),
  );
  app.get(
    '/customers/:id/cdrs/totals',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary: "Totals of a customer's filtered CDRs (calls, answered, seconds, cost)",
        params: CustomerParams,
        querystring: CustomerCdrFilter,
        response: { 200: CdrTotals },
      },
    },
    async (req) => service.customerCdrTotals(req.ctx, req.params.id, req.query),
  );
  app.get(
    '/customers/:id/cdrs/export',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary: "A customer's filtered CDRs as CSV (streamed)",
        params: CustomerParams,
        querystring: CustomerCdrFilter,
        produces: ['text/csv'],
        response: { 200: { description: 'CSV file', content: { 'text/csv': { schema: CsvBody } } } },
      },
    },
    async (req, reply) => sendCsv(reply, await service.exportCustomerCdrs(req.ctx, req.params.id, req.query)),
  );
  app.get(
    '/cdrs',
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'CDR search across customers (a reseller: its subtree), newest first',
        querystring: CdrSearchQuery,
        response: { 200: CdrPage },
      },
    },
    async (req) => service.searchCdrs(req.ctx, req.query),
  );
  app.get(
    '/cdrs/totals',
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'Totals of the searched CDRs, one line per currency',
        querystring: CdrSearchFilter,
        response: { 200: CdrTotals },
      },
    },
    async (req) => service.searchCdrTotals(req.ctx, req.query),
  );
  app.get(
    '/cdrs/export',
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'The searched CDRs as CSV (streamed)',
        querystring: CdrSearchFilter,
        produces: ['text/csv'],
        response: { 200: { description: 'CSV file', content: { 'text/csv': { schema: CsvBody } } } },
      },
    },
    async (req, reply) => sendCsv(reply, await service.exportCdrSearch(req.ctx, req.query)),
  );
  app.get(
    '/cdrs/:id',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary: "One CDR's rating detail: rate snapshot, charged seconds, cost, ledger entry",
        params: CdrIdParams,
        response: { 200: CdrDetail },
      },
    },
    async (req) => service.getCdr(req.ctx, req.params.id),
  );
};
