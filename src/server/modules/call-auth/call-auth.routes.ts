import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Role } from '../../platform/http/types.js';
import { warnOnlyChildLogger } from '../../platform/http/quiet-logger.js';
import {
  Alarm,
  AlarmList,
  AssignRoutePlanBody,
  CustomerParams,
  IdParams,
  RoutePlan,
  RoutePlanAssignment,
  RoutePlanBody,
  AlarmsQuery,
  AuthorizeBody,
  AuthorizeResponse,
  CallParams,
  EndBody,
  EndResponse,
  ExtendBody,
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
import * as plans from './route-plans.service.js';
import type { CallAuthEngine } from './call-auth.service.js';

const SWITCH: Role[] = ['switch', 'admin'];
const ADMIN: Role[] = ['admin'];
const STAFF: Role[] = ['admin', 'reseller'];
const tags = ['call-authorization'];
/**
 * The decision routes run thousands of times a second: no per-request access log (two lines
 * each at info), only warnings and errors. Decisions are recorded where they matter (CDRs,
 * alarms, metrics).
 */
const DECISION_LOG_LEVEL = 'warn';
/**
 * No browser security headers on the decision routes: their client is a softswitch with an API
 * key, not a browser, and @fastify/helmet rebuilds its middleware (CSP parsed again) on every
 * request: 9 % of the decision server's CPU in the profile (bench/README.md, call authorization).
 */
const DECISION_ROUTE = {
  logLevel: DECISION_LOG_LEVEL,
  // The request logger is made only if something is logged at warn or above.
  childLoggerFactory: warnOnlyChildLogger,
  helmet: false,
} as const;

/** The decision API a softswitch calls (CALLAUTH-CONTRACT.md), and its admin settings. */
export function callAuthRoutes(engine: CallAuthEngine): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/calls/authorize',
      {
        config: { roles: SWITCH },
        ...DECISION_ROUTE,
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
        ...DECISION_ROUTE,
        schema: {
          tags,
          summary:
            'Another chunk of time for a live call (idempotent per seq); a refusal ends it at its grant',
          params: CallParams,
          body: ExtendBody,
          response: { 200: ExtendResponse },
        },
      },
      async (req) => service.extendCall(req.ctx, engine, req.params.callId, req.body.seq),
    );
    app.post(
      '/calls/:callId/end',
      {
        config: { roles: SWITCH },
        ...DECISION_ROUTE,
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
    const planTags = ['route-plans'];
    app.get(
      '/route-plans',
      {
        config: { roles: ADMIN },
        schema: {
          tags: planTags,
          summary: 'Route plans',
          response: { 200: Type.Object({ data: Type.Array(RoutePlan) }) },
        },
      },
      async (req) => ({ data: await plans.listRoutePlans(req.ctx) }),
    );
    app.post(
      '/route-plans',
      {
        config: { roles: ADMIN },
        schema: {
          tags: planTags,
          summary: 'Create a route plan: destination prefix -> provider trunks by priority',
          body: RoutePlanBody,
          response: { 201: RoutePlan },
        },
      },
      async (req, reply) => reply.status(201).send(await plans.createRoutePlan(req.ctx, req.body)),
    );
    app.get(
      '/route-plans/:id',
      {
        config: { roles: ADMIN },
        schema: { tags: planTags, summary: 'A route plan', params: IdParams, response: { 200: RoutePlan } },
      },
      async (req) => plans.getRoutePlan(req.ctx, req.params.id),
    );
    app.put(
      '/route-plans/:id',
      {
        config: { roles: ADMIN },
        schema: {
          tags: planTags,
          summary: 'Rename a route plan and replace its entries',
          params: IdParams,
          body: RoutePlanBody,
          response: { 200: RoutePlan },
        },
      },
      async (req) => plans.updateRoutePlan(req.ctx, req.params.id, req.body),
    );
    app.delete(
      '/route-plans/:id',
      {
        config: { roles: ADMIN },
        schema: {
          tags: planTags,
          summary: 'Delete a route plan',
          params: IdParams,
          response: { 204: Type.Null() },
        },
      },
      async (req, reply) => {
        await plans.deleteRoutePlan(req.ctx, req.params.id);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/customers/:customerId/route-plan',
      {
        config: { roles: ADMIN },
        schema: {
          tags: planTags,
          summary: "The customer's route plan (null: the switch routes its calls on its own)",
          params: CustomerParams,
          response: { 200: RoutePlanAssignment },
        },
      },
      async (req) => plans.routePlanOf(req.ctx, req.params.customerId),
    );
    app.put(
      '/customers/:customerId/route-plan',
      {
        config: { roles: ADMIN },
        schema: {
          tags: planTags,
          summary: 'Give a customer a route plan (null: the switch routes its calls on its own)',
          params: CustomerParams,
          body: AssignRoutePlanBody,
          response: { 200: RoutePlanAssignment },
        },
      },
      async (req) => plans.assignRoutePlan(req.ctx, req.params.customerId, req.body.routePlanId),
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
    app.post(
      '/call-auth/alarms/:id/acknowledge',
      {
        config: { roles: ADMIN },
        schema: {
          tags,
          summary: 'Acknowledge an alarm: records who and when (again: answers it unchanged)',
          params: IdParams,
          response: { 200: Alarm },
        },
      },
      async (req) => service.acknowledgeAlarm(req.ctx, req.params.id),
    );
  };
}
