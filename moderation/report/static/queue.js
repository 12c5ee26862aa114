/* The review queue: filters, sort orders, items with a checkbox for bulk decisions. */

var F = {
  scope: document.getElementById("f-scope"),
  article: document.getElementById("f-article"),
  reason: document.getElementById("f-reason"),
  decision: document.getElementById("f-decision"),
  min: document.getElementById("f-min"),
  max: document.getElementById("f-max"),
  author: document.getElementById("f-author"),
  text: document.getElementById("f-text"),
  sort: document.getElementById("f-sort")
};
var queueEl = document.getElementById("queue");
var queuePane = document.querySelector(".queue-pane");
var moreEl = document.getElementById("queue-more");
var countEl = document.getElementById("queue-count");
var pickAllEl = document.getElementById("pick-all");

// pos: the selected queue position (-1 when the comment shown is not in the queue);
// anchor: the last queue position shown, where j / k go on from after p or c.
var state = { list: [], shown: PAGE, pos: -1, anchor: -1, current: null, picked: new Set() };

if (!COMMENTS.some(function (c) { return c.flagged; })) F.scope.value = "all";

function num(input, fallback) {
  var v = parseFloat(input.value);
  return isNaN(v) ? fallback : v;
}

var SORTS = {
  severity: function (x, y) { return y.severity - x.severity || x.idx - y.idx; },
  heat: function (x, y) {
    return (HEAT[y.thread] || 0) - (HEAT[x.thread] || 0) || y.severity - x.severity || x.idx - y.idx;
  },
  time: function (x, y) {
    var tx = x.time || "", ty = y.time || "";
    return tx < ty ? 1 : tx > ty ? -1 : x.idx - y.idx;  // newest first; no time keeps page order
  },
  source: null
};

function applyFilters() {
  var scope = F.scope.value, article = F.article.value, reason = F.reason.value, dec = F.decision.value;
  var lo = num(F.min, 0), hi = num(F.max, 1);
  var author = F.author.value.trim().toLowerCase();
  var words = searchWords();
  var out = [];
  for (var i = 0; i < COMMENTS.length; i++) {
    var c = COMMENTS[i];
    if (scope === "flagged" && !c.flagged) continue;
    if (article && c.article !== article) continue;
    if (reason && c.reasons.indexOf(reason) < 0) continue;
    if (c.severity < lo || c.severity > hi) continue;
    if (dec) {
      var d = decisions[c.id];
      if (dec === "none" ? !!d : !d || d.decision !== dec) continue;
    }
    if (author && c.lcAuthor.indexOf(author) < 0) continue;
    var ok = true;
    for (var w = 0; w < words.length; w++) if (c.lcText.indexOf(words[w]) < 0) { ok = false; break; }
    if (!ok) continue;
    out.push(c);
  }
  var order = SORTS[F.sort.value];
  if (order) out.sort(order);
  state.list = out;
  state.shown = PAGE;
  state.pos = state.current ? out.indexOf(state.current) : -1;
  if (state.pos >= 0) state.anchor = state.pos;
  else state.anchor = Math.min(state.anchor, out.length - 1);
  renderQueue();
}

function reasonChips(c) {
  var box = el("span", "chips");
  var counts = {};
  c.flags.forEach(function (f) { counts[f.reason] = (counts[f.reason] || 0) + 1; });
  c.reasons.forEach(function (r) {
    box.appendChild(el("span", "badge hi", r + (counts[r] > 1 ? " ×" + counts[r] : "")));
  });
  return box;
}

function sevPill(c) {
  if (!c.flagged && !(c.severity > 0)) return el("span", "sev", "—");
  var pill = el("span", "sev " + (c.flagged ? "hi" : level(c.severity, undefined)), fmt(c.severity));
  pill.title = "severity";
  return pill;
}
function decisionTag(c) {
  var d = decisions[c.id];
  if (!d) return null;
  var tag = el("span", "dtag " + d.decision, DECISIONS[d.decision]);
  if (d.reason) tag.title = d.reason;
  return tag;
}

function queueItem(c, i, words) {
  var li = el("li", "qi");
  li.dataset.id = c.id;
  li.dataset.pos = String(i);
  var d = decisions[c.id];
  if (d) li.classList.add("decided", "decided-" + d.decision);
  if (i === state.pos) li.classList.add("sel");
  var pick = el("input", "pick");
  pick.type = "checkbox";
  pick.checked = state.picked.has(c.id);
  pick.setAttribute("aria-label", "Select for a bulk decision: comment " + c.id);
  li.appendChild(pick);
  var link = el("a", "qlink");
  link.href = hashFor(c);
  if (i === state.pos) link.setAttribute("aria-current", "true");
  var head = el("span", "qhead");
  head.appendChild(sevPill(c));
  head.appendChild(bdi("who", authorName(c)));
  head.appendChild(reasonChips(c));
  if (c.status) head.appendChild(el("span", "badge status", c.status));
  var tag = decisionTag(c);
  if (tag) head.appendChild(tag);
  link.appendChild(head);
  var snip = el("span", "snip");
  if (words === undefined) words = searchWords();
  fillText(snip, c, { limit: 240, marks: words.length ? undefined : false, words: words });
  link.appendChild(snip);
  var meta = el("span", "meta small muted");
  meta.appendChild(bdi(null, snippet(articleTitle(c.article), 60)));
  meta.appendChild(document.createTextNode(" · " + c.id + (c.time ? " · " + c.time.slice(0, 16).replace("T", " ") : "")));
  link.appendChild(meta);
  li.appendChild(link);
  return li;
}

function renderQueue() {
  var frag = document.createDocumentFragment();
  var n = Math.min(state.shown, state.list.length);
  var words = searchWords();
  for (var i = 0; i < n; i++) frag.appendChild(queueItem(state.list[i], i, words));
  queueEl.textContent = "";
  queueEl.appendChild(frag);
  moreEl.hidden = state.list.length <= n;
  moreEl.textContent = "Show more (" + (state.list.length - n) + " left)";
  var what = F.scope.value === "flagged" ? "flagged comments" : "comments";
  countEl.textContent = state.list.length + " " + what + " match" + (n < state.list.length ? ", showing " + n : "") +
    (state.list.length ? "" : ". Try “all comments” or clear the filters.");
  updateBulkBar();
}

function refreshQueueItem(c) {
  var li = queueEl.querySelector('li[data-id="' + cssEscape(c.id) + '"]');
  if (li) li.replaceWith(queueItem(c, Number(li.dataset.pos)));
}

// scroll `child` into view inside `box` only (never the page)
function revealIn(box, child) {
  if (!box || !child) return;
  var b = box.getBoundingClientRect(), r = child.getBoundingClientRect();
  if (r.top < b.top) box.scrollTop -= b.top - r.top + 4;
  else if (r.bottom > b.bottom) box.scrollTop += r.bottom - b.bottom + 4;
}

function selectPos(pos, focus) {
  if (!state.list.length) return;
  pos = Math.max(0, Math.min(state.list.length - 1, pos));
  if (pos >= state.shown) { state.shown = pos + PAGE; renderQueue(); }
  var old = queueEl.querySelector(".qi.sel");
  if (old) {
    old.classList.remove("sel");
    old.querySelector(".qlink").removeAttribute("aria-current");
  }
  state.pos = pos;
  state.anchor = pos;
  var li = queueEl.children[pos];
  if (li) {
    li.classList.add("sel");
    var link = li.querySelector(".qlink");
    link.setAttribute("aria-current", "true");
    revealIn(queuePane, li);
    if (focus) link.focus({ preventScroll: true });
  }
  show(state.list[pos]);
}

// ---- bulk selection ----
function togglePick(c, on) {
  if (on === undefined) on = !state.picked.has(c.id);
  if (on) state.picked.add(c.id); else state.picked.delete(c.id);
  var li = queueEl.querySelector('li[data-id="' + cssEscape(c.id) + '"]');
  if (li) li.querySelector(".pick").checked = on;
  updateBulkBar();
}
function pickAllShown(on) {
  var n = Math.min(state.shown, state.list.length);
  for (var i = 0; i < n; i++) {
    if (on) state.picked.add(state.list[i].id); else state.picked.delete(state.list[i].id);
  }
  queueEl.querySelectorAll(".pick").forEach(function (box) { box.checked = on; });
  updateBulkBar();
}
function updateBulkBar() {
  var n = state.picked.size;
  document.getElementById("bulk-count").textContent = n ? n + " selected" : "none selected";
  document.querySelectorAll("#bulk button[data-bulk]").forEach(function (b) { b.disabled = !n; });
  var shown = Math.min(state.shown, state.list.length), all = shown > 0;
  for (var i = 0; i < shown && all; i++) if (!state.picked.has(state.list[i].id)) all = false;
  pickAllEl.checked = all;
}
