import { engine } from './engineClient';

/** The models shipped in public/weights/, in Hugging Face layout. */
export interface ShippedModel {
  id: string;
  label: string;
  url: string;
}

const base = import.meta.env.BASE_URL;

/** BERT-mini reads both directions; its twin is the same network trained GPT-style, left to right. */
export const BIDIRECTIONAL: ShippedModel = { id: 'bert-mini', label: 'BERT-mini', url: `${base}weights/bert-mini/` };
export const CAUSAL_TWIN: ShippedModel = {
  id: 'bert-mini-causal',
  label: 'causal twin',
  url: `${base}weights/bert-mini-causal/`,
};

/** Which model is the main (bidirectional) one right now. */
export interface MainModel {
  kind: 'shipped' | 'hub' | 'local';
  /** A hub id, a folder name, or the shipped id. */
  id: string;
  label: string;
}

export const SHIPPED_MAIN: MainModel = { kind: 'shipped', id: BIDIRECTIONAL.id, label: BIDIRECTIONAL.label };

/**
 * Offline support: a service worker (public/sw.js) that keeps the built app and
 * the shipped weights. Production builds only (Vite's dev server serves
 * unbundled modules that must not be cached), and only on secure contexts.
 */
export async function registerServiceWorker(): Promise<void> {
  if (!import.meta.env.PROD || !window.isSecureContext || !('serviceWorker' in navigator)) return;
  try {
    await navigator.serviceWorker.register(`${base}sw.js`, { scope: base });
    await precacheLoadedFiles();
  } catch (error) {
    console.warn('offline support unavailable:', error);
  }
}

/**
 * Asks the service worker to keep what this page has already fetched from its
 * own origin (the first visit loads before the worker controls the page).
 */
export async function precacheLoadedFiles(): Promise<void> {
  if (!import.meta.env.PROD || !window.isSecureContext || !('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.ready;
  const urls = new Set<string>([new URL(base, window.location.href).href]);
  // The engine's worker fetched its own code and the weights: its list, beside the page's.
  const fromWorker = await engine()
    .call('resources', [])
    .catch(() => []);
  for (const name of [...performance.getEntriesByType('resource').map((e) => e.name), ...fromWorker]) {
    const url = new URL(name);
    if (url.origin === window.location.origin) urls.add(url.href);
  }
  registration.active?.postMessage({ type: 'precache', urls: [...urls] });
}
