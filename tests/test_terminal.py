"""Nothing from an input file reaches the terminal as a control sequence."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from moderation.cli import app
from moderation.terminal import printable

# Every character a terminal may act on: C0 (but newline), DEL, C1, bidi controls, separators.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

PAYLOADS = {
    "clear": "\x1b[2J\x1b[H",
    "title": "\x1b]0;pwned\x07",
    "osc8": "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "hidden": "\x1b[8mhidden text\x1b[0m",
    "csi_c1": "\x9b31mred\x9b0m",
    "osc_c1": "\x9d0;title\x9c",
    "bidi": "abc\u202etxt.exe\u202c",
    "isolate": "\u2067evil\u2069",
    "cr": "safe\rOVERWRITE",
    "backspace": "ok\x08\x08XX",
    "bell": "\x07\x07",
}


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_printable_leaves_no_control_character(name):
    out = printable(PAYLOADS[name])
    assert not UNSAFE.search(out)
    assert out.replace("\\", "") != PAYLOADS[name]


def test_printable_shows_what_was_there_and_keeps_ordinary_text():
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("x\u202ey") == "x\\u202ey"
    assert printable("\x9b") == "\\x9b"
    plain = "Zoë wrote: 日本語, مرحبا, emoji 👩\u200d👩\u200d👧 – fine."
    assert printable(plain) == plain
    assert printable("two\nlines\ttab") == "two\\x0alines\\x09tab"
    assert printable("two\nlines", keep_newlines=True) == "two\nlines"


def _hostile_jsonl(path, payload: str) -> None:
    rows = [
        {
            "article_id": f"art{payload}",
            "comment_id": f"c1{payload}",
            "parent_id": None,
            "author": f"author{payload}",
            "text": f"You fucking idiot, shit shit {payload} damn you all to hell, asshole.",
        },
        {
            "article_id": f"art{payload}",
            "comment_id": f"c2{payload}",
            "parent_id": f"c1{payload}",
            "author": f"second{payload}",
            "text": f"Visit http://spam.example{payload} now, fucking bullshit {payload}",
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_score_prints_no_control_character_from_text_authors_ids_or_file_names(tmp_path):
    payload = "".join(PAYLOADS.values())
    src = tmp_path / "in"
    src.mkdir()
    _hostile_jsonl(src / "comments.jsonl", payload)
    # a file name carrying a sequence, unreadable as any format: its name is printed in an error
    (src / "bad\x1b]0;pwned\x07\u202ename.html").write_bytes(b"\x00\x01\x02 binary \xff\xfe" * 10)
    runner = CliRunner()
    result = runner.invoke(app, ["score", str(src), "-o", str(tmp_path / "out"), "-p", "fast", "--no-cache"])
    assert result.exit_code in (0, 1), result.output
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "\\x1b" in output and "pwned" in output  # the hostile name is shown, defused
    assert "\\u202e" in output
    found = UNSAFE.findall(output)
    assert not found, sorted(set(found))


def test_parse_and_report_print_no_control_character(tmp_path):
    payload = "".join(PAYLOADS.values())
    out = tmp_path / f"out{PAYLOADS['title']}"
    src = tmp_path / "c.jsonl"
    _hostile_jsonl(src, payload)
    runner = CliRunner()
    for args in (
        ["parse", str(src), "-o", str(out)],
        ["score", str(src), "-o", str(out), "-p", "fast"],
        ["report", str(out)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert not UNSAFE.findall(result.output), args[0]
        assert "pwned" in result.output


def test_a_library_error_message_is_defused(tmp_path):
    missing = tmp_path / "no\x1b[2Jsuch"
    result = CliRunner().invoke(app, ["score", str(missing), "-o", str(tmp_path / "o"), "-p", "fast"])
    assert result.exit_code != 0
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "\\x1b[2J" in output
    assert not UNSAFE.findall(output)
