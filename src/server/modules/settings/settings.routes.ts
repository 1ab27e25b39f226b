import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SystemSettings, SystemSettingsBody } from './settings.schemas.js';
import * as service from './settings.service.js';

const tags = ['settings'];
const config = { roles: ['admin'] as 'admin'[] };

/** The system settings (operator admins only). */
export const settingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/settings',
    { config, schema: { tags, summary: 'The system settings', response: { 200: SystemSettings } } },
    async (req) => service.getSystemSettings(req.ctx),
  );
  app.patch(
    '/settings',
    {
      config,
      schema: {
        tags,
        summary: 'Change the system settings (CDR retention)',
        body: SystemSettingsBody,
        response: { 200: SystemSettings },
      },
    },
    async (req) => service.updateSystemSettings(req.ctx, req.body),
  );
};
