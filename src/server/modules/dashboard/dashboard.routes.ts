import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import {
  Dashboard,
  DashboardQuery,
  TopDestinations,
  TopDestinationsQuery,
  Usage,
  UsageQuery,
} from './dashboard.schemas.js';
import * as service from './dashboard.service.js';
import * as usage from './dashboard.usage.service.js';

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
  app.get(
    '/dashboard/usage',
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags: ['dashboard'],
        summary: 'Calls, minutes, revenue, cost and margin per local day (money per currency)',
        querystring: UsageQuery,
        response: { 200: Usage },
      },
    },
    async (req) => usage.getUsage(req.ctx, req.query),
  );
  app.get(
    '/dashboard/top-destinations',
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags: ['dashboard'],
        summary: 'Busiest destinations (code, code name, country): calls, minutes, revenue, margin',
        querystring: TopDestinationsQuery,
        response: { 200: TopDestinations },
      },
    },
    async (req) => usage.getTopDestinations(req.ctx, req.query),
  );
};
