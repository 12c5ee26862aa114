"""Sentiment, heat, stance and disagreement of a group of comments (a thread or an article).

Pure functions over the data model, no IO, no recursion (a 10,000-deep thread is fine).
Every figure is computed over the comments that HAVE the score it needs; when none has
it (e.g. no stance in the `fast` preset) the whole block is None (null in JSON), never 0.

- sentiment: per comment positive - negative, in [-1, 1]; `mean` over comments; `shares`
  of argmax labels; `by_depth`: the mean per reply depth, shallowest first.
- toxicity: on the first of `heat_attributes` any comment has (`toxicity`, else
  `profanity`; `attribute` says which); `max` and its comment; `share_over_threshold`
  (score >= the preset's threshold for that attribute); `first_over_threshold`: the first
  comment in source order at or over it; `escalation`: the largest child - parent rise
  over reply pairs (may be negative when every reply cooled down), with both ids.
- stance: shares of argmax labels toward the article.
- disagreement: over reply pairs where both have sentiment or both have stance, the
  share whose sentiment labels are opposite (negative vs positive) or whose stance labels
  are support vs deny.

A reply pair is a comment of the group with depth > 0 and its parent in the group
(`build_threads` gives a cycle's breaker depth 0, so no pair closes a cycle).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from moderation.schema import SCORE_GROUPS, Comment, Scores

_DIGITS = 6
_OPPOSITE_SENTIMENT = frozenset({"negative", "positive"})
_OPPOSITE_STANCE = frozenset({"support", "deny"})


def _r(x: float) -> float:
    return round(x, _DIGITS)


def _pairs(comments: Sequence[Comment]) -> list[tuple[Comment, Comment]]:
    """(parent, child) reply pairs within `comments`, in the child's source order."""
    by_id = {c.comment_id: c for c in comments}
    return [
        (by_id[c.parent_id], c)
        for c in comments
        if c.depth > 0 and c.parent_id is not None and c.parent_id in by_id and by_id[c.parent_id] is not c
    ]


def sentiment_figures(comments: Sequence[Comment], scores: Mapping[str, Scores]) -> dict[str, Any] | None:
    rated = [(c, scores[c.comment_id].groups["sentiment"]) for c in comments if _has_group(scores, c, "sentiment")]
    if not rated:
        return None
    values = [dist.get("positive", 0.0) - dist.get("negative", 0.0) for _, dist in rated]
    labels = [max(dist, key=dist.__getitem__) for _, dist in rated]
    by_depth: dict[int, list[float]] = {}
    for (comment, _), value in zip(rated, values, strict=True):
        by_depth.setdefault(comment.depth, []).append(value)
    return {
        "n": len(rated),
        "mean": _r(sum(values) / len(values)),
        "shares": {label: _r(labels.count(label) / len(labels)) for label in SCORE_GROUPS["sentiment"]},
        "by_depth": [
            {"depth": depth, "n": len(vals), "mean": _r(sum(vals) / len(vals))}
            for depth, vals in sorted(by_depth.items())
        ],
    }


def toxicity_figures(
    comments: Sequence[Comment],
    scores: Mapping[str, Scores],
    heat_attributes: Sequence[str],
    thresholds: Mapping[str, float],
) -> dict[str, Any] | None:
    attribute = next(
        (
            a
            for a in heat_attributes
            if any(a in scores[c.comment_id].attributes for c in comments if c.comment_id in scores)
        ),
        None,
    )
    if attribute is None:
        return None
    rated = [(c, scores[c.comment_id].attributes[attribute]) for c in comments if _has_attribute(scores, c, attribute)]
    threshold = thresholds.get(attribute)
    top_comment, top = max(rated, key=lambda item: item[1])  # the first of equal maxima
    over = [c for c, v in rated if threshold is not None and v >= threshold]
    rises = [
        (
            scores[child.comment_id].attributes[attribute] - scores[parent.comment_id].attributes[attribute],
            parent,
            child,
        )
        for parent, child in _pairs(comments)
        if _has_attribute(scores, parent, attribute) and _has_attribute(scores, child, attribute)
    ]
    escalation = None
    if rises:
        rise, parent, child = max(rises, key=lambda item: item[0])
        escalation = {"rise": _r(rise), "parent_id": parent.comment_id, "comment_id": child.comment_id}
    return {
        "attribute": attribute,
        "threshold": threshold,
        "n": len(rated),
        "max": _r(top),
        "max_comment_id": top_comment.comment_id,
        "share_over_threshold": _r(len(over) / len(rated)) if threshold is not None else None,
        "first_over_threshold": over[0].comment_id if over else None,
        "escalation": escalation,
    }


def stance_figures(comments: Sequence[Comment], scores: Mapping[str, Scores]) -> dict[str, Any] | None:
    labels = [scores[c.comment_id].labels()["stance"] for c in comments if _has_group(scores, c, "stance")]
    if not labels:
        return None
    return {
        "n": len(labels),
        "shares": {label: _r(labels.count(label) / len(labels)) for label in SCORE_GROUPS["stance"]},
    }


def disagreement_figures(comments: Sequence[Comment], scores: Mapping[str, Scores]) -> dict[str, Any] | None:
    compared = 0
    disagree = 0
    for parent, child in _pairs(comments):
        if parent.comment_id not in scores or child.comment_id not in scores:
            continue
        a, b = scores[parent.comment_id].labels(), scores[child.comment_id].labels()
        comparable = False
        opposed = False
        for group, opposite in (("sentiment", _OPPOSITE_SENTIMENT), ("stance", _OPPOSITE_STANCE)):
            if group in a and group in b:
                comparable = True
                opposed = opposed or {a[group], b[group]} == opposite
        compared += comparable
        disagree += opposed
    if not compared:
        return None
    return {"pairs": compared, "disagreeing": disagree, "share": _r(disagree / compared)}


def figures(
    comments: Sequence[Comment],
    scores: Mapping[str, Scores],
    heat_attributes: Sequence[str],
    thresholds: Mapping[str, float],
) -> dict[str, Any]:
    """Every score-based figure of a group of comments (see the module doc)."""
    return {
        "sentiment": sentiment_figures(comments, scores),
        "toxicity": toxicity_figures(comments, scores, heat_attributes, thresholds),
        "stance": stance_figures(comments, scores),
        "disagreement": disagreement_figures(comments, scores),
    }


def article_rollup(
    comments: Sequence[Comment],
    scores: Mapping[str, Scores],
    n_threads: int,
    flagged: Sequence[str],
    heat_attributes: Sequence[str],
    thresholds: Mapping[str, float],
) -> dict[str, Any]:
    """Counts and figures of a whole article's comments."""
    flagged_set = set(flagged)
    n_flagged = sum(1 for c in comments if c.comment_id in flagged_set)
    return {
        "n_comments": len(comments),
        "n_threads": n_threads,
        "max_depth": max((c.depth for c in comments), default=None),
        "participants": len({c.author for c in comments if c.author is not None}),
        "n_flagged": n_flagged,
        "share_flagged": _r(n_flagged / len(comments)) if comments else None,
        **figures(comments, scores, heat_attributes, thresholds),
    }


def _has_group(scores: Mapping[str, Scores], comment: Comment, group: str) -> bool:
    s = scores.get(comment.comment_id)
    return s is not None and bool(s.groups.get(group))


def _has_attribute(scores: Mapping[str, Scores], comment: Comment, attribute: str) -> bool:
    s = scores.get(comment.comment_id)
    return s is not None and attribute in s.attributes
