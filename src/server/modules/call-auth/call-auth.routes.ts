import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Role } from '../../platform/http/types.js';
import {
  AlarmList,
  AlarmsQuery,
  AuthorizeBody,
  AuthorizeResponse,
  CallParams,
  EndBody,
  EndResponse,
  ExtendResponse,
  LiveCallList,
  LiveCallsQuery,
  PutReasonBody,
  ReasonParams,
  ReasonSetting,
  SipCredentials,
  SipCredentialsParams,
  SipCredentialsQuery,
} from './call-auth.schemas.js';
import * as service from './call-auth.service.js';
import type { CallAuthEngine } from './call-auth.service.js';

const SWITCH: Role[] = ['switch', 'admin'];
const ADMIN: Role[] = ['admin'];
const STAFF: Role[] = ['admin', 'reseller'];
const tags = ['call-authorization'];

/** The decision API a softswitch calls (CALLAUTH-CONTRACT.md), and its admin settings. */
export function callAuthRoutes(engine: CallAuthEngine): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/calls/authorize',
      {
        config: { roles: SWITCH },
        schema: {
          tags,
          summary: 'Decide a new call: allow (grant, numbers, rate) or deny (reason, SIP code)',
          body: AuthorizeBody,
          response: { 200: AuthorizeResponse },
        },
      },
      async (req) => service.authorizeCall(req.ctx, engine, req.body),
    );
    app.post(
      '/calls/:callId/extend',
      {
        config: { roles: SWITCH },
        schema: {
          tags,
          summary: 'Another chunk of time for a live call; a refusal ends it at its grant',
          params: CallParams,
          response: { 200: ExtendResponse },
        },
      },
      async (req) => service.extendCall(req.ctx, engine, req.params.callId),
    );
    app.post(
      '/calls/:callId/end',
      {
        config: { roles: SWITCH },
        schema: {
          tags,
          summary: 'The call ended: frees its slots (and its hold, if unanswered)',
          params: CallParams,
          body: Type.Optional(EndBody),
          response: { 200: EndResponse },
        },
      },
      async (req) => service.endCall(req.ctx, engine, req.params.callId, req.body ?? {}),
    );
    app.get(
      '/switch/sip-credentials/:username',
      {
        config: { roles: SWITCH },
        schema: {
          tags,
          summary: "A SIP device's digest HA1 for the switch (never the secret)",
          params: SipCredentialsParams,
          querystring: SipCredentialsQuery,
          response: { 200: SipCredentials },
        },
      },
      async (req) => service.sipCredentials(req.ctx, req.params.username, req.query.realm),
    );
    app.get(
      '/call-auth/reasons',
      {
        config: { roles: ADMIN },
        schema: {
          tags,
          summary: 'Refusal reasons with the SIP code and text each is answered with',
          response: { 200: Type.Object({ data: Type.Array(ReasonSetting) }) },
        },
      },
      async (req) => ({ data: await service.listReasons(req.ctx) }),
    );
    app.put(
      '/call-auth/reasons/:reason',
      {
        config: { roles: ADMIN },
        schema: {
          tags,
          summary: 'Set the SIP code and text of a refusal reason',
          params: ReasonParams,
          body: PutReasonBody,
          response: { 200: ReasonSetting },
        },
      },
      async (req) => service.setReason(req.ctx, req.params.reason, req.body),
    );
    app.get(
      '/calls/live',
      {
        config: { roles: STAFF },
        schema: {
          tags,
          summary: 'Live calls: account, trunk, host, destination, start, grant and money held (in scope)',
          querystring: LiveCallsQuery,
          response: { 200: LiveCallList },
        },
      },
      async (req) => service.listLiveCalls(req.ctx, engine, req.query),
    );
    app.get(
      '/call-auth/alarms',
      {
        config: { roles: ADMIN },
        schema: {
          tags,
          summary: 'Calls the sweeper freed: an end (MISSING_END) or a CDR (MISSING_CDR) that never came',
          querystring: AlarmsQuery,
          response: { 200: AlarmList },
        },
      },
      async (req) => service.listAlarms(req.ctx, req.query),
    );
  };
}
