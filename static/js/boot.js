/* Loads the local copy of htmx when the CDN copy did not arrive (no network, CDN blocked).
   Runs as a deferred script right after the CDN's, so window.htmx tells whether it loaded. */
(function () {
  if (window.htmx) return;
  var me = document.currentScript;
  var local = document.createElement("script");
  local.src = me.getAttribute("data-htmx");
  document.head.appendChild(local);
})();
