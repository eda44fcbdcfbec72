/* Service worker of Sổ tay đảng viên điện tử (scope "/").
 * The server fills in the version, the precache list and the offline routes (core/assets.py),
 * so the shell cache changes exactly when the app shell or the routes change; caches of other
 * versions go on activate.
 *
 * Caches:
 *   shell-<version>          app shell (CSS, JS, fonts, icons, offline page): cache-first.
 *   personal-v1-<user id>    pages and files of ONE account (handbook, documents, meetings...).
 *   sotay-meta               who the server last said is logged in on this phone.
 * The server names the logged-in account in the X-Sotay-User header of each page. When that
 * changes (logout, or another person logs in), every personal cache of other accounts is
 * deleted, and offline pages are only ever looked up in the cache of the current account.
 *
 * Strategies for pages (navigations):
 *   handbook chapters and documents   stale-while-revalidate (the saved copy at once, then
 *                                     refreshed in the background);
 *   live meeting page                 network-first, saved copy after LIVE_TIMEOUT ms;
 *   other pages of the account        network-first, saved copy when there is no network;
 *   anything else offline             the offline page.
 * A page served because the network failed is marked (data-offline-copy on <body>) so the app
 * script can say that it is a saved copy.
 */
const VERSION = "__SHELL_VERSION__";
const SHELL_CACHE = "shell-" + VERSION;
const PERSONAL_PREFIX = "personal-v1-";
const META_CACHE = "sotay-meta";
const META_USER = "/__sotay/current-user";
const PRECACHE = __PRECACHE_URLS__;
// htmx from the CDN (empty when the app serves its own copy only): kept in the shell cache the
// first time it arrives, then served from there, so a phone offline or behind a blocked CDN
// never waits for it (boot.js falls back to the local copy after 1,5 s on a first visit).
const HTMX_CDN = __HTMX_CDN__;
const LIVE_TIMEOUT = 3500;
// After a form is submitted (display preference, language, login...), pages are fetched fresh
// for a few seconds instead of showing a saved copy made before the change.
const FRESH_AFTER_POST_MS = 10000;

// Which pages of an account are kept for reading without the network, and how: path patterns
// the server makes from its URL map (OFFLINE_ROUTES in core/assets.py), never written here.
const ROUTES = __OFFLINE_ROUTES__;
function patterns(sources) { return sources.map((source) => new RegExp(source)); }
const SWR_PAGES = patterns(ROUTES.swr);
const LIVE_PAGES = patterns(ROUTES.live);
const KEPT_PAGES = patterns(ROUTES.kept);
// Files (attachments, meeting documents): saved copy first, they do not change.
const FILES = patterns(ROUTES.files);
// Cheap phones have little storage: once a day, saved copies last fetched more than
// PRUNE_AFTER_MS ago go (old news, last year's meetings and their documents). Handbook pages
// and what "Lưu để đọc khi không có mạng" saved (marked X-Sotay-Kept) stay until saved again.
const PRUNE_AFTER_MS = 120 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 24 * 3600 * 1000;
const META_PRUNED = "/__sotay/pruned";
const NEVER_PRUNED = patterns(ROUTES.neverPruned);

let currentUser = null; // null = not read yet; "" = nobody logged in
let lastPost = 0;

function matches(list, path) { return list.some((re) => re.test(path)); }

function personalCache(user) { return PERSONAL_PREFIX + user; }

async function readUser() {
  if (currentUser !== null) return currentUser;
  const meta = await caches.open(META_CACHE);
  const hit = await meta.match(META_USER);
  currentUser = hit ? await hit.text() : "";
  return currentUser;
}

async function setUser(user) {
  const before = await readUser();
  currentUser = user;
  if (before === user) return;
  const meta = await caches.open(META_CACHE);
  await meta.put(META_USER, new Response(user));
  // Nothing of another account stays on the phone.
  const keys = await caches.keys();
  await Promise.all(keys
    .filter((k) => k.startsWith("personal-") && k !== personalCache(user))
    .map((k) => caches.delete(k)));
}

/* The account a response belongs to, or undefined when the response does not say. */
function userOf(response) {
  if (!response || response.type === "opaqueredirect") return undefined;
  const value = response.headers.get("X-Sotay-User");
  return value === null ? undefined : value;
}

async function noteUser(response) {
  const user = userOf(response);
  if (user !== undefined) await setUser(user);
}

async function savedCopy(request, user) {
  if (!user) return undefined;
  const cache = await caches.open(personalCache(user));
  return cache.match(request, { ignoreVary: true, ignoreSearch: false });
}

async function keep(request, response, user) {
  if (!user || !response.ok || userOf(response) !== user) return;
  const cache = await caches.open(personalCache(user));
  await cache.put(request, response);
  await pruneSaved(user);
}

/* Drop the account's saved copies that were last fetched long ago (at most once a day). */
async function pruneSaved(user) {
  const meta = await caches.open(META_CACHE);
  const last = await meta.match(META_PRUNED);
  if (last && Date.now() - Number(await last.text()) < PRUNE_EVERY_MS) return;
  await meta.put(META_PRUNED, new Response(String(Date.now())));
  const cache = await caches.open(personalCache(user));
  for (const request of await cache.keys()) {
    if (matches(NEVER_PRUNED, new URL(request.url).pathname)) continue;
    const response = await cache.match(request);
    if (!response || response.headers.get("X-Sotay-Kept")) continue;
    const fetched = fetchedAt(response);
    // A copy whose age cannot be told is kept: better a stale file than none offline.
    if (Date.now() - fetched > PRUNE_AFTER_MS) await cache.delete(request);
  }
}

/* When a saved response came from the server: the first date of its Date header (two servers
   on the way may each write one, and the browser joins them with ", "); NaN when none. */
function fetchedAt(response) {
  const value = response.headers.get("Date") || "";
  const first = value.match(/[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT/);
  return first ? Date.parse(first[0]) : NaN;
}

/* A saved page, marked as a copy shown because the network did not answer. */
async function markedCopy(response) {
  const html = await response.text();
  const stamp = response.headers.get("Date") || "";
  const marked = html.replace("<body ", '<body data-offline-copy="' + stamp.replace(/"/g, "") + '" ');
  return new Response(marked, {
    status: response.status,
    headers: { "Content-Type": "text/html; charset=utf-8" },
  });
}

function offlinePage() {
  return caches.match("/offline", { cacheName: SHELL_CACHE }).then((hit) =>
    hit || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } }));
}

function timeout(ms) { return new Promise((resolve) => setTimeout(() => resolve(undefined), ms)); }

/* The page from the network, kept in the cache of the account it belongs to. The copy is
   written while the page already streams to the browser (`event` stays alive until then). */
async function fromNetwork(request, event) {
  const response = await fetch(request);
  await noteUser(response);
  const owner = userOf(response);
  if (owner) {
    const kept = keep(request, response.clone(), owner).catch(() => {});
    try {
      if (event) event.waitUntil(kept); else await kept;
    } catch (error) { /* the event is over: the copy is still being written */ }
  }
  return response;
}

async function fallback(request, user) {
  const hit = await savedCopy(request, user);
  return hit ? markedCopy(hit) : offlinePage();
}

async function networkFirst(event, user, waitMs) {
  const request = event.request;
  const network = fromNetwork(request, event);
  if (!waitMs || !user) {
    return network.catch(() => fallback(request, user));
  }
  const first = await Promise.race([network.catch(() => null), timeout(waitMs)]);
  if (first) return first;
  const hit = await savedCopy(request, user);
  if (hit) {
    event.waitUntil(network.catch(() => {})); // the slow answer still refreshes the copy
    return markedCopy(hit);
  }
  return network.catch(() => offlinePage());
}

async function staleWhileRevalidate(event, user) {
  const request = event.request;
  const hit = Date.now() - lastPost > FRESH_AFTER_POST_MS ? await savedCopy(request, user) : undefined;
  const network = fromNetwork(request);
  if (hit) {
    event.waitUntil(network.catch(() => {}));
    return hit.redirected ? new Response(hit.body, hit) : hit;
  }
  return network.catch(() => fallback(request, user));
}

async function handlePage(event) {
  const path = new URL(event.request.url).pathname;
  const user = await readUser();
  if (matches(FILES, path)) return handleFile(event.request);
  if (matches(SWR_PAGES, path) && user) return staleWhileRevalidate(event, user);
  if (matches(LIVE_PAGES, path)) return networkFirst(event, user, LIVE_TIMEOUT);
  if (matches(KEPT_PAGES, path) || matches(SWR_PAGES, path)) return networkFirst(event, user, 0);
  return fetch(event.request).then(async (response) => {
    await noteUser(response);
    return response;
  }).catch(() => offlinePage());
}

/* Attachments and meeting documents: the saved copy, else the network (then kept for the
   account that opened it, so a PDF read once can be read again offline). */
async function handleFile(request) {
  const user = await readUser();
  const hit = await savedCopy(request, user);
  if (hit) return hit;
  try {
    const response = await fetch(request);
    if (user && response.ok && !response.redirected && response.type === "basic") {
      const cache = await caches.open(personalCache(user));
      await cache.put(request, response.clone());
      await pruneSaved(user);
    }
    return response;
  } catch (error) {
    // No network: look once more before giving up. A copy being written by the page (the
    // home page saves the documents of announced meetings) can be missing for a moment.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const late = await savedCopy(request, await readUser());
      if (late) return late;
    }
    if (request.mode === "navigate") return offlinePage();
    throw error;
  }
}

async function handleStatic(request) {
  const hit = await caches.match(request);
  if (hit) return hit;
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(SHELL_CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    // A saved page of an older version asks for an older file: any version will do offline.
    const any = await caches.match(request, { ignoreSearch: true });
    if (any) return any;
    throw error;
  }
}

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
        keys.filter((key) => key !== SHELL_CACHE && key !== META_CACHE &&
          !key.startsWith(PERSONAL_PREFIX))
          .map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
  if (event.data && event.data.type === "logged-out") {
    event.waitUntil(setUser(""));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (HTMX_CDN && request.url === HTMX_CDN) {
    event.respondWith(handleStatic(request));
    return;
  }
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    if (request.mode === "navigate") lastPost = Date.now();
    return;
  }
  if (url.pathname === "/service-worker.js") return;

  if (url.pathname.startsWith("/static/")) {
    event.respondWith(handleStatic(request));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(handlePage(event));
    return;
  }
  if (matches(FILES, url.pathname) && !request.headers.get("HX-Request")) {
    event.respondWith(handleFile(request));
  }
});
