import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { MailSettings } from '../../platform/mail/index.js';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import { CustomerParams } from '../../platform/http/schemas.js';
import { CustomerMailQuery, MailDetail, MailList, MailListQuery, QueuedMail } from './mails.schemas.js';
import { NotificationSettings, NotificationSettingsBody } from './settings.schemas.js';
import * as mails from './mails.service.js';
import * as settings from './settings.service.js';

const config = { roles: MANAGER_ROLES };
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

/** Notification settings, the customer's Emails tab, the mail log and the mail row actions. */
export function notificationRoutes(mail: MailSettings): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/customers/:customerId/notification-settings',
      {
        config,
        schema: {
          tags: ['notifications'],
          summary: 'Notification Setting and Alert Threshold of a customer, with its low-balance state',
          params: CustomerParams,
          response: { 200: NotificationSettings },
        },
      },
      async (req) => settings.getNotificationSettings(req.ctx, req.params.customerId),
    );
    app.put(
      '/customers/:customerId/notification-settings',
      {
        config,
        schema: {
          tags: ['notifications'],
          summary: 'Save the Notification Setting and Alert Threshold sections',
          params: CustomerParams,
          body: NotificationSettingsBody,
          response: { 200: NotificationSettings },
        },
      },
      async (req) => settings.putNotificationSettings(req.ctx, req.params.customerId, req.body),
    );
    app.post(
      '/customers/:customerId/welcome-letter',
      {
        config,
        schema: {
          tags: ['notifications'],
          summary: 'Row action: send the welcome letter now',
          params: CustomerParams,
          response: { 202: QueuedMail },
        },
      },
      async (req, reply) =>
        reply.status(202).send(await mails.sendWelcomeLetter(req.ctx, mail, req.params.customerId)),
    );
    app.post(
      '/customers/:customerId/low-balance-alert',
      {
        config,
        schema: {
          tags: ['notifications'],
          summary: 'Row action: send a low-balance alert now (changes no state)',
          params: CustomerParams,
          response: { 202: QueuedMail },
        },
      },
      async (req, reply) =>
        reply.status(202).send(await mails.sendLowBalanceAlert(req.ctx, mail, req.params.customerId)),
    );
    app.get(
      '/customers/:customerId/emails',
      {
        config,
        schema: {
          tags: ['mails'],
          summary: 'The Emails tab: every mail to this customer, newest first',
          params: CustomerParams,
          querystring: CustomerMailQuery,
          response: { 200: MailList },
        },
      },
      async (req) => mails.listCustomerMails(req.ctx, req.params.customerId, req.query),
    );
    app.get(
      '/mails',
      {
        config,
        schema: {
          tags: ['mails'],
          summary: 'The mail log (admins: all; resellers: their subtree), newest first',
          querystring: MailListQuery,
          response: { 200: MailList },
        },
      },
      async (req) => mails.listMails(req.ctx, req.query),
    );
    app.get(
      '/mails/:id',
      {
        config,
        schema: {
          tags: ['mails'],
          summary: 'One mail with its text and HTML parts',
          params: IdParams,
          response: { 200: MailDetail },
        },
      },
      async (req) => mails.getMail(req.ctx, req.params.id),
    );
    app.post(
      '/mails/:id/resend',
      {
        config,
        schema: {
          tags: ['mails'],
          summary: 'Queue a copy of a sent, failed or skipped mail',
          params: IdParams,
          response: { 202: QueuedMail },
        },
      },
      async (req, reply) => reply.status(202).send(await mails.resendMail(req.ctx, req.params.id)),
    );
  };
}
