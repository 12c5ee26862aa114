"""Read a run's output records back from disk, for report.html and `moderate report DIR`.

`view_outputs` selects what the report shows without holding the rows: the comments and
threads come back as `Rows`, views of the JSONL files that are read again, line by line,
each time they are iterated, so building the report of a million-comment run holds only
the selection (a set of thread ids, a set of article ids) and one row at a time. `load_outputs` is the same view
read into lists.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moderation.errors import InputError


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


class Rows:
    """The rows of one JSONL file (those `keep` accepts), read from disk on every iteration;
    an absent file (`optional`) reads as no rows."""

    __slots__ = ("keep", "optional", "path")

    def __init__(
        self, path: Path, keep: Callable[[dict[str, Any]], bool] | None = None, optional: bool = False
    ) -> None:
        self.path, self.keep, self.optional = path, keep, optional

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self.optional and not self.path.is_file():
            return
        keep = self.keep
        for row in _iter_jsonl(self.path):
            if keep is None or keep(row):
                yield row


@dataclass(slots=True)
class Outputs:
    """The rows of one output folder, exactly as the writers wrote them."""

    articles: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    threads: list[dict[str, Any]]
    run: dict[str, Any]


@dataclass(slots=True)
class OutputsView:
    """The same rows as `Outputs`, left on disk: read again each time they are iterated."""

    articles: Rows
    comments: Rows
    threads: Rows
    run: dict[str, Any]

    def load(self) -> Outputs:
        return Outputs(list(self.articles), list(self.comments), list(self.threads), self.run)

    def count(self) -> tuple[int, int]:
        """(comments, flagged comments) in the view."""
        n = n_flagged = 0
        for c in self.comments:
            n += 1
            n_flagged += 1 if c.get("flagged") else 0
        return n, n_flagged


def load_outputs(out_dir: Path | str, max_comments: int | None = None) -> Outputs:
    """`view_outputs` read into lists."""
    return view_outputs(out_dir, max_comments).load()


def _read_run(run_path: Path) -> dict[str, Any]:
    if not run_path.is_file():
        return {}
    try:
        loaded = json.loads(run_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(str(run_path), f"not JSON ({exc.msg})") from None
    if not isinstance(loaded, dict):
        raise InputError(str(run_path), "not a JSON object")
    return loaded


def _severity(c: dict[str, Any]) -> float:
    return float(c.get("severity") or max((f.get("score") or 0.0 for f in c.get("flags") or []), default=0.0))


def view_outputs(out_dir: Path | str, max_comments: int | None = None, n_comments: int | None = None) -> OutputsView:
    """articles.jsonl, comments.jsonl, threads.jsonl and run.json from `out_dir`.

    articles and comments are required; a missing threads.jsonl or run.json reads as empty
    (a `moderate parse` folder has neither). With `max_comments`, a larger run is read as a
    bounded view: the threads of the most severe flagged comments, up to that many comments,
    with their articles and thread rows; `run["report_scope"]` says so. `n_comments`: the
    rows in comments.jsonl, when the caller wrote them and knows (a run); at most
    `max_comments` spares the pass that counts them.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise InputError(str(out_dir), "not a folder")
    for name in ("articles.jsonl", "comments.jsonl"):
        if not (out_dir / name).is_file():
            raise InputError(str(out_dir), f"no {name} (run `moderate score` first)")
    run = _read_run(out_dir / "run.json")
    threads = Rows(out_dir / "threads.jsonl", optional=True)
    comments = Rows(out_dir / "comments.jsonl")
    if max_comments is None or (n_comments is not None and n_comments <= max_comments):
        return OutputsView(Rows(out_dir / "articles.jsonl"), comments, threads, run)
    # One pass: the count, and a min-heap of the most severe flagged comments (at most max_comments).
    top: list[tuple[float, int, str]] = []  # (severity, -position, thread_id)
    n_comments = n_flagged = 0
    for position, c in enumerate(comments):
        n_comments += 1
        if not c.get("flagged"):
            continue
        n_flagged += 1
        item = (_severity(c), -position, str(c.get("thread_id")))
        if len(top) < max_comments:
            heapq.heappush(top, item)
        elif item > top[0]:
            heapq.heapreplace(top, item)
    if n_comments <= max_comments:
        return OutputsView(Rows(out_dir / "articles.jsonl"), comments, threads, run)
    return _bounded(out_dir, run, top, n_comments, n_flagged, max_comments)


def _bounded(
    out_dir: Path, run: dict[str, Any], top: list[tuple[float, int, str]], n_comments: int, n_flagged: int, budget: int
) -> OutputsView:
    """The threads of the most severe flagged comments (`top`), at most `budget` comments."""
    threads_path = out_dir / "threads.jsonl"
    # Sizes of the candidate threads only (at most `budget` of them): memory stays bounded.
    candidates = {thread_id for _, _, thread_id in top}
    sizes: dict[str, int] = {}
    for t in Rows(threads_path, lambda t: str(t.get("thread_id")) in candidates, optional=True):
        sizes[str(t.get("thread_id"))] = int(t.get("n_comments") or 0)
    chosen: set[str] = set()
    total = 0
    too_big: list[str] = []  # threads of severe comments that do not fit whole, most severe first
    for _, _, thread_id in sorted(top, reverse=True):
        size = sizes.get(thread_id, 1)
        if thread_id in chosen:
            continue
        if total + size > budget:
            if thread_id not in too_big:
                too_big.append(thread_id)
            continue
        chosen.add(thread_id)
        total += size
    part: set[str] = set()
    if too_big and total < budget:
        part = _severe_part(out_dir / "comments.jsonl", too_big[0], budget - total)
    comments = Rows(
        out_dir / "comments.jsonl",
        lambda c: str(c.get("thread_id")) in chosen or str(c.get("comment_id")) in part,
    )
    n_shown = 0
    article_ids = set()
    for c in comments:
        n_shown += 1
        article_ids.add(c.get("article_id"))
    articles = Rows(out_dir / "articles.jsonl", lambda a: a.get("article_id") in article_ids)
    wanted = chosen | ({too_big[0]} if part else set())
    threads = Rows(threads_path, lambda t: str(t.get("thread_id")) in wanted, optional=True)
    partial = (
        f" Thread {too_big[0]} has {sizes.get(too_big[0], 0):,} comments, more than fit: its {len(part):,} most "
        "severe comments and the replies they answer are shown."
        if part
        else ""
    )
    run = {
        **run,
        "report_scope": (
            f"This report shows {n_shown:,} of {n_comments:,} comments: the {len(wanted):,} threads holding "
            f"the most severe of {n_flagged:,} flagged comments.{partial} Every comment is in comments.jsonl."
        ),
    }
    return OutputsView(articles, comments, threads, run)


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
        ranked.append((-_severity(c) if c.get("flagged") else 1.0, position, cid))
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
