import type { JobHandler } from './platform/jobs/index.js';
import { importJobHandlers } from './modules/imports/index.js';
import { massCreateJobHandlers } from './modules/mass-create/index.js';

/** Every module's background job handlers, wired in one place (as app.ts does for routes). */
export function jobHandlers(): JobHandler[] {
  return [...importJobHandlers(), ...massCreateJobHandlers()];
}
