import { api, type Query } from '../api/http.js';
import type * as Wire from '../../server/api-types.js';

export type MailStatus = Wire.MailDto['status'];

export type Mail = Wire.MailDto;
export type MailDetail = Wire.MailDetailDto;
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
export type QueuedMail = Wire.QueuedMailDto;

export type MailTemplate = Wire.MailTemplateDto;
export type TemplatePreview = Wire.TemplatePreviewDto;

/** The settings form: every setting the PUT body takes, all present (as the GET answers them). */
export type NotificationSettingsBody = Omit<
  Wire.NotificationSettingsDto,
  'customerId' | 'notificationsEnabled' | 'state'
>;
/** What an account without saved settings gets (the server's defaults, DOMAIN 3.15 / ASTPP's 5). */
export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettingsBody = {
  lowBalance: {
    enabled: false,
    thresholdType: 'amount',
    amount: '5',
    percent: null,
    schedule: 'daily',
    sendAt: '09:00',
    repeatDays: 3,
    recipient: 'partner',
    disableTrunksAfterDays: null,
  },
  sendTrunkUpdate: false,
  paymentReceivedAlert: false,
  zeroBalanceNotification: false,
  signInNotification: false,
};

export type NotificationSettings = Wire.NotificationSettingsDto;

export type Job = Wire.JobDto;

/** The notification endpoints (issue 15), one typed function each. */
export const notificationsApi = {
  resend: (id: number) => api<QueuedMail>('POST', `/mails/${id}/resend`, { body: {} }),
  welcomeLetter: (customerId: number) =>
    api<QueuedMail>('POST', `/customers/${customerId}/welcome-letter`, { body: {} }),
  lowBalanceAlert: (customerId: number) =>
    api<QueuedMail>('POST', `/customers/${customerId}/low-balance-alert`, { body: {} }),
  settings: (customerId: number) =>
    api<NotificationSettings>('GET', `/customers/${customerId}/notification-settings`),
  saveSettings: (customerId: number, body: NotificationSettingsBody) =>
    api<NotificationSettings>('PUT', `/customers/${customerId}/notification-settings`, { body }),
  // `resellerId`: an admin works on that reseller's overrides (absent: the operator's).
  templates: (resellerId?: number) =>
    api<{ data: MailTemplate[] }>('GET', '/mail-templates', { query: { resellerId } }),
  saveTemplate: (
    kind: string,
    body: { subject: string; textBody: string; htmlBody: string | null },
    resellerId?: number,
  ) => api<MailTemplate>('PUT', `/mail-templates/${kind}`, { body, query: { resellerId } }),
  dropOverride: (kind: string, resellerId?: number) =>
    api<void>('DELETE', `/mail-templates/${kind}`, { query: { resellerId } }),
  preview: (
    kind: string,
    body: { subject: string; textBody: string; htmlBody: string | null },
    resellerId?: number,
  ) => api<TemplatePreview>('POST', `/mail-templates/${kind}/preview`, { body, query: { resellerId } }),
  jobs: (query: Query) => api<Page<Job>>('GET', '/jobs', { query }),
  retryJob: (id: number) => api<Job>('POST', `/jobs/${id}/retry`, { body: {} }),
};

export const KIND_NAMES: Record<string, string> = {
  welcome_letter: 'Welcome letter',
  low_balance: 'Low balance',
  zero_balance: 'Zero balance',
  payment_received: 'Payment received',
  trunk_update: 'Trunk update',
  sign_in: 'Sign-in',
  invoice: 'Invoice',
  daily_report: 'Daily report',
  operator_alert: 'Operator alert',
};
