import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The admin UI: src/web -> dist/web, served by the API server at `/` (see src/server/web-build.ts). */
export default defineConfig(({ mode }) => {
  // A build started from a test runner inherits NODE_ENV=test; the served bundle is always the
  // production one (React's development build is larger and slower).
  if (mode !== 'development') process.env.NODE_ENV = 'production';
  return {
    root: path.join(here, 'src/web'),
    base: '/',
    plugins: [react()],
    build: {
      outDir: path.join(here, 'dist/web'),
      emptyOutDir: true,
      chunkSizeWarningLimit: 3000,
    },
    server: {
      // `npx vite` for UI work against a running `npm start` on 8080.
      proxy: { '/api': 'http://127.0.0.1:8080' },
    },
  };
});
