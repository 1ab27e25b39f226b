import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Role } from '../../platform/http/types.js';
import type { CallAuthEngine } from '../call-auth/index.js';
import { CdrBatchBody, CdrBatchResponse, CdrList, CdrListQuery, CustomerCdrsParams } from './cdrs.schemas.js';
import * as service from './cdrs.service.js';

const SWITCH: Role[] = ['switch', 'admin'];
const READERS: Role[] = ['admin', 'reseller', 'customer'];
const tags = ['cdrs'];

/** CDR intake from the softswitch (issue #13). */
export function cdrRoutes(engine: CallAuthEngine): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/cdrs',
      {
        config: { roles: SWITCH },
        schema: {
          tags,
          summary: 'Post finished calls (up to 1,000): each stored once on (callId, leg) and rated',
          body: CdrBatchBody,
          response: { 200: CdrBatchResponse },
        },
      },
      async (req) => service.postCdrs(req.ctx, engine, req.body.cdrs),
    );
    app.get(
      '/customers/:id/cdrs',
      {
        config: { roles: READERS },
        schema: {
          tags,
          summary: "A customer's CDRs, newest first (keyset paging, start-time range)",
          params: CustomerCdrsParams,
          querystring: CdrListQuery,
          response: { 200: CdrList },
        },
      },
      async (req) => service.listCustomerCdrs(req.ctx, req.params.id, req.query),
    );
  };
}
