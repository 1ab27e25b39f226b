import type { Database } from '../src/server/platform/db/database.js';
import { createJobRunner, type JobRunner } from '../src/server/platform/jobs/index.js';
import { jobHandlers } from '../src/server/job-handlers.js';

/** A job runner over the test database with every module's handlers (run it with runUntilIdle). */
export function testRunner(
  database: Database,
  opts: { leaseMs?: number; importChunksAtOnce?: number } = {},
): JobRunner {
  return createJobRunner({
    db: database.db,
    handlers: jobHandlers({ importChunksAtOnce: opts.importChunksAtOnce }),
    leaseMs: opts.leaseMs,
  });
}
