/* Reader tools: read aloud with the phone's Vietnamese voice, and remember the reading position. */
(function () {
  "use strict";
  var reader = document.querySelector("article.reader");
  if (!reader) return;

  // ---- Read aloud with the phone's Vietnamese voice. The button always shows: without a
  // Vietnamese voice it explains how to add one. Stopping keeps the place, and the next tap
  // goes on from the part where it stopped. Document numbers are read as words (speakable.js).
  var button = reader.querySelector(".read-aloud");
  var help = document.getElementById("voice-help");
  var synth = window.speechSynthesis;
  var voice = null;
  var speaking = false;
  var next = 0; // the part to read on the next tap
  var say = (window.sotaySpeech && window.sotaySpeech.speakable) || function (t) { return t; };

  function findVoice() {
    if (!synth) return;
    var voices = synth.getVoices() || [];
    voice = null;
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().replace("_", "-").indexOf("vi") === 0) {
        voice = voices[i];
        if (help) help.hidden = true;
        return;
      }
    }
  }

  function label() {
    var key = speaking ? "data-stop-label" : next > 0 ? "data-resume-label" : "data-start-label";
    button.setAttribute("aria-pressed", speaking ? "true" : "false");
    button.querySelector("span").textContent = button.getAttribute(key);
  }

  function chunks() {
    // Headings, paragraphs and list items one by one: long utterances stop early on Android.
    var parts = [];
    var h1 = reader.querySelector("h1");
    if (h1) parts.push(h1.textContent);
    reader.querySelectorAll(".lead, .prose h2, .prose h3, .prose p, .prose li, .prose td").forEach(function (el) {
      var text = el.textContent.replace(/\s+/g, " ").trim();
      if (text) parts.push(text);
    });
    return parts;
  }

  function readFrom(start) {
    var parts = chunks();
    if (start >= parts.length) start = 0;
    synth.cancel();
    parts.slice(start).forEach(function (text, k) {
      var u = new SpeechSynthesisUtterance(say(text));
      u.lang = "vi-VN";
      u.voice = voice;
      u.rate = 0.95;
      u.onstart = function () { if (speaking) next = start + k; };
      if (start + k === parts.length - 1) {
        u.onend = function () { if (speaking) { speaking = false; next = 0; label(); } };
      }
      synth.speak(u);
    });
    speaking = true;
    next = start;
    label();
  }

  if (button) {
    button.hidden = false;
    if (synth) {
      findVoice();
      if (typeof synth.addEventListener === "function") synth.addEventListener("voiceschanged", findVoice);
      window.addEventListener("pagehide", function () { synth.cancel(); });
    }
    button.addEventListener("click", function () {
      if (!synth || !voice) { findVoice(); }
      if (!synth || !voice) {
        if (help) { help.hidden = false; help.scrollIntoView({ block: "nearest" }); }
        return;
      }
      if (speaking) { speaking = false; synth.cancel(); label(); return; } // keeps `next`
      readFrom(next);
    });
  }

  // ---- Reading position: the last section heading scrolled past, and how far down the page.
  var url = reader.getAttribute("data-position-url");
  if (!url) return;
  var headings = Array.prototype.slice.call(reader.querySelectorAll(".prose h2[id]"));
  var token = (JSON.parse(document.body.getAttribute("hx-headers") || "{}"))["X-CSRFToken"];
  var timer = null;
  var lastSent = "";

  function send() {
    var anchor = "";
    var rect = reader.getBoundingClientRect();
    // The section being read: the last heading in the top third, or any visible one at the end.
    var line = rect.bottom <= window.innerHeight ? window.innerHeight : window.innerHeight / 3;
    for (var i = 0; i < headings.length; i++) {
      if (headings[i].getBoundingClientRect().top < line) anchor = headings[i].id;
    }
    var seen = window.innerHeight - rect.top;
    var percent = Math.max(0, Math.min(100, Math.round((seen / Math.max(rect.height, 1)) * 100)));
    var key = anchor + "|" + percent;
    if (key === lastSent) return;
    lastSent = key;
    var body = new URLSearchParams({ anchor: anchor, percent: String(percent) });
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token || "", "HX-Request": "true" },
      keepalive: true
    }).catch(function () { /* offline: the next scroll tries again */ });
  }

  var scrolled = false;
  window.addEventListener("scroll", function () {
    scrolled = true;
    clearTimeout(timer);
    timer = setTimeout(send, 1500);
  }, { passive: true });
  document.addEventListener("visibilitychange", function () {
    // Leaving the page: save a pending scroll, but never overwrite the place on a mere visit.
    if (document.visibilityState === "hidden" && scrolled) { clearTimeout(timer); send(); }
  });
  // A first visit counts as started; a return visit keeps its saved place until the reader scrolls.
  if (reader.getAttribute("data-has-position") !== "1") setTimeout(send, 3000);
})();
