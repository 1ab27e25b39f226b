import { logger } from './platform/logger.js';
import path from 'node:path';
import { Redis } from 'ioredis';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config.js';
import { openDatabase } from './platform/db/database.js';
import { DataDirLockedError } from './platform/db/data-dir-lock.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { generatePassword } from './platform/passwords.js';
import { loadOrCreateKeyFile } from './platform/secrets.js';
import { systemActor } from './platform/context.js';
import { buildApp } from './app.js';
import { ensureFirstAdmin } from './modules/auth/index.js';
import { ensureWebBuild } from './web-build.js';
import { createJobRunner } from './platform/jobs/index.js';
import { jobHandlers, jobSchedules } from './job-handlers.js';
import { IMPORT_CHUNKS_AT_ONCE } from './modules/imports/index.js';
import { createSmtpTransport, type MailSettings } from './platform/mail/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Boot: config -> database -> migrate -> first admin -> UI build -> listen + job runner; SIGTERM drains. */
async function main(): Promise<void> {
  const config = loadConfig();
  let database;
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      logger.fatal(err.message);
      process.exit(1);
    }
    throw err;
  }
  await migrateToLatest(database.db);
  const admin = await ensureFirstAdmin(
    { actor: systemActor, db: database.db, now: () => new Date() },
    { email: config.adminEmail, password: config.adminPassword, generate: () => generatePassword(20) },
  );
  if (admin?.generated) {
    // For the person at the terminal, once; deliberately not a log line, so the generated password
    // never reaches a log collector.
    console.log(
      `\n  First admin created.\n    email:    ${admin.email}\n    password: ${admin.password}\n` +
        '  This password is shown only once: sign in and keep it safe.\n',
    );
  } else if (admin) {
    logger.info(`First admin created: ${admin.email}`);
  }

  const webRoot = path.join(root, 'dist/web');
  if (config.serveUi) await ensureWebBuild(root);
  const secretKey = config.secretKey ?? loadOrCreateKeyFile(config.dataDir);
  const mail: MailSettings = {
    transport: config.smtpUrl ? createSmtpTransport(config.smtpUrl) : null,
    from: config.mailFrom,
    replyTo: config.mailReplyTo,
    operatorBillingEmail: config.operatorBillingEmail,
    operatorAlertEmail: config.operatorAlertEmail,
  };
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2 }) : null;
  const app = await buildApp({
    config,
    database,
    webRoot,
    secretKey,
    mail,
    callAuth: { redisUrl: config.redisUrl },
    redis,
    metrics: { token: config.metricsToken, allow: config.metricsAllow },
  });
  const runner = createJobRunner({
    db: database.db,
    handlers: jobHandlers({
      mail,
      importChunksAtOnce: database.kind === 'postgres' ? IMPORT_CHUNKS_AT_ONCE : 1,
    }),
    schedules: jobSchedules(),
    log: app.log,
    // The data folder's lock makes this process PGlite's only runner.
    soleRunner: database.kind === 'pglite',
  });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing requests in flight');
    const timer = setTimeout(() => process.exit(1), 15_000);
    timer.unref();
    try {
      // The job in flight finishes its step and goes back to the queue; a new process resumes it.
      await runner.stop();
      await app.close();
      mail.transport?.close();
      await redis?.quit();
      await database.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  runner.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  app.log.info({ port, database: database.kind }, `Tollgate listening on http://localhost:${port}`);
}

main().catch((err) => {
  logger.fatal(err);
  process.exit(1);
});
