"""Placeholders and foreign languages through a whole run (issue 10): never scored as text,
never flagged or counted as duplicates, still written and counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderation import Moderator
from moderation.moderator import UNSUPPORTED_LANGUAGE

DELETED = "This comment has been deleted"


@pytest.fixture(scope="module")
def fast() -> Moderator:
    return Moderator(preset="fast")


def _globe(path: Path) -> None:
    comments = [
        {"ID": str(i), "commentText": DELETED, "status": status, "replies": []}
        for i, status in enumerate(["deleted", "rejected", "deleted"], start=1)
    ]
    comments.append({"ID": "9", "commentText": "What a fucking disgrace this council is.", "replies": []})
    path.write_text(json.dumps({"a1": {"data_type": "comment", "comments": comments}}), encoding="utf-8")


def test_placeholders_are_written_and_counted_but_never_scored_or_flagged(tmp_path: Path, fast: Moderator) -> None:
    _globe(tmp_path / "globe.json")
    result = fast.score_paths([tmp_path])
    rows = {r.comment.external_id: r for r in result.comments}
    assert len(rows) == 4 and result.counts["comments_written"] == 4
    for cid in ("1", "2", "3"):
        row = rows[cid]
        assert row.not_scored == "placeholder" and row.flags == [] and row.scores is not None
        assert row.scores.attributes == {} and row.scores.groups == {}
        assert row.to_dict()["status"] in ("deleted", "rejected") and row.to_dict()["not_scored"] == "placeholder"
    assert {f.reason for f in rows["9"].flags} >= {"banned_word"}  # the real comment still is
    assert result.counts["comments_scored"] == 1 and result.counts["comments_not_scored"] == 3
    assert result.record["not_scored"] == {"placeholder": 3}
    assert result.record["statuses"] == {"deleted": 2, "rejected": 1}


def _german_jsonl(path: Path) -> None:
    texts = [
        "Die Politik der Regierung ist eine Katastrophe, die Steuern steigen und die Leute leiden darunter.",
        "Ich finde die Entscheidung des Stadtrats richtig, die Schulen brauchen das Geld dringend.",
        "Du bist so ein Arschloch, die Wahrheit willst du einfach nicht hören.",
        "Die Kommentare hier sind wie immer sehr einseitig und die Redaktion schaut einfach zu.",
    ]
    rows = [{"article_id": "de1", "comment_id": str(i), "text": t} for i, t in enumerate(texts, start=1)]
    rows.append({"article_id": "en1", "comment_id": "1", "text": "The council made the right call on the schools."})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")


def test_german_comments_get_german_lists_and_no_english_model_scores(tmp_path: Path, fast: Moderator) -> None:
    _german_jsonl(tmp_path / "mixed.jsonl")
    result = fast.score_paths([tmp_path])
    german = [r for r in result.comments if r.comment.article_id.endswith("de1")]
    english = [r for r in result.comments if r.comment.article_id.endswith("en1")]
    assert [r.comment.language for r in german] == ["de"] * 4
    assert all(
        r.not_scored == UNSUPPORTED_LANGUAGE and r.scores is not None and not r.scores.attributes for r in german
    )
    assert german[0].to_dict()["labels"] == {"language": UNSUPPORTED_LANGUAGE}
    # `die` is the German article: never a watched word here; the German insult is caught.
    reasons = {(f.reason, f.detail) for r in german for f in r.flags}
    assert reasons == {("banned_word", "arschloch")}
    assert [r.comment.language for r in english] == ["en"]
    assert english[0].not_scored is None and "profanity" in english[0].scores.attributes
    assert result.record["languages"] == {"de": 4, "en": 1}
    assert result.record["not_scored"] == {UNSUPPORTED_LANGUAGE: 4}


def test_parse_only_runs_record_language_and_status(tmp_path: Path) -> None:
    from moderation.run import run

    _globe(tmp_path / "globe.json")
    result = run([tmp_path], None)
    rows = [r.comment.to_dict() for r in result.comments]
    assert [r["status"] for r in rows] == ["deleted", "rejected", "deleted", "published"]
    assert [r.get("language") for r in rows] == [None, None, None, "en"]
