import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import {
  KindParams,
  MailTemplate,
  MailTemplateList,
  Preview,
  PreviewBody,
  PutTemplateBody,
  TemplateOwnerQuery,
} from './templates.schemas.js';
import * as service from './templates.service.js';

const config = { roles: MANAGER_ROLES };
const tags = ['mail-templates'];

/**
 * Mail templates: the operator's per kind (admins), a reseller's overrides for its customers
 * (the reseller's own, or any reseller's for an admin with ?resellerId=).
 */
export const mailTemplateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/mail-templates',
    {
      config,
      schema: {
        tags,
        summary: 'Every kind of mail with the template the caller (or its customers) gets',
        querystring: TemplateOwnerQuery,
        response: { 200: MailTemplateList },
      },
    },
    async (req) => ({ data: await service.listTemplates(req.ctx, req.query.resellerId) }),
  );
  app.get(
    '/mail-templates/:kind',
    {
      config,
      schema: {
        tags,
        summary: 'One template with its variables',
        params: KindParams,
        querystring: TemplateOwnerQuery,
        response: { 200: MailTemplate },
      },
    },
    async (req) => service.getTemplate(req.ctx, req.params.kind, req.query.resellerId),
  );
  app.put(
    '/mail-templates/:kind',
    {
      config,
      schema: {
        tags,
        summary: "Save the operator's template (admin) or the reseller's override",
        params: KindParams,
        querystring: TemplateOwnerQuery,
        body: PutTemplateBody,
        response: { 200: MailTemplate },
      },
    },
    async (req) => service.putTemplate(req.ctx, req.params.kind, req.body, req.query.resellerId),
  );
  app.delete(
    '/mail-templates/:kind',
    {
      config,
      schema: {
        tags,
        summary: "Drop a reseller's override (the operator's template cannot be deleted)",
        params: KindParams,
        querystring: TemplateOwnerQuery,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await service.deleteTemplate(req.ctx, req.params.kind, req.query.resellerId);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/mail-templates/:kind/preview',
    {
      config,
      schema: {
        tags,
        summary: 'Render the stored template or a draft with sample values',
        params: KindParams,
        querystring: TemplateOwnerQuery,
        body: PreviewBody,
        response: { 200: Preview },
      },
    },
    async (req) => service.previewTemplate(req.ctx, req.params.kind, req.body, req.query.resellerId),
  );
};
