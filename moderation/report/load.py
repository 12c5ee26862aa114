"""Read a run's output records back from disk, for `moderate report DIR`."""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moderation.errors import InputError


@dataclass(slots=True)
class Outputs:
    """The rows of one output folder, exactly as the writers wrote them."""

    articles: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    threads: list[dict[str, Any]]
    run: dict[str, Any]


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return list(_iter_jsonl(path))


def _iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(str(path), f"line {n} is not JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise InputError(str(path), f"line {n} is not a JSON object")
            yield row


def load_outputs(out_dir: Path | str, max_comments: int | None = None) -> Outputs:
    """articles.jsonl, comments.jsonl, threads.jsonl and run.json from `out_dir`.

    articles and comments are required; a missing threads.jsonl or run.json reads as empty
    (a `moderate parse` folder has neither). With `max_comments`, a larger run is read as a
    bounded view: the threads of the most severe flagged comments, up to that many comments,
    with their articles and thread rows; `run["report_scope"]` says so.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise InputError(str(out_dir), "not a folder")
    for name in ("articles.jsonl", "comments.jsonl"):
        if not (out_dir / name).is_file():
            raise InputError(str(out_dir), f"no {name} (run `moderate score` first)")
    threads_path = out_dir / "threads.jsonl"
    run_path = out_dir / "run.json"
    run: dict[str, Any] = {}
    if run_path.is_file():
        try:
            loaded = json.loads(run_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(str(run_path), f"not JSON ({exc.msg})") from None
        if not isinstance(loaded, dict):
            raise InputError(str(run_path), "not a JSON object")
        run = loaded
    comments_path = out_dir / "comments.jsonl"
    if max_comments is not None:
        n_comments = sum(1 for _ in _iter_jsonl(comments_path))
        if n_comments > max_comments:
            return _bounded(out_dir, run, n_comments, max_comments)
    return Outputs(
        articles=_read_jsonl(out_dir / "articles.jsonl"),
        comments=_read_jsonl(out_dir / "comments.jsonl"),
        threads=_read_jsonl(threads_path) if threads_path.is_file() else [],
        run=run,
    )


def _bounded(out_dir: Path, run: dict[str, Any], n_comments: int, max_comments: int) -> Outputs:
    """The threads of the most severe flagged comments, at most `max_comments` comments."""
    threads_path = out_dir / "threads.jsonl"
    top: list[tuple[float, int, str]] = []  # min-heap of (severity, -position, thread_id)
    n_flagged = 0
    for position, c in enumerate(_iter_jsonl(out_dir / "comments.jsonl")):
        if not c.get("flagged"):
            continue
        n_flagged += 1
        severity = float(c.get("severity") or max((f.get("score") or 0.0 for f in c.get("flags") or []), default=0.0))
        item = (severity, -position, str(c.get("thread_id")))
        if len(top) < max_comments:
            heapq.heappush(top, item)
        elif item > top[0]:
            heapq.heapreplace(top, item)
    # Sizes of the candidate threads only (at most max_comments of them): memory stays bounded.
    candidates = {thread_id for _, _, thread_id in top}
    sizes: dict[str, int] = {}
    if threads_path.is_file():
        for t in _iter_jsonl(threads_path):
            if str(t.get("thread_id")) in candidates:
                sizes[str(t.get("thread_id"))] = int(t.get("n_comments") or 0)
    chosen: set[str] = set()
    total = 0
    too_big: list[str] = []  # threads of severe comments that do not fit whole, most severe first
    for _, _, thread_id in sorted(top, reverse=True):
        size = sizes.get(thread_id, 1)
        if thread_id in chosen:
            continue
        if total + size > max_comments:
            if thread_id not in too_big:
                too_big.append(thread_id)
            continue
        chosen.add(thread_id)
        total += size
    part: set[str] = set()
    if too_big and total < max_comments:
        part = _severe_part(out_dir / "comments.jsonl", too_big[0], max_comments - total)
    comments = [
        c
        for c in _iter_jsonl(out_dir / "comments.jsonl")
        if str(c.get("thread_id")) in chosen or str(c.get("comment_id")) in part
    ]
    article_ids = {c.get("article_id") for c in comments}
    articles = [a for a in _iter_jsonl(out_dir / "articles.jsonl") if a.get("article_id") in article_ids]
    wanted = chosen | ({too_big[0]} if part else set())
    threads: list[dict[str, Any]] = []
    if threads_path.is_file():
        threads = [t for t in _iter_jsonl(threads_path) if str(t.get("thread_id")) in wanted]
    partial = (
        f" Thread {too_big[0]} has {sizes.get(too_big[0], 0):,} comments, more than fit: its {len(part):,} most "
        "severe comments and the replies they answer are shown."
        if part
        else ""
    )
    run = {
        **run,
        "report_scope": (
            f"This report shows {len(comments):,} of {n_comments:,} comments: the {len(wanted):,} threads holding "
            f"the most severe of {n_flagged:,} flagged comments.{partial} Every comment is in comments.jsonl."
        ),
    }
    return Outputs(articles=articles, comments=comments, threads=threads, run=run)


def _severe_part(comments_path: Path, thread_id: str, budget: int) -> set[str]:
    """Comment ids of one thread too large to show whole: its most severe comments, each with
    the chain of replies above it (so it reads in context), until `budget` comments."""
    parent: dict[str, str | None] = {}
    ranked: list[tuple[float, int, str]] = []
    for position, c in enumerate(_iter_jsonl(comments_path)):
        if str(c.get("thread_id")) != thread_id:
            continue
        cid = str(c.get("comment_id"))
        parent[cid] = str(c["parent_id"]) if c.get("parent_id") is not None else None
        severity = float(c.get("severity") or max((f.get("score") or 0.0 for f in c.get("flags") or []), default=0.0))
        ranked.append((-severity if c.get("flagged") else 1.0, position, cid))
    ranked.sort()
    keep: set[str] = set()
    for _, _, cid in ranked:
        chain: list[str] = []
        node: str | None = cid
        while node is not None and node not in keep and node in parent and len(chain) <= budget:
            chain.append(node)
            node = parent[node]
        if len(keep) + len(chain) > budget:
            if not keep:  # a chain deeper than the budget: its lowest part
                keep.update(chain[:budget])
            break
        keep.update(chain)
    return keep
