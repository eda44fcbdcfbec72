/* Text as a Vietnamese voice should say it. Party document numbers such as "342-QĐ/TW" or
   "42-HD/BTCTW" are read as words ("ba trăm bốn mươi hai, quy định, Trung ương") instead of
   letter by letter. One function, used by the read-aloud button (handbook.js) and tested on
   its own (tests/test_speakable_js.py runs it under node). */
(function (root) {
  "use strict";
  var DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];
  // The kind of document, then the body that issued it, as the letters in the number stand.
  var KINDS = {
    "QĐ": "quy định", "NQ": "nghị quyết", "CT": "chỉ thị", "HD": "hướng dẫn", "KL": "kết luận",
    "KH": "kế hoạch", "TB": "thông báo", "CV": "công văn", "BC": "báo cáo", "QC": "quy chế",
    "ĐA": "đề án", "CTr": "chương trình"
  };
  var BODIES = {
    "TW": "Trung ương", "BCT": "Bộ Chính trị", "BBT": "Ban Bí thư", "BTCTW": "Ban Tổ chức Trung ương",
    "VPTW": "Văn phòng Trung ương", "UBKTTW": "Ủy ban Kiểm tra Trung ương",
    "BTGDVTW": "Ban Tuyên giáo và Dân vận Trung ương", "TU": "Tỉnh ủy", "ĐU": "Đảng ủy",
    "HU": "Huyện ủy", "BTGTU": "Ban Tuyên giáo Tỉnh ủy", "BTCTU": "Ban Tổ chức Tỉnh ủy",
    "VPTU": "Văn phòng Tỉnh ủy", "CB": "chi bộ"
  };

  function belowThousand(n, full) {
    // `full`: a group after a higher one ("một nghìn không trăm linh năm").
    var h = Math.floor(n / 100), t = Math.floor((n % 100) / 10), u = n % 10, out = [];
    if (h || full) out.push(DIGITS[h], "trăm");
    if (t === 0) {
      if (u && (h || full)) out.push("linh");
      if (u || !(h || full)) out.push(DIGITS[u]);
    } else if (t === 1) {
      out.push("mười");
      if (u) out.push(u === 5 ? "lăm" : DIGITS[u]);
    } else {
      out.push(DIGITS[t], "mươi");
      if (u) out.push(u === 1 ? "mốt" : u === 5 ? "lăm" : DIGITS[u]);
    }
    return out;
  }

  function numberWords(n) {
    n = Math.floor(Number(n));
    if (!isFinite(n) || n < 0 || n > 999999) return String(n);
    if (n < 1000) return belowThousand(n, false).join(" ");
    var thousands = Math.floor(n / 1000), rest = n % 1000;
    var out = belowThousand(thousands, false).concat(["nghìn"]);
    if (rest) out = out.concat(belowThousand(rest, true));
    return out.join(" ");
  }

  var NAMED = "quyết định|quy định|nghị quyết|chỉ thị|hướng dẫn|kết luận|kế hoạch|thông báo|" +
    "công văn|báo cáo|quy chế|đề án|chương trình";
  // An optional name of the document just before its number ("Chỉ thị 50-CT/TW"), then the
  // number, the kind's letters and the issuer's letters.
  var DOC_NUMBER = new RegExp(
    "((?:" + NAMED + ")(?:\\s+số)?\\s+)?(\\d{1,6})-([A-Za-zĐđ]{1,6})\\/([A-Za-zĐđ]{1,10})(?![A-Za-zĐđ])", "gi");

  function speakable(text) {
    return String(text).replace(DOC_NUMBER, function (match, named, number, kind, body) {
      var k = KINDS[kind] || KINDS[kind.toUpperCase()];
      var b = BODIES[body] || BODIES[body.toUpperCase()];
      var words = numberWords(number);
      if (!k || !b) return (named || "") + words + " " + kind + " " + body;
      // Already named in the sentence: "Chỉ thị số năm mươi của Trung ương".
      if (named) return named.replace(/\s+số\s+$|\s+$/i, "") + " số " + words + " của " + b;
      return words + ", " + k + " " + b;
    });
  }

  var api = { speakable: speakable, numberWords: numberWords };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.sotaySpeech = api;
})(this);
