"""The one reading path: input paths -> uniquely named articles, with every input accounted for.

    state = ReadState()
    for article in iter_articles(list_inputs(paths), state, format=None):
        ...                                   # state.inputs, state.errors, state.collisions grow

`moderate parse`, `moderate score` and the API all read through `iter_articles`. Streaming
readers (JSONL) are read line by line; every other format is read whole, within
`max_input_bytes`. Files are visited in order (sorted within each folder).

Ids: an article id is unique across the whole run by construction. When a reader produces
an id that an earlier article already has (a page `x.txt` beside JSONL rows for article
`x`, two exports with the same thread id), the later article is renamed `<id>~<n>` with
all its comment ids, and the rename is reported as an `id_collision` problem on the
article and in `ReadState.collisions` (run.json `id_collisions`).

Article files are joined to their comment files (`parse/join.py`): files whose first bytes
show article context only are read first; each article with comments takes the context of
the same platform article id; contexts nothing joined come after every other article. Such
a file's `InputFile.article_ids` are the ids its reader gave (see `context_from`).

What is not read is said: missing paths and empty folders are `UsageError` (before any
work); unreadable subfolders, FIFOs, sockets, dangling symlinks and symlink loops found
while walking a folder are fatal `FileError`s (the exit code says some input was not read);
the files of an earlier run's output folder (articles.jsonl, comments.jsonl, ... beside a
run.json written by this tool) are skipped unless named explicitly; so is a file found in a
folder from which a page reader read neither a comment nor article text (a downloaded data
folder's README.txt or LICENSE.txt): skipped files are listed in run.json `errors` with
`skipped: true` and the reason, counted in `counts.files_skipped`, and never change the exit
code. A file named directly is always read as its reader reads it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from moderation.errors import ParseError, UsageError
from moderation.parse.assemble import rename_article
from moderation.parse.base import DEFAULT_MAX_INPUT_BYTES, read_limited
from moderation.parse.detect import check_format, choose_reader
from moderation.parse.join import Joiner
from moderation.schema import OUTPUT_FILES, Article, Problem

_HEAD_BYTES = 1 << 16  # what format detection sees of a streamed file
# Readers of free-form pages: a file found in a folder that they read nothing from is skipped.
PAGE_READERS: frozenset[str] = frozenset({"text_page", "html_page"})


@dataclass(frozen=True, slots=True)
class FileError:
    """A problem with one input. `fatal`: nothing could be read from it."""

    path: str
    problem: str
    fatal: bool = True
    skipped: bool = False  # not read on purpose (found in a folder, not comments): `problem` says why

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "problem": self.problem, "fatal": self.fatal}
        if self.skipped:
            out["skipped"] = True
        return out


@dataclass(frozen=True, slots=True)
class InputFile:
    """Provenance of one input file that was read."""

    path: str
    sha256: str
    bytes: int
    format: str
    article_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "format": self.format,
            "article_ids": list(self.article_ids),
        }


@dataclass(frozen=True, slots=True)
class InputEntry:
    """A file to read, or (problem set) something under an input folder that cannot be read."""

    path: Path
    problem: str | None = None
    fatal: bool = True
    walked: bool = False  # found in a folder (not named by the user)
    skipped: bool = False


@dataclass(slots=True)
class ReadState:
    """What reading has found so far; one per run."""

    bytes_total: int = 0
    bytes_done: int = 0
    inputs: list[InputFile] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # comments_read, comments_rejected
    collisions: list[dict[str, str]] = field(default_factory=list)
    _first_path: dict[str, str] = field(default_factory=dict)  # article id -> path that used it first
    _next_suffix: dict[str, int] = field(default_factory=dict)

    def unique(self, article: Article, path: str) -> Article:
        """`article`, renamed when an earlier article of the run has its id (reported)."""
        original = article.article_id
        if original not in self._first_path:
            self._first_path[original] = path
            return article
        n = self._next_suffix.get(original, 2)
        while f"{original}~{n}" in self._first_path:
            n += 1
        self._next_suffix[original] = n + 1
        new_id = f"{original}~{n}"
        first = self._first_path[original]
        rename_article(article, new_id)
        self._first_path[new_id] = path
        detail = f"article id {original!r} is already used by {first}; renamed {new_id!r}"
        article.problems.insert(0, Problem("id_collision", detail))
        self.collisions.append({"path": path, "article_id": original, "renamed_to": new_id, "first_in": first})
        return article


def list_inputs(paths: Iterable[str | Path], skip: Path | None = None) -> list[InputEntry]:
    """Every file under `paths` (sorted within each folder) and every entry that cannot be read.

    UsageError when a path does not exist, names something other than a file or folder, or
    is a folder holding no file. `skip`: a folder never walked into (the run's output folder).
    """
    out: list[InputEntry] = []
    given = [Path(p) for p in paths]
    if not given:
        raise UsageError("no input given")
    for path in given:
        if path.is_dir():
            found = _walk(path, skip)
            if not any(e.problem is None for e in found) and not any(e.fatal for e in found if e.problem):
                raise UsageError(f"{path}: folder holds no input files")
            out.extend(found)
        elif path.is_file():
            out.append(InputEntry(path))
        elif path.exists():
            raise UsageError(f"{path}: not a regular file or folder")
        elif path.is_symlink():
            raise UsageError(f"{path}: dangling symbolic link")
        else:
            raise UsageError(f"{path}: no such file or folder")
    return out


def _walk(root: Path, skip: Path | None) -> list[InputEntry]:
    """Files under `root` in sorted order, without following a symlink into a folder seen before."""
    out: list[InputEntry] = []
    seen: set[tuple[int, int]] = set()
    skip_resolved = skip.resolve() if skip is not None else None

    def visit(folder: Path) -> None:
        try:
            info = folder.stat()
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            out.append(InputEntry(folder, f"cannot read folder: {exc.strerror or exc}"))
            return
        if (info.st_dev, info.st_ino) in seen:
            out.append(InputEntry(folder, "symbolic link loop (folder already visited)"))
            return
        seen.add((info.st_dev, info.st_ino))
        names = {e.name for e in entries}
        earlier_output = "run.json" in names and _written_by_us(folder / "run.json")
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue  # hidden files and folders (caches, staging, locks) are never input
            if earlier_output and entry.name in OUTPUT_FILES:
                problem = "output of an earlier moderate run (name the file to read it)"
                out.append(InputEntry(path, problem, fatal=False, walked=True, skipped=True))
                continue
            try:
                mode = path.stat().st_mode  # follows symlinks
            except OSError as exc:
                problem = (
                    "symbolic link loop"
                    if exc.errno == errno.ELOOP
                    else ("dangling symbolic link" if entry.is_symlink() else f"cannot read: {exc.strerror or exc}")
                )
                out.append(InputEntry(path, problem))
                continue
            if stat.S_ISDIR(mode):
                if skip_resolved is not None and path.resolve() == skip_resolved:
                    continue
                visit(path)
            elif stat.S_ISREG(mode):
                out.append(InputEntry(path, walked=True))
            else:
                out.append(InputEntry(path, f"not a regular file ({_kind(mode)}); not read"))

    visit(root)
    return out


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def _written_by_us(run_json: Path) -> bool:
    try:
        with run_json.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return False
    return '"package": "moderate"' in head


def iter_articles(
    entries: Iterable[InputEntry],
    state: ReadState,
    format: str | None = None,
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES,
) -> Iterator[Article]:
    """Uniquely named articles of every readable entry, in order (article files first, joined
    to their comments; what nothing joined last); problems go to `state`."""
    check_format(format)
    entries = list(entries)
    state.bytes_total += input_bytes(entries)
    joiner = Joiner()
    first = [e for e in entries if e.problem is None and holds_context(e.path, format)]
    read_first = {id(e) for e in first}
    for entry in first:
        for article in _read_counted(entry, state, format, max_input_bytes):
            joiner.hold((article, str(entry.path)), article)
    for entry in entries:
        if entry.problem is not None:
            state.errors.append(FileError(str(entry.path), entry.problem, entry.fatal, entry.skipped))
            continue
        if id(entry) in read_first:
            continue
        for article in _read_counted(entry, state, format, max_input_bytes):
            yield state.unique(joiner.join(article), str(entry.path))
    for article, path in joiner.leftovers():
        yield state.unique(article, path)


def _read_counted(entry: InputEntry, state: ReadState, format: str | None, max_bytes: int) -> Iterator[Article]:
    before = state.bytes_done
    yield from read_entry(entry.path, state, format, max_bytes, walked=entry.walked)
    state.bytes_done = before + _size(entry.path)


def holds_context(path: Path, format: str | None) -> bool:
    """Whether the file's first bytes show article context only (comments in other files)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
        reader = choose_reader(head, str(path), format) if head.strip() else None
    except (OSError, ParseError):
        return False  # read_entry reports it in its turn
    return reader is not None and reader.context is not None and reader.context(head)


def read_entry(
    path: Path, state: ReadState, format: str | None, max_bytes: int, walked: bool = False
) -> Iterator[Article]:
    """The articles of one file as its reader names them (`iter_articles` makes ids unique
    across the run); problems, counts and the file's provenance go to `state`. A file found
    in a folder (`walked`) that a page reader read without finding a comment or a paragraph of
    article text (a data folder's README.txt, LICENSE.txt, a CSV no reader knows) is skipped:
    listed in `state.errors` as skipped, with the reason, and no article of the run."""
    name = str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
        reader = choose_reader(head, name, format) if format is not None or head.strip() else None
        if reader is not None and reader.stream is not None:
            yield from _stream(path, reader.name, reader.stream, state)
            return
        data = read_limited(path, max_bytes)
        reader = choose_reader(data, name, format)
        articles = reader.read(data, name, path.stem)
    except ParseError as exc:
        state.errors.append(FileError(name, exc.problem))
        return
    except OSError as exc:
        state.errors.append(FileError(name, f"cannot read: {exc.strerror or exc}"))
        return
    except RecursionError:
        state.errors.append(FileError(name, "input nested too deeply to read"))
        return
    except Exception as exc:  # a reader bug costs that one file, never the run
        state.errors.append(FileError(name, f"reader failed: {type(exc).__name__}: {exc}"))
        return
    if walked and format is None and not_comments(reader.name, articles):
        found = f"read as {reader.name}; name the file to read it"
        problem = f"not comments: no comment and no article text found ({found})"
        state.errors.append(FileError(name, problem, fatal=False, skipped=True))
        return
    for article in articles:
        if not article.comments and any(p.kind == "no_comment_section" for p in article.problems):
            state.errors.append(FileError(name, "comment section found but no comment could be read", fatal=False))
    state.counts["comments_read"] += sum(len(a.comments) for a in articles)
    ids: list[str] = []
    articles.reverse()  # hand articles over one by one, dropping each once yielded
    while articles:
        article = articles.pop()
        ids.append(article.article_id)
        yield article
        ids[-1] = article.article_id  # as renamed by `ReadState.unique`
    state.inputs.append(InputFile(name, hashlib.sha256(data).hexdigest(), len(data), reader.name, tuple(ids)))


def not_comments(reader_name: str, articles: list[Article]) -> bool:
    """Whether a page reader (the readers of free-form text and HTML) found nothing in a file:
    no comment and no paragraph of article text. Exports are never judged so: an export
    thread without comments is still a thread."""
    if reader_name not in PAGE_READERS:
        return False
    return not any(a.comments or a.body for a in articles)


def _stream(path: Path, format_name: str, stream: Any, state: ReadState) -> Iterator[Article]:
    from moderation.parse.jsonl import JsonlStats

    stats = JsonlStats()
    digest = hashlib.sha256()
    ids: list[str] = []
    base = state.bytes_done
    try:
        with path.open("rb") as raw:
            for article in stream(_HashingReader(raw, digest), str(path), stats):
                state.bytes_done = base + stats.bytes_read
                ids.append(article.article_id)
                yield article
                ids[-1] = article.article_id  # as renamed by `ReadState.unique`
    except ParseError as exc:
        state.errors.append(FileError(str(path), exc.problem))
    except OSError as exc:
        state.errors.append(FileError(str(path), f"cannot read: {exc.strerror or exc}", fatal=not ids))
    finally:
        state.counts["comments_read"] += stats.lines
        state.counts["comments_rejected"] += stats.rejected
    if ids:
        state.inputs.append(InputFile(str(path), digest.hexdigest(), stats.bytes_read, format_name, tuple(ids)))


class _HashingReader:
    """A binary file whose `readline` feeds every byte read into a hash."""

    def __init__(self, raw: IO[bytes], digest: Any) -> None:
        self._raw = raw
        self._digest = digest

    def readline(self, size: int = -1) -> bytes:
        line = self._raw.readline(size)
        self._digest.update(line)
        return line


def input_bytes(entries: Iterable[InputEntry]) -> int:
    """The bytes of the readable entries (what a run's progress counts through)."""
    return sum(_size(e.path) for e in entries if e.problem is None)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
