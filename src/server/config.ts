import path from 'node:path';
import { cidrList, LOOPBACK } from './platform/http/metrics.js';

/** Everything Tollgate reads from the environment, validated once and frozen. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  redisUrl: string | null;
  adminEmail: string | null;
  adminPassword: string | null;
  logLevel: string;
  sessionTtlHours: number;
  cookieSecure: boolean;
  trustProxy: boolean;
  serveUi: boolean;
  /** Key material for secrets stored encrypted (SIP secrets); null = the key file in dataDir. */
  secretKey: string | null;
  /** Outgoing mail: `smtp://user:pass@host:587` or `smtps://...`; null = mail is kept, not sent. */
  smtpUrl: string | null;
  /** The From and Reply-To of every mail. */
  mailFrom: string;
  mailReplyTo: string | null;
  /** "Owner" recipient of money mail (the operator's billing team, DOMAIN 3.11). */
  operatorBillingEmail: string | null;
  /** Where failed notification jobs are reported. */
  operatorAlertEmail: string | null;
  /** Bearer token that may read /metrics (METRICS_TOKEN); null = none. */
  metricsToken: string | null;
  /** Addresses (CIDRs) that may read /metrics without the token (METRICS_ALLOW); default loopback. */
  metricsAllow: string[];
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function boolFrom(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function secretKeyFrom(env: NodeJS.ProcessEnv): string | null {
  const raw = env.TOLLGATE_SECRET_KEY?.trim();
  if (!raw) return null;
  if (raw.length < 32) throw new Error('TOLLGATE_SECRET_KEY must be at least 32 characters');
  return raw;
}

const EMAIL = /^[^\s@<>]{1,64}@[^\s@<>]{1,255}$/;

function emailFrom(env: NodeJS.ProcessEnv, name: string, fallback: string | null): string | null {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  // Either a bare address or `Display Name <address>`.
  const address = /<([^>]+)>$/.exec(raw)?.[1] ?? raw;
  if (!EMAIL.test(address)) throw new Error(`${name} must be an email address, got "${raw}"`);
  return raw;
}

function smtpUrlFrom(env: NodeJS.ProcessEnv): string | null {
  const raw = env.SMTP_URL?.trim();
  if (!raw) return null;
  if (!/^smtps?:\/\/[^\s]+$/.test(raw)) throw new Error('SMTP_URL must start with smtp:// or smtps://');
  return raw;
}

function metricsAllowFrom(env: NodeJS.ProcessEnv): string[] {
  const raw = env.METRICS_ALLOW?.trim();
  if (!raw) return LOOPBACK;
  const cidrs = raw
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  try {
    cidrList(cidrs);
  } catch (err) {
    throw new Error(`METRICS_ALLOW must be a comma-separated list of CIDRs: ${(err as Error).message}`);
  }
  return cidrs;
}

function metricsTokenFrom(env: NodeJS.ProcessEnv): string | null {
  const raw = env.METRICS_TOKEN?.trim();
  if (!raw) return null;
  if (raw.length < 16) throw new Error('METRICS_TOKEN must be at least 16 characters');
  return raw;
}

/**
 * Loopback unless told otherwise: a development server is not reachable from the network by
 * accident. NODE_ENV=production (a container, a host behind a proxy) listens on every interface.
 */
function hostFrom(env: NodeJS.ProcessEnv): string {
  return env.HOST?.trim() || (env.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL must start with postgres:// or postgresql://');
  }
  return Object.freeze({
    port: intFrom(env, 'PORT', 8080, 0, 65535),
    host: hostFrom(env),
    dataDir: path.resolve(env.DATA_DIR?.trim() || './data'),
    databaseUrl,
    redisUrl: env.REDIS_URL?.trim() || null,
    adminEmail: env.TOLLGATE_ADMIN_EMAIL?.trim() || null,
    adminPassword: env.TOLLGATE_ADMIN_PASSWORD || null,
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    sessionTtlHours: intFrom(env, 'SESSION_TTL_HOURS', 12, 1, 24 * 90),
    cookieSecure: boolFrom(env, 'COOKIE_SECURE', false),
    trustProxy: boolFrom(env, 'TRUST_PROXY', false),
    serveUi: boolFrom(env, 'SERVE_UI', true),
    secretKey: secretKeyFrom(env),
    smtpUrl: smtpUrlFrom(env),
    mailFrom: emailFrom(env, 'MAIL_FROM', 'Tollgate <no-reply@tollgate.local>')!,
    mailReplyTo: emailFrom(env, 'MAIL_REPLY_TO', null),
    operatorBillingEmail: emailFrom(env, 'OPERATOR_BILLING_EMAIL', null),
    operatorAlertEmail: emailFrom(env, 'OPERATOR_ALERT_EMAIL', null),
    metricsToken: metricsTokenFrom(env),
    metricsAllow: metricsAllowFrom(env),
  });
}
