/* Loads htmx without ever letting the CDN block the page (design card: htmx from the CDN).
   The CDN copy is requested without blocking anything (an async script, with its SRI hash);
   when it has not run within WAIT_MS (no internet, CDN blocked or slow) or fails, the local
   copy (data-htmx) is loaded instead, so buttons work after ~1,5 s at worst. A late CDN copy
   is stopped from running too (moved to another document: a script whose document changed
   after it was requested never runs), so htmx starts exactly once. The service worker keeps
   the CDN copy, so later pages get it from the phone at once.
   htmx initialises on DOMContentLoaded unless the document is already "complete"; one that
   arrives in between waits for an event that has passed, so the event is replayed for it. */
(function () {
  "use strict";
  var WAIT_MS = 1500;
  var me = document.currentScript;
  var contentLoaded = false;
  var settled = false;
  document.addEventListener("DOMContentLoaded", function () { contentLoaded = true; });

  function started() {
    if (contentLoaded && document.readyState === "interactive") {
      document.dispatchEvent(new Event("DOMContentLoaded"));
    }
  }
  function add(src, attrs) {
    var script = document.createElement("script");
    script.src = src;
    script.async = true; // never in order: a late CDN copy must not hold back the local one
    Object.keys(attrs || {}).forEach(function (k) { script.setAttribute(k, attrs[k]); });
    document.head.appendChild(script);
    return script;
  }
  function local(cdnScript) {
    if (settled || window.htmx) return;
    settled = true;
    if (cdnScript && cdnScript.ownerDocument === document) {
      document.implementation.createHTMLDocument("").adoptNode(cdnScript);
    }
    add(me.getAttribute("data-htmx"), { "data-htmx-source": "local" })
      .addEventListener("load", started);
  }

  if (window.htmx) return;
  var cdn = me.getAttribute("data-cdn");
  if (!cdn || navigator.onLine === false) { local(null); return; }
  var script = add(cdn, {
    integrity: me.getAttribute("data-sri") || "",
    crossorigin: "anonymous",
    "data-htmx-source": "cdn",
  });
  script.addEventListener("load", function () {
    if (settled) return;
    settled = true;
    started();
  });
  script.addEventListener("error", function () { local(script); });
  setTimeout(function () { if (!window.htmx) local(script); }, WAIT_MS);
})();
