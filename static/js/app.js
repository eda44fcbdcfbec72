/* App script (no framework): service worker and its update notice, install tracking and the
   install button, network status, saving pages for offline reading, and the offline outbox
   that sends queued forms once the network returns. Everything a user sees is said in words,
   not only by colour. Pages of an account live in the cache "personal-v1-<account id>"
   (see service-worker.js), never in another account's. */
(function () {
  "use strict";
  var body = document.body;
  var userId = body.getAttribute("data-user") || "";
  var OUTBOX = "sotay-outbox";
  var PERSONAL = "personal-v1-";

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

  function randomKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function deletePersonalCaches() {
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf("personal-") === 0; })
        .map(function (k) { return caches.delete(k); }));
    });
  }

  /* ---- no browser validation bubbles ----
     The browser would answer a missing field with its own bubble in the phone's language
     ("Please select one of these options"); every form is checked on the server instead,
     which answers in Vietnamese beside the field and keeps what was typed. One mechanism for
     the whole app: every form, including those htmx brings in, gets novalidate. */
  function noBubbles(root) {
    var forms = (root || document).querySelectorAll ? (root || document).querySelectorAll("form") : [];
    Array.prototype.forEach.call(forms, function (f) { f.noValidate = true; });
    if (root && root.tagName === "FORM") root.noValidate = true;
  }
  noBubbles(document);
  document.addEventListener("htmx:load", function (e) { noBubbles(e.target); });

  /* ---- compact header on a phone: the display settings open with one tap ---- */
  (function () {
    var toggle = document.querySelector(".settings-toggle");
    var bar = document.getElementById("prefs-bar");
    if (!toggle || !bar || !window.matchMedia) return;
    var phone = window.matchMedia("(max-width: 47.99rem)");
    function set(open) {
      bar.hidden = !open;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    function fit() {
      toggle.hidden = !phone.matches;
      set(!phone.matches);
    }
    toggle.addEventListener("click", function () { set(bar.hidden); });
    if (phone.addEventListener) phone.addEventListener("change", fit);
    fit();
  })();

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
  }
  if (body.hasAttribute("data-logged-out")) {
    // Just logged out: nothing personal stays on a shared phone.
    deletePersonalCaches();
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "logged-out" });
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

  /* ---- network status, saved copies, actions that need the network ---- */
  var netStatus = document.getElementById("net-status");
  function updateNetwork() {
    if (netStatus) netStatus.hidden = navigator.onLine;
    body.classList.toggle("is-offline", !navigator.onLine);
  }
  window.addEventListener("online", function () { updateNetwork(); flushOutbox(); });
  window.addEventListener("offline", updateNetwork);
  updateNetwork();

  var copyNote = document.getElementById("offline-copy");
  if (copyNote && body.hasAttribute("data-offline-copy")) {
    var when = new Date(body.getAttribute("data-offline-copy"));
    var at = copyNote.querySelector("[data-when]");
    if (at && !isNaN(when)) {
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      at.textContent = pad(when.getHours()) + ":" + pad(when.getMinutes()) + " " +
        pad(when.getDate()) + "/" + pad(when.getMonth() + 1) + "/" + when.getFullYear();
    }
    copyNote.hidden = false;
  }

  function needsNetwork(form) {
    var note = document.getElementById("needs-network");
    if (!note) return;
    var checkin = form && /\/checkin$/.test(new URL(form.action, location.href).pathname);
    note.querySelector("span").textContent = note.getAttribute(checkin ? "data-checkin" : "data-any");
    note.hidden = false;
    note.scrollIntoView({ block: "nearest" });
  }

  /* ---- saving pages for offline reading ---- */
  // What the member saved on purpose is marked so the service worker never prunes it.
  function keptCopy(response) {
    var headers = new Headers(response.headers);
    headers.set("X-Sotay-Kept", "1");
    return new Response(response.body, {
      status: response.status, statusText: response.statusText, headers: headers
    });
  }
  function savePages(listUrl, onProgress) {
    if (!window.caches || !userId) return Promise.reject(new Error("no-cache"));
    return fetch(listUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error("list"); return r.json(); })
      .then(function (list) {
        return caches.open(PERSONAL + userId).then(function (cache) {
          var done = 0;
          var pages = list.urls.filter(function (u) { return !/^\/files\//.test(u); }).length;
          return list.urls.reduce(function (chain, url) {
            return chain.then(function () {
              return fetch(url, { credentials: "same-origin" }).then(function (r) {
                if (!r.ok || r.redirected) throw new Error("page");
                return cache.put(url, keptCopy(r));
              }).then(function () {
                if (!/^\/files\//.test(url)) done += 1;
                if (onProgress) onProgress(done, pages, list);
              });
            });
          }, Promise.resolve()).then(function () { return list; });
        });
      });
  }

  var saveButton = document.querySelector("[data-save-offline]");
  if (saveButton) {
    var box = saveButton.closest("[data-save-box]");
    var bar = box.querySelector("progress");
    var message = box.querySelector("[data-save-message]");
    var template = message.getAttribute("data-template");
    saveButton.hidden = false;
    // Say what is already on the phone (no network needed to tell).
    var links = Array.prototype.map.call(document.querySelectorAll(".toc a.toc-title"),
      function (a) { return a.getAttribute("href"); });
    if (window.caches && userId && links.length) {
      caches.open(PERSONAL + userId).then(function (cache) {
        return Promise.all(links.map(function (u) { return cache.match(u, { ignoreVary: true }); }));
      }).then(function (hits) {
        var saved = hits.filter(Boolean).length;
        if (saved && !message.textContent) {
          message.textContent = template.replace("%N", saved).replace("%M", links.length);
        }
      }).catch(function () {});
    }
    saveButton.addEventListener("click", function () {
      saveButton.disabled = true;
      bar.hidden = false;
      bar.removeAttribute("value");
      message.textContent = message.getAttribute("data-working");
      // The first URL is the contents page; the count shown is chapters.
      savePages(saveButton.getAttribute("data-save-offline"), function (done, pages, list) {
        var chapters = Math.max(0, done - 1);
        bar.max = pages;
        bar.value = done;
        message.textContent = template.replace("%N", chapters).replace("%M", list.count);
      }).then(function (list) {
        message.textContent = template.replace("%N", list.count).replace("%M", list.count) + " " +
          message.getAttribute("data-done");
        localStorage.setItem("sotay-saved-" + userId, String(Date.now()));
      }).catch(function () {
        message.textContent = message.getAttribute("data-failed");
      }).then(function () { saveButton.disabled = false; });
    });
  }

  // Documents of the member's announced meetings: saved when home or a meeting page opens.
  // Checked at most every ten minutes; only what is not saved yet is downloaded (meeting
  // pages themselves are refreshed by the service worker whenever they are opened).
  var meetingsList = body.getAttribute("data-offline-meetings");
  var meetingsStamp = "sotay-meetings-checked-" + userId;
  if (meetingsList && navigator.onLine && window.caches &&
      /^\/($|meetings\/\d+(\/live)?$)/.test(location.pathname) &&
      !(Date.now() - Number(localStorage.getItem(meetingsStamp) || 0) < 600000)) {
    var saveMeetings = function () {
      // Another page may have finished while this one waited for the lock.
      if (Date.now() - Number(localStorage.getItem(meetingsStamp) || 0) < 600000) return null;
      return fetch(meetingsList, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : { urls: [] }; })
        .then(function (list) {
          return caches.open(PERSONAL + userId).then(function (cache) {
            return Promise.all(list.urls.map(function (url) {
              return cache.match(url, { ignoreVary: true }).then(function (hit) {
                if (hit) return null;
                return fetch(url, { credentials: "same-origin" }).then(function (r) {
                  if (r.ok && !r.redirected) return cache.put(url, r);
                  throw new Error("not saved");
                });
              });
            }));
          });
        }).then(function () {
          localStorage.setItem(meetingsStamp, String(Date.now()));
        }).catch(function () { /* tried again on the next visit */ });
    };
    // One page at a time: a second tab (or the page after a quick reload) would otherwise see
    // a copy as missing while the first is still writing it and write it again, and a page
    // being rewritten can be missing from the cache for a moment (seen offline as "no copy").
    window.addEventListener("load", function () {
      if (navigator.locks) navigator.locks.request("sotay-save-meetings", saveMeetings);
      else saveMeetings();
    });
  }

  /* ---- offline outbox: forms marked data-offline-queue wait for the network ---- */
  function readOutbox() {
    try { return JSON.parse(localStorage.getItem(OUTBOX) || "[]"); } catch (e) { return []; }
  }
  function writeOutbox(items) {
    localStorage.setItem(OUTBOX, JSON.stringify(items));
    renderOutbox();
  }
  function freshKeys(root) {
    // A new key for every form shown: a saved copy of a page must not reuse a key already sent.
    var forms = root.matches && root.matches("form[data-offline-queue]") ? [root]
      : Array.prototype.slice.call(root.querySelectorAll("form[data-offline-queue]"));
    forms.forEach(function (form) {
      var key = form.querySelector("input[name=idempotency_key]");
      if (!key) {
        key = document.createElement("input");
        key.type = "hidden";
        key.name = "idempotency_key";
        form.appendChild(key);
      }
      key.value = randomKey();
      var legacy = form.querySelector("input[name=key]");
      if (legacy) legacy.value = randomKey().replace(/-/g, "");
    });
  }
  function renderOutbox() {
    var box = document.getElementById("outbox-status");
    if (!box) return;
    var mine = readOutbox().filter(function (i) { return i.user === userId; });
    box.hidden = mine.length === 0;
    var count = box.querySelector("[data-count]");
    if (count) count.textContent = String(mine.length);
    document.querySelectorAll("form[data-offline-queue]").forEach(function (form) {
      var waiting = mine.filter(function (i) { return i.url === form.action; });
      var note = form.querySelector(".outbox-note");
      if (!note && waiting.length) {
        note = document.createElement("p");
        note.className = "outbox-note notice";
        note.setAttribute("role", "status");
        form.appendChild(note);
      }
      if (!note) return;
      if (!waiting.length) {
        // Was waiting, now sent: the same line says so (one state beside the form).
        var sent = document.getElementById("outbox-sent");
        if (note.hidden || !note.hasAttribute("data-waiting") || !sent) { note.hidden = true; return; }
        note.removeAttribute("data-waiting");
        note.className = "outbox-note receipt receipt-ok";
        note.textContent = "✓ " + sent.textContent.replace(/\s+/g, " ").trim();
        return;
      }
      note.hidden = false;
      note.setAttribute("data-waiting", "1");
      note.className = "outbox-note notice";
      note.textContent = "⏳ " + box.getAttribute("data-waiting") + ": " +
        waiting.map(function (i) { return "“" + (i.label || "").slice(0, 80) + "”"; }).join(", ");
    });
  }
  function queue(form) {
    var fields = {};
    var label = "";
    new FormData(form).forEach(function (value, name) {
      if (typeof value !== "string" || name === "csrf_token") return;
      fields[name] = value;
      if (form.querySelector("textarea[name='" + name + "']") && value) label = value;
    });
    var items = readOutbox();
    if (!items.some(function (i) { return i.fields.idempotency_key === fields.idempotency_key; })) {
      items.push({ url: form.action, fields: fields, user: userId, at: Date.now(), label: label });
    }
    form.reset();
    freshKeys(form);
    writeOutbox(items);
    retryLater();
  }
  // What could not be sent is tried again while the page stays open: "online" with one bar
  // sends no "online" event when the bar starts to carry, so the outbox does not wait for one
  // (2 s, then twice as long each time, at most a minute; reset once all is sent).
  var flushing = false, retryMs = 0, retryTimer = null;
  function retryLater() {
    if (retryTimer || !userId) return;
    retryMs = Math.min(retryMs ? retryMs * 2 : 2000, 60000);
    retryTimer = setTimeout(function () { retryTimer = null; flushOutbox(); }, retryMs);
  }
  function flushOutbox() {
    if (flushing || !navigator.onLine || !userId) return;
    var mine = readOutbox().filter(function (i) { return i.user === userId; });
    if (!mine.length) return;
    flushing = true;
    var settled = [], loggedOut = false;
    mine.reduce(function (chain, item) {
      return chain.then(function () {
        return post(item.url, item.fields).then(function (response) {
          // Logged out meanwhile: keep it for after the next login. A server error: try later.
          if (/\/login/.test(new URL(response.url).pathname) || response.status === 401) {
            loggedOut = true;
            return;
          }
          if (response.status >= 500) return;
          // Sent (a repeat of an already counted key is answered as done), or refused for
          // good (meeting over): either way it is not sent again.
          settled.push(item.fields.idempotency_key);
        });
      });
    }, Promise.resolve()).catch(function () { /* still offline: keep the rest */ })
      .then(function () {
        flushing = false;
        var left = readOutbox().filter(function (i) {
          return settled.indexOf(i.fields.idempotency_key) < 0;
        });
        writeOutbox(left);
        var mineLeft = left.some(function (i) { return i.user === userId; });
        if (!mineLeft) retryMs = 0;
        else if (!loggedOut) retryLater();  // after a login, the page load sends them
        if (settled.length) {
          // Said at the top (for what was queued on other pages) and beside each form here
          // (renderOutbox turned its "waiting" line into "sent").
          var done = document.getElementById("outbox-sent");
          if (done) { done.hidden = false; }
          body.dispatchEvent(new CustomEvent("outbox:sent", { bubbles: true }));
          if (window.htmx) window.htmx.trigger(body, "meeting:changed");
        }
      });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.getAttribute || (form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (form.hasAttribute("data-logout")) {
      // Personal pages go before the account leaves, even without the network.
      event.preventDefault();
      event.stopPropagation();
      deletePersonalCaches().then(function () {
        if (navigator.onLine) form.submit(); else needsNetwork(form);
      });
      return;
    }
    if (navigator.onLine && form.hasAttribute("data-offline-queue") && !form.hasAttribute("hx-post")) {
      // "Online" often means one bar that carries nothing: send it from here, and queue it
      // when no answer comes (the key makes a retry of a request that did arrive count once).
      event.preventDefault();
      event.stopPropagation();
      sendOrQueue(form, event.submitter);
      return;
    }
    if (navigator.onLine) return;
    event.preventDefault();
    event.stopPropagation();
    if (form.hasAttribute("data-offline-queue")) queue(form);
    else needsNetwork(form);
  }, true);
  function sendOrQueue(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-Sotay-Submit": "1" }
    }).then(function (response) {
      var next = response.headers.get("X-Sotay-Location");
      if (next) { window.location.assign(next); return; }
      // Not done (a mistake in the form): let the server show its page the usual way.
      HTMLFormElement.prototype.submit.call(form);
    }).catch(function () {
      buttons.forEach(function (b) { b.disabled = false; });
      queue(form);
    });
  }
  /* ---- file controls in Vietnamese: the chosen file's name beside the button ---- */
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(".file-pick input[type=file]")) return;
    var name = input.parentNode.querySelector("[data-file-name]");
    if (!name) return;
    if (!name.hasAttribute("data-none")) name.setAttribute("data-none", name.textContent);
    name.textContent = input.files && input.files.length
      ? Array.prototype.map.call(input.files, function (f) { return f.name; }).join(", ")
      : name.getAttribute("data-none");
  });

  /* ---- refusals beside the control ---- */
  // A refused htmx request answers with a short message fragment (core/errors.py). When it
  // came from a form, the message goes into that form, announced, so it is read where the
  // button was pressed, never only at the top of a long page. The live meeting views show it
  // as the action's receipt themselves (meetings.js) and have already taken the swap.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var d = event.detail;
    // Only core/errors.py's message (it names the page's message area as its fallback); a
    // form sent back whole with its field errors is swapped as usual.
    if (!d.xhr || d.xhr.status < 400 || !d.shouldSwap) return;
    if (d.xhr.getResponseHeader("HX-Retarget") !== "#flash-area") return;
    var elt = d.requestConfig && d.requestConfig.elt || d.elt;
    var form = elt && elt.closest && elt.closest("form");
    if (!form || !document.body.contains(form)) return;
    d.shouldSwap = false;
    var note = form.querySelector(":scope > .form-refusal");
    if (!note) {
      note = document.createElement("div");
      note.className = "form-refusal";
      note.setAttribute("role", "alert");
      form.appendChild(note);
    }
    note.innerHTML = d.serverResponse;
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    var note = elt && elt.querySelector && elt.querySelector(":scope > .form-refusal");
    if (note) note.remove(); // sent again: the old refusal no longer applies
  });

  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail && event.detail.elt;
    var form = elt && elt.closest && elt.closest("form");
    if (form && form.hasAttribute("data-offline-queue")) queue(form);
    else if (form) needsNetwork(form);
  });
  document.addEventListener("htmx:load", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.querySelector) {
      freshKeys(event.detail.elt);
      renderOutbox();
    }
  });
  // Items of another account never replay under this one.
  if (userId) {
    writeOutbox(readOutbox().filter(function (i) { return i.user === userId; }));
  } else if (body.hasAttribute("data-logged-out")) {
    localStorage.removeItem(OUTBOX);
    Object.keys(localStorage).forEach(function (k) {
      if (/^sotay-(meetings-checked|saved)-/.test(k)) localStorage.removeItem(k);
    });
  }
  freshKeys(document);
  renderOutbox();
  flushOutbox();
})();
