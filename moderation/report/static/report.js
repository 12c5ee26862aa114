/* Wiring (no inline handlers: the CSP forbids them), keyboard, links to comments, start-up. */

Object.keys(F).forEach(function (k) {
  F[k].addEventListener(F[k].tagName === "SELECT" ? "change" : "input", function () {
    applyFilters();
    if (k === "text" && state.current) show(state.current, true);
  });
});
moreEl.addEventListener("click", function () { state.shown += PAGE; renderQueue(); });
queueEl.addEventListener("click", function (ev) {
  var li = ev.target.closest(".qi");
  if (!li) return;
  if (ev.target.classList.contains("pick")) { togglePick(byId.get(li.dataset.id), ev.target.checked); return; }
  ev.preventDefault();
  selectPos(Number(li.dataset.pos), true);
});
pickAllEl.addEventListener("change", function () { pickAllShown(pickAllEl.checked); });
document.querySelectorAll("#bulk button[data-bulk]").forEach(function (b) {
  b.addEventListener("click", function () { bulkDecide(b.dataset.bulk); });
});
undoEl.addEventListener("click", undo);
detailEl.addEventListener("click", function (ev) {
  var b = ev.target.closest("button[data-decision]");
  if (b) { decide(state.current, b.dataset.decision, false); return; }
  if (ev.target.closest(".author-open")) { toggleAuthorPanel(); return; }
  var link = ev.target.closest("a[href^='#']");
  if (link) { ev.preventDefault(); openHash(link.getAttribute("href")); }
});
detailEl.addEventListener("change", function (ev) {
  if (ev.target.id === "d-reason") editDecision("reason", ev.target.value);
  if (ev.target.id === "d-note") editDecision("note", ev.target.value.trim());
});
threadEl.addEventListener("click", function (ev) {
  var node = ev.target.closest(".node");
  if (!node) return;
  ev.preventDefault();
  if (byId.has(node.dataset.id) && byId.get(node.dataset.id) !== state.current) openComment(byId.get(node.dataset.id));
});
function openThreadRow(row) {
  var c = byId.get(row.dataset.thread);
  if (!c) return;
  openComment(c);
  document.getElementById("review").scrollIntoView();
}
document.querySelectorAll(".trow").forEach(function (row) {
  row.addEventListener("click", function () { openThreadRow(row); });
  row.addEventListener("keydown", function (ev) { if (ev.key === "Enter") openThreadRow(row); });
});
document.querySelectorAll("button.review-article").forEach(function (b) {
  b.addEventListener("click", function () {
    F.article.value = b.dataset.article;
    applyFilters();
    if (state.list.length) selectPos(0, true);
    document.getElementById("review").scrollIntoView();
  });
});
document.getElementById("skip").addEventListener("click", function (ev) {
  ev.preventDefault();
  document.getElementById("review").scrollIntoView();
  var first = queueEl.querySelector(".qi.sel .qlink") || queueEl.querySelector(".qlink");
  (first || F.scope).focus({ preventScroll: true });
});
document.getElementById("export-json").addEventListener("click", exportJson);
document.getElementById("export-csv").addEventListener("click", exportCsv);
document.getElementById("help-open").addEventListener("click", function () { toggleHelp(true); });
document.getElementById("help-close").addEventListener("click", function () { toggleHelp(false); });
var moderatorEl = document.getElementById("moderator");
try { moderatorEl.value = window.localStorage.getItem(MODERATOR_KEY) || ""; } catch (err) { /* no storage */ }
moderatorEl.addEventListener("change", function () {
  try { window.localStorage.setItem(MODERATOR_KEY, moderatorEl.value.trim()); } catch (err) { /* no storage */ }
});

// #<comment id>: open that comment in its thread (in the queue when a filter lets it in)
function openHash(hash) {
  var id;
  try { id = decodeURIComponent((hash || "").replace(/^#/, "")); } catch (err) { return false; }
  var c = byId.get(id);
  if (!c) return false;
  if (state.list.indexOf(c) < 0 && F.scope.value === "flagged" && !c.flagged) {
    F.scope.value = "all";
    applyFilters();
  }
  openComment(c);
  return true;
}
window.addEventListener("hashchange", function () { openHash(location.hash); });

var TEXT_TYPES = { text: 1, search: 1, number: 1, email: 1, url: 1, password: 1, tel: 1 };
document.addEventListener("keydown", function (ev) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  var t = ev.target;
  var typing = t && (t.tagName === "TEXTAREA" || (t.tagName === "INPUT" && TEXT_TYPES[t.type]) || t.isContentEditable);
  if (ev.key === "Escape") {
    if (typing) t.blur();
    return;  // the help dialog closes itself on Escape
  }
  if (typing || helpEl.open) return;
  if (t && t.tagName === "SELECT" && (ev.key.indexOf("Arrow") === 0 || ev.key === " " || ev.key === "Enter")) return;
  if (ev.key === "?") { toggleHelp(true); ev.preventDefault(); return; }
  var c = state.current;
  var from = state.pos >= 0 ? state.pos : state.anchor;
  var focusQueue = t && t.classList && t.classList.contains("qlink");
  switch (ev.key) {
    case "j": case "ArrowDown":
      selectPos(from < 0 ? 0 : from + 1, focusQueue); break;
    case "k": case "ArrowUp":
      selectPos(from < 0 ? 0 : from - 1, focusQueue); break;
    case "a": case "r": case "e":
      decide(c, KEY_DECISION[ev.key], true); break;
    case "u":
      decide(c, "", false); break;
    case "z":
      undo(); break;
    case "x":
      if (c) togglePick(c); break;
    case "o":
      toggleAuthorPanel(); break;
    case "p":
      if (c && c.parent && byId.has(c.parent)) openComment(byId.get(c.parent)); break;
    case "c":
      if (c && children.has(c.id)) openComment(children.get(c.id)[0]); break;
    case "t":
      threadEl.scrollIntoView({ block: "start" }); break;
    case "/":
      F.text.focus(); break;
    default:
      return;
  }
  ev.preventDefault();
});

applyFilters();
updateSummary();
if (location.hash) openHash(location.hash);
document.documentElement.dataset.ready = "1";
