export {
  DEFAULT_LEASE_MS,
  createJobRunner,
  type JobContext,
  type JobHandler,
  type JobLogger,
  type JobRunner,
  type JobRunnerOptions,
} from './job-runner.js';
export { insertJob as enqueueJob } from './jobs.repository.js';
