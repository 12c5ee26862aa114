"""Flags and severity: which comments enter the review queue, and why. Pure functions, no IO.

A comment enters the queue when its severity (a calibrated estimate that a moderator would
act, `analysis/severity.py`) reaches `min_severity`, or when a rule in `queue_rules` fires
(by default a banned word, a contact, a duplicate). Its flags then say why:
- the queue flag: reason = the evidence that pushed the severity up most (`toxicity`,
  `profanity`, `watched_word`, ...), score = severity, threshold = `min_severity`, detail
  = the evidence and its values;
- evidence, one flag per reason and comment: a score attribute at or over its own
  threshold from [thresholds] (attribute heads such as `threat` or `identity_attack` are
  shown, never queue on their own); `banned_word` / `watched_word` (detail = the entries
  found); `link` / `contact` (detail = what was found); `duplicate`; `escalation`.
A comment outside the queue has no flags (its severity is still written).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from moderation.analysis.contacts import find_contacts, find_links
from moderation.analysis.duplicates import DuplicateFinder, DuplicateMatch, DuplicateSettings
from moderation.analysis.severity import (
    EVIDENCE_FEATURES,
    HINGE_FEATURES,
    REASON_NAMES,
    CommentEvidence,
    SeverityModel,
)
from moderation.analysis.words import WordHit, WordMatcher
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
    severity: SeverityModel | None = None  # None: only `queue_rules` put comments in the queue
    min_severity: float = 1.0
    queue_rules: tuple[str, ...] = ("banned_word", "contact", "duplicate")


@dataclass(frozen=True, slots=True)
class Assessment:
    """A comment's flags (empty unless it is in the queue) and its severity."""

    flags: list[Flag]
    severity: float

    @property
    def in_queue(self) -> bool:
        return bool(self.flags)


def threshold_flags(scores: Scores, thresholds: Mapping[str, float]) -> list[Flag]:
    """One flag per score attribute at or over its threshold, highest first."""
    flags = [
        Flag(reason=name, score=value, threshold=thresholds[name], span=scores.spans.get(name))
        for name, value in scores.attributes.items()
        if name in thresholds and value >= thresholds[name]
    ]
    return sorted(flags, key=lambda f: (-f.score, f.reason))


def word_flag(hits: Sequence[WordHit], reason: str) -> Flag | None:
    """One flag for all hits of a word list: the entries in order of appearance, the first span."""
    if not hits:
        return None
    entries = list(dict.fromkeys(h.entry for h in hits))
    return Flag(reason, RULE_SCORE, RULE_SCORE, TextSpan(hits[0].start, hits[0].end), detail=", ".join(entries))


def link_flag(text: str) -> Flag | None:
    found = find_links(text)
    if not found:
        return None
    first = found[0]
    detail = ", ".join(dict.fromkeys(m.text for m in found))
    return Flag("link", RULE_SCORE, RULE_SCORE, TextSpan(first.start, first.end), detail=detail)


def contact_flag(text: str) -> Flag | None:
    found = find_contacts(text)
    if not found:
        return None
    first = found[0]
    detail = ", ".join(dict.fromkeys(f"{m.kind}: {m.text}" for m in found))
    return Flag("contact", RULE_SCORE, RULE_SCORE, TextSpan(first.start, first.end), detail=detail)


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


def _hits(matcher: WordMatcher | None, text: str) -> list[WordHit]:
    return matcher.find(text) if matcher is not None else []


def assess(
    text: str, scores: Scores, settings: FlagSettings, context: Sequence[Flag] = (), language: str | None = None
) -> Assessment:
    """Severity and flags of one text in `language` (word lists per language, see
    `word_lists`); `context` holds flags that need other comments (duplicate, escalation)."""
    lists = word_lists(settings, language)
    watched = _hits(lists.watched, text)
    banned = _hits(lists.banned, text)
    evidence = threshold_flags(scores, settings.thresholds)
    evidence += [f for f in (word_flag(banned, "banned_word"), word_flag(watched, "watched_word")) if f is not None]
    if settings.links and (link := link_flag(text)) is not None:
        evidence.append(link)
    if settings.contacts and (contact := contact_flag(text)) is not None:
        evidence.append(contact)
    evidence += context
    severity, driver = 0.0, None
    model = settings.severity
    if model is not None and scores.error is None:
        values = model.features_of(scores, CommentEvidence(text, _entries(watched), _entries(banned)))
        if values is not None:
            severity = model.probability(values)
            if severity >= settings.min_severity:
                driver = _queue_flag(model, values, severity, settings.min_severity, scores, evidence)
    if driver is None and not any(f.reason in settings.queue_rules for f in evidence):
        return Assessment([], round(severity, 6))
    flags = [driver] if driver is not None else []
    flags += _order([f for f in evidence if driver is None or f.reason != driver.reason])
    return Assessment(flags, round(severity, 6))


def _entries(hits: Sequence[WordHit]) -> frozenset[str]:
    return frozenset(h.entry for h in hits)


def _queue_flag(
    model: SeverityModel,
    values: Sequence[float],
    severity: float,
    threshold: float,
    scores: Scores,
    evidence: list[Flag],
) -> Flag:
    """The flag that says why the comment is in the queue: the evidence that pushed most."""
    reason = model.driver(values)
    pushes = model.contributions(values)
    parts = []
    for name in sorted((n for n in model.features if n in EVIDENCE_FEATURES), key=lambda n: -pushes[n]):
        if pushes[name] <= 0:
            break
        label = REASON_NAMES.get(name, name)
        score = HINGE_FEATURES[name][0] if name in HINGE_FEATURES else name
        if score in scores.attributes:
            parts.append(f"{label} {scores.attributes[score]:.2f}")
        elif name == "negative":
            parts.append(f"{label} {scores.groups['sentiment']['negative']:.2f}")
        else:
            words = next((f.detail for f in evidence if f.reason == label), "")
            parts.append(f"{label}: {words}")
    same = next((f for f in evidence if f.reason == reason), None)
    span = same.span if same is not None else scores.spans.get(reason)
    detail = f"severity {severity:.2f} from " + ("; ".join(parts) if parts else "the model's baseline")
    return Flag(reason, round(severity, 6), threshold, span, detail)


_RULE_ORDER = {"banned_word": 0, "contact": 1, "duplicate": 2, "escalation": 3, "watched_word": 4, "link": 5}


def _order(flags: Sequence[Flag]) -> list[Flag]:
    """Rules first (banned words, contacts, duplicates ...), then score attributes by score."""
    return sorted(flags, key=lambda f: (_RULE_ORDER.get(f.reason, 10), -f.score, f.reason))


def flag_comments(
    comments: Sequence[Comment],
    scores: Mapping[str, Scores],
    settings: FlagSettings,
    duplicates: DuplicateFinder | None = None,
) -> dict[str, Assessment]:
    """Flags and severity of every comment of one article, in source order.

    `duplicates` is the run's index: feed articles in order so that later comments are
    the ones flagged. Comments that are not `scorable` (placeholders, deleted, removed,
    spam, ...) get no flags, severity 0, and are not indexed as duplicates. Escalation
    compares a reply with its resolved parent (depth > 0 after `build_threads`; a cycle's
    breaker is a root and has no parent).
    """
    by_id = {c.comment_id: c for c in comments}
    out: dict[str, Assessment] = {}
    for comment in comments:
        if not comment.scorable:  # a placeholder or a comment the platform took down
            out[comment.comment_id] = Assessment([], 0.0)
            continue
        own = scores.get(comment.comment_id, Scores())
        flags: list[Flag] = []
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
        out[comment.comment_id] = assess(comment.text, own, settings, flags, comment.language)
    return out
