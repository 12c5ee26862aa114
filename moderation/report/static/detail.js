/* The detail pane (decision bar, text, why it was flagged, context), the author panel, the thread. */

var detailEl = document.getElementById("detail");
var threadEl = document.getElementById("thread");
var RULES = { banned_word: "word", watched_word: "word", link: "link", contact: "contact" };

function badges(c) {
  var box = el("div", "badges");
  var keys = Object.keys(c.attrs);
  keys.sort(function (x, y) {
    var ix = DATA.toxic.indexOf(x), iy = DATA.toxic.indexOf(y);
    return (ix < 0 ? 99 : ix) - (iy < 0 ? 99 : iy) || (x < y ? -1 : 1);
  });
  keys.forEach(function (k) {
    var v = c.attrs[k];
    var lv = level(v, THRESHOLDS[k]);
    var b = el("span", "badge " + lv, (ABBR[k] || k) + " " + fmt(v) + (lv === "hi" ? " ⚑" : ""));
    b.title = k + " " + v + (typeof THRESHOLDS[k] === "number" ? " (threshold " + THRESHOLDS[k] + ")" : "") +
      (lv === "hi" ? ": over threshold" : lv === "mid" ? ": elevated" : ": low");
    box.appendChild(b);
  });
  Object.keys(c.dists).forEach(function (k) {
    var dist = c.dists[k];
    var best = c.labels[k], bestP = -1;
    Object.keys(dist).forEach(function (label) {
      if (dist[label] > bestP) { bestP = dist[label]; if (!c.labels[k]) best = label; }
    });
    if (best === undefined) return;
    var p = typeof dist[best] === "number" ? dist[best] : bestP;
    var b = el("span", k === "sentiment" ? "badge s-" + best : "badge dist", k + ": " + best + " " + fmt(p));
    b.title = k + " " + Object.keys(dist).map(function (l) { return l + " " + fmt(dist[l]); }).join(", ");
    box.appendChild(b);
  });
  return box;
}

// One row per reason: what it found (the words, the links, the comment it repeats), and the
// score against its threshold for model scores; rules say "rule" rather than "1.00 ≥ 1.00".
function whyTable(c) {
  var table = el("table", "reasons");
  table.appendChild(el("caption", "small muted", "Why it was flagged"));
  var tr = el("tr");
  ["reason", "found", "score"].forEach(function (h) { var th = el("th", null, h); th.scope = "col"; tr.appendChild(th); });
  table.appendChild(tr);
  var groups = new Map();
  c.flags.forEach(function (f) {
    if (!groups.has(f.reason)) groups.set(f.reason, []);
    groups.get(f.reason).push(f);
  });
  groups.forEach(function (flags, reason) {
    var row = el("tr");
    row.appendChild(el("td", null, reason + (flags.length > 1 ? " ×" + flags.length : "")));
    var found = el("td");
    var details = [];
    flags.forEach(function (f) { if (f.detail && details.indexOf(f.detail) < 0) details.push(f.detail); });
    if (reason === "duplicate" && details.length) {
      found.appendChild(document.createTextNode("repeats "));
      details.forEach(function (d, i) {
        if (i) found.appendChild(document.createTextNode(", "));
        var first = byId.get(d);
        if (first) { var a = el("a", null, d); a.href = hashFor(first); found.appendChild(a); }
        else found.appendChild(el("code", null, d));
      });
    } else if (details.length) {
      details.forEach(function (d, i) {
        if (i) found.appendChild(document.createTextNode(", "));
        found.appendChild(RULES[reason] ? el("q", "found", d) : el("span", null, d));
      });
    } else {
      var narrowSpan = flags.some(function (f) { return f.span && !wholeSpan(f.span, c.text.length); });
      found.appendChild(el("span", "muted", narrowSpan ? "marked in the text" : "the comment as a whole (model score)"));
    }
    row.appendChild(found);
    var best = flags.reduce(function (x, f) { return (f.score || 0) > (x.score || 0) ? f : x; }, flags[0]);
    var rule = RULES[reason] || (reason === "duplicate" && best.score === 1 && best.threshold === 1);
    row.appendChild(el("td", "num", rule ? "rule" : fmt(best.score) + " ≥ " + fmt(best.threshold)));
    table.appendChild(row);
  });
  return table;
}

function signalChips(c) {
  var box = el("div", "signals");
  if (c.ext) box.appendChild(el("span", "chip", "platform id " + c.ext));
  if (c.time) box.appendChild(el("span", "chip", c.time.slice(0, 19).replace("T", " ")));
  (c.signals || []).forEach(function (s) {
    box.appendChild(el("span", "chip" + (s[0] === "status" && c.hidden ? " warn" : ""), s[0] + ": " + s[1]));
  });
  return box;
}

function decisionBar(c) {
  var d = decisions[c.id] || {};
  var bar = el("div", "decide");
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", "Decision");
  ["approve", "remove", "escalate"].forEach(function (name) {
    var b = el("button", name);
    b.type = "button";
    b.dataset.decision = name;
    b.appendChild(document.createTextNode(name[0].toUpperCase() + name.slice(1) + " "));
    b.appendChild(el("kbd", null, name[0]));
    b.setAttribute("aria-pressed", d.decision === name ? "true" : "false");
    bar.appendChild(b);
  });
  var clear = el("button", "clear");
  clear.type = "button";
  clear.dataset.decision = "";
  clear.appendChild(document.createTextNode("Clear "));
  clear.appendChild(el("kbd", null, "u"));
  bar.appendChild(clear);
  var why = el("label", "small", "Reason ");
  var sel = el("select");
  sel.id = "d-reason";
  sel.appendChild(el("option", null, "—")).value = "";
  REMOVAL_REASONS.forEach(function (r) { sel.appendChild(el("option", null, r)).value = r; });
  sel.value = d.reason || (state.draft[c.id] || {}).reason || "";
  why.appendChild(sel);
  bar.appendChild(why);
  var noteLabel = el("label", "small grow", "Note ");
  var note = el("input");
  note.id = "d-note";
  note.type = "text";
  note.autocomplete = "off";
  note.value = d.note || (state.draft[c.id] || {}).note || "";
  noteLabel.appendChild(note);
  bar.appendChild(noteLabel);
  return bar;
}

function contextBlock(label, c) {
  var box = el("a", "ctx");
  box.href = hashFor(c);
  box.dataset.id = c.id;
  var head = el("span", "nhead");
  head.appendChild(bdi("who", authorName(c)));
  head.appendChild(el("span", "small muted", c.id));
  var tag = decisionTag(c);
  if (tag) head.appendChild(tag);
  box.appendChild(head);
  box.appendChild(fillText(el("span", "snip"), c, { limit: NODE_CHARS, marks: false }));
  box.title = label;
  return box;
}

function show(c, keepAuthor) {
  var authorOpen = keepAuthor && state.current && state.current.author === c.author && !!document.getElementById("author-panel");
  state.current = c;
  try { history.replaceState(null, "", hashFor(c)); } catch (err) { /* file:// in some browsers */ }
  detailEl.textContent = "";
  var head = el("div", "dhead");
  head.appendChild(sevPill(c));
  if (c.author) {
    var who = el("button", "who author-open");
    who.type = "button";
    who.title = "All comments by this author (o)";
    who.appendChild(bdi(null, c.author));
    who.appendChild(el("span", "small muted", " · " + byAuthor.get(c.author).length));
    head.appendChild(who);
  } else {
    head.appendChild(el("span", "who", authorName(c)));
  }
  if (c.replyTo) {
    var rt = el("span", "muted", "replying to ");
    rt.appendChild(bdi(null, c.replyTo));
    head.appendChild(rt);
  }
  var idLink = el("a", "cid");
  idLink.href = hashFor(c);
  idLink.appendChild(el("code", null, c.id));
  head.appendChild(idLink);
  var tag = decisionTag(c);
  if (tag) head.appendChild(tag);
  detailEl.appendChild(head);
  var art = ARTICLES.get(c.article) || { title: c.article };
  var where = el("div", "small muted");
  where.appendChild(document.createTextNode("On "));
  if (art.url) {
    var a = el("a", null);
    a.href = art.url;
    a.rel = "noreferrer noopener";
    a.appendChild(bdi(null, art.title));
    where.appendChild(a);
  } else {
    where.appendChild(bdi(null, art.title));
  }
  where.appendChild(document.createTextNode((art.date ? " · " + art.date : "") + " · depth " + c.depth));
  detailEl.appendChild(where);
  if (art.lead) detailEl.appendChild(bdi("art-lead small", snippet(art.lead, 160)));
  detailEl.appendChild(decisionBar(c));
  if (c.quote) {
    var q = el("blockquote", "quote");
    q.appendChild(el("span", "small muted", "quoted: "));
    q.appendChild(bdi(null, snippet(c.quote, 600)));
    detailEl.appendChild(q);
  }
  detailEl.appendChild(fillText(el("div", "ctext"), c, { limit: DETAIL_CHARS, words: searchWords(), showAll: true }));
  detailEl.appendChild(signalChips(c));
  if (c.flags.length) detailEl.appendChild(whyTable(c));
  else detailEl.appendChild(el("p", "small muted", "Not flagged."));
  detailEl.appendChild(badges(c));
  if (authorOpen) detailEl.appendChild(authorPanel(c));

  var parent = c.parent && byId.get(c.parent);
  detailEl.appendChild(el("div", "ctx-label", parent ? "In reply to (p)" : "Top-level comment"));
  if (parent) detailEl.appendChild(contextBlock("Open the parent", parent));
  var kids = children.get(c.id) || [];
  detailEl.appendChild(el("div", "ctx-label", kids.length ? "Replies (" + kids.length + "; c opens the first)" : "No replies"));
  kids.slice(0, 20).forEach(function (k) { detailEl.appendChild(contextBlock("Open this reply", k)); });
  renderThread(c);
  updateSummary();
  keepDecisionInView();
}

// The decision buttons and the start of the comment stay on screen after j / k or a tap.
function keepDecisionInView() {
  var bar = detailEl.querySelector(".decide");
  if (!bar) return;
  var r = bar.getBoundingClientRect(), top = detailEl.getBoundingClientRect().top;
  if (top < 0 || r.bottom > window.innerHeight) window.scrollBy(0, top - 8);
}

function authorPanel(c) {
  var mine = byAuthor.get(c.author) || [c];
  var box = el("section", "author-panel");
  box.id = "author-panel";
  box.setAttribute("aria-label", "Comments by this author");
  var h = el("h3", null, "All comments by ");
  h.appendChild(bdi(null, c.author));
  box.appendChild(h);
  var counts = { approve: 0, remove: 0, escalate: 0 }, flagged = 0;
  mine.forEach(function (m) { if (m.flagged) flagged++; var d = decisions[m.id]; if (d) counts[d.decision]++; });
  box.appendChild(el("p", "small", mine.length + " in this run · " + flagged + " flagged · " + counts.approve +
    " approved, " + counts.remove + " removed, " + counts.escalate + " escalated"));
  var list = el("ol", "author-list");
  mine.slice(0, 200).forEach(function (m) {
    var li = el("li", m === c ? "cur" : null);
    var a = el("a");
    a.href = hashFor(m);
    a.appendChild(sevPill(m));
    var tag = decisionTag(m);
    if (tag) a.appendChild(tag);
    a.appendChild(reasonChips(m));
    a.appendChild(bdi("snip", " " + snippet(m.text, 160)));
    a.appendChild(el("span", "small muted", " · " + snippet(articleTitle(m.article), 40)));
    li.appendChild(a);
    list.appendChild(li);
  });
  box.appendChild(list);
  return box;
}

function toggleAuthorPanel() {
  var c = state.current;
  if (!c || !c.author) return;
  var open = document.getElementById("author-panel");
  if (open) { open.remove(); return; }
  var panel = authorPanel(c);
  detailEl.querySelector(".badges").after(panel);
  panel.scrollIntoView({ block: "nearest" });
}

function renderThread(c) {
  threadEl.textContent = "";
  var members = threadOf.get(c.thread) || [c];
  var root = byId.get(c.thread) || members[0];
  threadEl.appendChild(el("h3", null, "Thread " + (c.thread || c.id) + " · " + members.length + " comment" +
    (members.length === 1 ? "" : "s")));
  var list = el("ol", "tree");
  var stack = [root], seen = new Set(), n = 0;
  // roots of this thread that are not reachable from `root` (orphans) follow it
  members.forEach(function (m) { if (m !== root && !(m.parent && byId.has(m.parent))) stack.unshift(m); });
  stack.reverse();
  while (stack.length && n < NODE_LIMIT) {
    var node = stack.pop();
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    n++;
    list.appendChild(treeNode(node, node === c));
    var kids = children.get(node.id) || [];
    for (var i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  threadEl.appendChild(list);
  if (members.length > n) {
    threadEl.appendChild(el("p", "small muted", "Showing the first " + n + " of " + members.length +
      " comments of this thread."));
  }
  revealIn(threadEl, list.querySelector(".node.cur"));
}

function treeNode(c, current) {
  var li = el("li", "node" + (current ? " cur" : "") + (c.flagged ? " flag" : ""));
  li.dataset.id = c.id;
  li.style.marginLeft = Math.min(c.depth, 12) * 18 + "px";
  var head = el("a", "nhead");
  head.href = hashFor(c);
  if (current) head.setAttribute("aria-current", "true");
  head.appendChild(bdi("who", authorName(c)));
  head.appendChild(el("span", "muted", c.id.slice(c.id.lastIndexOf("#")) + (c.depth ? " · depth " + c.depth : "")));
  if (c.flagged) head.appendChild(el("span", "badge hi", "flagged: " + c.reasons.join(", ")));
  if (c.status) head.appendChild(el("span", "badge status", c.status));
  var tag = decisionTag(c);
  if (tag) head.appendChild(tag);
  li.appendChild(head);
  li.appendChild(badges(c));
  li.appendChild(fillText(el("div", "snip"), c, { limit: current ? DETAIL_CHARS : NODE_CHARS, marks: current }));
  return li;
}

// A comment opened from the thread, the context or a link: in the queue when it is there.
function openComment(c) {
  var pos = state.list.indexOf(c);
  if (pos >= 0) { selectPos(pos); return; }
  var old = queueEl.querySelector(".qi.sel");
  if (old) old.classList.remove("sel");
  state.pos = -1;
  show(c);
}
