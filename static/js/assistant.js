/* Trợ lý ảo on the phone without the network.
   Online, the page keeps the published Q&A export (GET /assistant/offline.json) in the
   account's own cache ("personal-v1-<account id>", deleted at logout like every personal
   page; "Lưu để đọc khi không có mạng" on the handbook saves it too). Offline, a question is
   answered here from that copy, with the server's steps (blueprints/assistant/analysis.py and
   engine.py): text folded (NFC, lower case, no diacritics, đ→d), Telex leftovers repaired,
   numbers in words read as digits, the glossary applied, stopwords left out, word bigrams,
   BM25 with the question field weighted 4, then the same idf-weighted coverage, nearest
   phrasing and threshold. The answer says that it comes from the saved copy. With no
   answer, the question can be queued for the Ban Biên tập (the outbox of app.js sends it
   when the network returns). */
(function () {
  "use strict";
  var script = document.currentScript;
  var dataUrl = script && script.getAttribute("data-offline");
  var form = document.getElementById("assistant-ask");
  var box = document.getElementById("assistant-offline-answer");
  var userId = document.body.getAttribute("data-user") || "";
  if (!dataUrl || !form || !box || !userId || !window.caches) return;
  var CACHE = "personal-v1-" + userId;
  var STAMP = "sotay-assistant-saved-" + userId;
  var Q_WEIGHT = 4, K1 = 1.2, B = 0.75, THRESHOLD = 0.48, KEEP_RELATIVE = 0.7, MAX = 3;
  var LATER_THRESHOLD = 0.4; // second and third answers, beside a confident first one
  var NUMBER_WEIGHT = 0.3;

  /* ---- keeping the copy ---- */
  function save() {
    return fetch(dataUrl, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok || r.redirected) throw new Error("export");
      var headers = new Headers(r.headers);
      headers.set("X-Sotay-Kept", "1");
      return r.blob().then(function (blob) {
        return caches.open(CACHE).then(function (cache) {
          return cache.put(dataUrl, new Response(blob, { status: 200, headers: headers }));
        });
      });
    }).then(function () { localStorage.setItem(STAMP, String(Date.now())); });
  }
  if (navigator.onLine && !(Date.now() - Number(localStorage.getItem(STAMP) || 0) < 3600000)) {
    window.addEventListener("load", function () { save().catch(function () {}); });
  }
  function load() {
    return caches.open(CACHE).then(function (cache) { return cache.match(dataUrl); })
      .then(function (hit) { return hit ? hit.json() : null; });
  }

  /* ---- the server's analysis, step by step ---- */
  function fold(text) {
    return (text || "").normalize("NFC").toLowerCase().replace(/đ/g, "d")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  // Numbers in words ("sáu mươi" → 60, "mười hai" → 12) as analysis.py reads them.
  var DIGITS = { mot: 1, hai: 2, ba: 3, bon: 4, tu: 4, nam: 5, lam: 5, sau: 6, bay: 7, tam: 8, chin: 9 };
  var UNITS = { p: "phut", ph: "phut", tr: "trieu", k: "nghin", h: "gio", d: "dong" };
  function numbers(typed) {
    var tokens = [], out = [], i = 0;
    typed.forEach(function (t) { // "90p" → "90 phut", as analysis.py splits it
      var m = /^(\d+)([a-z]+)$/.exec(t);
      if (m) tokens.push(m[1], UNITS[m[2]] || m[2]); else tokens.push(t);
    });
    while (i < tokens.length) {
      var tens = null;
      if (tokens[i] === "muoi") { tens = 1; i += 1; }
      else if (DIGITS[tokens[i]] && tokens[i + 1] === "muoi") { tens = DIGITS[tokens[i]]; i += 2; }
      if (tens === null) { out.push(tokens[i]); i += 1; continue; }
      var unit = i < tokens.length && tokens[i] !== "nam" ? DIGITS[tokens[i]] || 0 : 0;
      if (unit) i += 1;
      out.push(String(tens * 10 + unit));
    }
    return out;
  }
  // "ký" and "kí", "quy" and "qui" are one word (analysis.words)
  function words(text) {
    return numbers((fold(text).match(/[a-z0-9]+/g) || []).map(function (w) {
      return w.replace(/^(k|l|m|s|t|h|v|qu)y$/, "$1i");
    }));
  }
  // Southern "hông"/"hổng" is "không"; a bare last "hong" after "có"/"được" too
  // (analysis.question_words; cut on what is not 0-9, a-z or À-ỹ, in ES5)
  function questionWords(question) {
    var typed = (question || "").normalize("NFC").toLowerCase().split(/[^0-9a-z\u00c0-\u1ef9]+/)
      .filter(function (t) { return t; })
      .map(function (t) { return t === "h\u00f4ng" || t === "h\u1ed5ng" ? "kh\u00f4ng" : t; });
    if (typed.length && typed[typed.length - 1] === "hong") {
      var before = words(typed.slice(0, -1).join(" "));
      if (before.indexOf("co") >= 0 || before.indexOf("duoc") >= 0 || before.indexOf("dc") >= 0) {
        typed[typed.length - 1] = "khong";
      }
    }
    return words(typed.join(" "));
  }
  function repair(word) {
    if (word.length < 3 || /^\d+$/.test(word)) return word;
    if (word.indexOf("dd") === 0) word = word.slice(1);
    word = word.replace(/([aou])w/g, "$1").replace(/([aeo])\1/g, "$1")
      .replace(/([bcghklmnpqrstvx])\1/g, "$1"); // a key pressed twice
    return word.length > 2 ? word.replace(/([aeiouychtpmng])[sfrxj]$/, "$1") : word;
  }
  // Terms by their first word, longest first (analysis.by_first_word): the whole saved Q&A is
  // expanded once when it is read.
  function byFirst(glossary) {
    if (!glossary.first) {
      glossary.first = {};
      glossary.forEach(function (g) {
        (glossary.first["~" + g[0][0]] = glossary.first["~" + g[0][0]] || []).push(g);
      });
    }
    return glossary.first;
  }
  function expand(tokens, glossary) {
    var out = [], i = 0, first = byFirst(glossary);
    while (i < tokens.length) {
      var hit = null, terms = first["~" + tokens[i]] || [];
      for (var g = 0; g < terms.length && !hit; g++) {
        var term = terms[g][0];
        if (tokens.slice(i, i + term.length).join(" ") === term.join(" ")) hit = terms[g];
      }
      if (hit) { out.push.apply(out, hit[1]); i += hit[0].length; } else { out.push(tokens[i]); i += 1; }
    }
    return out;
  }
  function pairs(tokens, stop) {
    var out = [];
    for (var i = 0; i + 1 < tokens.length; i++) {
      if (!(stop[tokens[i]] && stop[tokens[i + 1]])) out.push(tokens[i] + " " + tokens[i + 1]);
    }
    return out;
  }
  function unique(list) { return list.filter(function (x, i) { return list.indexOf(x) === i; }); }

  function prepare(data) {
    var stop = {};
    data.stopwords.forEach(function (w) { stop[w] = true; });
    var glossary = data.glossary.map(function (g) { return [g[0].split(" "), g[1].split(" ")]; })
      .sort(function (a, b) { return b[0].length - a[0].length; });
    var docs = data.entries.map(function (e) {
      // the entry read as a question is: its abbreviations and synonyms expanded (engine.py)
      var q = expand(words([e.q].concat(e.also).join(" \n ")), glossary);
      var b = expand(words(e.text), glossary);
      var tf = {};
      function add(field, list) {
        list.concat(pairs(list, stop).map(function (p) { return p.replace(" ", ""); }))
          .forEach(function (t) {
            tf[t] = tf[t] || [0, 0];
            tf[t][field] += 1;
          });
      }
      add(0, q); add(1, b);
      var phrasings = [e.q].concat(e.also).map(function (p) { return expand(words(p), glossary); });
      return { entry: e, tf: tf, phrasings: phrasings, len: q.length * Q_WEIGHT + b.length, q: " " + q.join(" ") + " ", b: " " + b.join(" ") + " ",
        asked: " " + words([e.q].concat(e.also).join(" \n ")).join(" ") + " " };
    });
    var avg = docs.reduce(function (s, d) { return s + d.len; }, 0) / Math.max(1, docs.length);
    return { stop: stop, glossary: glossary, docs: docs, avg: avg,
      outside: data.outside || [], partyWords: data.partyWords || [] };
  }
  function idf(index, term) {
    var df = index.docs.filter(function (d) { return d.tf[term]; }).length, n = index.docs.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }
  function share(text, wanted, weight) {
    var mass = 0, found = 0;
    wanted.forEach(function (w) {
      var x = weight ? weight[w] : 1;
      mass += x;
      if (text.indexOf(" " + w + " ") >= 0) found += x;
    });
    return mass ? found / mass : 0;
  }
  // The nearest phrasing: idf-weighted Dice overlap of content words, any number matching
  // any number (engine._best_phrasing).
  function numberClass(w) { return /^\d+$/.test(w) ? "0" : w; }
  function nearest(index, d, content, weights) {
    var weight = {}, mass = 0, count = 0, best = 0;
    content.forEach(function (w) { weight[numberClass(w)] = weights[w]; });
    Object.keys(weight).forEach(function (w) { mass += weight[w]; count += 1; });
    var unknown = mass / count;
    d.phrasings.forEach(function (p) {
      var own = unique(p.filter(function (t) { return !index.stop[t]; }).map(numberClass));
      if (!own.length) return;
      var common = 0, size = 0;
      own.forEach(function (w) {
        if (w in weight) common += weight[w];
        size += w in weight ? weight[w] : unknown;
      });
      best = Math.max(best, 2 * common / (mass + size));
    });
    return best;
  }
  /* The terms naming things outside the Party's procedures that the question names, none when
     it names Party work (blueprints/assistant/outside.py). */
  function outsideTerms(index, question) {
    if (!index.outside.length) return [];
    var asked = words(question);
    var read = [" " + asked.join(" ") + " ", " " + expand(asked, index.glossary).join(" ") + " "];
    var party = index.partyWords.some(function (w) {
      return read[0].indexOf(" " + w + " ") >= 0 || read[1].indexOf(" " + w + " ") >= 0;
    });
    if (party) return [];
    return index.outside.filter(function (t) { return read[0].indexOf(" " + t + " ") >= 0; });
  }
  function writtenAbout(d, terms) {
    return terms.every(function (t) { return d.asked.indexOf(" " + t + " ") >= 0; });
  }
  function answer(index, question) {
    // a glossary word ("app", "pass") is no key pressed twice (analysis.query_terms)
    var kept = index.kept || (index.kept = index.glossary.reduce(function (all, g) {
      g[0].forEach(function (w) { all["~" + w] = true; });
      return all;
    }, {}));
    var tokens = expand(questionWords(question).slice(0, 24).map(function (w) {
      return kept["~" + w] ? w : repair(w);
    }), index.glossary);
    var content = unique(tokens.filter(function (t) { return !index.stop[t]; }));
    var bi = unique(pairs(tokens, index.stop));
    if (!content.length) return [];
    var terms = unique(content.concat(bi.map(function (p) { return p.replace(" ", ""); })));
    var weights = {};
    content.forEach(function (w) { weights[w] = idf(index, w) * (/^\d+$/.test(w) ? NUMBER_WEIGHT : 1); });
    var scored = index.docs.map(function (d) {
      var bm25 = 0;
      terms.forEach(function (t) {
        var f = d.tf[t];
        if (!f) return;
        var tf = f[0] * Q_WEIGHT + f[1];
        bm25 += idf(index, t) * tf * (K1 + 1) / (tf + K1 * (1 - B + B * d.len / index.avg));
      });
      return { d: d, bm25: bm25 };
    }).filter(function (s) { return s.bm25 > 0; });
    if (!scored.length) return [];
    var best = Math.max.apply(null, scored.map(function (s) { return s.bm25; }));
    scored.forEach(function (s) {
      var both = s.d.q + s.d.b;
      var wa = share(both, content, weights), wq = share(s.d.q, content, weights);
      var pa = bi.length ? share(both, bi) : wa, pq = bi.length ? share(s.d.q, bi) : wa;
      var near = nearest(index, s.d, content, weights);
      // the server's confidence and score (engine.py)
      s.confidence = 0.8 * (0.45 * wa + 0.2 * wq + 0.35 * pa) + 0.2 * near;
      s.score = 0.4 * s.bm25 / best + 0.6 * (0.35 * wa + 0.25 * wq + 0.25 * pa + 0.15 * pq) + 0.6 * near;
    });
    scored.sort(function (a, b) { return b.score - a.score; });
    // "đăng ký kết hôn": only an entry written about it may answer (engine.py)
    var named = outsideTerms(index, question);
    if (named.length) {
      if (!writtenAbout(scored[0].d, named)) return [];
      scored = scored.filter(function (s) { return writtenAbout(s.d, named); });
    }
    if (scored[0].confidence < THRESHOLD) return [];
    return scored.filter(function (s, i) {
      return i === 0 || (s.score >= KEEP_RELATIVE * scored[0].score && s.confidence >= LATER_THRESHOLD);
    }).slice(0, MAX).map(function (s) { return s.d.entry; });
  }

  /* ---- showing it ---- */
  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }
  function sendForm(question) {
    var f = element("form", "assistant-send");
    f.method = "post";
    f.action = form.getAttribute("data-send");
    f.setAttribute("data-offline-queue", "");
    var token = (form.querySelector("input[name=csrf_token]") || {}).value || "";
    [["csrf_token", token], ["text", question],
     ["idempotency_key", window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now())]]
      .forEach(function (pair) {
        var input = element("input");
        input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
        f.appendChild(input);
      });
    var button = element("button", "button button-primary", form.getAttribute("data-send-label"));
    button.type = "submit";
    f.appendChild(button);
    return f;
  }
  function show(data, question, found) {
    box.textContent = "";
    box.hidden = false;
    var card = element("article", "card");
    card.appendChild(element("h2", "assistant-asked", question));
    var when = new Date(data.savedAt);
    var stamp = isNaN(when) ? "" : when.toLocaleString("vi-VN");
    card.appendChild(element("p", "notice", found.length
      ? box.getAttribute("data-note").replace("%WHEN%", stamp) : box.getAttribute("data-none")));
    if (found.length) {
      var list = element("ol", "assistant-answers");
      found.forEach(function (e) {
        var item = element("li", "assistant-answer");
        item.appendChild(element("h3", "", e.q));
        var body = element("div", "assistant-answer-body");
        body.innerHTML = e.html; // sanitised by the server when the entry was saved
        item.appendChild(body);
        item.appendChild(element("p", "assistant-source",
          box.getAttribute("data-sources") + " " + e.sources.join("; ")));
        if (e.checked) {
          item.appendChild(element("p", "muted", box.getAttribute("data-checked").replace("%DATE%", e.checked)));
        }
        list.appendChild(item);
      });
      card.appendChild(list);
    } else {
      card.appendChild(sendForm(question));
    }
    box.appendChild(card);
    box.scrollIntoView({ block: "nearest" });
  }
  function answerOffline() {
    var input = form.querySelector("input[name=text]");
    var question = input ? input.value : "";
    if (!question.trim()) return;
    load().then(function (data) {
      if (!data) { show({ savedAt: "" }, question, []); return; }
      show(data, question, answer(prepare(data), question));
    }).catch(function () { show({ savedAt: "" }, question, []); });
  }
  // The question's analysis, for the test that holds it to analysis.py word for word.
  window.sotayAssistantAnalysis = { questionWords: questionWords };
  // Before app.js (which would say "needs the network"): window capture runs first.
  window.addEventListener("submit", function (event) {
    if (event.target !== form || navigator.onLine) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    answerOffline();
  }, true);
  // "Online" on one useless bar: the request fails, the saved copy answers.
  document.addEventListener("htmx:sendError", function (event) {
    if (event.detail && event.detail.elt === form) {
      var note = document.getElementById("needs-network");
      if (note) note.hidden = true;
      answerOffline();
    }
  });
})();
