import { formatMoney, formatRate } from '../format/format.js';
import { statusLabel } from '../layout/StatusChip.js';
import { MONEY_FIELDS, RATE_FIELDS, fieldLabel } from './field-labels.js';

/*
 * An audit entry as an operator reads it: the real action ("SIP device added", not "Account
 * created"), the actor's name, the form's labels and money in the account's currency.
 */

export interface AuditEntryLike {
  actor: string;
  actorName?: string | null;
  action: string;
  entityType?: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

const ENTITY_NAMES: Record<string, string> = {
  account: 'Account',
  customer: 'Account',
  provider: 'Account',
  reseller: 'Account',
  sip_device: 'SIP device',
  trunk: 'Trunk',
  host: 'Host',
  caller_id: 'Caller ID',
  force_caller_id: 'Force caller ID',
  blocked_code: 'Blocked code',
  speed_dial: 'Speed dial',
  did: 'DID',
  rate_group: 'Rate group',
  rate: 'Rate',
  rate_override: 'Rate override',
  call_alarm: 'Call alarm',
  localization: 'Localization',
  customer_template: 'Template',
  api_key: 'API key',
  user: 'User',
  connectivity: 'Connectivity',
};

const VERBS: Record<string, string> = {
  create: 'added',
  update: 'edited',
  delete: 'deleted',
  assign: 'assigned',
  release: 'released',
  reset_secret: 'password reset',
  set: 'set',
  clear: 'cleared',
  upload: 'rates uploaded',
  revoke: 'revoked',
  acknowledge: 'acknowledged',
};

const ACCOUNT_ACTIONS: Record<string, string> = {
  create: 'Created',
  update: 'Edited',
  delete: 'Deleted',
  password_change: 'Password changed',
  template_link: 'Linked to a template',
  template_unlink: 'Unlinked from its template',
  template_reapply: 'Template re-applied',
};

const ACCOUNT_KINDS = new Set(['customer', 'provider', 'reseller', 'account']);

/** The entry's action in words. */
export function auditActionName(e: AuditEntryLike): string {
  const [entity, verb = ''] = e.action.includes('.') ? e.action.split('.', 2) : ['', e.action];
  if (ACCOUNT_KINDS.has(entity)) {
    if (verb === 'update') {
      const keys = Object.keys(e.after ?? {}).filter((k) => k !== 'updatedAt' && k !== 'availableCredit');
      if (keys.length === 1 && keys[0] === 'status')
        return e.after?.status === 'active' ? 'Activated' : 'Deactivated';
    }
    return ACCOUNT_ACTIONS[verb] ?? verb.replace(/_/g, ' ');
  }
  if (entity === 'customer_template' && verb === 'create') return 'Saved as a template';
  const name = ENTITY_NAMES[entity] ?? fieldLabel(entity);
  return `${name} ${VERBS[verb] ?? verb.replace(/_/g, ' ')}`;
}

/** Who acted: the user's name; an API key or the system as such (never `user:...`). */
export function auditActorName(e: AuditEntryLike): string {
  if (e.actorName) return e.actorName;
  const [kind, ...rest] = e.actor.split(':');
  const name = rest.join(':');
  if (kind === 'api-key') return `API key ${name}`;
  if (kind === 'user') return name;
  return e.actor === 'system' ? 'System' : e.actor;
}

/** One value as the form shows it. */
export function auditValue(field: string, v: unknown, currency: string): string {
  if (v === null || v === undefined || v === '') return '—';
  if (MONEY_FIELDS.has(field) && (typeof v === 'string' || typeof v === 'number'))
    return formatMoney(String(v), currency);
  if (RATE_FIELDS.has(field) && (typeof v === 'string' || typeof v === 'number'))
    return formatRate(String(v), currency);
  if (field === 'status' && typeof v === 'string') return statusLabel(v);
  if (field === 'mode' && typeof v === 'string') return v === 'prepaid' ? 'Prepaid' : 'Postpaid';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (Array.isArray(v)) return v.length === 0 ? '—' : v.map(String).join(', ');
  if (field === 'minProfitability' && typeof v === 'object') {
    const m = v as { type?: string; value?: string };
    return m.type === 'percent' ? `${m.value}%` : formatMoney(String(m.value ?? ''), currency);
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Reference ids whose name the entry also carries: show the name, hide the id. */
const NAMED_REFERENCES: Record<string, string> = {
  rateGroupId: 'rateGroupName',
  nonCliRateGroupId: 'nonCliRateGroupName',
  localizationId: 'localizationName',
  resellerId: 'resellerName',
};
/** Derived from what changed; not something the operator changed. */
const HIDDEN = new Set(['updatedAt', 'availableCredit', 'trunkCount']);

export interface AuditChange {
  label: string;
  before: string;
  after: string;
}

/** What an edit changed, one line per field, in the form's words. */
export function auditChanges(e: AuditEntryLike, currency: string): AuditChange[] {
  const after = e.after ?? {};
  const before = e.before ?? {};
  return Object.keys(after)
    .filter((k) => !HIDDEN.has(k))
    .filter((k) => !(NAMED_REFERENCES[k] && NAMED_REFERENCES[k] in after))
    .map((k) => ({
      label: fieldLabel(k),
      before: auditValue(k, before[k], currency),
      after: auditValue(k, after[k], currency),
    }));
}

/** The identifying fields of an object other than the account (a device's username...). */
const SUMMARY_FIELDS = ['name', 'username', 'number', 'prefix', 'cidr', 'callerId', 'code', 'digit'];

/** One line about the object a non-account entry concerns: `Username 1001`, `Name Retail`. */
export function auditSubject(e: AuditEntryLike): string {
  const v = e.after ?? e.before ?? {};
  const parts = SUMMARY_FIELDS.filter((k) => v[k] !== undefined && v[k] !== null && v[k] !== '').map(
    (k) => `${fieldLabel(k)}: ${String(v[k])}`,
  );
  return parts.join(', ');
}

/** Whether the entry is about the account itself (its fields are diffed) or an object of it. */
export function isAccountEntry(e: AuditEntryLike): boolean {
  const entity = e.action.split('.')[0];
  return ACCOUNT_KINDS.has(entity) && (e.entityType === undefined || e.entityType === 'account');
}
