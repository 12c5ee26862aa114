"""Hostile inputs for readers, shared by the fuzz tests and benchmarks/fuzz_readers.py."""

from __future__ import annotations

import io
import random
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from moderation.errors import ParseError
from moderation.parse import jsonl
from moderation.parse.base import Reader
from moderation.schema import Article

ROOT = Path(__file__).resolve().parents[1]
_PROSE = "A body paragraph that is long enough to count as prose, surely."


def sample_files() -> list[bytes]:
    """Real inputs to mutate: the seeds and every fixture that is an input, not an expectation."""
    files = sorted((ROOT / "seeds").glob("*")) + sorted(
        p for p in (ROOT / "tests" / "fixtures").rglob("*") if p.is_file() and p.suffix != ".json"
    )
    return [p.read_bytes() for p in files if p.is_file()]


class ReaderTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail (ReaderTimeout) when the body uses more than `seconds` of CPU time (main thread, Unix).

    CPU time, not wall-clock time: on a loaded machine a reader waiting for a core is not
    hanging, while a reader in a runaway loop spends CPU and is stopped either way."""

    def expire(signum, frame):  # type: ignore[no-untyped-def]
        raise ReaderTimeout(f"reader used more than {seconds}s of CPU")

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def read_with(reader: Reader, data: bytes, seconds: float = 10.0) -> list[Article] | ParseError:
    """A reader's articles, or the ParseError it raised; any other exception propagates."""
    with time_limit(seconds):
        try:
            articles = reader.read(data, "fuzz-input", "fuzz")
        except ParseError as exc:
            return exc
    assert isinstance(articles, list) and all(isinstance(a, Article) for a in articles)
    for article in articles:
        ids = [c.comment_id for c in article.comments]
        assert len(ids) == len(set(ids)), "comment ids must be unique within an article"
    return articles


def stream_jsonl(data: bytes, seconds: float = 10.0, max_line_bytes: int = 1 << 20) -> list[Article] | ParseError:
    """The streaming JSONL reader over `data`, with the same contract as `read_with`."""
    stats = jsonl.JsonlStats()
    with time_limit(seconds):
        try:
            articles = list(jsonl.iter_articles(io.BytesIO(data), "fuzz-input", stats, max_line_bytes))
        except ParseError as exc:
            return exc
    parsed = sum(len(a.comments) for a in articles)
    assert stats.lines == parsed + stats.rejected, "every non-blank line is a comment or a rejected line"
    return articles


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One random damage: truncate, flip bytes, insert NULs, splice Latin-1 or junk, repeat lines."""
    kind = rng.randrange(8)
    n = len(data)
    if kind == 0 and n:
        return data[: rng.randrange(n)]
    if kind == 1 and n:
        out = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            out[rng.randrange(n)] = rng.randrange(256)
        return bytes(out)
    if kind == 2:
        at = rng.randrange(n + 1)
        return data[:at] + b"\x00" * rng.randint(1, 8) + data[at:]
    if kind == 3:
        at = rng.randrange(n + 1)
        return data[:at] + "café crème à la ümlaut".encode("latin-1") + data[at:]
    if kind == 4:
        lines = data.splitlines(keepends=True)
        if lines:
            i = rng.randrange(len(lines))
            lines[i : i + 1] = [lines[i]] * rng.randint(2, 200)
        return b"".join(lines)
    if kind == 5:
        at = rng.randrange(n + 1)
        return data[:at] + rng.randbytes(rng.randint(1, 256)) + data[at:]
    if kind == 6:
        junk = rng.choice([b"<div>" * 2000, b"{" * 5000, b"[" * 5000, b"\xef\xbb\xbf", b"\r\r\n\n" * 50,
                           "• avatar\n  in reply to\n".encode() * 100, b" " * 100_000])  # fmt: skip
        at = rng.randrange(n + 1)
        return data[:at] + junk + data[at:]
    return rng.randbytes(rng.randint(0, 4096))


def deep_reply_chain_text_page(depth: int) -> bytes:
    """A plain-text page whose comments each reply to the one before: a `depth`-deep thread."""
    head = (
        "Deep thread page title\n\nA body paragraph that is long enough to count as prose, surely.\n\nAll comments\n\n"
    )
    parts = ["• user0\n  the first comment.\n"]
    for i in range(1, depth):
        parts.append(f"• user{i}in reply touser{i - 1}(Show commentHide comment)\n  reply number {i}.\n")
    return (head + "".join(parts)).encode("utf-8")


def deep_reply_chain_jsonl(depth: int) -> bytes:
    import json

    rows = [{"article_id": "a", "comment_id": "0", "text": "root"}]
    rows += [
        {"article_id": "a", "comment_id": str(i), "parent_id": str(i - 1), "text": f"r{i}"} for i in range(1, depth)
    ]
    return "".join(json.dumps(r) + "\n" for r in rows).encode("utf-8")


def huge_comment_text_page(n_bytes: int) -> bytes:
    head = (
        "Huge comment page title\n\nA body paragraph that is long enough to count as prose, surely.\n\nAll comments\n\n"
    )
    word = "blah "
    return (head + "• someone\n  " + word * (n_bytes // len(word)) + "\n").encode("utf-8")


def nested_html(depth: int) -> bytes:
    return b"<html><body>" + b"<div>" * depth + b"text" + b"</div>" * depth + b"</body></html>"


# --- issue 16's cases: hidden text in markup, escape sequences, long words, id collisions ------

TERMINAL_ESCAPES = [
    "\x1b[2J\x1b[H",
    "\x1b]0;title\x07",
    "\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "\x1b[8mhidden\x1b[0m",
    "\x9b31m",
    "\x9d0;t\x9c",
    "\u202etxt.exe",
    "\u2067x\u2069",
    "\r",
    "\x08\x08",
]


def escape_sequences(data: bytes, rng: random.Random) -> bytes:
    """Terminal control sequences spliced in (raw UTF-8, or as character references)."""
    seq = rng.choice(TERMINAL_ESCAPES)
    raw = seq.encode("utf-8") if rng.random() < 0.7 else "".join(f"&#{ord(c)};" for c in seq).encode("ascii")
    at = rng.randrange(len(data) + 1)
    return data[:at] + raw + data[at:]


def long_word(data: bytes, rng: random.Random) -> bytes:
    """One unbroken run of 1,000 to 200,000 letters spliced in."""
    size = rng.choice([1_000, 10_000, 50_000, 200_000])
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice([b"a", b"x", "\u00e9".encode()]) * size + data[at:]


def mutate_hostile(data: bytes, rng: random.Random) -> bytes:
    """`mutate`, or one of issue 16's damages (escape sequences, a long word)."""
    kind = rng.random()
    if kind < 0.15:
        return escape_sequences(data, rng)
    if kind < 0.2:
        return long_word(data, rng)
    return mutate(data, rng)


def _marker(rng: random.Random, n: int) -> str:
    return "zq" + "".join(rng.choice("bcdfghjkmnpvwx") for _ in range(8)) + f"n{n}"


def _hide(marker: str, rng: random.Random) -> str:
    """`marker` inside markup that has hidden comment text from readers before."""
    depth = rng.choice([1, 3, 40, 254, 255, 256, 300])
    shapes = [
        "<span>" * depth + marker + "</span>" * depth,
        f"Caf&eacute; &amp; cr&egrave;me &nbsp; {marker}",
        f"&#233;&#x1F600; {marker}",
        f"<p>Hi <b>bold</b> and <i>it</i></p><p>{marker}</p>",
        f"<!-- a comment --> {marker}",
        f"<div><p><a href='x'>link</a> {marker}</p></div>",
        f"<br/><br>{marker}",
        f"<span style='display:none'>{marker}</span>",
    ]
    return rng.choice(shapes)


def _xml_payload(html: str, rng: random.Random) -> str:
    """Message markup as an export carries it: CDATA, or XML-escaped text."""
    if rng.random() < 0.5 and "]]>" not in html:
        return f"<![CDATA[{html}]]>"
    return html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def hidden_text_export(rng: random.Random) -> tuple[str, bytes, list[str]]:
    """A Disqus or WordPress export whose comments hide a marker word in markup, with repeated
    (colliding) post and comment ids. Returns (reader name, data, markers that must be read)."""
    n_posts = rng.randint(1, 6)
    markers = [_marker(rng, i) for i in range(n_posts)]
    ids = [str(rng.choice([1, 2, 3, 4, 5, 6, 7, 8])) for _ in range(n_posts)]  # collisions on purpose
    if rng.random() < 0.5:
        posts = []
        for marker, pid in zip(markers, ids, strict=True):
            parent = f'<parent dsq:id="{rng.choice(ids)}"/>' if rng.random() < 0.4 else ""
            body = _xml_payload(_hide(marker, rng), rng)
            posts.append(
                f'<post dsq:id="{pid}"><message>{body}</message><author><name>a{pid}</name></author>'
                f'<thread dsq:id="t{rng.randint(1, 2)}"/>{parent}</post>'
            )
        data = (
            '<?xml version="1.0"?>\n<disqus xmlns="http://disqus.com" '
            'xmlns:dsq="http://disqus.com/disqus-internals">\n'
            '<thread dsq:id="t1"><title>One</title></thread><thread dsq:id="t1"><title>Again</title></thread>\n'
            + "\n".join(posts)
            + "\n</disqus>\n"
        )
        return "disqus", data.encode("utf-8"), markers
    post_ids = ["18", "19", "18"]  # a repeated post_id
    comments: list[list[str]] = [[] for _ in post_ids]
    for marker, cid in zip(markers, ids, strict=True):
        comments[rng.randrange(len(post_ids))].append(
            f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
            f"<wp:comment_author>a{cid}</wp:comment_author>"
            f"<wp:comment_content>{_xml_payload(_hide(marker, rng), rng)}</wp:comment_content>"
            f"<wp:comment_parent>{rng.choice(['0', *ids])}</wp:comment_parent></wp:comment>"
        )
    items = [
        f"<item><title>Post {pid}</title><wp:post_id>{pid}</wp:post_id>"
        f"<wp:post_type>post</wp:post_type>{''.join(c)}</item>"
        for pid, c in zip(post_ids, comments, strict=True)
    ]
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel>' + "".join(items) + "</channel></rss>\n"
    )
    return "wordpress", data.encode("utf-8"), markers


def colliding_jsonl(rng: random.Random) -> bytes:
    """Comment JSONL with repeated comment ids, self- and cyclic parents, ids shared across articles."""
    import json

    rows = []
    for i in range(rng.randint(1, 40)):
        cid = str(rng.randint(0, 6))
        rows.append(
            {
                "article_id": rng.choice(["a", "a", "b", "a#1", "a~2"]),
                "comment_id": rng.choice([cid, cid, "7", "a#1", "c1~2"]),
                "parent_id": rng.choice([None, cid, str(rng.randint(0, 6)), "missing"]),
                "author": rng.choice(["x", None, "\x1b[2J"]),
                "text": f"comment {i} " + rng.choice(["", "\u202e", "\x1b]8;;x\x1b\\"]),
            }
        )
    return "".join(json.dumps(r) + "\n" for r in rows).encode("utf-8")


def texts_of(result: list[Article] | ParseError) -> str:
    if isinstance(result, ParseError):
        return ""
    return "\n".join(c.text for a in result for c in a.comments)


def has_problems(result: list[Article] | ParseError) -> bool:
    return not isinstance(result, ParseError) and any(a.problems for a in result)
