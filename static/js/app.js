/* App script (no framework): service worker and its update notice, install tracking and the
   install button, network status, and the offline outbox that sends queued forms once the
   network returns. Everything a user sees is said in words, not only by colour. */
(function () {
  "use strict";
  var body = document.body;
  var userId = body.getAttribute("data-user") || "";
  var OUTBOX = "sotay-outbox";

  function csrfToken() {
    try { return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function post(url, fields) {
    var data = new URLSearchParams();
    Object.keys(fields).forEach(function (k) { data.append(k, fields[k]); });
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" }
    });
  }

  /* ---- service worker and "new version" notice ---- */
  function showUpdate(registration) {
    var banner = document.getElementById("update-banner");
    if (!banner || !registration.waiting) return;
    banner.hidden = false;
    document.getElementById("update-reload").addEventListener("click", function () {
      updateRequested = true;
      registration.waiting.postMessage("skip-waiting");
    }, { once: true });
  }

  var updateRequested = false;
  if ("serviceWorker" in navigator) {
    // Reload only when the person asked for the new version: the first worker also claims the
    // page (controllerchange), and reloading then would wipe a form being typed in.
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (!updateRequested) return;
      updateRequested = false;
      window.location.reload();
    });
    navigator.serviceWorker.register(body.getAttribute("data-sw"), { scope: "/" })
      .then(function (registration) {
        if (registration.waiting && navigator.serviceWorker.controller) showUpdate(registration);
        registration.addEventListener("updatefound", function () {
          var worker = registration.installing;
          worker.addEventListener("statechange", function () {
            if (worker.state === "installed" && navigator.serviceWorker.controller) {
              showUpdate(registration);
            }
          });
        });
      })
      .catch(function () { /* the app still works without offline support */ });
    if (body.hasAttribute("data-logged-out") && window.caches) {
      // Nothing personal stays on a shared phone after logout.
      caches.keys().then(function (keys) {
        keys.filter(function (k) { return k.indexOf("user-") === 0; })
          .forEach(function (k) { caches.delete(k); });
      });
    }
  }

  /* ---- install tracking and the install button ---- */
  function platform() {
    var ua = navigator.userAgent.toLowerCase();
    if (/iphone|ipad/.test(ua)) return "ios";
    if (/android/.test(ua)) return "android";
    if (/windows/.test(ua)) return "windows";
    if (/mac os/.test(ua)) return "mac";
    if (/linux/.test(ua)) return "linux";
    return "other";
  }
  function reportInstall(source) {
    if (!userId) return;
    var flag = "sotay-installed-" + userId;
    if (source === "standalone" && sessionStorage.getItem(flag)) return;
    sessionStorage.setItem(flag, "1");
    post(body.getAttribute("data-install-url"), { platform: platform(), source: source })
      .catch(function () {});
  }
  var standalone = window.matchMedia("(display-mode: standalone)").matches ||
    window.navigator.standalone === true;
  if (standalone) reportInstall("standalone");
  window.addEventListener("appinstalled", function () { reportInstall("appinstalled"); });

  var deferredPrompt = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    deferredPrompt = event;
    var action = document.getElementById("install-action");
    if (action) action.hidden = false;
  });
  var installButton = document.getElementById("install-button");
  if (installButton) {
    installButton.addEventListener("click", function () {
      if (!deferredPrompt) return;
      deferredPrompt.prompt();
      deferredPrompt = null;
    });
  }
  if (standalone && document.getElementById("installed-note")) {
    document.getElementById("installed-note").hidden = false;
  }

  /* ---- network status ---- */
  var netStatus = document.getElementById("net-status");
  function updateNetwork() {
    if (netStatus) netStatus.hidden = navigator.onLine;
    body.classList.toggle("is-offline", !navigator.onLine);
  }
  window.addEventListener("online", function () { updateNetwork(); flushOutbox(); });
  window.addEventListener("offline", updateNetwork);
  updateNetwork();

  /* ---- offline outbox: forms marked data-offline-queue wait for the network ---- */
  function readOutbox() {
    try { return JSON.parse(localStorage.getItem(OUTBOX) || "[]"); } catch (e) { return []; }
  }
  function writeOutbox(items) {
    localStorage.setItem(OUTBOX, JSON.stringify(items));
    renderOutbox();
  }
  function renderOutbox() {
    var box = document.getElementById("outbox-status");
    if (!box) return;
    var mine = readOutbox().filter(function (i) { return i.user === userId; });
    box.hidden = mine.length === 0;
    var count = box.querySelector("[data-count]");
    if (count) count.textContent = String(mine.length);
    document.querySelectorAll("form[data-offline-queue]").forEach(function (form) {
      var key = form.querySelector("input[name=idempotency_key]");
      var waiting = key && mine.some(function (i) { return i.fields.idempotency_key === key.value; });
      var note = form.querySelector(".outbox-note");
      if (note) note.hidden = !waiting;
    });
  }
  function queue(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrf_token") fields[name] = value;
    });
    var items = readOutbox();
    if (!items.some(function (i) { return i.fields.idempotency_key === fields.idempotency_key; })) {
      items.push({ url: form.action, fields: fields, user: userId, at: Date.now() });
    }
    writeOutbox(items);
  }
  var flushing = false;
  function flushOutbox() {
    if (flushing || !navigator.onLine || !userId) return;
    var items = readOutbox();
    var mine = items.filter(function (i) { return i.user === userId; });
    if (!mine.length) return;
    flushing = true;
    var sent = [];
    mine.reduce(function (chain, item) {
      return chain.then(function () {
        return post(item.url, item.fields).then(function (response) {
          // Anything but a network failure settles the item: a duplicate is answered as done.
          if (response.status < 500) sent.push(item.fields.idempotency_key);
        });
      });
    }, Promise.resolve()).catch(function () { /* still offline: keep the rest */ })
      .then(function () {
        flushing = false;
        writeOutbox(readOutbox().filter(function (i) {
          return sent.indexOf(i.fields.idempotency_key) < 0;
        }));
        if (sent.length) {
          var done = document.getElementById("outbox-sent");
          if (done) { done.hidden = false; }
          body.dispatchEvent(new CustomEvent("outbox:sent", { bubbles: true }));
        }
      });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-offline-queue")) return;
    if (navigator.onLine) return;
    event.preventDefault();
    event.stopPropagation();
    queue(form);
  }, true);
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail && event.detail.elt && event.detail.elt.closest("form[data-offline-queue]");
    if (form) queue(form);
  });
  // Items of another account never replay under this one.
  if (userId) {
    writeOutbox(readOutbox().filter(function (i) { return i.user === userId; }));
  } else if (body.hasAttribute("data-logged-out")) {
    localStorage.removeItem(OUTBOX);
  }
  renderOutbox();
  flushOutbox();
})();
