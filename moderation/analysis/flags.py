"""Flags: why a comment needs a human look. Pure functions, no IO.

Reasons (see docs/flags.md):
- a toxicity attribute name (`toxicity`, `insult`, `profanity`, ...): its score reached
  its own threshold from the preset's [thresholds];
- `banned_word` / `watched_word`: an entry of the preset's word lists (detail = the entry);
- `link` / `contact`: a URL or domain / an e-mail address or phone number (detail = it);
- `duplicate`: an earlier comment of the run had the same or nearly the same text
  (detail names it);
- `escalation`: a reply's heat rose over its parent's by at least the threshold
  (score = child - parent).

Severity, which orders the review queue: max over a comment's flags of
weight[reason] x min(1, max(0, score)); 0 when nothing fired.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from moderation.analysis.contacts import find_contacts, find_links
from moderation.analysis.duplicates import DuplicateFinder, DuplicateMatch, DuplicateSettings
from moderation.analysis.words import WordMatcher
from moderation.schema import Comment, Flag, Scores, TextSpan

RULE_SCORE = 1.0  # score and threshold of rule-based flags (words, links, contacts, exact duplicates)


@dataclass(frozen=True, slots=True)
class WordLists:
    """The banned and watched lists of one language (None: that list is off)."""

    banned: WordMatcher | None = None
    watched: WordMatcher | None = None


@dataclass(frozen=True, slots=True)
class FlagSettings:
    """Everything the flag rules need, read from a preset (see moderation/analysis/settings.py)."""

    thresholds: Mapping[str, float] = field(default_factory=dict)
    banned: WordMatcher | None = None  # lists of `words_language` (English)
    watched: WordMatcher | None = None
    # Lists of other languages: a comment detected as one of these uses its own lists.
    words_by_language: Mapping[str, WordLists] = field(default_factory=dict)
    words_language: str = "en"
    links: bool = True
    contacts: bool = True
    duplicates: DuplicateSettings | None = field(default_factory=DuplicateSettings)  # None: off
    escalation_threshold: float | None = 0.3
    heat_attributes: tuple[str, ...] = ("toxicity", "profanity")
    weights: Mapping[str, float] = field(default_factory=dict)
    default_weight: float = 1.0


def threshold_flags(scores: Scores, thresholds: Mapping[str, float]) -> list[Flag]:
    """One flag per score attribute at or over its threshold, highest first."""
    flags = [
        Flag(reason=name, score=value, threshold=thresholds[name], span=scores.spans.get(name))
        for name, value in scores.attributes.items()
        if name in thresholds and value >= thresholds[name]
    ]
    return sorted(flags, key=lambda f: (-f.score, f.reason))


def word_flags(text: str, matcher: WordMatcher | None, reason: str) -> list[Flag]:
    """One flag per hit of a word list, with the entry as detail and its span in `text`."""
    if matcher is None:
        return []
    return [
        Flag(reason, RULE_SCORE, RULE_SCORE, TextSpan(hit.start, hit.end), detail=hit.entry)
        for hit in matcher.find(text)
    ]


def link_flags(text: str) -> list[Flag]:
    return [Flag("link", RULE_SCORE, RULE_SCORE, TextSpan(m.start, m.end), detail=m.text) for m in find_links(text)]


def contact_flags(text: str) -> list[Flag]:
    return [
        Flag("contact", RULE_SCORE, RULE_SCORE, TextSpan(m.start, m.end), detail=f"{m.kind}: {m.text}")
        for m in find_contacts(text)
    ]


def duplicate_flag(match: DuplicateMatch, near_threshold: float) -> Flag:
    if match.exact:
        return Flag("duplicate", RULE_SCORE, RULE_SCORE, detail=f"same text as {match.first_id}")
    return Flag(
        "duplicate",
        round(match.similarity, 4),
        near_threshold,
        detail=f"near-duplicate of {match.first_id} (estimated Jaccard {match.similarity:.2f})",
    )


def heat_attribute(attributes: Sequence[str], *scores: Scores) -> str | None:
    """The first of `attributes` that every one of `scores` has, or None."""
    for name in attributes:
        if all(name in s.attributes for s in scores):
            return name
    return None


def escalation_flag(
    child: Scores, parent: Scores, parent_id: str, threshold: float, attributes: Sequence[str]
) -> Flag | None:
    """A flag when the reply's heat exceeds its parent's by `threshold` or more."""
    name = heat_attribute(attributes, child, parent)
    if name is None:
        return None
    before, after = parent.attributes[name], child.attributes[name]
    rise = after - before
    if rise < threshold:
        return None
    fallback = "" if name == attributes[0] else f" (no {attributes[0]} score in this preset)"
    return Flag(
        "escalation",
        round(rise, 6),
        threshold,
        detail=f"{name} {before:.2f} -> {after:.2f} over parent {parent_id}{fallback}",
    )


def word_lists(settings: FlagSettings, language: str | None) -> WordLists:
    """The lists for a comment in `language`: its own language's when the preset has them;
    the main (English) lists for English or unknown language; for any other language only
    the main banned list (strong English swearwords travel; watched words such as `kill`
    are too often ordinary words elsewhere)."""
    if language is None or language == settings.words_language:
        return WordLists(settings.banned, settings.watched)
    if language in settings.words_by_language:
        return settings.words_by_language[language]
    return WordLists(settings.banned, None)


def text_flags(text: str, scores: Scores, settings: FlagSettings, language: str | None = None) -> list[Flag]:
    """The flags one text earns on its own (no parent, no other comments)."""
    lists = word_lists(settings, language)
    flags = threshold_flags(scores, settings.thresholds)
    flags += word_flags(text, lists.banned, "banned_word")
    flags += word_flags(text, lists.watched, "watched_word")
    if settings.links:
        flags += link_flags(text)
    if settings.contacts:
        flags += contact_flags(text)
    return flags


def severity(flags: Sequence[Flag], weights: Mapping[str, float], default_weight: float = 1.0) -> float:
    """max over flags of weight[reason] x clip(score, 0, 1); 0.0 without flags."""
    return max((weights.get(f.reason, default_weight) * min(1.0, max(0.0, f.score)) for f in flags), default=0.0)


def order_flags(flags: Sequence[Flag], settings: FlagSettings) -> list[Flag]:
    """Most severe first; ties by reason, then position in the text."""
    return sorted(
        flags,
        key=lambda f: (
            -severity([f], settings.weights, settings.default_weight),
            f.reason,
            f.span.start if f.span else -1,
        ),
    )


def flag_comments(
    comments: Sequence[Comment],
    scores: Mapping[str, Scores],
    settings: FlagSettings,
    duplicates: DuplicateFinder | None = None,
) -> dict[str, list[Flag]]:
    """Flags of every comment of one article, in source order, most severe first.

    `duplicates` is the run's index: feed articles in order so that later comments are
    the ones flagged. Comments that are not `scorable` (placeholders, deleted, removed,
    spam, ...) get no flags and are not indexed as duplicates. Escalation compares a reply
    with its resolved parent (depth > 0 after `build_threads`; a cycle's breaker is a root
    and has no parent).
    """
    by_id = {c.comment_id: c for c in comments}
    out: dict[str, list[Flag]] = {}
    for comment in comments:
        if not comment.scorable:  # a placeholder or a comment the platform took down
            out[comment.comment_id] = []
            continue
        own = scores.get(comment.comment_id, Scores())
        flags = text_flags(comment.text, own, settings, comment.language)
        if settings.duplicates is not None and duplicates is not None:
            match = duplicates.check(comment.comment_id, comment.text)
            if match is not None:
                flags.append(duplicate_flag(match, duplicates.settings.near_threshold))
        parent = by_id.get(comment.parent_id) if comment.parent_id is not None and comment.depth > 0 else None
        if parent is not None and settings.escalation_threshold is not None and parent.comment_id in scores:
            flag = escalation_flag(
                own,
                scores[parent.comment_id],
                parent.comment_id,
                settings.escalation_threshold,
                settings.heat_attributes,
            )
            if flag is not None:
                flags.append(flag)
        out[comment.comment_id] = order_flags(flags, settings)
    return out
