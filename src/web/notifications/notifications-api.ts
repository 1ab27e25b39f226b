import { api, type Query } from '../api/http.js';

export type MailStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface Mail {
  id: number;
  customerId: number | null;
  accountNumber: string | null;
  accountName: string | null;
  kind: string;
  to: string[];
  subject: string;
  status: MailStatus;
  skipReason: string | null;
  lastError: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  sentAt: string | null;
  messageId: string | null;
  resendOf: number | null;
  createdBy: string;
  createdAt: string;
}
export interface MailDetail extends Mail {
  textBody: string;
  htmlBody: string | null;
  from: string | null;
  replyTo: string | null;
}
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
export interface QueuedMail {
  mailId: number;
  status: 'queued' | 'skipped';
  skipReason: string | null;
}

export interface MailTemplate {
  kind: string;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  source: 'operator' | 'reseller';
  ownerId: number | null;
  isOwn: boolean;
  variables: { name: string; sample: string }[];
  updatedAt: string;
  updatedBy: string;
}
export interface TemplatePreview {
  subject: string;
  textBody: string;
  htmlBody: string | null;
  unknownVariables: string[];
}

export interface NotificationSettingsBody {
  lowBalance: {
    enabled: boolean;
    thresholdType: 'amount' | 'percent';
    amount: string;
    percent: string | null;
    schedule: 'daily' | 'hourly';
    sendAt: string;
    repeatDays: number;
    recipient: 'owner' | 'partner' | 'both';
    disableTrunksAfterDays: number | null;
  };
  sendTrunkUpdate: boolean;
  paymentReceivedAlert: boolean;
  zeroBalanceNotification: boolean;
  signInNotification: boolean;
}
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

export interface NotificationSettings extends NotificationSettingsBody {
  customerId: number;
  notificationsEnabled: boolean;
  state: { state: 'OK' | 'LOW' | 'ZERO'; lowSince: string | null; escalatedAt: string | null };
}

export interface Job {
  id: number;
  kind: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAfter: string;
  schedule: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** The notification endpoints (issue 15), one typed function each. */
export const notificationsApi = {
  customerMails: (customerId: number, query: Query) =>
    api<Page<Mail>>('GET', `/customers/${customerId}/emails`, { query }),
  mails: (query: Query) => api<Page<Mail>>('GET', '/mails', { query }),
  mail: (id: number) => api<MailDetail>('GET', `/mails/${id}`),
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
