"""What the `moderate` command prints (rich): the progress bar, error lines, the article
table and the top flagged comments. Presentation only (and the exit code an error maps to); cli.py calls these."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from moderation.terminal import printable

if TYPE_CHECKING:
    from moderation.errors import ModerationError
    from moderation.parse.inputs import FileError
    from moderation.run import RunResult
    from moderation.schema import Flag

out = Console()
err = Console(stderr=True)
PREVIEW_WINDOW = 2000  # characters of a comment read for its 160-character preview


def progress_bar(quiet: bool) -> Progress:
    """Bytes of input read (the total is known up front), comments written and their rate."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[comments]} comments"),
        _RateColumn(),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
        transient=True,
    )


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        comments = task.fields.get("comments", 0)
        return Text(f"{comments / elapsed:,.0f}/s" if elapsed > 0 and comments else "-/s")


def print_errors(errors: list[FileError]) -> None:
    for e in errors:
        label = "error" if e.fatal else ("skipped" if e.skipped else "warning")
        colour = "red" if e.fatal else ("dim" if e.skipped else "yellow")
        err.print(
            f"[{colour}]{label}:[/{colour}] {escape(printable(e.path))}: {escape(printable(e.problem))}",
            highlight=False,
            soft_wrap=True,
        )


def print_articles(summary: RunResult) -> None:
    counts = summary.counts
    table = Table(title="Articles", title_justify="left")
    table.add_column("article", no_wrap=True, min_width=20)
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=max(10, out.width - 70))
    for column in ("comments", "threads", "flagged", "sentiment"):
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    for a in summary.article_rows:
        table.add_row(
            Text(printable(a.article_id)),
            Text(printable(f"{a.site or '-'}: {a.title or '-'}"[:60])),
            str(a.comments),
            str(a.threads),
            str(a.flagged),
            "-" if a.sentiment_mean is None else f"{a.sentiment_mean:+.2f}",
        )
    if summary.article_rows:
        out.print(table)
    if counts["documents"] > len(summary.article_rows):
        out.print(f"(first {len(summary.article_rows)} articles listed; all are in articles.jsonl)")
    out.print(
        f"{counts['documents']} articles, {counts['comments_parsed']} comments, {counts['comments_flagged']} flagged"
        + (
            f", {n} not scored (placeholders, taken down, other languages)."
            if (n := counts["comments_not_scored"])
            else "."
        ),
        highlight=False,
    )
    out.print("sentiment: mean of positive - negative per comment, from -1 to +1.", style="dim", highlight=False)
    if counts["comments_failed"] or counts["comments_rejected"]:
        out.print(
            f"{counts['comments_failed']} comments could not be scored (score_error in comments.jsonl); "
            f"{counts['comments_rejected']} input lines were not comments (see run.json problems).",
            highlight=False,
        )


def print_flagged(summary: RunResult, top: int) -> None:
    flagged = summary.top_flagged  # most severe first
    total = summary.counts["comments_flagged"]
    if not flagged or top <= 0:
        return
    table = Table(
        title=f"Top flagged comments, most severe first ({min(top, len(flagged))} of {total})",
        title_justify="left",
        show_lines=True,
    )
    table.add_column("sev", justify="right", no_wrap=True)
    table.add_column("comment", overflow="fold", max_width=24)
    table.add_column("reasons", overflow="fold", ratio=2)
    table.add_column("text", overflow="fold", ratio=3)
    for c in flagged[:top]:
        article, _, number = c.comment.comment_id.rpartition("#")  # shown as two lines, not folded mid-id
        who = Text(printable(article) + "\n#" + printable(number) if article else printable(c.comment.comment_id))
        who.append(" " + printable(c.comment.author or "(unknown)"), style="dim")
        reasons = Text("\n".join(printable(_reason(f)) for f in c.flags))
        text = printable(" ".join(c.comment.text[:PREVIEW_WINDOW].split()))  # not the whole of a 50 MB text
        table.add_row(f"{c.severity:.2f}", who, reasons, Text(text[:160] + ("…" if len(text) > 160 else "")))
    out.print(table)


def _reason(flag: Flag) -> str:
    detail = f" {flag.detail[:60]}" if flag.detail else ""
    if flag.score == flag.threshold == 1.0:
        return f"{flag.reason}{detail}"
    return f"{flag.reason} {flag.score:.2f}≥{flag.threshold:.2f}{detail}"


def exit_for(exc: ModerationError) -> typer.Exit:
    """One line on stderr; exit 2 (bad usage), or 1 when a finished run was not published."""
    from moderation.writers import RunNotPublished

    if isinstance(exc, RunNotPublished):
        print_errors(exc.errors)
    err.print(f"[red]error:[/red] {escape(printable(str(exc)))}", highlight=False, soft_wrap=True)
    return typer.Exit(1 if isinstance(exc, RunNotPublished) else 2)
