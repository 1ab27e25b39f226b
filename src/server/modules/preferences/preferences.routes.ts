import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Preference, PreferenceKeyParams, PreferenceMap, PutPreferenceBody } from './preferences.schemas.js';
import * as service from './preferences.service.js';

const tags = ['preferences'];

/** The signed-in user's UI preferences (any role; never another user's). */
export const preferenceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/preferences',
    { schema: { tags, summary: "The signed-in user's preferences", response: { 200: PreferenceMap } } },
    async (req) => ({ data: await service.listPreferences(req.ctx) }),
  );

  app.put(
    '/preferences/:key',
    {
      schema: {
        tags,
        summary: 'Store one preference of the signed-in user',
        params: PreferenceKeyParams,
        body: PutPreferenceBody,
        response: { 200: Preference },
      },
    },
    async (req) => service.setPreference(req.ctx, req.params.key, req.body.value),
  );

  app.delete(
    '/preferences/:key',
    {
      schema: {
        tags,
        summary: 'Forget one preference of the signed-in user',
        params: PreferenceKeyParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await service.deletePreference(req.ctx, req.params.key);
      return reply.status(204).send(null);
    },
  );
};
