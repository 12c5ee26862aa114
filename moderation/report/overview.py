"""The report's overview (article cards, thread charts, heat), gathered without holding the comments.

One pass over the comments keeps a few figures per thread (`_Members`) and per article
(`CommentFigures`: in `render.write_html`, or as a run writes its rows);
one pass over the thread rows turns them into thread views; the article cards are then
made one at a time, as the page is written (`Overview.cards`), so what this holds grows
with the threads and articles shown, never with the comments' text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from typing import Any

from markupsafe import Markup

from moderation.report import charts
from moderation.report.rows import article_context, num

# How many threads per article the overview charts draw (largest first).
CHART_THREADS = 30


def _fmt(value: float | int) -> str:
    """Counts as integers, everything else with two decimals."""
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 2):
        return str(int(value))
    return f"{value:.2f}"


def _scalar_items(mapping: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Printable (key, value) pairs of a dict's scalars, nested dicts flattened one level, for rollups."""
    if not isinstance(mapping, dict):
        return []
    out = []
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            out.append((name, _fmt(value)))
        elif isinstance(value, str):
            out.append((name, value[:80]))
        elif isinstance(value, dict) and value and all(num(v) is not None for v in value.values()):
            out.append((name, ", ".join(f"{k} {_fmt(v)}" for k, v in value.items())))
        elif isinstance(value, dict) and not prefix:
            out.extend(_scalar_items(value, prefix=f"{name}."))
    return out


HEAT_ATTRIBUTES = ("toxicity", "profanity")
SENTIMENT_KEYS = ("negative", "neutral", "positive")


def _highest(members: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """The highest score of each heat attribute the comments have."""
    highest: dict[str, float] = {}
    for c in members:
        scores = c.get("scores") or {}
        for attr in HEAT_ATTRIBUTES:
            v = num(scores.get(attr))
            if v is not None and (attr not in highest or v > highest[attr]):
                highest[attr] = v
    return highest


def thread_heat(
    row: Mapping[str, Any], members: Iterable[Mapping[str, Any]], thresholds: Mapping[str, float]
) -> tuple[float | None, float | None, str | None]:
    """(heat, its threshold, attribute) of one thread: the threads.jsonl `toxicity` block
    (`max` of its `attribute`, against that attribute's threshold), else the highest score of
    the first heat attribute the comments have, against that attribute's own threshold."""
    return _heat(row, _highest(members), thresholds)


def _heat(
    row: Mapping[str, Any], highest: Mapping[str, float], thresholds: Mapping[str, float]
) -> tuple[float | None, float | None, str | None]:
    block = row.get("toxicity")
    if isinstance(block, dict) and num(block.get("max")) is not None:
        attr = str(block.get("attribute") or "toxicity")
        threshold = num(block.get("threshold"))
        return num(block["max"]), threshold if threshold is not None else thresholds.get(attr), attr
    if num(row.get("toxicity_max")) is not None:  # first-generation rows
        return num(row["toxicity_max"]), thresholds.get("toxicity"), "toxicity"
    for attr in HEAT_ATTRIBUTES:
        if attr in highest:
            return highest[attr], thresholds.get(attr), attr
    return None, None, None


class _Members:
    """What the overview shows of one thread's comments, gathered one comment at a time
    (the comments themselves are not kept)."""

    __slots__ = ("highest", "max_depth", "n", "n_flagged", "n_sentiment", "root", "sentiment")

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.n = self.n_flagged = self.n_sentiment = 0
        self.max_depth: int | None = None
        self.root = {"author": root.get("author")}  # the chart labels a thread by its first comment's author
        self.sentiment = [0.0, 0.0, 0.0]
        self.highest: dict[str, float] = {}

    def add(self, c: Mapping[str, Any]) -> None:
        self.n += 1
        depth = int(c.get("depth") or 0)
        self.max_depth = depth if self.max_depth is None else max(self.max_depth, depth)
        self.n_flagged += 1 if c.get("flagged") else 0
        s = (c.get("scores") or {}).get("sentiment")
        if isinstance(s, dict) and s:
            self.n_sentiment += 1
            for i, k in enumerate(SENTIMENT_KEYS):
                self.sentiment[i] += num(s.get(k)) or 0.0
        for attr, v in _highest((c,)).items():
            if attr not in self.highest or v > self.highest[attr]:
                self.highest[attr] = v


_NO_MEMBERS = _Members({})


def _thread_view(
    thread_id: str, members: _Members, row: Mapping[str, Any], thresholds: Mapping[str, float]
) -> dict[str, Any]:
    sentiment = None
    if members.n_sentiment:
        sentiment = {k: members.sentiment[i] / members.n_sentiment for i, k in enumerate(SENTIMENT_KEYS)}
    heat, threshold, attribute = _heat(row, members.highest, thresholds)
    n_flagged = row.get("n_flagged")
    if num(n_flagged) is None:
        n_flagged = members.n_flagged
    return {
        "thread_id": thread_id,
        "root": members.root if members.n else {},
        "n_comments": members.n or int(num(row.get("n_comments")) or 0),
        "max_depth": members.max_depth or 0,
        "n_flagged": int(n_flagged or 0),
        "sentiment": sentiment,
        "heat": heat,
        "threshold": threshold,
        "attribute": attribute,
    }


class CommentFigures:
    """What the overview keeps of the comments, gathered one comment at a time (`add`; the
    comments themselves are not kept): a few figures per thread (`members`, by thread id, or
    the comment id of a comment without one) and per article, the counts, the flag reasons,
    and the comment ids with `keep_ids`."""

    def __init__(self, keep_ids: bool) -> None:
        self.members: dict[str, _Members] = {}
        self.by_article: dict[str, list[Any]] = {}  # article id -> [n, n_flagged, {thread key: None}]
        self.n_comments = self.n_flagged = 0
        self.ids: list[Any] | None = [] if keep_ids else None
        self.reasons: set[str] = set()

    def add(self, c: Mapping[str, Any]) -> None:
        key = str(c.get("thread_id") or c.get("comment_id"))
        members = self.members.get(key)
        if members is None:
            members = self.members[key] = _Members(c)
        members.add(c)
        article = self.by_article.setdefault(str(c.get("article_id")), [0, 0, {}])
        article[0] += 1
        article[2][key] = None
        if c.get("flagged"):
            article[1] += 1
            self.n_flagged += 1
        self.n_comments += 1
        if self.ids is not None:
            self.ids.append(c.get("comment_id"))
        self.reasons.update(str(f.get("reason")) for f in c.get("flags") or [])


class Overview:
    """The overview of one report, from the comments' figures (`CommentFigures`, gathered
    beforehand in one pass), the thread rows (read once) and `articles` (read more than once:
    a list, or `load.Rows`).

    After construction: `n_articles`, `n_comments`, `n_flagged`, `n_threads`, `n_bare`
    (cards without comments), `reasons` (flag reasons), `heat` ({thread_id: heat}), `ids`
    (the comment ids, with `keep_ids` when the figures kept them)."""

    def __init__(
        self,
        articles: Iterable[Mapping[str, Any]],
        figures: CommentFigures,
        threads: Iterable[Mapping[str, Any]],
        thresholds: Mapping[str, float],
        keep_ids: bool,
    ) -> None:
        self.articles, self.thresholds = articles, thresholds
        self.members, self.by_article = figures.members, figures.by_article
        self.n_comments, self.n_flagged, self.reasons = figures.n_comments, figures.n_flagged, figures.reasons
        if keep_ids and figures.ids is None:
            raise ValueError("the page keys its decisions by comment ids here, and the figures kept none")
        self.ids = figures.ids if keep_ids else None
        self.thread_views: dict[str, list[dict[str, Any]]] = defaultdict(list)  # by article, in file order
        self.n_threads = 0
        for t in threads:
            self.n_threads += 1
            tid = str(t.get("thread_id"))
            view = _thread_view(tid, self.members.get(tid, _NO_MEMBERS), t, thresholds)
            self.thread_views[str(t.get("article_id"))].append(view)
        self.heat: dict[str, float] = {}
        known: set[str] = set()
        self.n_articles = self.n_bare = 0
        for article in articles:
            self.n_articles += 1
            known.add(str(article.get("article_id")))
        self.extra_ids = [aid for aid in self.by_article if aid not in known]
        for article in self._all():
            tviews = self._tviews(str(article.get("article_id")))
            self.heat.update((t["thread_id"], round(t["heat"], 4)) for t in tviews if t["heat"] is not None)
            self.n_bare += 0 if self._n_comments(article) else 1

    def _all(self) -> Iterator[Mapping[str, Any]]:
        """The articles, then an article row for each article id only the comments name."""
        return chain(self.articles, ({"article_id": aid} for aid in self.extra_ids))

    def _tviews(self, aid: str) -> list[dict[str, Any]]:
        keys: dict[str, None] = self.by_article.get(aid, (0, 0, {}))[2]
        return self.thread_views.get(aid) or [
            _thread_view(
                tid, self.members.get(tid, _NO_MEMBERS), {"thread_id": tid, "article_id": aid}, self.thresholds
            )
            for tid in keys
        ]

    def _n_comments(self, article: Mapping[str, Any]) -> int:
        n_members = self.by_article.get(str(article.get("article_id")), (0,))[0]
        return n_members if n_members else int(num(article.get("n_comments")) or 0)

    def cards(self, chart: bool = True) -> Iterator[dict[str, Any]]:
        """The cards of the articles that have comments, made one at a time (`chart=False`: without the chart)."""
        for article in self._all():
            if self._n_comments(article):
                yield self._card(article, chart)

    def bare(self) -> Iterator[dict[str, Any]]:
        """The cards of the articles without comments, without their charts."""
        for article in self._all():
            if not self._n_comments(article):
                yield self._card(article, chart=False)

    def _card(self, article: Mapping[str, Any], chart: bool) -> dict[str, Any]:
        aid = str(article.get("article_id"))
        tviews = self._tviews(aid)
        charted = sorted(tviews, key=lambda t: (-t["n_comments"], t["thread_id"]))[:CHART_THREADS]
        n_flagged = self.by_article.get(aid, (0, 0))[1]
        n_comments = self._n_comments(article)
        sentiments = [t["sentiment"] for t in tviews if t["sentiment"]]
        return {
            **article_context(article),
            "title": article.get("title"),
            "site": article.get("site"),
            "dateline": article.get("dateline"),
            "source_path": article.get("source_path"),
            "n_comments": n_comments,
            "n_threads": len(tviews),
            "n_flagged": n_flagged,
            "flagged_share": n_flagged / n_comments if n_comments else 0.0,
            "max_depth": max((t["max_depth"] for t in tviews), default=0),
            "rollup": _scalar_items(article.get("rollup")),
            "threads_charted": len(charted),
            "has_sentiment": bool(sentiments),
            "chart": Markup(charts.thread_chart(charted))
            if chart and any(t["sentiment"] or t["heat"] is not None for t in charted)
            else None,
        }
