"""One reading path: `moderate parse`, `moderate score` and `score_paths` agree on every fixture;
a Moderator pickles before and after scoring and scores the same in a child process."""

from __future__ import annotations

import json
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moderation.cli import app
from moderation.moderator import Moderator
from tests.conftest import FIXTURES, SEEDS

cli = CliRunner()
SCORE_KEYS = ("scores", "labels", "flags", "flagged", "severity", "score_error", "not_scored")


def fixture_inputs() -> list[Path]:
    found = sorted(SEEDS.iterdir()) + sorted(p for p in FIXTURES.rglob("*") if p.is_file())
    return [p for p in found if p.suffix not in (".json", ".md")] + [
        p for p in FIXTURES.rglob("*.json") if not p.name.endswith("_expected.json")
    ]


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def without(row: dict, keys: tuple[str, ...]) -> dict:
    return {k: v for k, v in row.items() if k not in keys}


@pytest.fixture(scope="module")
def fast() -> Moderator:
    return Moderator("fast")


@pytest.mark.parametrize("path", fixture_inputs(), ids=lambda p: p.name)
def test_parse_score_and_score_paths_give_the_same_articles_and_comments(fast, path, tmp_path):
    parsed = cli.invoke(app, ["parse", str(path), "-o", str(tmp_path / "parse"), "-q"])
    scored = cli.invoke(app, ["score", str(path), "-o", str(tmp_path / "score"), "-p", "fast", "-q"])
    assert parsed.exit_code == scored.exit_code, (parsed.output, scored.output)
    if not (tmp_path / "parse" / "comments.jsonl").exists():
        assert not (tmp_path / "score" / "comments.jsonl").exists()
        return
    memory = fast.score_paths([path])
    comments = {
        "parse": lines(tmp_path / "parse" / "comments.jsonl"),
        "score": [without(r, SCORE_KEYS) for r in lines(tmp_path / "score" / "comments.jsonl")],
        "api": [without(c.to_dict(), SCORE_KEYS) for c in memory.comments],
    }
    articles = {
        "parse": lines(tmp_path / "parse" / "articles.jsonl"),
        "score": [without(r, ("rollup",)) for r in lines(tmp_path / "score" / "articles.jsonl")],
        "api": [without(a.article_row(), ("rollup",)) for a in memory.articles],
    }
    assert comments["parse"] == comments["score"] == comments["api"]
    assert articles["parse"] == articles["score"] == articles["api"]
    assert len(articles["api"]) >= 1


def _score_in_child(blob: bytes, texts: list[str]) -> list[dict]:
    moderator = pickle.loads(blob)
    return [r.to_dict() for r in moderator.score_texts(texts)]


TEXTS = ["You are a fucking idiot.", "Thank you, a careful and fair article.", "Meh."]


@pytest.mark.parametrize("preset", ["fast", "default"])
def test_a_moderator_pickles_before_and_after_scoring_and_scores_the_same_in_a_child(preset):
    moderator = Moderator(preset)
    before = pickle.dumps(moderator)
    here = [r.to_dict() for r in moderator.score_texts(TEXTS)]
    after = pickle.dumps(moderator)  # models loaded: they are not pickled, the child loads its own
    assert len(after) < 1_000_000
    # ProcessPoolExecutor, not Pool: a child that dies raises BrokenProcessPool instead of hanging.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        from_before = pool.submit(_score_in_child, before, TEXTS).result(timeout=900)
        from_after = pool.submit(_score_in_child, after, TEXTS).result(timeout=900)
    assert here == from_before == from_after
    assert here[0]["flagged"] and not here[1]["flagged"]


def test_one_moderator_shared_by_threads_gives_the_same_scores(fast):
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"comment {i}: {'you idiot' if i % 3 == 0 else 'thanks, good read'}" for i in range(60)]
    alone = [r.to_dict() for r in fast.score_texts(texts)]
    with ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(lambda i: [r.to_dict() for r in fast.score_texts(texts[i::4])], range(4)))
    shared = [None] * len(texts)
    for i, part in enumerate(parts):
        shared[i::4] = part
    assert shared == alone
