import { Readable } from 'node:stream';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import type pg from 'pg';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { CsvBody, ExportCustomersQuery, ExportSipDevicesQuery } from './exports.schemas.js';
import { exportCustomersCsv, exportResellersCsv, exportSipDevicesCsv } from './exports.service.js';

const csvResponse = { 200: { description: 'CSV file', content: { 'text/csv': { schema: CsvBody } } } };

function sendCsv(reply: FastifyReply, file: { fileName: string; chunks: AsyncGenerator<string> }) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file.fileName}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(file.chunks) as unknown as string); // a stream: Fastify pipes it
}

/**
 * The migration files, one per object type (resellers, customers, SIP devices), each a streamed
 * CSV download that the import reads back.
 */
export const exportRoutes =
  (deps: { pool?: pg.Pool | null } = {}): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/customers/export',
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags: ['customers'],
          summary:
            'Export the customer list as CSV (same filters as GET /customers; DOMAIN 3.6 columns; streamed)',
          querystring: ExportCustomersQuery,
          produces: ['text/csv'],
          response: csvResponse,
        },
      },
      async (req, reply) => {
        // The pool lets the export read rows as arrays (much less work per row in the driver).
        return sendCsv(reply, exportCustomersCsv(req.ctx, req.query, { pool: deps.pool }));
      },
    );

    app.get(
      '/resellers/export',
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags: ['resellers'],
          summary:
            "Export the reseller list as CSV (the customer file's columns; `reseller` = the parent reseller's account number; parents first)",
          querystring: ExportCustomersQuery,
          produces: ['text/csv'],
          response: csvResponse,
        },
      },
      async (req, reply) => sendCsv(reply, exportResellersCsv(req.ctx, req.query, { pool: deps.pool })),
    );

    app.get(
      '/sip-devices/export',
      {
        config: { roles: MANAGER_ROLES },
        schema: {
          tags: ['sip-devices'],
          summary:
            'Export the SIP devices of the customers the filters select (same filters as GET /customers) as CSV; never the secret',
          querystring: ExportSipDevicesQuery,
          produces: ['text/csv'],
          response: csvResponse,
        },
      },
      async (req, reply) => sendCsv(reply, exportSipDevicesCsv(req.ctx, req.query)),
    );
  };
