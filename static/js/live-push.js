/* Push for the member's live region, through the gateway (nginx + nchan, Server-Sent Events).
   Loaded only when the server names a push URL (data-push-url); meetings.js keeps polling as
   the fallback. One EventSource per page. Each message carries the new version and the parts
   of the region that are the same for every member: applied in place, without asking the app.
   When the message's "shape" differs from the region's (a motion opened, the queue moved…) or
   its language is not the page's, the phone re-fetches its own region once. Lost stream:
   polling at full rate at once, reconnect with jitter and a growing, capped delay. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-root][data-push-url]");
  var live = window.sotayLive;
  if (!root || !live || !window.EventSource || !live.inlinePart) return;
  var url = root.getAttribute("data-push-url");
  var BASE = 2000, MAX = 60000;
  var failures = 0, source = null, timer = null;

  function jittered(ms) { return Math.round(ms * (0.5 + Math.random())); }
  function region() { return document.getElementById("r-" + live.inlinePart); }
  function refetch() {
    var r = region();
    if (r && window.htmx) window.htmx.trigger(r, "live:refresh");
  }
  function apply(msg) {
    if (!msg || !msg.v || Number(msg.v) <= Number(live.getVersion())) return;
    var r = region();
    if (!r) return;
    // The same applier as a polled message (meetings.js); false: fetch the own region.
    if (!live.applyShared(msg)) { refetch(); return; }
    r.setAttribute("data-pushed", String(msg.v));
  }

  function connect() {
    timer = null;
    source = new EventSource(url, { withCredentials: true });
    source.onopen = function () {
      failures = 0;
      live.pushOpen = true;
      live.pollNow(); // catch up on what happened before or between connections
    };
    source.onmessage = function (e) {
      try { apply(JSON.parse(e.data)); } catch (err) { refetch(); }
    };
    source.onerror = function () {
      // Our own reconnect (jitter, cap) rather than the browser's fixed retry; poll meanwhile.
      source.close();
      source = null;
      live.pushOpen = false;
      live.pollNow();
      failures += 1;
      if (!timer) timer = setTimeout(connect, jittered(Math.min(MAX, BASE * Math.pow(2, failures))));
    };
  }
  window.addEventListener("online", function () {
    if (!source) { clearTimeout(timer); connect(); }
  });
  connect();
})();
