import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import type { Connect, Plugin } from 'vite';
import { fileURLToPath } from 'node:url';

// Cross-origin isolation lets the wasm backend use threads (SharedArrayBuffer);
// the same headers are sent by `dev` and `preview` so both behave alike.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Weights are binary: give them a type so the dev/preview servers send them
 * as they are. With no type they were gzipped on the fly — seconds of CPU for
 * 22 MB on a small machine, and no Content-Length, so no download progress.
 */
function binaryWeights(): Plugin {
  const typed: Connect.NextHandleFunction = (req, res, next) => {
    if (req.url?.split('?')[0].endsWith('.safetensors')) {
      const setHeader = res.setHeader.bind(res);
      res.setHeader = (name, value) =>
        setHeader(name, name.toLowerCase() === 'content-type' && !value ? 'application/octet-stream' : value);
    }
    next();
  };
  return {
    name: 'binary-weights',
    configureServer: (server) => void server.middlewares.use(typed),
    configurePreviewServer: (server) => void server.middlewares.use(typed),
  };
}

export default defineConfig({
  plugins: [react(), binaryWeights()],
  // The page gets tfjs without layers/converter/data (src/engine/runtime/tfjs-browser.ts
  // says why); the unit tests in Node keep the full umbrella.
  resolve: {
    alias: process.env.VITEST
      ? []
      : [{ find: /^@tensorflow\/tfjs$/, replacement: fileURLToPath(new URL('src/engine/runtime/tfjs-browser.ts', import.meta.url)) }],
  },
  // A missing file must be a 404 (the checkpoint loader treats 404 as "absent"),
  // not index.html with status 200 as a single-page app would answer.
  appType: 'mpa',
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
