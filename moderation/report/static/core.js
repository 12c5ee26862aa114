/* moderate review report: data, indices, small DOM helpers, decisions storage.
   Data comes from the JSON block only; every piece of it reaches the page through
   textContent / createElement, never through innerHTML. The page's script files share one
   closure (render.py wraps them), in the order core, text, queue, detail, decide, report. */

var DATA = JSON.parse(document.getElementById("report-data").textContent);
var COMMENTS = DATA.comments;
var THRESHOLDS = DATA.thresholds || {};
var HEAT = DATA.heat || {};
var STORE_KEY = "moderate:decisions:v2";   // one store for every report: entries carry a fingerprint
var OLD_STORE_KEY = DATA.key + ":decisions";
var MODERATOR_KEY = "moderate:moderator";
var PAGE = 100;
var NODE_LIMIT = 400;
var DECISIONS = { approve: "approved", remove: "removed", escalate: "escalated" };
var KEY_DECISION = { a: "approve", r: "remove", e: "escalate" };
var ABBR = { toxicity: "tox", severe_toxicity: "severe", insult: "insult", identity_attack: "identity",
             profanity: "prof", threat: "threat", unhealthy: "unhealthy" };
var REMOVAL_REASONS = ["abuse or harassment", "hate", "threat", "spam or advertising", "off topic",
                       "personal information", "misinformation", "other"];

var byId = new Map();
var children = new Map();
var threadOf = new Map();
var byAuthor = new Map();
var ARTICLES = new Map();
DATA.articles.forEach(function (a) { ARTICLES.set(a.id, a); });
COMMENTS.forEach(function (c, i) {
  c.idx = i;
  c.lcText = c.text.toLowerCase();
  c.lcAuthor = (c.author || "").toLowerCase();
  c.reasons = [];
  c.flags.forEach(function (f) { if (c.reasons.indexOf(f.reason) < 0) c.reasons.push(f.reason); });
  byId.set(c.id, c);
  if (c.author) {
    if (!byAuthor.has(c.author)) byAuthor.set(c.author, []);
    byAuthor.get(c.author).push(c);
  }
});
COMMENTS.forEach(function (c) {
  if (c.parent && byId.has(c.parent)) {
    if (!children.has(c.parent)) children.set(c.parent, []);
    children.get(c.parent).push(c);
  }
  if (!threadOf.has(c.thread)) threadOf.set(c.thread, []);
  threadOf.get(c.thread).push(c);
});

// ---- small DOM helpers ----
function el(tag, cls, text) {
  var node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
// user text (names, titles) isolated from its neighbours: a right-to-left override stays inside
function bdi(cls, text) { return el("bdi", cls, text); }
function fmt(x) { return typeof x === "number" ? x.toFixed(2) : "–"; }
function level(value, threshold) {
  if (typeof threshold === "number" && value >= threshold) return "hi";
  if (value >= 0.3 || (typeof threshold === "number" && value >= threshold / 2)) return "mid";
  return "lo";
}
function authorName(c) { return c.author || "(no name shown)"; }
function articleTitle(id) { var a = ARTICLES.get(id); return a ? a.title : id; }
function snippet(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }
function hashFor(c) { return "#" + encodeURIComponent(c.id); }
function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&"); }
function narrow() { return window.matchMedia("(max-width: 900px)").matches; }

// FNV-1a of article and text: a stored decision applies only to the comment it was made on
function fingerprint(c) {
  var s = c.article + "\u0000" + c.text, h = 0x811c9dc5;
  for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h.toString(36);
}

// ---- decisions: {id: {decision, reason, note, at, moderator, fp}} ----
var storageOk = true;
function readStore(key) {
  try { return JSON.parse(window.localStorage.getItem(key) || "{}") || {}; }
  catch (err) { storageOk = false; return {}; }
}
var decisions = {};
(function loadDecisions() {
  var stored = readStore(STORE_KEY), old = readStore(OLD_STORE_KEY), given = DATA.given || {};
  COMMENTS.forEach(function (c) {
    var s = stored[c.id], o = old[c.id], g = given[c.id], best = null;
    if (s && DECISIONS[s.decision] && s.fp === fingerprint(c)) best = s;
    if (!best && o && DECISIONS[o.decision]) best = o;
    if (g && DECISIONS[g.decision] && (!best || String(g.decided_at || "") > String(best.at || ""))) {
      best = { decision: g.decision, reason: g.reason, note: g.note, at: g.decided_at, moderator: g.moderator };
    }
    if (best) decisions[c.id] = best;
  });
})();
if (!storageOk) document.getElementById("storage-warning").hidden = false;

function saveDecision(id) {
  var c = byId.get(id);
  if (!c) return;
  try {
    var store = readStore(STORE_KEY);
    if (decisions[id]) { decisions[id].fp = fingerprint(c); store[id] = decisions[id]; }
    else if (store[id] && store[id].fp === fingerprint(c)) delete store[id];
    window.localStorage.setItem(STORE_KEY, JSON.stringify(store));
  } catch (err) {
    document.getElementById("storage-warning").hidden = false;
  }
}

function moderatorName() {
  var box = document.getElementById("moderator");
  return box && box.value.trim() ? box.value.trim() : null;
}
