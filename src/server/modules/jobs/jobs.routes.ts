import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Job, JobList, JobListQuery } from './jobs.schemas.js';
import * as service from './jobs.service.js';

const config = { roles: ['admin'] as 'admin'[] };
const tags = ['jobs'];
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

/** The admin Jobs page: recent and failed background jobs, and a retry for failed ones. */
export const jobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/jobs',
    {
      config,
      schema: {
        tags,
        summary: 'Recent background jobs, newest first',
        querystring: JobListQuery,
        response: { 200: JobList },
      },
    },
    async (req) => service.listJobs(req.ctx, req.query),
  );
  app.post(
    '/jobs/:id/retry',
    {
      config,
      schema: { tags, summary: 'Queue a failed job again', params: IdParams, response: { 200: Job } },
    },
    async (req) => service.retryJob(req.ctx, req.params.id),
  );
};
