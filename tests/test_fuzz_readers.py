"""Every reader against hostile input: it reads it or raises ParseError, quickly, never anything else.

Readers come from `moderation.parse.detect.READERS`, so readers added later are covered.
Short budget here (hypothesis profile "ci"); a long soak: `HYPOTHESIS_PROFILE=long pytest
tests/test_fuzz_readers.py` or `python benchmarks/fuzz_readers.py --seconds 600`.
"""

from __future__ import annotations

import contextlib
import json
import random

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from moderation.errors import ParseError  # noqa: E402
from moderation.parse.base import check_size  # noqa: E402
from moderation.parse.detect import READERS, choose_reader  # noqa: E402
from tests.fuzz_inputs import (  # noqa: E402
    colliding_jsonl,
    deep_reply_chain_jsonl,
    deep_reply_chain_text_page,
    hidden_text_export,
    huge_comment_text_page,
    mutate,
    mutate_hostile,
    nested_html,
    read_with,
    sample_files,
    stream_jsonl,
    texts_of,
)

SAMPLES = sample_files()
readers = pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name)
BY_NAME = {r.name: r for r in READERS}

# Text that looks like the structures readers look for, so generated inputs reach deep code.
structured_text = st.lists(
    st.sampled_from(
        [
            "• ",
            "avatar",
            "in reply to",
            "(Show commentHide comment)",
            "All comments",
            "\n",
            "  ",
            "<div>",
            "</div>",
            "{",
            "}",
            '"text":',
            '"article_id":',
            "MOSCOW, June 7 /TASS/. ",
            "©",
            "\x00",
            "\u00a0",
            "é",
            ".",
            "Title",
        ]
    )
    | st.text(max_size=40),
    max_size=200,
).map("".join)


@readers
@given(data=st.binary(max_size=4096))
def test_arbitrary_bytes(reader, data):
    read_with(reader, data)


@readers
@given(text=structured_text)
def test_structured_text(reader, text):
    read_with(reader, text.encode("utf-8", "surrogatepass"))


@readers
@given(sample=st.sampled_from(SAMPLES), seed=st.integers(0, 2**32 - 1), rounds=st.integers(1, 4))
def test_damaged_real_files(reader, sample, seed, rounds):
    rng = random.Random(seed)
    data = sample
    for _ in range(rounds):
        data = mutate(data, rng)
    read_with(reader, data)


@readers
@given(sample=st.sampled_from(SAMPLES), seed=st.integers(0, 2**32 - 1))
def test_escape_sequences_and_long_words(reader, sample, seed):
    rng = random.Random(seed)
    read_with(reader, mutate_hostile(mutate_hostile(sample, rng), rng))


@given(seed=st.integers(0, 2**32 - 1))
def test_text_hidden_in_export_markup_is_read_despite_id_collisions(seed):
    """Nested tags (255+ deep), entities, inline XHTML, CDATA: every comment's words are kept."""
    name, data, markers = hidden_text_export(random.Random(seed))
    result = read_with(BY_NAME[name], data)
    assert not isinstance(result, ParseError), result
    text = texts_of(result)
    assert [m for m in markers if m not in text] == []


@given(seed=st.integers(0, 2**32 - 1))
def test_colliding_ids_in_comment_jsonl_lose_nothing(seed):
    data = colliding_jsonl(random.Random(seed))
    expected = sorted(json.loads(line)["text"] for line in data.decode().splitlines())
    streamed = stream_jsonl(data)
    assert not isinstance(streamed, ParseError)
    assert sorted(c.text for a in streamed for c in a.comments) == expected
    whole = read_with(BY_NAME["jsonl"], data)
    assert not isinstance(whole, ParseError)
    assert sorted(c.text for a in whole for c in a.comments) == expected


@readers
@given(sample=st.sampled_from(SAMPLES), cut=st.floats(0, 1))
def test_truncated_real_files(reader, sample, cut):
    read_with(reader, sample[: int(len(sample) * cut)])


@readers
@pytest.mark.parametrize("make", [lambda: nested_html(100_000), lambda: b"\x00" * 10_000, lambda: b"\xff\xfe" * 5000])
def test_pathological_shapes(reader, make):
    read_with(reader, make())


@readers
def test_ten_thousand_deep_reply_chain(reader):
    result = read_with(reader, deep_reply_chain_text_page(10_000), seconds=30)
    if reader.name == "text_page":
        assert not isinstance(result, ParseError)
        comments = result[0].comments
        assert len(comments) == 10_000 and comments[-1].depth == 9_999


@readers
def test_a_ten_megabyte_comment(reader):
    result = read_with(reader, huge_comment_text_page(10 * 1024 * 1024), seconds=30)
    if reader.name == "text_page":
        assert not isinstance(result, ParseError)
        assert len(result[0].comments) == 1 and len(result[0].comments[0].text) >= 10 * 1024 * 1024 - 10


def test_detect_never_crashes_on_garbage():
    rng = random.Random(0)
    for _ in range(200):
        data = mutate(rng.choice(SAMPLES), rng)
        with contextlib.suppress(ParseError):
            choose_reader(data, "x")


def test_input_size_limit_is_a_parse_error():
    with pytest.raises(ParseError, match="over the 10-byte input limit"):
        check_size(b"x" * 11, "big.txt", max_bytes=10)
    check_size(b"x" * 10, "ok.txt", max_bytes=10)


# --- the streaming comment-JSONL reader ------------------------------------------------------

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["article_id", "comment_id", "parent_id", "author", "text", "timestamp", "x"]),
            inner,
            max_size=6,
        )
    ),
    max_leaves=20,
)


@given(data=st.binary(max_size=4096))
def test_jsonl_stream_arbitrary_bytes(data):
    stream_jsonl(data)


@given(rows=st.lists(json_like, max_size=30))
def test_jsonl_stream_arbitrary_json_rows(rows):
    stream_jsonl("".join(json.dumps(r) + "\n" for r in rows).encode("utf-8"))


@given(
    ids=st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=40),
    cut=st.floats(0, 1),
)
def test_jsonl_stream_keeps_every_line_and_never_merges(ids, cut):
    data = "".join(
        json.dumps({"article_id": a, "comment_id": str(i), "text": f"t{i}"}) + "\n" for i, a in enumerate(ids)
    )
    raw = data.encode()[: int(len(data) * cut)] if cut < 1 else data.encode()
    result = stream_jsonl(raw)
    if isinstance(result, ParseError):
        return
    texts = [c.text for a in result for c in a.comments]
    article_ids = [a.article_id for a in result]
    assert len(article_ids) == len(set(article_ids)), "a reappearing article becomes a new part, never a merge"
    if cut >= 1:
        assert texts == [f"t{i}" for i in range(len(ids))]


def test_jsonl_stream_deep_chain_and_huge_line():
    result = stream_jsonl(deep_reply_chain_jsonl(10_000), seconds=30)
    assert not isinstance(result, ParseError)
    assert result[0].comments[-1].depth == 9_999
    big = json.dumps({"article_id": "a", "text": "x" * (10 * 1024 * 1024)}).encode() + b"\n"
    small = json.dumps({"article_id": "a", "text": "fine"}).encode() + b"\n"
    result = stream_jsonl(big + small, max_line_bytes=1 << 20)
    assert not isinstance(result, ParseError)
    assert [c.text for c in result[0].comments] == ["fine"]
    assert [p.kind for p in result[0].problems] == ["rejected_line"]


def test_jsonl_whose_first_line_outgrows_the_sniff_window_is_still_jsonl():
    big = json.dumps({"article_id": "a", "comment_id": "1", "text": "word " * 40_000}).encode() + b"\n"
    assert choose_reader(big, "c.jsonl").name == "jsonl"
    with contextlib.suppress(ParseError):  # no reader, or another one: not taken for comment JSONL
        assert choose_reader(b'{"title": "' + b"x" * 100_000, "c.jsonl").name != "jsonl"
