import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import type { Connect, Plugin } from 'vite';
import { fileURLToPath } from 'node:url';
import { wasmThreads } from './tools/vite/wasmThreads';

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

/**
 * The built page's Content-Security-Policy, one directive a line with why. Nothing here comes from
 * a CDN: scripts, styles and wasm binaries are our own files; the only other origins are model hubs.
 */
const CSP: Record<string, string> = {
  // Anything not named below is refused.
  'default-src': "'none'",
  // Our bundled modules only: no inline script, no eval/new Function. 'wasm-unsafe-eval' lets
  // WebAssembly.instantiate compile tfjs-wasm's binaries and our SIMD kernels — wasm only, never JS.
  'script-src': "'self' 'wasm-unsafe-eval'",
  // The offline service worker, /sw.js, and the engine's worker. (Workers take their policy from
  // their own response, not from this <meta>: see WORKER_POLICY below.)
  'worker-src': "'self'",
  // Our stylesheet. No 'unsafe-inline': React and D3 set styles through the CSSOM
  // (element.style), which CSP does not govern; nothing writes <style> or style="" markup.
  'style-src': "'self'",
  // The favicon; the attention thumbnails (canvas → data: URLs); the PNG export draws the SVG
  // through an <img> of a blob: URL.
  'img-src': "'self' data: blob:",
  // Weights and wasm binaries from this origin; model hubs over https (huggingface.co redirects
  // LFS files to CDNs on other hosts, and a class may use a mirror: ?hub=); a hub on this machine
  // over http for tests and offline classrooms. (An https page may not fetch http anyway.)
  'connect-src': "'self' https: http://localhost:* http://127.0.0.1:*",
  'font-src': "'self'",
  'manifest-src': "'self'",
  // No plugins, no <base> that would re-root our relative URLs, no form posts anywhere.
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
};
const cspValue = (extra: Record<string, string> = {}) =>
  Object.entries({ ...CSP, ...extra })
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');

/**
 * The policy travels with the page as a <meta>, so any static host serves it. Build only: the dev
 * server injects inline scripts (React Refresh's preamble, the HMR client) that it would block.
 */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'content-security-policy',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: cspValue() }, injectTo: 'head-prepend' },
    ],
  };
}

/**
 * A worker obeys the policy sent with its own script, never the page's <meta>. The engine's worker
 * (and its gemm helpers) may start tfjs-wasm's threads, which the threaded build starts as blob:
 * workers that importScripts a Blob of its own source (docs/performance.md#wasm-threads): so the
 * header, which workers get too, allows blob: for workers and scripts. The page itself stays under
 * both policies, so it still loads no blob: script.
 */
const WORKER_POLICY = { 'script-src': "'self' 'wasm-unsafe-eval' blob:", 'worker-src': "'self' blob:" };

/**
 * `vite preview` also sends it as a header, with what a <meta> cannot carry: frame-ancestors (no
 * other site may frame the page — clickjacking). Both apply; they agree on everything else.
 */
const previewHeaders = { ...isolation, 'Content-Security-Policy': cspValue({ 'frame-ancestors': "'none'", ...WORKER_POLICY }) };

export default defineConfig({
  plugins: [react(), binaryWeights(), contentSecurityPolicy(), wasmThreads()],
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
  preview: { headers: previewHeaders },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  // The engine's worker (src/worker/engine.worker.ts) is a module worker: it splits into chunks (the GPU
  // backends load only when tried), which the default classic-script format cannot do.
  // tfjs runs inside that worker, so the threaded build's fix (tools/vite/wasmThreads.ts) applies there.
  worker: { format: 'es', plugins: () => [wasmThreads()] },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
