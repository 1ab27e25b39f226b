import { logger } from './platform/logger.js';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** `npm start` builds the admin UI when the build is missing or older than its sources. */
export async function ensureWebBuild(root: string): Promise<void> {
  const src = path.join(root, 'src/web');
  const index = path.join(root, 'dist/web/index.html');
  if (!fs.existsSync(src)) return;
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  const sources = Math.max(newestMtime(src), fs.statSync(path.join(root, 'vite.config.ts')).mtimeMs);
  if (built >= sources) return;
  logger.info('Building the admin UI (vite build)...');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('The admin UI build failed');
}
