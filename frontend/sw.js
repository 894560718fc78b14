// Confab's service worker: lets the page open without the server (a reload while
// offline still shows the chat and keeps unsent messages, which go out once the server
// is back). Network first: while the server answers, it always serves the newest page;
// the cache is only the fallback when it cannot be reached. The socket and the API are
// never touched.

const CACHE = "confab-shell-v1";

// The page and the assets it names (hashed file names change with each build).
async function precache() {
  const cache = await caches.open(CACHE);
  const page = await fetch("/", { cache: "no-store" });
  if (!page.ok) return;
  const html = await page.clone().text();
  await cache.put("/", page);
  const assets = [...html.matchAll(/["'](\/[^"'?#]+\.(?:js|wasm|css))["']/g)].map((m) => m[1]);
  await cache.addAll([...new Set(assets)]);
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().catch(() => {}).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  const ours = url.origin === self.location.origin;
  // The API is never kept: who is signed in is the server's to say, and the page
  // knows what to do when it cannot be asked.
  const api = url.pathname.startsWith("/api/");
  if (request.method !== "GET" || !ours || api || url.pathname === "/ws" || url.pathname === "/healthz") {
    return;
  }
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const key = request.mode === "navigate" ? "/" : request;
      try {
        const response = await fetch(request);
        if (response.ok) await cache.put(key, response.clone());
        return response;
      } catch (offline) {
        const cached = await cache.match(key);
        if (cached) return cached;
        throw offline;
      }
    })(),
  );
});
