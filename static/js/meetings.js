/* Live meeting views (console, projector, member's phone).
   Polls the meeting's version (204 = nothing changed); when it moves, fires "meeting:changed"
   so each live region re-fetches itself. A region holding a form someone is typing in is not
   replaced until they leave it. Lost network: banner in words, back-off, catch-up on return. */
(function () {
  "use strict";
  // boot.js may load htmx after DOMContentLoaded but before "load"; htmx then waits for a
  // DOMContentLoaded that never comes and never initialises. At "load" (the real event has
  // passed for sure), give it that event once if the body is still unprocessed.
  window.addEventListener("load", function () {
    if (window.htmx && !document.body["htmx-internal-data"]) {
      document.dispatchEvent(new Event("DOMContentLoaded"));
    }
  });
  var root = document.querySelector("[data-live-root]");
  if (!root) return;
  var url = root.getAttribute("data-version-url");
  var version = root.getAttribute("data-version");
  // The member's phone has one live region: the poll brings it back directly when the
  // version moved (one round trip instead of two).
  var inlinePart = root.getAttribute("data-inline-part");
  // Poll every second, each phone on its own random phase (±20%) so that 20 phones of a
  // meeting do not ask in step: a change shows within about a second (p95 goal 1,5 s) while
  // an unchanged state costs one 204 per phone per second. A slower poll would halve the load
  // but push the p95 delay past the goal; a hidden tab polls four times less often.
  var BASE = 1000, MAX = 30000;
  function jitter(ms) { return Math.round(ms * (0.8 + Math.random() * 0.4)); }
  var failures = 0, timer = null, stopped = false;
  var banner = document.getElementById("offline-banner");
  var receipt = document.getElementById("receipt");

  function changed() {
    if (window.htmx) window.htmx.trigger(document.body, "meeting:changed");
  }
  function schedule(ms) {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(poll, ms);
  }
  function setOffline(off) {
    if (banner) banner.hidden = !off;
  }
  function ok() {
    if (failures > 0) {
      failures = 0;
      setOffline(false);
      changed(); // catch up on whatever happened while offline
    }
  }
  function fail() {
    failures += 1;
    setOffline(true);
    schedule(Math.min(MAX, BASE * Math.pow(2, failures)));
  }
  function swapInline(html) {
    var target = document.getElementById("r-" + inlinePart);
    if (!target || !window.htmx) { changed(); return; }
    if (busy(target)) { target.setAttribute("data-stale", "1"); return; }
    var tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    var el = tpl.content.firstElementChild;
    if (!el || el.id !== target.id) { changed(); return; }
    target.replaceWith(el);
    window.htmx.process(el);
    reloadOnStatusChange();
  }
  // live-push.js (when a push gateway is configured) hooks in here: while its stream is
  // open the poll only runs as a slow safety net; the stream applies changes via this object.
  var SAFETY = 30000;
  window.sotayLive = {
    inlinePart: inlinePart,
    getVersion: function () { return version; },
    setVersion: function (v) { if (Number(v) > Number(version)) version = String(v); },
    swapInline: function (html) { swapInline(html); },
    pollNow: function () { schedule(jitter(BASE)); },
    pushOpen: false,
  };
  function poll() {
    var delay = jitter(window.sotayLive.pushOpen ? SAFETY : (document.hidden ? BASE * 4 : BASE));
    var query = "?v=" + encodeURIComponent(version) + (inlinePart ? "&part=" + encodeURIComponent(inlinePart) : "");
    fetch(url + query, {
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
    }).then(function (r) {
      if (r.status === 204) { ok(); schedule(delay); return; }
      if (r.type === "opaqueredirect" || r.status === 401) { window.location.reload(); return; }
      if (r.status === 403 || r.status === 404) { stopped = true; return; }
      if (!r.ok) { fail(); return; }
      return r.text().then(function (text) {
        var v = (r.headers.get("X-Meeting-Version") || text || "").trim();
        var html = (r.headers.get("Content-Type") || "").indexOf("text/html") === 0;
        ok();
        if (v && v !== version) {
          version = v;
          if (inlinePart && html) swapInline(text); else changed();
        }
        schedule(delay);
      });
    }).catch(fail);
  }
  window.addEventListener("online", function () { schedule(0); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) schedule(0); });

  // Mark forms someone has typed in.
  document.body.addEventListener("input", function (e) {
    if (e.target.form) e.target.form.setAttribute("data-dirty", "1");
  });

  function busy(region) {
    var active = document.activeElement;
    var typing = active && region.contains(active) &&
      active.matches("textarea, select, input:not([type]), input[type=text], input[type=number], input[type=date], input[type=search]");
    return typing || !!region.querySelector("form[data-dirty]");
  }

  // Never replace a region while someone is typing in it: keep it, refresh it later.
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    if (!target || !target.hasAttribute || !target.hasAttribute("data-live")) return;
    var verb = e.detail.requestConfig && e.detail.requestConfig.verb;
    if (verb && verb !== "get") return; // the person's own submission: show its answer
    if (busy(target)) {
      e.detail.shouldSwap = false;
      target.setAttribute("data-stale", "1");
    }
  });
  document.body.addEventListener("focusout", function () {
    setTimeout(function () {
      document.querySelectorAll("[data-live][data-stale]").forEach(function (region) {
        if (!busy(region)) {
          region.removeAttribute("data-stale");
          window.htmx.trigger(region, "live:refresh");
        }
      });
    }, 50);
  });

  // The member's page changes shape when the meeting starts or ends (the opinion form comes
  // or goes): reload it then, instead of refreshing that form on every change.
  function reloadOnStatusChange() {
    var marker = document.querySelector("[data-meeting-status]");
    var initial = root.getAttribute("data-status");
    if (initial && marker && marker.getAttribute("data-meeting-status") !== initial) {
      window.location.reload();
    }
  }
  document.body.addEventListener("htmx:afterSwap", reloadOnStatusChange);

  // Receipts: "Đang gửi…" while an action travels, the server's "Đã gửi ✓" when it lands.
  document.body.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (receipt && elt.tagName === "FORM" && elt.getAttribute("hx-target") === "#receipt") {
      receipt.textContent = receipt.getAttribute("data-sending");
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (e) {
    var elt = e.detail.elt;
    // The single inline region was just fetched whole: its version is the page's version now
    // (so the next poll does not send the same region again).
    if (inlinePart && elt.id === "r-" + inlinePart && e.detail.successful && e.detail.xhr) {
      var xv = e.detail.xhr.getResponseHeader("X-Meeting-Version");
      if (xv && Number(xv) > Number(version)) version = xv;
    }
    if (elt.tagName !== "FORM") return;
    if (e.detail.successful) {
      elt.removeAttribute("data-dirty");
      if (elt.hasAttribute("data-reset")) elt.reset();
    }
  });
  document.body.addEventListener("htmx:sendError", function (e) {
    if (receipt && e.detail.elt.tagName === "FORM") receipt.textContent = receipt.getAttribute("data-failed");
    setOffline(true);
  });

  // Confirmation before irreversible steps (closing the meeting).
  document.body.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  }, true);

  // Meeting clock on the console.
  function tick() {
    document.querySelectorAll(".clock[data-started]").forEach(function (el) {
      if (el.getAttribute("data-ended")) return;
      var start = Date.parse(el.getAttribute("data-started"));
      if (isNaN(start)) return;
      var s = Math.max(0, Math.floor((Date.now() - start) / 1000));
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      el.textContent = "⏱ " + h + ":" + (m < 10 ? "0" : "") + m + ":" + (sec < 10 ? "0" : "") + sec;
    });
  }
  setInterval(tick, 1000);
  tick();
  schedule(jitter(BASE));
})();
