import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams } from '../../platform/http/schemas.js';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import {
  CreateLocalizationBody,
  ListLocalizationsQuery,
  Localization,
  LocalizationPage,
  PatchLocalizationBody,
  PreviewBody,
  PreviewResult,
  PreviewRulesBody,
} from './localizations.schemas.js';
import * as service from './localizations.service.js';

const config = { roles: MANAGER_ROLES };
const tags = ['localizations'];

/** Localization (number translation) profiles and their "try a number" preview. */
export const localizationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/localizations',
    {
      config,
      schema: {
        tags,
        summary: 'List localization profiles',
        querystring: ListLocalizationsQuery,
        response: { 200: LocalizationPage },
      },
    },
    async (req) => service.listLocalizations(req.ctx, req.query),
  );
  app.post(
    '/localizations',
    {
      config,
      schema: {
        tags,
        summary: 'Create a localization profile',
        body: CreateLocalizationBody,
        response: { 201: Localization },
      },
    },
    async (req, reply) => reply.status(201).send(await service.createLocalization(req.ctx, req.body)),
  );
  app.post(
    '/localizations/preview',
    {
      config,
      schema: {
        tags,
        summary: 'Try a number against rules not saved yet',
        body: PreviewRulesBody,
        response: { 200: PreviewResult },
      },
    },
    async (req) => service.previewRules(req.ctx, req.body),
  );
  app.get(
    '/localizations/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Get a localization profile',
        params: IdParams,
        response: { 200: Localization },
      },
    },
    async (req) => service.getLocalization(req.ctx, req.params.id),
  );
  app.patch(
    '/localizations/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Rename, or replace whole rule lists',
        params: IdParams,
        body: PatchLocalizationBody,
        response: { 200: Localization },
      },
    },
    async (req) => service.updateLocalization(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/localizations/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a profile no account uses (soft)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await service.deleteLocalization(req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/localizations/:id/preview',
    {
      config,
      schema: {
        tags,
        summary: 'Try a number: each rule tried in order, the one that matched, and the result',
        params: IdParams,
        body: PreviewBody,
        response: { 200: PreviewResult },
      },
    },
    async (req) => service.previewLocalization(req.ctx, req.params.id, req.body),
  );
};
