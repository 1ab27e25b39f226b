import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Role } from '../../platform/http/types.js';
import type { CallAuthEngine } from '../call-auth/index.js';
import { CdrBatchBody, CdrBatchResponse } from './cdrs.schemas.js';
import { cdrSearchRoutes } from './cdrs.search.routes.js';
import * as service from './cdrs.service.js';

const SWITCH: Role[] = ['switch', 'admin'];
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
    // The customer's CDRs tab and the CDR search.
    await app.register(cdrSearchRoutes);
  };
}
