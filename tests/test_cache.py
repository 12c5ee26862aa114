"""The scores cache: keyed on everything that can change a score; a corrupt file is rebuilt."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from moderation.cache import ScoresCache, scores_fingerprint
from moderation.config import load_preset
from moderation.errors import CacheError, ModelLoadError
from moderation.moderator import Moderator
from moderation.run import RunOptions, run
from moderation.schema import Scores
from moderation.writers import FolderSink
from tests.conftest import ROOT, SEEDS

DEFAULT_TOML = ROOT / "configs" / "default.toml"
TEXT = (
    "Thanks for the clear report on the tram plans, I learned a lot about the route and the timetable. "
    "But honestly you are a pathetic idiot and everyone here despises your stupid lies."
)


def preset_copy(tmp_path: Path, name: str, edit=lambda s: s):
    """The default preset written under another file name, edited (its `name` stays "default")."""
    path = tmp_path / f"{name}.toml"
    path.write_text(edit(DEFAULT_TOML.read_text(encoding="utf-8")), encoding="utf-8")
    if not (tmp_path / "wordlists").exists():
        shutil.copytree(ROOT / "configs" / "wordlists", tmp_path / "wordlists")
    return path


def fingerprint(path: Path, version: str = "1") -> str:
    return scores_fingerprint(load_preset(path), [], version=version)


def test_fingerprint_covers_scorer_options_batch_size_and_version(tmp_path):
    base = fingerprint(preset_copy(tmp_path, "a"))
    assert fingerprint(preset_copy(tmp_path, "b")) == base  # same content, another file: same key
    short = preset_copy(tmp_path, "c", lambda s: s.replace("max_tokens = 128", "max_tokens = 16", 1))
    assert fingerprint(short) != base
    batch = preset_copy(tmp_path, "d", lambda s: s.replace("batch_size = 32", "batch_size = 8", 1))
    assert fingerprint(batch) != base
    scorer_option = preset_copy(tmp_path, "g", lambda s: s.replace('model = "toxicity-minilm"', 'model = "x"', 1))
    assert fingerprint(scorer_option) != base
    assert fingerprint(preset_copy(tmp_path, "f"), version="2") != base


def test_thresholds_and_flags_do_not_invalidate_scores(tmp_path):
    base = fingerprint(preset_copy(tmp_path, "a"))
    stricter = preset_copy(tmp_path, "b", lambda s: s.replace("toxicity = 0.6", "toxicity = 0.3", 1))
    assert fingerprint(stricter) == base
    no_links = preset_copy(tmp_path, "c", lambda s: s.replace("links = true", "links = false", 1))
    assert fingerprint(no_links) == base


def test_a_changed_max_tokens_under_the_same_preset_name_never_reuses_scores(tmp_path):
    """The probe's case: `max_tokens = 16` in a config named "default" reused the old scores.
    The key now covers the [encoder] table, and the second-generation heads refuse an encoder
    they were not trained with before anything is scored or looked up."""
    short_path = preset_copy(tmp_path, "short", lambda s: s.replace("max_tokens = 128", "max_tokens = 16"))
    short = Moderator(short_path)
    assert short.preset.name == "default"
    assert scores_fingerprint(short.preset, []) != scores_fingerprint(Moderator("default").preset, [])
    with pytest.raises(ModelLoadError, match="max_tokens 16"):
        short.model_fingerprint()


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xa5" * (4096 - 100)  # header kept, first page garbled
    path.write_bytes(bytes(data))


def test_a_corrupt_cache_is_moved_aside_reported_and_rebuilt(tmp_path):
    out = tmp_path / "out"
    fast = Moderator("fast")
    run([SEEDS], fast, FolderSink(out))
    cache = out / ".cache" / "scores.sqlite"
    db = sqlite3.connect(cache)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    _corrupt(cache)
    before = (out / "comments.jsonl").read_bytes()

    summary = run([SEEDS], fast, FolderSink(out))
    notes = [e for e in summary.errors if e.path == str(cache)]
    assert len(notes) == 1 and not notes[0].fatal
    assert "unusable" in notes[0].problem and "scores.sqlite.corrupt" in notes[0].problem
    assert "\n" not in notes[0].problem
    assert (out / ".cache" / "scores.sqlite.corrupt").is_file()  # kept, not deleted
    assert summary.counts["from_cache"] == 0
    assert summary.counts["scored_fresh"] == summary.counts["comments_parsed"]
    assert (out / "comments.jsonl").read_bytes() == before
    errors = json.loads((out / "run.json").read_text(encoding="utf-8"))["errors"]
    assert any(e["path"] == str(cache) and not e["fatal"] for e in errors)

    again = run([SEEDS], fast, FolderSink(out))  # the rebuilt cache serves the next run
    assert again.counts["from_cache"] == again.counts["comments_parsed"]
    assert not [e for e in again.errors if e.path == str(cache)]


@pytest.mark.parametrize(
    "content",
    [b"not a database at all\n" * 100, b"", b"SQLite format 3\x00" + b"\x00" * 84],
    ids=["text", "empty", "bare-header"],
)
def test_unreadable_cache_files_never_raise(tmp_path, content):
    path = tmp_path / "scores.sqlite"
    path.write_bytes(content)
    cache = ScoresCache(path, "f" * 64)
    cache.put_many(["hello"], [None], [Scores(attributes={"profanity": 0.25})])
    cache.commit()
    assert cache.get_many(["hello"], [None])[0].attributes == {"profanity": 0.25}
    cache.close()


def test_a_foreign_table_layout_is_moved_aside(tmp_path):
    path = tmp_path / "scores.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE scores (id INTEGER, payload TEXT)")
    db.commit()
    db.close()
    cache = ScoresCache(path, "f" * 64)
    assert cache.notice is not None and "layout" in cache.notice
    assert (tmp_path / "scores.sqlite.corrupt").is_file()
    cache.close()


def test_an_undecodable_entry_is_scored_again(tmp_path):
    path = tmp_path / "scores.sqlite"
    cache = ScoresCache(path, "f" * 64)
    cache.put_many(["hello"], [None], [Scores(attributes={"profanity": 0.25})])
    cache.commit()
    cache._db.execute("UPDATE scores SET scores = '{\"a\": 3'")
    assert cache.get_many(["hello"], [None]) == [None]
    assert cache.undecodable == 1
    cache.close()


def test_a_cache_path_that_is_a_folder_is_a_clear_error(tmp_path):
    (tmp_path / "scores.sqlite").mkdir()
    with pytest.raises(CacheError, match="not a file"):
        ScoresCache(tmp_path / "scores.sqlite", "f" * 64)
    fast = Moderator("fast")
    with pytest.raises(CacheError):
        run([SEEDS], fast, FolderSink(tmp_path / "out"), RunOptions(cache_path=tmp_path / "scores.sqlite"))
