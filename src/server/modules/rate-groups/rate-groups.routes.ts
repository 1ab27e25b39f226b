import { uploadStream } from '../../platform/http/upload-body.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams } from '../../platform/http/schemas.js';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import {
  CreateRateBody,
  CreateRateGroupBody,
  GroupParams,
  ListRateGroupsQuery,
  ListRatesQuery,
  LookupQuery,
  LookupResult,
  PatchRateBody,
  PatchRateGroupBody,
  Rate,
  RateGroup,
  RateGroupPage,
  RatePage,
  UploadQuery,
  UploadResult,
} from './rate-groups.schemas.js';
import * as service from './rate-groups.service.js';
import type { UploadDeps } from './rate-groups.deck.js';

const config = { roles: MANAGER_ROLES };
const tags = ['rate-groups'];

/**
 * Rate groups, their rates, CSV rate-deck upload and the "find the rate" lookup. `pgPool` (the
 * PostgreSQL pool, null on PGlite) lets replace-mode uploads use COPY.
 */
export const rateGroupRoutes =
  (deps: UploadDeps = {}): FastifyPluginAsyncTypebox =>
  async (app) => {
    // A rate deck arrives as the raw body and is streamed by the service (no body-size buffer here;
    // the service caps it). Scoped to this plugin: other routes keep the JSON-only parser.
    app.addContentTypeParser(['text/csv', 'text/plain'], (_req, payload, done) => done(null, payload));

    app.get(
      '/rate-groups',
      {
        config,
        schema: {
          tags,
          summary: 'List rate groups (keyset pages by name)',
          querystring: ListRateGroupsQuery,
          response: { 200: RateGroupPage },
        },
      },
      async (req) => service.listRateGroups(req.ctx, req.query),
    );
    app.post(
      '/rate-groups',
      {
        config,
        schema: {
          tags,
          summary: 'Create a rate group',
          body: CreateRateGroupBody,
          response: { 201: RateGroup },
        },
      },
      async (req, reply) => reply.status(201).send(await service.createRateGroup(req.ctx, req.body)),
    );
    app.get(
      '/rate-groups/:id',
      {
        config,
        schema: { tags, summary: 'Get a rate group', params: IdParams, response: { 200: RateGroup } },
      },
      async (req) => service.getRateGroup(req.ctx, req.params.id),
    );
    app.patch(
      '/rate-groups/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Edit a rate group',
          params: IdParams,
          body: PatchRateGroupBody,
          response: { 200: RateGroup },
        },
      },
      async (req) => service.updateRateGroup(req.ctx, req.params.id, req.body),
    );
    app.delete(
      '/rate-groups/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Delete a rate group no account uses (soft)',
          params: IdParams,
          response: { 204: Type.Null() },
        },
      },
      async (req, reply) => {
        await service.deleteRateGroup(req.ctx, req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/rate-groups/:groupId/rates',
      {
        config,
        schema: {
          tags,
          summary: 'Rates of a group (keyset pages by code)',
          params: GroupParams,
          querystring: ListRatesQuery,
          response: { 200: RatePage },
        },
      },
      async (req) => service.listRates(req.ctx, req.params.groupId, req.query),
    );
    app.post(
      '/rate-groups/:groupId/rates',
      {
        config,
        schema: {
          tags,
          summary: 'Add one rate',
          params: GroupParams,
          body: CreateRateBody,
          response: { 201: Rate },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await service.createRate(req.ctx, req.params.groupId, req.body)),
    );
    app.post(
      '/rate-groups/:groupId/rates/upload',
      {
        config,
        schema: {
          tags,
          summary: 'Upload a CSV rate deck (Content-Type: text/csv)',
          description:
            'Header row with columns prefix, rate_per_min (required), destination, connect_fee, included_seconds, ' +
            'initial_increment, billing_increment, effective_from, effective_to. mode=replace (default) makes the deck ' +
            'the whole group; append adds to it. Errors answer 400 RATE_DECK_INVALID with details.errors ' +
            '[{row, column, reason}] (header = row 1) and load nothing.',
          consumes: ['text/csv'],
          params: GroupParams,
          querystring: UploadQuery,
          body: Type.Unknown({ description: 'the CSV text' }),
          response: { 200: UploadResult },
        },
      },
      async (req) =>
        service.uploadRateDeck(req.ctx, req.params.groupId, uploadStream(req.body), req.query, deps),
    );
    app.get(
      '/rate-groups/:groupId/lookup',
      {
        config,
        schema: {
          tags,
          summary: 'Find the rate for a number: longest code, then the DOMAIN 4 step 7 tie-breaks',
          params: GroupParams,
          querystring: LookupQuery,
          response: { 200: LookupResult },
        },
      },
      async (req) => service.lookupRate(req.ctx, req.params.groupId, req.query.number, req.query.at),
    );
    app.get(
      '/rates/:id',
      { config, schema: { tags, summary: 'Get a rate', params: IdParams, response: { 200: Rate } } },
      async (req) => service.getRate(req.ctx, req.params.id),
    );
    app.patch(
      '/rates/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Edit a rate',
          params: IdParams,
          body: PatchRateBody,
          response: { 200: Rate },
        },
      },
      async (req) => service.updateRate(req.ctx, req.params.id, req.body),
    );
    app.delete(
      '/rates/:id',
      {
        config,
        schema: { tags, summary: 'Delete a rate', params: IdParams, response: { 204: Type.Null() } },
      },
      async (req, reply) => {
        await service.deleteRate(req.ctx, req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
