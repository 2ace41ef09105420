/*
 * BERT Playground's offline support. Same-origin GETs are served cache-first
 * (hashed build assets and /weights/** never change under the same URL); page
 * navigations go to the network first and fall back to the cached page.
 * The page posts {type: 'precache', urls} with what it loaded before this
 * worker controlled it.
 */
const CACHE = 'bert-playground-app-v2';

self.addEventListener('install', () => {
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('bert-playground-app-') && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

/** 200s, and 404s under /weights/ (an optional file that is absent must stay absent offline). */
function keepable(request, response) {
  if (response.type !== 'basic' && response.type !== 'default') return false;
  const weights = new URL(request.url).pathname.includes('/weights/');
  // A dev/preview server answers a missing file with the app's index.html: never keep that as a weight file.
  if (weights && (response.headers.get('content-type') || '').startsWith('text/html')) return false;
  if (response.status === 200) return true;
  return response.status === 404 && weights;
}

async function store(request, response) {
  if (!keepable(request, response)) return;
  const cache = await caches.open(CACHE);
  await cache.put(request, response);
}

self.addEventListener('message', (event) => {
  const data = event.data;
  if (data === null || typeof data !== 'object' || data.type !== 'precache' || !Array.isArray(data.urls)) return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      for (const url of data.urls) {
        if (typeof url !== 'string' || new URL(url).origin !== self.location.origin) continue;
        const key = new URL(url);
        key.search = '';
        key.hash = '';
        if (await cache.match(key.href, { ignoreVary: true })) continue;
        try {
          const response = await fetch(key.href, { credentials: 'same-origin' });
          await store(new Request(key.href), response);
        } catch {
          // Offline already, or gone: it will be fetched (and kept) next time.
        }
      }
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          if (response.ok) {
            const key = new URL(request.url);
            key.search = '';
            event.waitUntil(store(new Request(key.href), response.clone()));
          }
          return response;
        } catch (error) {
          const cached = await (await caches.open(CACHE)).match(request, { ignoreSearch: true, ignoreVary: true });
          if (cached) return cached;
          throw error;
        }
      })(),
    );
    return;
  }
  event.respondWith(
    (async () => {
      const cached = await (await caches.open(CACHE)).match(request, { ignoreSearch: true, ignoreVary: true });
      if (cached) return cached;
      const response = await fetch(request);
      event.waitUntil(store(request, response.clone()));
      return response;
    })(),
  );
});
