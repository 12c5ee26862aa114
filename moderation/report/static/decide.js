/* Deciding (one comment or many), undo, the summary, exports, the help dialog. */

state.draft = {};   // reason / note typed before a decision was made
var undoStack = [];
var undoEl = document.getElementById("undo");

// Set the decision of every comment in `list` (decision "" clears), remembering what it was.
function setDecisions(list, decision, label) {
  var before = {};
  var who = moderatorName(), at = new Date().toISOString();
  list.forEach(function (c) {
    before[c.id] = decisions[c.id] ? Object.assign({}, decisions[c.id]) : null;
    if (decision) {
      var old = decisions[c.id] || state.draft[c.id] || {};
      decisions[c.id] = { decision: decision, reason: old.reason || undefined, note: old.note || undefined,
                          at: at, moderator: who || undefined };
      delete state.draft[c.id];
    } else {
      delete decisions[c.id];
    }
    saveDecision(c.id);
    refreshQueueItem(c);
  });
  undoStack.push({ before: before, label: label });
  if (undoStack.length > 50) undoStack.shift();
  undoEl.hidden = false;
  undoEl.textContent = "Undo: " + label;
  announce(label + ". Press z to undo.");
  updateSummary();
}

function decide(c, decision, advance) {
  if (!c) return;
  setDecisions([c], decision, decision ? DECISIONS[decision] + " " + c.id : "cleared " + c.id);
  if (advance && state.pos >= 0 && state.list[state.pos] === c && state.pos < state.list.length - 1) {
    selectPos(state.pos + 1, document.activeElement && document.activeElement.classList.contains("qlink"));
  } else {
    show(c, true);
  }
}

function bulkDecide(decision) {
  var list = [];
  state.picked.forEach(function (id) { if (byId.has(id)) list.push(byId.get(id)); });
  if (!list.length) return;
  setDecisions(list, decision, DECISIONS[decision] + " " + list.length + " comment" + (list.length === 1 ? "" : "s"));
  state.picked.clear();
  queueEl.querySelectorAll(".pick").forEach(function (box) { box.checked = false; });
  updateBulkBar();
  if (state.current) show(state.current, true);
}

function undo() {
  var step = undoStack.pop();
  if (!step) return;
  Object.keys(step.before).forEach(function (id) {
    if (step.before[id]) decisions[id] = step.before[id]; else delete decisions[id];
    saveDecision(id);
    refreshQueueItem(byId.get(id));
  });
  undoEl.hidden = !undoStack.length;
  if (undoStack.length) undoEl.textContent = "Undo: " + undoStack[undoStack.length - 1].label;
  announce("Undone: " + step.label);
  updateSummary();
  if (state.current) show(state.current, true);
}

// reason / note typed in the decision bar
function editDecision(field, value) {
  var c = state.current;
  if (!c) return;
  var target = decisions[c.id] || (state.draft[c.id] = state.draft[c.id] || {});
  if (value) target[field] = value; else delete target[field];
  if (decisions[c.id]) { saveDecision(c.id); refreshQueueItem(c); }
}

function announce(text) { document.getElementById("announce").textContent = text; }

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

// ---- export: everything acting on a decision needs, for the comments of this report ----
var EXPORT_COLUMNS = ["comment_id", "external_id", "article_id", "article_title", "author", "text", "decision",
                      "reason", "note", "decided_at", "moderator", "severity", "reasons"];
function exportRows() {
  return Object.keys(decisions).filter(function (id) { return DECISIONS[decisions[id].decision] && byId.has(id); })
    .sort(function (x, y) { return byId.get(x).idx - byId.get(y).idx; })
    .map(function (id) {
      var c = byId.get(id), d = decisions[id];
      return {
        comment_id: id, external_id: c.ext || null, article_id: c.article, article_title: articleTitle(c.article),
        author: c.author, text: c.text, decision: d.decision, reason: d.reason || null, note: d.note || null,
        decided_at: d.at, moderator: d.moderator || null, severity: c.severity, reasons: c.reasons
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
  var doc = { format: "moderate-decisions", version: 2, run_key: DATA.key, exported_at: new Date().toISOString(),
              moderator: moderatorName(), decisions: exportRows() };
  download(fileStem + ".json", "application/json", JSON.stringify(doc, null, 2) + "\n");
}
function exportCsv() {
  var lines = [EXPORT_COLUMNS.join(",")];
  exportRows().forEach(function (r) {
    lines.push(EXPORT_COLUMNS.map(function (k) { return csvCell(k === "reasons" ? r.reasons.join(";") : r[k]); }).join(","));
  });
  download(fileStem + ".csv", "text/csv", lines.join("\r\n") + "\r\n");
}

// ---- help: a modal dialog that keeps focus and gives it back ----
var helpEl = document.getElementById("help");
var helpReturn = null;
function toggleHelp(open) {
  if (open === undefined) open = !helpEl.open;
  if (open && !helpEl.open) {
    helpReturn = document.activeElement;
    helpEl.showModal();
    document.getElementById("help-close").focus();
  } else if (!open && helpEl.open) {
    helpEl.close();
  }
}
helpEl.addEventListener("keydown", function (ev) {  // Tab cycles inside the dialog
  if (ev.key !== "Tab") return;
  var stops = Array.prototype.slice.call(helpEl.querySelectorAll("button, a[href], input, select, [tabindex='0']"));
  var at = stops.indexOf(document.activeElement);
  ev.preventDefault();
  stops[(at + (ev.shiftKey ? stops.length - 1 : 1)) % stops.length].focus();
});
helpEl.addEventListener("close", function () {
  if (helpReturn && helpReturn.isConnected && helpReturn !== document.body) helpReturn.focus();
  helpReturn = null;
});
