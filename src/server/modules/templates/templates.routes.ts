import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import { Type } from 'typebox';
import { AccountSchema } from '../accounts/index.js';
import {
  CreateFromTemplateBody,
  CreateTemplateBody,
  IdParams,
  PatchTemplateBody,
  ReapplyBody,
  ReapplyPreview,
  ReapplyPreviewQuery,
  ReapplyResult,
  SaveAsTemplateBody,
  Template,
  TemplateList,
  TemplatePrefill,
} from './templates.schemas.js';
import * as service from './templates.service.js';

const tags = ['customer templates'];

/** Customer templates: CRUD, save a customer as one, create by one, preview and re-apply. */
export const templateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const base = '/customer-templates';

  app.get(
    base,
    {
      config: { roles: MANAGER_ROLES },
      schema: { tags, summary: 'List templates with their "used by" count', response: { 200: TemplateList } },
    },
    async (req) => service.listTemplates(req.ctx),
  );

  app.post(
    base,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'Create a template from settings',
        body: CreateTemplateBody,
        response: { 201: Template },
      },
    },
    async (req, reply) => reply.status(201).send(await service.createTemplate(req.ctx, req.body)),
  );

  app.post(
    '/customers/:id/save-as-template',
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: "Save a customer's settings as a new template",
        params: IdParams,
        body: SaveAsTemplateBody,
        response: { 201: Template },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await service.saveCustomerAsTemplate(req.ctx, req.params.id, req.body)),
  );

  app.get(
    `${base}/:id`,
    {
      config: { roles: MANAGER_ROLES },
      schema: { tags, summary: 'Get a template', params: IdParams, response: { 200: Template } },
    },
    async (req) => service.getTemplate(req.ctx, req.params.id),
  );

  app.patch(
    `${base}/:id`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'Edit a template (a settings change bumps its version; no customer changes)',
        params: IdParams,
        body: PatchTemplateBody,
        response: { 200: Template },
      },
    },
    async (req) => service.updateTemplate(req.ctx, req.params.id, req.body),
  );

  app.delete(
    `${base}/:id`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'Delete a template (linked customers keep their values and lose the link)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await service.deleteTemplate(req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${base}/:id/prefill`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'The create form prefilled from the template',
        params: IdParams,
        response: { 200: TemplatePrefill },
      },
    },
    async (req) => service.prefillFromTemplate(req.ctx, req.params.id),
  );

  app.post(
    `${base}/:id/customers`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary:
          'Create a customer by template: template values, overridden by any field sent; records templateId and version',
        params: IdParams,
        body: CreateFromTemplateBody,
        response: { 201: AccountSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await service.createCustomerFromTemplate(req.ctx, req.params.id, req.body)),
  );

  app.get(
    `${base}/:id/reapply-preview`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'Preview a re-apply: per linked customer, the fields that would change (from -> to)',
        params: IdParams,
        querystring: ReapplyPreviewQuery,
        response: { 200: ReapplyPreview },
      },
    },
    async (req) => service.previewReapply(req.ctx, req.params.id, req.query),
  );

  app.post(
    `${base}/:id/reapply`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary:
          'Re-apply the template to linked customers: one transaction and one result per customer (≤1000 a call)',
        params: IdParams,
        body: ReapplyBody,
        response: { 200: ReapplyResult },
      },
    },
    async (req) => service.reapplyTemplate(req.ctx, req.params.id, req.body),
  );
};
