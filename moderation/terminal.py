"""Text from inputs made safe to print on a terminal.

Comment text, author names, ids, titles and file names come from untrusted files. Printed
raw, an ESC sequence can clear the screen, set the window title, hide text (SGR 8), or
plant a clickable OSC-8 link; a C1 control (U+0080-U+009F) does the same on terminals that
honour 8-bit controls; a bidi override (U+202E) reverses the text after it. `printable`
replaces each such character with a visible escape (`\\x1b`, `\\x9b`, `\\u202e`), so the
reader sees that it was there and the terminal never acts on it. Stdlib only.
"""

from __future__ import annotations

# C0 controls and DEL, C1 controls, bidi embeddings/overrides/isolates and marks, and the
# Unicode line/paragraph separators (which some terminals treat as a line break).
_C0 = [*range(0x00, 0x20), 0x7F]
_C1 = list(range(0x80, 0xA0))
_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_SEPARATORS = [0x2028, 0x2029]


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE: dict[int, str] = {code: _escape(code) for code in (*_C0, *_C1, *_BIDI, *_SEPARATORS)}
_TABLE_KEEP_LINES = {**_TABLE, ord("\n"): "\n"}


def printable(text: str, keep_newlines: bool = False) -> str:
    """`text` with every terminal control character replaced by a visible escape.

    Tabs and carriage returns are escaped too (a CR can overwrite what was printed); with
    `keep_newlines`, "\\n" stays a line break (multi-line text such as a report).
    """
    return text.translate(_TABLE_KEEP_LINES if keep_newlines else _TABLE)
