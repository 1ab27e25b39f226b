import { Readable } from 'node:stream';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import type pg from 'pg';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CsvBody, ExportCustomersQuery } from './exports.schemas.js';
import { exportCustomersCsv } from './exports.service.js';

/** GET /customers/export: the filtered list as a streamed CSV download. */
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
          response: { 200: { description: 'CSV file', content: { 'text/csv': { schema: CsvBody } } } },
        },
      },
      async (req, reply) => {
        // The pool lets the export read rows as arrays (much less work per row in the driver).
        const { fileName, chunks } = exportCustomersCsv(req.ctx, req.query, { pool: deps.pool });
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${fileName}"`)
          .header('cache-control', 'no-store')
          .send(Readable.from(chunks) as unknown as string); // a stream: Fastify pipes it
      },
    );
  };
