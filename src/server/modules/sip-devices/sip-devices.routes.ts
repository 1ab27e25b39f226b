import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CustomerParams, IdParams } from '../../platform/http/schemas.js';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import {
  CreateSipDeviceBody,
  PatchSipDeviceBody,
  SipDevice,
  SipDeviceList,
  SipDeviceWithSecret,
} from './sip-devices.schemas.js';
import * as service from './sip-devices.service.js';

const config = { roles: MANAGER_ROLES };
const tags = ['sip-devices'];

/** The SIP Devices tab. Secrets appear only in the answers to create and reset-secret. */
export const sipDeviceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers/:customerId/sip-devices',
    {
      config,
      schema: {
        tags,
        summary: "A customer's SIP devices (never with secrets)",
        params: CustomerParams,
        response: { 200: SipDeviceList },
      },
    },
    async (req) => ({ data: await service.listSipDevices(req.ctx, req.params.customerId) }),
  );
  app.post(
    '/customers/:customerId/sip-devices',
    {
      config,
      schema: {
        tags,
        summary: 'Add a SIP device; without a secret one is generated. The answer shows the secret once.',
        params: CustomerParams,
        body: CreateSipDeviceBody,
        response: { 201: SipDeviceWithSecret },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await service.createSipDevice(req.ctx, req.params.customerId, req.body)),
  );
  app.get(
    '/sip-devices/:id',
    { config, schema: { tags, summary: 'Get a SIP device', params: IdParams, response: { 200: SipDevice } } },
    async (req) => service.getSipDevice(req.ctx, req.params.id),
  );
  app.patch(
    '/sip-devices/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Edit a SIP device',
        params: IdParams,
        body: PatchSipDeviceBody,
        response: { 200: SipDevice },
      },
    },
    async (req) => service.updateSipDevice(req.ctx, req.params.id, req.body),
  );
  app.post(
    '/sip-devices/:id/reset-secret',
    {
      config,
      schema: {
        tags,
        summary: 'Generate a new secret and show it once',
        params: IdParams,
        response: { 200: SipDeviceWithSecret },
      },
    },
    async (req) => service.resetSipDeviceSecret(req.ctx, req.params.id),
  );
  app.delete(
    '/sip-devices/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a SIP device (soft; frees the username)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await service.deleteSipDevice(req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
