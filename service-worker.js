/* Service worker of Sổ tay đảng viên điện tử (scope "/").
 * The server fills in the version and the precache list (core/assets.py), so the cache name
 * changes exactly when the app shell changes, and old caches are dropped on activate.
 * Static files are cache-first (their URLs carry a content hash); pages are network-first and
 * fall back to the offline page. Personal pages are never written to the cache.
 */
const VERSION = "__SHELL_VERSION__";
const SHELL_CACHE = "shell-" + VERSION;
const PRECACHE = __PRECACHE_URLS__;

self.addEventListener("install", (event) => {
  // Without credentials: the shell is the same for everyone, and a response carrying the
  // visitor's session cookie must never overwrite the cookie of a login happening meanwhile.
  const requests = PRECACHE.map((url) => new Request(url, { credentials: "omit" }));
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(requests)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("shell-") && key !== SHELL_CACHE)
          .map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (url.pathname.startsWith("/static/")) {
    event.respondWith(
      caches.match(request, { ignoreSearch: false }).then((hit) => hit || fetch(request).then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      }))
    );
    return;
  }

  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(() => caches.match("/offline", { cacheName: SHELL_CACHE }))
    );
  }
});
