"""Moderators' decisions as exported by the report: read, merge several files, carry onto new outputs.

A decisions file is what the report's "Export JSON" writes:

    {"format": "moderate-decisions", "version": 2, "exported_at": ..., "moderator": ...,
     "decisions": [{"comment_id", "external_id", "article_id", "author", "text", "decision",
                    "reason", "note", "decided_at", "moderator", ...}, ...]}

Version 1 files (comment_id, article_id, decision, decided_at only) are read too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderation.errors import InputError, UsageError

FORMAT = "moderate-decisions"
VERSION = 2
DECISIONS = ("approve", "remove", "escalate")
FIELDS = (
    "comment_id",
    "external_id",
    "article_id",
    "article_title",
    "author",
    "text",
    "decision",
    "reason",
    "note",
    "decided_at",
    "moderator",
    "severity",
    "reasons",
)


@dataclass(slots=True)
class Merged:
    """Decisions combined from several files: one per comment, plus the comments they disagree on."""

    decisions: list[dict[str, Any]]
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def summary(self, names: Sequence[str], path: Path | str, limit: int = 50) -> str:
        """What a merge did, one line per conflict (the first `limit`), for the terminal."""
        lines = [
            f"Wrote {path}: {len(self.decisions)} decisions from {len(names)} files, {len(self.conflicts)} conflicts."
        ]
        for conflict in self.conflicts[:limit]:
            views = "; ".join(
                f"{d.get('moderator') or names[d['file']]}: {d['decision']}"
                + (f" ({d['reason']})" if d.get("reason") else "")
                for d in conflict["decisions"]
            )
            lines.append(f"  conflict {conflict['comment_id']}: {views} -> kept {conflict['kept']}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "decisions": self.decisions,
            "conflicts": self.conflicts,
        }


def _clean(row: Mapping[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(row, Mapping):
        raise InputError(where, "a decision is not a JSON object")
    cid = row.get("comment_id")
    if not isinstance(cid, str) or not cid:
        raise InputError(where, "a decision has no comment_id")
    decision = row.get("decision")
    if decision not in DECISIONS:
        raise InputError(where, f"decision {decision!r} for {cid!r} is not one of {', '.join(DECISIONS)}")
    return {k: row[k] for k in FIELDS if row.get(k) is not None}


def read_decisions(path: Path | str) -> list[dict[str, Any]]:
    """The decisions in one exported file; InputError when it is not one."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(str(path), f"cannot read ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"not JSON ({exc})") from None
    rows = doc.get("decisions") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        raise InputError(str(path), "not a decisions file (no 'decisions' list)")
    fallback = doc.get("moderator") if isinstance(doc.get("moderator"), str) else None
    out = []
    for n, row in enumerate(rows, 1):
        clean = _clean(row, f"{path} (decision {n})")
        if fallback and "moderator" not in clean:
            clean["moderator"] = fallback
        out.append(clean)
    return out


def _key(row: Mapping[str, Any]) -> str:
    return str(row["comment_id"])


def merge_decisions(files: Sequence[Sequence[Mapping[str, Any]]]) -> Merged:
    """One decision per comment from several moderators' files.

    Where files disagree (different decision or removal reason), the latest `decided_at` wins
    and the comment is listed in `conflicts` with every moderator's decision, so a lead can
    settle it. Agreeing decisions are not conflicts; the latest is kept.
    """
    by_comment: dict[str, list[dict[str, Any]]] = {}
    for n, rows in enumerate(files):
        for row in rows:
            by_comment.setdefault(_key(row), []).append({**row, "_file": n})
    merged, conflicts = [], []
    for cid, rows in by_comment.items():
        latest = max(rows, key=lambda r: (str(r.get("decided_at") or ""), r["_file"]))
        merged.append({k: v for k, v in latest.items() if k != "_file"})
        verdicts = {(r["decision"], r.get("reason")) for r in rows}
        if len(verdicts) > 1:
            conflicts.append(
                {
                    "comment_id": cid,
                    "kept": latest["decision"],
                    "decisions": [
                        {k: r.get(k) for k in ("moderator", "decision", "reason", "note", "decided_at")}
                        | {"file": r["_file"]}
                        for r in rows
                    ],
                }
            )
    return Merged(decisions=merged, conflicts=conflicts)


def carry_over(decisions: Iterable[Mapping[str, Any]], comments: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Decisions for the comments still present in new outputs, keyed by their current comment_id.

    A decision follows its comment by id when the text is unchanged, else by the platform's
    `external_id`, else by the same article, author and text (positions shift when a page
    gains comments). Returns {"kept": {comment_id: decision}, "dropped": [old ids]}.
    """
    decisions = list(decisions)
    if not decisions:  # nothing to carry: the comments need not be read
        return {"kept": {}, "dropped": []}
    by_id: dict[str, str] = {}  # comment id -> its text
    by_ext: dict[tuple[Any, str], str] = {}
    by_text: dict[tuple[Any, Any, str], str] = {}
    for c in comments:
        cid = str(c.get("comment_id"))
        by_id[cid] = str(c.get("text") or "")
        if c.get("external_id") is not None:
            by_ext.setdefault((c.get("article_id"), str(c["external_id"])), cid)
        by_text.setdefault((c.get("article_id"), c.get("author"), str(c.get("text") or "")), cid)
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for d in decisions:
        old = str(d["comment_id"])
        now = by_id.get(old)
        target: str | None = None
        if now is not None and ("text" not in d or now == d["text"]):
            target = old
        elif d.get("external_id") is not None:
            target = by_ext.get((d.get("article_id"), str(d["external_id"])))
        if target is None and "text" in d:
            target = by_text.get((d.get("article_id"), d.get("author"), str(d["text"])))
        if target is None:
            dropped.append(old)
            continue
        entry = {k: d[k] for k in ("decision", "reason", "note", "decided_at", "moderator") if d.get(k) is not None}
        if target not in kept or str(entry.get("decided_at", "")) >= str(kept[target].get("decided_at", "")):
            kept[target] = entry
    return {"kept": kept, "dropped": dropped}


def carry_files(
    paths: Sequence[Path | str], comments: Iterable[Mapping[str, Any]], bounded: bool = False
) -> dict[str, Any]:
    """`carry_over` of the merged decisions in `paths` (conflicts settled as in `merge_decisions`),
    with a one-line `summary` for the terminal. `bounded`: `comments` are a report's bounded view,
    so a decision not carried may belong to a comment outside it rather than a removed one."""
    merged = merge_decisions([read_decisions(p) for p in paths])
    carried = carry_over(merged.decisions, comments)
    missing = "not in this report's view (or no longer present)" if bounded else "no longer present"
    carried["summary"] = (
        f"Decisions: {len(carried['kept'])} carried over, {len(carried['dropped'])} for comments {missing}, "
        f"{len(merged.conflicts)} conflicts (latest kept)."
    )
    return carried


def write_merged(merged: Merged, path: Path | str) -> Path:
    """The merged decisions as one decisions file (atomically); UsageError when it cannot be written."""
    from moderation.writers import atomic_open

    path = Path(path)
    try:
        with atomic_open(path) as handle:
            handle.write(json.dumps(merged.to_json(), ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write {path} ({exc.strerror or exc})") from None
    return path
