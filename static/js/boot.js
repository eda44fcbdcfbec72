/* Loads the local copy of htmx when the CDN copy did not arrive (no network, CDN blocked).
   Runs as a deferred script right after the CDN's, so window.htmx tells whether it loaded.
   A script added now runs after DOMContentLoaded; htmx initialises on that event unless the
   document is already "complete", so the event is replayed for it once the copy has run. */
(function () {
  if (window.htmx) return;
  var me = document.currentScript;
  var local = document.createElement("script");
  local.src = me.getAttribute("data-htmx");
  local.addEventListener("load", function () {
    if (document.readyState === "interactive") {
      document.dispatchEvent(new Event("DOMContentLoaded"));
    }
  });
  document.head.appendChild(local);
})();
