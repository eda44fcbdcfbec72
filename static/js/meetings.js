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
  var BASE = 1000, MAX = 30000;
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
  function poll() {
    var delay = document.hidden ? BASE * 4 : BASE;
    fetch(url + "?v=" + encodeURIComponent(version), {
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
        ok();
        if (v && v !== version) { version = v; changed(); }
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
  document.body.addEventListener("htmx:afterSwap", function (e) {
    var marker = document.querySelector("[data-meeting-status]");
    var initial = root.getAttribute("data-status");
    if (initial && marker && marker.getAttribute("data-meeting-status") !== initial) {
      window.location.reload();
    }
  });

  // Receipts: "Đang gửi…" while an action travels, the server's "Đã gửi ✓" when it lands.
  document.body.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (receipt && elt.tagName === "FORM" && elt.getAttribute("hx-target") === "#receipt") {
      receipt.textContent = receipt.getAttribute("data-sending");
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (e) {
    var elt = e.detail.elt;
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
  schedule(BASE);
})();
