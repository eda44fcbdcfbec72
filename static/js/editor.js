/* Editor: live preview of the Markdown body, rendered and sanitised by the server. */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-preview-url");
  var body = document.getElementById("body");
  var target = document.getElementById("preview");
  if (!url || !body || !target) return;
  var token = (JSON.parse(document.body.getAttribute("hx-headers") || "{}"))["X-CSRFToken"];
  var timer = null;
  function refresh() {
    fetch(url, {
      method: "POST",
      body: new URLSearchParams({ body: body.value }),
      credentials: "same-origin",
      headers: { "X-CSRFToken": token || "", "HX-Request": "true" }
    }).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) target.innerHTML = html; })
      .catch(function () { /* keep the last preview */ });
  }
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
})();
