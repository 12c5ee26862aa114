/* Comment text on the page: why-it-was-flagged marks, search hits, long words broken, long texts cut. */

var LONG_RUN = 60;      // a run of this many non-space characters gets break points
var BREAK_EVERY = 40;
var DETAIL_CHARS = 4000;  // the detail shows this much of a longer text until "Show all"
var NODE_CHARS = 600;     // thread nodes and context blocks show this much
var LONG_RUN_RE = new RegExp("\\S{" + LONG_RUN + ",}", "g");

// Flag spans are code-point offsets (Python str indices); the DOM counts UTF-16 units.
function unitOffsets(text) {
  if (!/[\uD800-\uDFFF]/.test(text)) return null;
  var map = [], u = 0;
  for (var cp = 0; u <= text.length; cp++) {
    map.push(u);
    if (u >= text.length) break;
    var code = text.charCodeAt(u);
    u += code >= 0xD800 && code <= 0xDBFF && u + 1 < text.length ? 2 : 1;
  }
  return map;
}
function toUnits(map, cp, len) {
  if (!map) return Math.max(0, Math.min(len, cp));
  return map[Math.max(0, Math.min(map.length - 1, cp))];
}

// A span that covers (nearly) the whole comment says nothing about where: it is not marked.
function wholeSpan(span, len) { return len > 0 && span[1] - span[0] >= 0.8 * len; }

// [start, end, cls, title] ranges to mark in c.text: narrow flag spans, flag details found in the
// text (the word, the link), then search words.
function markRanges(c, words) {
  var text = c.text, lc = c.lcText, map = unitOffsets(text), ranges = [];
  c.flags.forEach(function (f) {
    if (f.span && !wholeSpan(f.span, text.length)) {
      var s = toUnits(map, f.span[0], text.length), e = toUnits(map, f.span[1], text.length);
      if (e > s) ranges.push([s, e, "flag", f.reason]);
    } else if (f.detail && f.detail.length >= 2 && f.reason !== "duplicate" && f.reason !== "escalation") {
      var needle = f.detail.toLowerCase(), at = lc.indexOf(needle), n = 0;
      while (at >= 0 && n++ < 20) {
        ranges.push([at, at + needle.length, "flag", f.reason]);
        at = lc.indexOf(needle, at + needle.length);
      }
    }
  });
  (words || []).forEach(function (w) {
    var at = lc.indexOf(w), n = 0;
    while (w && at >= 0 && n++ < 50) {
      ranges.push([at, at + w.length, "hit", "search match"]);
      at = lc.indexOf(w, at + w.length);
    }
  });
  ranges.sort(function (x, y) { return x[0] - y[0] || (x[2] === "flag" ? -1 : 1) || y[1] - x[1]; });
  var out = [], end = 0;
  ranges.forEach(function (r) { if (r[0] >= end) { out.push(r); end = r[1]; } });
  return out;
}

// Text with break points inside long runs (no `overflow-wrap: anywhere` over 200,000 characters).
function appendBreakable(parent, text) {
  if (text.length < LONG_RUN) { parent.appendChild(document.createTextNode(text)); return; }
  var re = LONG_RUN_RE, pos = 0, m;
  re.lastIndex = 0;
  while ((m = re.exec(text))) {
    if (m.index > pos) parent.appendChild(document.createTextNode(text.slice(pos, m.index)));
    for (var i = 0; i < m[0].length; i += BREAK_EVERY) {
      if (i) parent.appendChild(document.createElement("wbr"));
      parent.appendChild(document.createTextNode(m[0].slice(i, i + BREAK_EVERY)));
    }
    pos = m.index + m[0].length;
  }
  if (pos < text.length) parent.appendChild(document.createTextNode(text.slice(pos)));
}

// The comment text into `box`, marked, cut at `limit` characters with a "Show all" button.
function fillText(box, c, opts) {
  opts = opts || {};
  box.textContent = "";
  var text = c.text, limit = opts.limit || text.length;
  var cut = text.length > limit ? limit : text.length;
  var ranges = opts.marks === false ? [] : markRanges(c, opts.words);
  var pos = 0;
  ranges.forEach(function (r) {
    if (r[0] >= cut) return;
    if (r[0] > pos) appendBreakable(box, text.slice(pos, r[0]));
    var m = el("mark", r[2]);
    appendBreakable(m, text.slice(r[0], Math.min(r[1], cut)));
    m.title = r[3];
    box.appendChild(m);
    pos = Math.min(r[1], cut);
  });
  if (pos < cut) appendBreakable(box, text.slice(pos, cut));
  var total = c.cut || text.length;
  if (cut < text.length || c.cut) {
    box.appendChild(el("span", "muted", " … (" + (total - cut).toLocaleString("en") + " more characters)"));
    if (opts.showAll && cut < text.length) {
      var more = el("button", "show-all", "Show all " + text.length.toLocaleString("en") + " characters");
      more.type = "button";
      more.addEventListener("click", function () {
        fillText(box, c, { words: opts.words, limit: text.length });
      });
      box.appendChild(document.createTextNode(" "));
      box.appendChild(more);
    }
  }
  return box;
}

function searchWords() {
  return document.getElementById("f-text").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
}
