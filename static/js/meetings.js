/* Live meeting views (console, projector, member's phone), in three parts:

   Regions   — swaps a live region (<section data-live>) for its fresh copy. A region with text
               being typed waits until the person leaves the field; unsaved choices and text
               in the region are carried into the fresh copy (a roll-call status picked but not
               saved, a conclusion being written) so a region never loses typing and never stops
               updating for good. Only when a half-filled form would disappear (the agenda moved
               on) does the region wait, saying "Có cập nhật mới".
   Receipts  — every action (a form posted by htmx) ends in exactly one visible state beside
               the control that sent it: sending…, sent ✓, queued (offline, by app.js) or
               refused with the server's reason. A receipt survives the refresh of its region.
   Transport — how the page learns that the meeting changed: polling the version (204 = no
               change). It only calls Live.changed(version, html); a push transport (SSE) can
               feed the same entry point (window.SotayLive).
   Lost network: a banner in words, back-off, catch-up on return; the banner goes as soon as
   any answer arrives again. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-root]");
  if (!root) return;

  /* ---------- connection banner ---------- */
  var banner = document.getElementById("offline-banner");
  var Connection = {
    lost: function () { if (banner) banner.hidden = false; },
    back: function () { if (banner) banner.hidden = true; },
  };

  /* ---------- receipts ---------- */
  // One receipt per anchor: the closest [data-receipt] around the form (a card, a roll-call
  // line, a motion), else the form's region. Kept here so a refreshed region gets it back.
  var receipts = {};
  var words = document.getElementById("live-status") || root;
  var TEXT = {
    sending: words.getAttribute("data-sending") || "…",
    failed: words.getAttribute("data-failed") || "",
  };

  function anchorOf(form) {
    var holder = form.closest("[data-receipt]");
    if (holder) return holder.getAttribute("data-receipt");
    var region = form.closest("[data-live]");
    return region ? region.id : "";
  }
  function findAnchor(key) {
    return document.querySelector("[data-receipt='" + key + "']") || document.getElementById(key);
  }
  function setReceipt(form, state, text, html) {
    var key = anchorOf(form);
    if (!key) return;
    receipts[key] = { state: state, text: text, html: html || "", action: form.getAttribute("action") };
    drawReceipt(key);
  }
  function drawReceipt(key) {
    var anchor = findAnchor(key);
    var r = receipts[key];
    if (!anchor || !r) return;
    var line = anchor.querySelector(".receipt[data-for='" + key + "']");
    var tag = r.html ? "DIV" : "P";
    if (line && line.tagName !== tag) { line.remove(); line = null; }
    // Beside the control: in the form that sent it while it is there, else under the anchor.
    var form = anchor.querySelector("form[action='" + r.action + "']");
    var home = form && anchorOf(form) === key ? form : anchor;
    if (!line || line.parentNode !== home) {
      if (line) line.remove();
      line = document.createElement(tag);
      line.setAttribute("data-for", key);
      line.setAttribute("aria-live", "polite");
      home.appendChild(line);
    }
    line.setAttribute("role", r.state === "refused" || r.state === "failed" ? "alert" : "status");
    line.className = "receipt receipt-" + r.state;
    if (r.html) {
      // An answer that asks something back (a form: "open the vote anyway?") is shown whole,
      // beside the control, and its form works like any other live action.
      if (line.getAttribute("data-html") !== r.html) {
        line.innerHTML = r.html;
        line.setAttribute("data-html", r.html);
        if (window.htmx) window.htmx.process(line);
      }
    } else {
      line.removeAttribute("data-html");
      line.textContent = r.text;
    }
  }
  function drawReceipts(within) {
    Object.keys(receipts).forEach(function (key) {
      var anchor = findAnchor(key);
      if (anchor && (within.contains(anchor) || anchor.contains(within))) drawReceipt(key);
    });
  }
  function answerText(xhr) {
    // The server's receipt or refusal is a small fragment: its words are the receipt.
    var tpl = document.createElement("template");
    tpl.innerHTML = xhr.responseText || "";
    var label = tpl.content.querySelector(".flash-label");
    if (label) label.remove();
    return (tpl.content.textContent || "").replace(/\s+/g, " ").trim();
  }
  function answerForm(xhr) {
    // A refusal that carries a form of ours (a confirmation) keeps its markup.
    var tpl = document.createElement("template");
    tpl.innerHTML = xhr.responseText || "";
    return tpl.content.querySelector("form") ? tpl.innerHTML.trim() : "";
  }
  function isAction(e) {
    var cfg = e.detail.requestConfig;
    var elt = e.detail.elt;
    return elt && elt.tagName === "FORM" && cfg && cfg.verb && cfg.verb !== "get" &&
      root.contains(elt) && !elt.hasAttribute("data-offline-queue");
  }

  /* ---------- regions ---------- */
  var TYPING = "textarea, input:not([type]), input[type=text], input[type=number], " +
    "input[type=date], input[type=search]";
  function typingIn(region) {
    var active = document.activeElement;
    return !!(active && region.contains(active) && active.matches(TYPING));
  }
  function inFlight(region) {
    return region.hasAttribute("data-saving") || !!region.querySelector("form.htmx-request");
  }
  function formKey(form) {
    return form.getAttribute("action") || "";
  }
  function dirtyForms(region) {
    return Array.prototype.slice.call(region.querySelectorAll("form[data-dirty]"));
  }
  // What the person changed and did not send yet, field by field.
  function unsaved(region) {
    var saved = {};
    dirtyForms(region).forEach(function (form) {
      var fields = {};
      form.querySelectorAll("[data-dirty-field]").forEach(function (f) {
        fields[f.name] = f.type === "checkbox" || f.type === "radio" ? f.checked : f.value;
        if (f.type === "radio") fields[f.name + "=" + f.value] = f.checked;
      });
      saved[formKey(form)] = fields;
    });
    return saved;
  }
  function carryOver(region, saved) {
    Object.keys(saved).forEach(function (action) {
      var form = region.querySelector("form[action='" + action + "']");
      if (!form) return;
      var fields = saved[action];
      form.querySelectorAll("input, select, textarea").forEach(function (f) {
        if (f.type === "hidden" || !f.name) return;
        if (f.type === "radio") {
          if ((f.name + "=" + f.value) in fields) f.checked = fields[f.name + "=" + f.value];
        } else if (f.name in fields) {
          if (f.type === "checkbox") f.checked = fields[f.name]; else f.value = fields[f.name];
        } else {
          return;
        }
        f.setAttribute("data-dirty-field", "1");
      });
      form.setAttribute("data-dirty", "1");
    });
  }
  // A half-filled form that the fresh copy no longer has: swapping would throw the text away.
  function wouldLose(saved, fresh) {
    return Object.keys(saved).some(function (action) {
      var fields = saved[action];
      var meaningful = Object.keys(fields).some(function (k) { return fields[k] !== "" && fields[k] !== false; });
      return meaningful && !fresh.querySelector("form[action='" + action + "']");
    });
  }
  function markStale(region, losing) {
    region.setAttribute("data-stale", "1");
    var note = region.querySelector(":scope > .stale-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "stale-note notice";
      note.setAttribute("role", "status");
      note.appendChild(document.createElement("span"));
      region.insertBefore(note, region.firstChild ? region.firstChild.nextSibling : null);
    }
    var text = words.getAttribute(losing ? "data-stale-losing" : "data-stale") || "";
    note.firstChild.textContent = text + " ";
    var button = note.querySelector("button");
    if (losing && !button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "button button-small";
      button.textContent = words.getAttribute("data-stale-discard") || "OK";
      button.addEventListener("click", function () {
        dirtyForms(region).forEach(function (f) { f.removeAttribute("data-dirty"); });
        refresh(region);
      });
      note.appendChild(button);
    } else if (!losing && button) {
      button.remove();
    }
  }
  // The one place a region is replaced by its fresh copy (from htmx's GET or the poll).
  function swapRegion(target, html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = (html || "").trim();
    var fresh = tpl.content.firstElementChild;
    if (!fresh || fresh.id !== target.id) { Live.refreshAll(); return; }
    if (typingIn(target) || inFlight(target)) { markStale(target, false); return; }
    var saved = unsaved(target);
    if (wouldLose(saved, fresh)) { markStale(target, true); return; }
    var active = document.activeElement;
    var focusId = active && target.contains(active) ? active.id : "";
    carryOver(fresh, saved);
    // A section opened in place (the full roll call, a proxy vote) stays open.
    target.querySelectorAll("details[id]").forEach(function (d) {
      var again = d.open && fresh.querySelector("#" + CSS.escape(d.id));
      if (again) again.open = true;
    });
    var before = nowCards(target);
    target.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    drawReceipts(fresh);
    pointToNew(fresh, before);
    if (focusId && document.getElementById(focusId)) document.getElementById(focusId).focus();
    reloadOnStatusChange();
  }
  // Something new to do now (a vote opened) while the member reads further down: a button at
  // the bottom of the screen says so and brings the card into view.
  function nowCards(region) {
    return Array.prototype.map.call(region.querySelectorAll(".now-card[data-receipt]"),
      function (c) { return c.getAttribute("data-receipt"); });
  }
  function pointToNew(region, before) {
    var card = Array.prototype.filter.call(region.querySelectorAll(".now-card[data-receipt]"),
      function (c) { return before.indexOf(c.getAttribute("data-receipt")) < 0; })[0];
    if (!card || card.getBoundingClientRect().top >= 0) return;
    var jump = document.getElementById("now-jump");
    if (!jump) {
      jump = document.createElement("button");
      jump.type = "button";
      jump.id = "now-jump";
      jump.className = "button button-primary now-jump";
      jump.setAttribute("aria-live", "polite");
      document.body.appendChild(jump);
      jump.addEventListener("click", function () {
        var to = document.querySelector(".now-card");
        jump.hidden = true;
        if (!to) return;
        to.scrollIntoView({ block: "start" });
        var focusable = to.querySelector("input, button");
        if (focusable) focusable.focus({ preventScroll: true });
      });
      window.addEventListener("scroll", function () {
        var to = document.querySelector(".now-card");
        if (to && to.getBoundingClientRect().top >= 0) jump.hidden = true;
      }, { passive: true });
    }
    var title = card.querySelector("h2");
    jump.textContent = "↑ " + (words.getAttribute("data-now") || "") + " " + (title ? title.textContent.trim() : "");
    jump.hidden = false;
  }
  function refresh(region) {
    if (window.htmx && document.body.contains(region)) window.htmx.trigger(region, "live:refresh");
  }
  function refreshStale() {
    document.querySelectorAll("[data-live][data-stale]").forEach(function (region) {
      if (!typingIn(region) && !inFlight(region)) {
        region.removeAttribute("data-stale");
        refresh(region);
      }
    });
  }

  // htmx fetches a region; the swap itself is ours (above), so both transports share it.
  document.body.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (elt.hasAttribute && elt.hasAttribute("data-live") && inFlight(elt)) {
      // An action from inside this region is travelling: its answer must land first.
      e.preventDefault();
      elt.setAttribute("data-stale", "1");
    }
  });
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    var verb = e.detail.requestConfig && e.detail.requestConfig.verb;
    if (!target || !target.hasAttribute || !target.hasAttribute("data-live") || verb !== "get") return;
    e.detail.shouldSwap = false;
    if (e.detail.xhr.status === 200) swapRegion(target, e.detail.serverResponse);
  });

  // Mark what someone has changed (and so must not be thrown away by a refresh).
  function markDirty(e) {
    var f = e.target;
    if (!f.form || !root.contains(f)) return;
    f.setAttribute("data-dirty-field", "1");
    f.form.setAttribute("data-dirty", "1");
  }
  document.body.addEventListener("input", markDirty);
  document.body.addEventListener("change", markDirty);
  document.body.addEventListener("focusout", function () { setTimeout(refreshStale, 50); });

  // The member's page changes shape when the meeting starts or ends (the opinion form comes
  // or goes): reload it then, instead of refreshing that form on every change.
  function reloadOnStatusChange() {
    var marker = document.querySelector("[data-meeting-status]");
    var initial = root.getAttribute("data-status");
    if (initial && marker && marker.getAttribute("data-meeting-status") !== initial) {
      window.location.reload();
    }
  }

  /* ---------- actions and their receipts ---------- */
  // A form marked data-autosave (the chair's conclusion) is saved before another action of
  // its region is sent: "Chuyển sang" with an unsaved conclusion saves it, then moves on.
  document.body.addEventListener("htmx:confirm", function (e) {
    var form = e.detail.elt;
    if (!form || form.tagName !== "FORM" || !root.contains(form) || !window.htmx) return;
    if ((e.detail.verb || "get") === "get") return;
    var region = form.closest("[data-live]");
    var pending = region && Array.prototype.filter.call(
      region.querySelectorAll("form[data-autosave][data-dirty]"), function (f) { return f !== form; });
    if (!pending || !pending.length) return;
    e.preventDefault();
    var first = pending[0];
    // The region must not be swapped between the two requests (the second form would go).
    region.setAttribute("data-saving", "1");
    window.htmx.ajax("POST", first.getAttribute("action"), { source: first, swap: "none" })
      .then(function () {
        region.removeAttribute("data-saving");
        if (!first.hasAttribute("data-dirty")) e.detail.issueRequest(true);
        else refreshStale();
      }, function () {
        region.removeAttribute("data-saving");
      });
  });
  document.body.addEventListener("htmx:beforeRequest", function (e) {
    if (isAction(e)) setReceipt(e.detail.elt, "sending", TEXT.sending);
  });
  document.body.addEventListener("htmx:afterRequest", function (e) {
    var elt = e.detail.elt;
    var xhr = e.detail.xhr;
    if (xhr && xhr.status > 0) Connection.back(); // any answer: the network is there again
    if (inlinePart && elt.id === "r-" + inlinePart && e.detail.successful && xhr) {
      // The single inline region was just fetched whole: its version is the page's now.
      var xv = xhr.getResponseHeader("X-Meeting-Version");
      if (xv && Number(xv) > Number(version)) version = xv;
    }
    if (!isAction(e) || !xhr || xhr.status === 0) return;
    if (e.detail.successful) {
      elt.removeAttribute("data-dirty");
      elt.querySelectorAll("[data-dirty-field]").forEach(function (f) { f.removeAttribute("data-dirty-field"); });
      if (elt.hasAttribute("data-reset")) elt.reset();
      setReceipt(elt, "ok", answerText(xhr));
    } else {
      // Refused: the reason stays beside the control, the typed values stay in the form.
      setReceipt(elt, "refused", answerText(xhr), answerForm(xhr));
    }
    setTimeout(refreshStale, 0);
  });
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    // An action's own answer is shown as its receipt (above), never swapped elsewhere.
    if (isAction(e)) e.detail.shouldSwap = false;
  });
  document.body.addEventListener("htmx:sendError", function (e) {
    var elt = e.detail.elt;
    Connection.lost();
    if (elt && elt.tagName === "FORM" && root.contains(elt) && !elt.hasAttribute("data-offline-queue")) {
      setReceipt(elt, "failed", TEXT.failed);
      setTimeout(refreshStale, 0);
    }
  });

  // Confirmation before irreversible steps (closing the meeting).
  document.body.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  }, true);

  /* ---------- what the transports call ---------- */
  var url = root.getAttribute("data-version-url");
  var version = root.getAttribute("data-version");
  // The member's phone has one live region: the poll brings it back directly when the
  // version moved (one round trip instead of two).
  var inlinePart = root.getAttribute("data-inline-part");
  var Live = {
    /* The meeting is at `v` now; `html` is the inline region when the transport brought it. */
    changed: function (v, html) {
      Connection.back();
      if (!v || v === version) return;
      version = v;
      var target = inlinePart && document.getElementById("r-" + inlinePart);
      if (target && html) swapRegion(target, html); else Live.refreshAll();
    },
    refreshAll: function () {
      if (window.htmx) window.htmx.trigger(document.body, "meeting:changed");
    },
    version: function () { return version; },
    lost: Connection.lost,
    back: function () { Connection.back(); Live.refreshAll(); },
  };
  window.SotayLive = Live;
  // live-push.js (when a push gateway is configured) hooks in here: while its stream is open
  // the poll only runs as a slow safety net, and the stream applies the shared parts of the
  // member's region in place and moves the version on.
  var SAFETY = 30000;
  window.sotayLive = {
    inlinePart: inlinePart,
    getVersion: function () { return version; },
    setVersion: function (v) {
      Connection.back();
      if (Number(v) > Number(version)) version = String(v);
    },
    pollNow: function () { schedule(jitter(BASE)); },
    pushOpen: false,
    shape: currentShape,
    applyShared: applyShared,
  };

  /* A change's shared message (pushed, or the answer to a poll): the parts of the member's
     region that are the same for everyone, applied in place. Returns false when the phone
     must fetch its own region instead (another shape or language, or a part with no place
     yet). */
  function currentShape() {
    var r = inlinePart && document.getElementById("r-" + inlinePart);
    var marker = r && r.querySelector("[data-shape]");
    return marker ? marker.getAttribute("data-shape") : null;
  }
  function applyShared(msg) {
    var r = inlinePart && document.getElementById("r-" + inlinePart);
    var lang = document.documentElement.getAttribute("lang") || "vi";
    if (!r || !msg || msg.lang !== lang || msg.shape !== currentShape()) return false;
    var parts = msg.parts || {};
    if ((parts.done || "").trim() && !r.querySelector('[data-shared="done"]')) return false;
    var blocks = r.querySelectorAll("[data-shared]");
    for (var i = 0; i < blocks.length; i++) {
      var html = parts[blocks[i].getAttribute("data-shared")];
      if (typeof html === "string") blocks[i].innerHTML = html;
    }
    window.sotayLive.setVersion(msg.v);
    return true;
  }

  /* ---------- transport: polling ---------- */
  // Poll every second, each phone on its own random phase (±20%) so that 20 phones of a
  // meeting do not ask in step: a change shows within about a second (p95 goal 1,5 s) while
  // an unchanged state costs one 204 per phone per second. A slower poll would halve the load
  // but push the p95 delay past the goal; a hidden tab polls four times less often.
  var BASE = 1000, MAX = 30000;
  function jitter(ms) { return Math.round(ms * (0.8 + Math.random() * 0.4)); }
  var failures = 0, timer = null, stopped = false;
  function schedule(ms) {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(poll, ms);
  }
  function ok() {
    Connection.back();
    if (failures > 0) {
      failures = 0;
      Live.refreshAll(); // catch up on whatever happened while offline
    }
  }
  function fail() {
    failures += 1;
    Connection.lost();
    schedule(Math.min(MAX, BASE * Math.pow(2, failures)));
  }
  function poll() {
    var delay = jitter(window.sotayLive.pushOpen ? SAFETY : (document.hidden ? BASE * 4 : BASE));
    var query = "?v=" + encodeURIComponent(version) + (inlinePart ? "&part=" + encodeURIComponent(inlinePart) : "");
    // The region's shape and language: when a change leaves the shape alone, the answer is
    // the change's shared message (the same for every phone) instead of this phone's region.
    var shape = currentShape();
    if (shape !== null) {
      query += "&shape=" + encodeURIComponent(shape) +
        "&lang=" + encodeURIComponent(document.documentElement.getAttribute("lang") || "vi");
    }
    fetch(url + query, { credentials: "same-origin", cache: "no-store", redirect: "manual" })
      .then(function (r) {
        if (r.status === 204) { ok(); schedule(delay); return; }
        if (r.type === "opaqueredirect" || r.status === 401) { window.location.reload(); return; }
        if (r.status === 403 || r.status === 404) { stopped = true; return; }
        if (!r.ok) { fail(); return; }
        return r.text().then(function (text) {
          var type = r.headers.get("Content-Type") || "";
          ok();
          if (type.indexOf("application/json") === 0) {
            var msg = null;
            try { msg = JSON.parse(text); } catch (err) { msg = null; }
            if (!msg || !applyShared(msg)) Live.refreshAll();
            schedule(delay);
            return;
          }
          var v = (r.headers.get("X-Meeting-Version") || text || "").trim();
          Live.changed(v, type.indexOf("text/html") === 0 ? text : null);
          schedule(delay);
        });
      }).catch(fail);
  }
  window.addEventListener("online", function () { schedule(0); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) schedule(0); });

  /* ---------- meeting clock on the console ---------- */
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
