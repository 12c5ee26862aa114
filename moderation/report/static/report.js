/* moderate review report. Data comes from the JSON block only; every piece of it reaches
   the page through textContent / createElement, never through innerHTML. */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("report-data").textContent);
  var COMMENTS = DATA.comments;
  var THRESHOLDS = DATA.thresholds || {};
  var STORE_KEY = DATA.key + ":decisions";
  var PAGE = 100;
  var NODE_LIMIT = 400;
  var DECISIONS = { approve: "approved", remove: "removed", escalate: "escalated" };
  var KEY_DECISION = { a: "approve", r: "remove", e: "escalate" };
  var ABBR = { toxicity: "tox", severe_toxicity: "severe", insult: "insult", identity_attack: "identity",
               profanity: "prof", threat: "threat" };

  var byId = new Map();
  var children = new Map();
  var threadOf = new Map();
  var articleTitle = new Map();
  DATA.articles.forEach(function (a) { articleTitle.set(a.id, a.title); });
  COMMENTS.forEach(function (c, i) {
    c.idx = i;
    c.lcText = c.text.toLowerCase();
    c.lcAuthor = (c.author || "").toLowerCase();
    c.reasons = c.flags.map(function (f) { return f.reason; });
    byId.set(c.id, c);
  });
  COMMENTS.forEach(function (c) {
    if (c.parent && byId.has(c.parent)) {
      if (!children.has(c.parent)) children.set(c.parent, []);
      children.get(c.parent).push(c);
    }
    if (!threadOf.has(c.thread)) threadOf.set(c.thread, []);
    threadOf.get(c.thread).push(c);
  });

  // ---- decisions, kept per run in localStorage ----
  var decisions = {};
  var storageOk = true;
  try {
    decisions = JSON.parse(window.localStorage.getItem(STORE_KEY) || "{}") || {};
  } catch (err) {
    storageOk = false;
    decisions = {};
  }
  if (!storageOk) document.getElementById("storage-warning").hidden = false;

  function saveDecisions() {
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(decisions));
    } catch (err) {
      document.getElementById("storage-warning").hidden = false;
    }
  }

  // ---- small DOM helpers ----
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function fmt(x) { return typeof x === "number" ? x.toFixed(2) : "–"; }
  function level(value, threshold) {
    if (typeof threshold === "number" && value >= threshold) return "hi";
    if (value >= 0.3 || (typeof threshold === "number" && value >= threshold / 2)) return "mid";
    return "lo";
  }
  function authorName(c) { return c.author || "(no name shown)"; }
  function snippet(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }
  function sevThreshold() {
    var values = Object.keys(THRESHOLDS).map(function (k) { return THRESHOLDS[k]; });
    return values.length ? Math.min.apply(null, values) : undefined;
  }
  var SEV_THRESHOLD = sevThreshold();

  function sevPill(c) {
    if (!c.flagged && !(c.severity > 0)) return el("span", "sev", "—");
    var pill = el("span", "sev " + (c.flagged ? "hi" : level(c.severity, SEV_THRESHOLD)), fmt(c.severity));
    pill.title = "severity";
    return pill;
  }
  function decisionTag(c) {
    var d = decisions[c.id];
    if (!d) return null;
    return el("span", "dtag " + d.decision, DECISIONS[d.decision]);
  }

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
      var cls = k === "sentiment" ? "badge s-" + best : "badge dist";
      var b = el("span", cls, k + ": " + best + " " + fmt(p));
      b.title = k + " " + Object.keys(dist).map(function (l) { return l + " " + fmt(dist[l]); }).join(", ");
      box.appendChild(b);
    });
    return box;
  }

  // Flag spans are code-point offsets into the text (Python str indices).
  function highlighted(c) {
    var frag = document.createDocumentFragment();
    var spans = [];
    c.flags.forEach(function (f) { if (f.span) spans.push([f.span[0], f.span[1], f.reason]); });
    if (!spans.length) { frag.appendChild(document.createTextNode(c.text)); return frag; }
    var cps = Array.from(c.text);
    spans.sort(function (x, y) { return x[0] - y[0] || y[1] - x[1]; });
    var pos = 0;
    spans.forEach(function (s) {
      var start = Math.max(pos, Math.min(cps.length, s[0]));
      var end = Math.max(start, Math.min(cps.length, s[1]));
      if (end <= start) return;
      if (start > pos) frag.appendChild(document.createTextNode(cps.slice(pos, start).join("")));
      var m = el("mark", null, cps.slice(start, end).join(""));
      m.title = s[2] + " span";
      frag.appendChild(m);
      pos = end;
    });
    if (pos < cps.length) frag.appendChild(document.createTextNode(cps.slice(pos).join("")));
    return frag;
  }

  // ---- filters and the queue ----
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
  var moreEl = document.getElementById("queue-more");
  var countEl = document.getElementById("queue-count");
  var detailEl = document.getElementById("detail");
  var threadEl = document.getElementById("thread");

  var state = { list: [], shown: PAGE, pos: -1, current: null };

  if (!COMMENTS.some(function (c) { return c.flagged; })) F.scope.value = "all";

  function num(input, fallback) {
    var v = parseFloat(input.value);
    return isNaN(v) ? fallback : v;
  }

  function applyFilters() {
    var scope = F.scope.value, article = F.article.value, reason = F.reason.value, dec = F.decision.value;
    var lo = num(F.min, 0), hi = num(F.max, 1);
    var author = F.author.value.trim().toLowerCase();
    var words = F.text.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
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
    if (F.sort.value === "severity") out.sort(function (x, y) { return y.severity - x.severity || x.idx - y.idx; });
    state.list = out;
    state.shown = PAGE;
    var keep = state.current ? out.indexOf(state.current) : -1;
    state.pos = keep;
    renderQueue();
  }

  function queueItem(c, i) {
    var li = el("li", "qi");
    li.dataset.id = c.id;
    li.dataset.pos = String(i);
    li.tabIndex = -1;
    var d = decisions[c.id];
    if (d) li.classList.add("decided-" + d.decision);
    if (i === state.pos) li.classList.add("sel");
    var head = el("div", "qhead");
    head.appendChild(sevPill(c));
    head.appendChild(el("span", "who", authorName(c)));
    c.flags.forEach(function (f) {
      head.appendChild(el("span", "badge hi", f.reason + " " + fmt(f.score) + " ≥ " + fmt(f.threshold)));
    });
    var tag = decisionTag(c);
    if (tag) head.appendChild(tag);
    li.appendChild(head);
    li.appendChild(el("div", "snip", snippet(c.text, 240)));
    var meta = el("div", "small muted", snippet(articleTitle.get(c.article) || c.article, 60) + " · " + c.id);
    li.appendChild(meta);
    return li;
  }

  function renderQueue() {
    var frag = document.createDocumentFragment();
    var n = Math.min(state.shown, state.list.length);
    for (var i = 0; i < n; i++) frag.appendChild(queueItem(state.list[i], i));
    queueEl.textContent = "";
    queueEl.appendChild(frag);
    moreEl.hidden = state.list.length <= n;
    moreEl.textContent = "Show more (" + (state.list.length - n) + " left)";
    var what = F.scope.value === "flagged" ? "flagged comments" : "comments";
    countEl.textContent = state.list.length + " " + what + " match" + (n < state.list.length ? ", showing " + n : "") +
      (state.list.length ? "" : ". Try “all comments” or clear the filters.");
  }

  function refreshQueueItem(c) {
    var li = queueEl.querySelector('li[data-id="' + cssEscape(c.id) + '"]');
    if (li) li.replaceWith(queueItem(c, Number(li.dataset.pos)));
  }
  function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&"); }

  function selectPos(pos) {
    if (!state.list.length) return;
    pos = Math.max(0, Math.min(state.list.length - 1, pos));
    if (pos >= state.shown) { state.shown = pos + PAGE; renderQueue(); }
    var old = queueEl.querySelector(".qi.sel");
    if (old) old.classList.remove("sel");
    state.pos = pos;
    var li = queueEl.children[pos];
    if (li) { li.classList.add("sel"); li.scrollIntoView({ block: "nearest" }); }
    show(state.list[pos]);
  }

  // ---- the detail pane and thread view ----
  function contextBlock(label, c) {
    var box = el("div", "ctx");
    box.dataset.id = c.id;
    var head = el("div", "nhead");
    head.appendChild(el("span", "who", authorName(c)));
    head.appendChild(el("span", "small muted", c.id));
    var tag = decisionTag(c);
    if (tag) head.appendChild(tag);
    box.appendChild(head);
    box.appendChild(el("div", "snip", c.text));
    box.title = label;
    return box;
  }

  function show(c) {
    state.current = c;
    detailEl.textContent = "";
    var head = el("div", "dhead");
    head.appendChild(sevPill(c));
    head.appendChild(el("span", "who", authorName(c)));
    if (c.replyTo) head.appendChild(el("span", "muted", "replying to " + c.replyTo));
    head.appendChild(el("code", "muted", c.id));
    var tag = decisionTag(c);
    if (tag) head.appendChild(tag);
    detailEl.appendChild(head);
    detailEl.appendChild(el("div", "small muted",
      (articleTitle.get(c.article) || c.article) + " · depth " + c.depth));

    var decide = el("div", "decide");
    ["approve", "remove", "escalate"].forEach(function (d) {
      var b = el("button", d);
      b.type = "button";
      b.dataset.decision = d;
      b.appendChild(document.createTextNode(d[0].toUpperCase() + d.slice(1) + " "));
      b.appendChild(el("kbd", null, d[0]));
      var cur = decisions[c.id] && decisions[c.id].decision === d;
      b.setAttribute("aria-pressed", cur ? "true" : "false");
      decide.appendChild(b);
    });
    var clear = el("button", "clear");
    clear.type = "button";
    clear.dataset.decision = "";
    clear.appendChild(document.createTextNode("Clear "));
    clear.appendChild(el("kbd", null, "u"));
    decide.appendChild(clear);
    detailEl.appendChild(decide);

    var text = el("div", "ctext");
    text.appendChild(highlighted(c));
    detailEl.appendChild(text);

    if (c.flags.length) {
      var table = el("table", "reasons");
      var tr = el("tr");
      ["reason", "score", "threshold", "detail"].forEach(function (h) { tr.appendChild(el("th", null, h)); });
      table.appendChild(tr);
      c.flags.forEach(function (f) {
        var row = el("tr");
        row.appendChild(el("td", null, f.reason));
        row.appendChild(el("td", "num", fmt(f.score)));
        row.appendChild(el("td", "num", "≥ " + fmt(f.threshold)));
        row.appendChild(el("td", null, f.detail || (f.span ? "span " + f.span[0] + "–" + f.span[1] : "")));
        table.appendChild(row);
      });
      detailEl.appendChild(table);
    } else {
      detailEl.appendChild(el("p", "small muted", "Not flagged."));
    }
    detailEl.appendChild(badges(c));

    var parent = c.parent && byId.get(c.parent);
    detailEl.appendChild(el("div", "ctx-label", parent ? "In reply to (p)" : "Top-level comment"));
    if (parent) detailEl.appendChild(contextBlock("Open the parent", parent));
    var kids = children.get(c.id) || [];
    detailEl.appendChild(el("div", "ctx-label", kids.length ? "Replies (" + kids.length + "; c opens the first)" : "No replies"));
    kids.forEach(function (k) { detailEl.appendChild(contextBlock("Open this reply", k)); });
    renderThread(c);
    updateSummary();
  }

  function renderThread(c) {
    threadEl.textContent = "";
    var members = threadOf.get(c.thread) || [c];
    var root = byId.get(c.thread) || members[0];
    var title = el("h3", null, "Thread " + (c.thread || c.id) + " · " + members.length + " comment" +
      (members.length === 1 ? "" : "s"));
    threadEl.appendChild(title);
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
    var cur = list.querySelector(".node.cur");
    if (cur && members.length > 1) cur.scrollIntoView({ block: "nearest" });
  }

  function treeNode(c, current) {
    var li = el("li", "node" + (current ? " cur" : "") + (c.flagged ? " flag" : ""));
    li.dataset.id = c.id;
    li.style.marginLeft = Math.min(c.depth, 12) * 18 + "px";
    var head = el("div", "nhead");
    head.appendChild(el("span", "who", authorName(c)));
    head.appendChild(el("span", "muted", c.id.slice(c.id.lastIndexOf("#")) + (c.depth ? " · depth " + c.depth : "")));
    if (c.flagged) head.appendChild(el("span", "badge hi", "flagged: " + c.reasons.join(", ")));
    var tag = decisionTag(c);
    if (tag) head.appendChild(tag);
    li.appendChild(head);
    li.appendChild(badges(c));
    var text = el("div", "snip");
    text.appendChild(current ? highlighted(c) : document.createTextNode(c.text));
    li.appendChild(text);
    return li;
  }

  function openComment(c) {
    var pos = state.list.indexOf(c);
    if (pos >= 0) { selectPos(pos); return; }
    var old = queueEl.querySelector(".qi.sel");
    if (old) old.classList.remove("sel");
    state.pos = -1;
    show(c);
  }

  // ---- deciding ----
  function decide(c, decision, advance) {
    if (!c) return;
    if (decision) decisions[c.id] = { decision: decision, at: new Date().toISOString() };
    else delete decisions[c.id];
    saveDecisions();
    refreshQueueItem(c);
    if (advance && state.pos >= 0 && state.list[state.pos] === c && state.pos < state.list.length - 1) {
      selectPos(state.pos + 1);
    } else {
      show(c);
    }
  }

  function updateSummary() {
    var counts = { approve: 0, remove: 0, escalate: 0 };
    var perArticle = {};
    Object.keys(decisions).forEach(function (id) {
      var d = decisions[id];
      if (counts[d.decision] === undefined) return;
      counts[d.decision]++;
      var c = byId.get(id);
      if (c) perArticle[c.article] = (perArticle[c.article] || 0) + 1;
    });
    var total = counts.approve + counts.remove + counts.escalate;
    document.getElementById("decision-summary").textContent = total
      ? total + " decided: " + counts.approve + " approved, " + counts.remove + " removed, " + counts.escalate + " escalated"
      : "no decisions yet";
    document.querySelectorAll("dd.decided").forEach(function (dd) {
      dd.textContent = String(perArticle[dd.dataset.article] || 0);
    });
  }

  // ---- export ----
  function exportRows() {
    return Object.keys(decisions).filter(function (id) { return DECISIONS[decisions[id].decision]; })
      .sort(function (x, y) {
        var cx = byId.get(x), cy = byId.get(y);
        return (cx ? cx.idx : 1e9) - (cy ? cy.idx : 1e9) || (x < y ? -1 : 1);
      })
      .map(function (id) {
        var c = byId.get(id);
        return {
          comment_id: id,
          article_id: c ? c.article : null,
          decision: decisions[id].decision,
          decided_at: decisions[id].at,
          severity: c ? c.severity : null,
          reasons: c ? c.reasons : []
        };
      });
  }
  function csvCell(value) {
    var s = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;  // keep spreadsheets from reading a formula
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function download(name, type, content) {
    var url = URL.createObjectURL(new Blob([content], { type: type }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }
  var fileStem = "decisions-" + DATA.key.replace(/[^A-Za-z0-9_-]+/g, "-");
  function exportJson() {
    var doc = { run_key: DATA.key, exported_at: new Date().toISOString(), decisions: exportRows() };
    download(fileStem + ".json", "application/json", JSON.stringify(doc, null, 2) + "\n");
  }
  function exportCsv() {
    var cols = ["comment_id", "article_id", "decision", "decided_at", "severity", "reasons"];
    var lines = [cols.join(",")];
    exportRows().forEach(function (r) {
      lines.push(cols.map(function (k) { return csvCell(k === "reasons" ? r.reasons.join(";") : r[k]); }).join(","));
    });
    download(fileStem + ".csv", "text/csv", lines.join("\r\n") + "\r\n");
  }

  // ---- help ----
  var helpEl = document.getElementById("help");
  function toggleHelp(open) {
    helpEl.hidden = open === undefined ? !helpEl.hidden : !open;
    if (!helpEl.hidden) document.getElementById("help-close").focus();
  }

  // ---- wiring (no inline handlers: the CSP forbids them) ----
  Object.keys(F).forEach(function (k) {
    F[k].addEventListener(F[k].tagName === "SELECT" ? "change" : "input", applyFilters);
  });
  moreEl.addEventListener("click", function () { state.shown += PAGE; renderQueue(); });
  queueEl.addEventListener("click", function (ev) {
    var li = ev.target.closest(".qi");
    if (li) selectPos(Number(li.dataset.pos));
  });
  detailEl.addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-decision]");
    if (b) { decide(state.current, b.dataset.decision, false); return; }
    var ctx = ev.target.closest(".ctx");
    if (ctx && byId.has(ctx.dataset.id)) openComment(byId.get(ctx.dataset.id));
  });
  threadEl.addEventListener("click", function (ev) {
    var node = ev.target.closest(".node");
    if (node && byId.has(node.dataset.id) && byId.get(node.dataset.id) !== state.current) {
      openComment(byId.get(node.dataset.id));
    }
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
      if (state.list.length) selectPos(0);
      document.getElementById("review").scrollIntoView();
    });
  });
  document.getElementById("export-json").addEventListener("click", exportJson);
  document.getElementById("export-csv").addEventListener("click", exportCsv);
  document.getElementById("help-open").addEventListener("click", function () { toggleHelp(true); });
  document.getElementById("help-close").addEventListener("click", function () { toggleHelp(false); });
  helpEl.addEventListener("click", function (ev) { if (ev.target === helpEl) toggleHelp(false); });

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
    if (ev.key === "Escape") {
      if (!helpEl.hidden) toggleHelp(false);
      else if (typing) t.blur();
      return;
    }
    if (typing) return;
    if (ev.key === "?") { toggleHelp(); ev.preventDefault(); return; }
    if (!helpEl.hidden) return;
    var c = state.current;
    switch (ev.key) {
      case "j": case "ArrowDown":
        selectPos(state.pos < 0 ? 0 : state.pos + 1); break;
      case "k": case "ArrowUp":
        selectPos(state.pos < 0 ? 0 : state.pos - 1); break;
      case "a": case "r": case "e":
        decide(c, KEY_DECISION[ev.key], true); break;
      case "u":
        decide(c, "", false); break;
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
  document.documentElement.dataset.ready = "1";
})();
