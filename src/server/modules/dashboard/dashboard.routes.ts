import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import { Dashboard, DashboardQuery } from './dashboard.schemas.js';
import * as service from './dashboard.service.js';

/** The admin home page's figures, scoped like the customer list. */
export const dashboardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/dashboard',
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags: ['dashboard'],
        summary: 'Customers by status and mode, newest customers, accounts created per day',
        querystring: DashboardQuery,
        response: { 200: Dashboard },
      },
    },
    async (req) => service.getDashboard(req.ctx, req.query),
  );
};
