"""The `moderate` command: parse options, call the API, print. No logic of its own.

Exit codes: 0 all good; 1 some inputs could not be read (the others were processed);
2 bad usage or configuration; 130 interrupted (Ctrl-C), re-running resumes from the cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from moderation.errors import ModerationError

app = typer.Typer(
    name="moderate",
    help=(
        "Moderate reader comments on news pages: parse, score, flag, report.\n\n"
        "Exit codes: 0 all good; 1 some inputs failed (the others were processed); 2 bad usage; "
        "130 interrupted (Ctrl-C): scores done so far are kept, re-run the same command to resume."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
out = Console()
err = Console(stderr=True)

PathsArg = Annotated[list[Path], typer.Argument(help="Files or folders to read.", show_default=False)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")]
FormatOpt = Annotated[
    str | None, typer.Option("--format", "-f", help="Input format (default: detected from each file's content).")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors and the output folder.")]


def _fail(exc: ModerationError) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


@app.command()
def score(
    paths: PathsArg,
    out_dir: OutOpt = Path("out"),
    preset: Annotated[str, typer.Option("--preset", "-p", help="Preset name from configs/.")] = "default",
    config: Annotated[Path | None, typer.Option("--config", help="A preset TOML file (overrides --preset).")] = None,
    format: FormatOpt = None,
    quiet: QuietOpt = False,
    top: Annotated[int, typer.Option(help="How many flagged comments to list.")] = 10,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", min=1, help="Comments scored per chunk (articles are never split).")
    ] = 2000,
    cache: Annotated[
        Path | None, typer.Option("--cache", help="Scores cache file (default: OUT/.cache/scores.sqlite).")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the scores cache.")] = False,
    max_input_mb: Annotated[
        int, typer.Option("--max-input-mb", min=1, help="Refuse page/export files larger than this (JSONL streams).")
    ] = 256,
) -> None:
    """Parse, score and flag comments; write JSONL, run.json and report.html into --out.

    Large inputs are streamed in chunks; a re-run after an interruption resumes from the
    scores cache and writes the same outputs. Ctrl-C exits with code 130.
    """
    from moderation.api import Moderator
    from moderation.runner import RunInterrupted, RunOptions, run

    options = RunOptions(
        format=format,
        chunk_comments=chunk_size,
        use_cache=not no_cache,
        cache_path=cache,
        top_flagged=top,
        max_input_bytes=max_input_mb * 1024 * 1024,
    )
    try:
        moderator = Moderator(config if config is not None else preset)
        with _progress(quiet) as progress:
            task = progress.add_task("scoring", total=None, comments=0)
            summary = run(
                moderator,
                paths,
                out_dir,
                options,
                progress=lambda p: progress.update(
                    task, completed=p.bytes_done, total=max(p.bytes_total, 1), comments=p.comments_done
                ),
            )
    except RunInterrupted as exc:
        where = f" (scores cache: {exc.cache_path})" if exc.cache_path is not None else " (no cache: nothing kept)"
        err.print(
            Text(
                f"Interrupted: {exc.comments_saved} comments were scored and saved{where}; "
                "run the same command again to resume."
            ),
            soft_wrap=True,
        )
        raise typer.Exit(130) from None
    except ModerationError as exc:
        raise _fail(exc) from None
    _print_errors(summary.errors)
    if not quiet:
        _print_articles(summary)
        _print_flagged(summary, top)
        missing = summary.provenance["scores_not_produced"]
        if missing:
            out.print(f"Preset [bold]{summary.provenance['preset']}[/bold] does not produce: {', '.join(missing)}")
    out.print(Text(f"Wrote {', '.join(p.name for p in summary.written.values())} to {out_dir}/"), soft_wrap=True)
    raise typer.Exit(1 if summary.has_fatal_errors else 0)


@app.command()
def parse(paths: PathsArg, out_dir: OutOpt = Path("out"), format: FormatOpt = None, quiet: QuietOpt = False) -> None:
    """Parse pages into articles.jsonl and comments.jsonl (no models)."""
    from moderation.api import Moderator
    from moderation.writers import write_parsed

    try:
        parsed = Moderator("fast").parse_paths(paths, format=format)
        written = write_parsed(parsed, out_dir)
    except ModerationError as exc:
        raise _fail(exc) from None
    _print_errors(parsed.errors)
    if not quiet:
        n_comments = sum(len(a.comments) for a in parsed.articles)
        out.print(f"Read {len(parsed.articles)} articles with {n_comments} comments.")
    out.print(Text(f"Wrote {', '.join(p.name for p in written.values())} to {out_dir}/"), soft_wrap=True)
    raise typer.Exit(1 if any(e.fatal for e in parsed.errors) else 0)


def _progress(quiet: bool) -> Progress:
    """Bytes of input read (the total is known up front), comments written and their rate."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[comments]} comments"),
        _RateColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
        transient=True,
    )


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        comments = task.fields.get("comments", 0)
        return Text(f"{comments / elapsed:,.0f}/s" if elapsed > 0 and comments else "-/s")


def _print_errors(errors) -> None:  # type: ignore[no-untyped-def]
    for e in errors:
        label = "error" if e.fatal else "warning"
        colour = "red" if e.fatal else "yellow"
        err.print(
            f"[{colour}]{label}:[/{colour}] {escape(e.path)}: {escape(e.problem)}", highlight=False, soft_wrap=True
        )


def _print_articles(summary) -> None:  # type: ignore[no-untyped-def]
    counts = summary.counts
    table = Table(title="Articles", title_justify="left")
    table.add_column("article", no_wrap=True, min_width=20)
    table.add_column("site", no_wrap=True, min_width=7)
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=max(12, out.width - 73))
    for column in ("comments", "threads", "flagged"):
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    for a in summary.articles:
        table.add_row(
            Text(a.article_id),
            Text(a.site or "-"),
            Text((a.title or "-")[:48]),
            str(a.comments),
            str(a.threads),
            str(a.flagged),
        )
    if summary.articles:
        out.print(table)
    if counts["documents"] > len(summary.articles):
        out.print(f"(first {len(summary.articles)} articles listed; all are in articles.jsonl)")
    out.print(
        f"{counts['documents']} articles, {counts['comments_parsed']} comments, {counts['comments_flagged']} flagged.",
        highlight=False,
    )
    if counts["comments_failed"] or counts["comments_rejected"]:
        out.print(
            f"{counts['comments_failed']} comments could not be scored (score_error in comments.jsonl); "
            f"{counts['comments_rejected']} input lines were not comments (see run.json problems).",
            highlight=False,
        )


def _print_flagged(summary, top: int) -> None:  # type: ignore[no-untyped-def]
    flagged = summary.top_flagged
    total = summary.counts["comments_flagged"]
    if not flagged or top <= 0:
        return
    table = Table(title=f"Top flagged comments ({min(top, len(flagged))} of {total})", title_justify="left")
    table.add_column("comment")
    table.add_column("author")
    table.add_column("reasons")
    table.add_column("text", overflow="fold")
    for c in flagged[:top]:
        reasons = ", ".join(f"{f.reason} {f.score:.2f}≥{f.threshold:.2f}" for f in c.flags)
        text = c.comment.text.replace("\n", " ")
        table.add_row(Text(c.comment.comment_id), Text(c.comment.author or "(unknown)"), reasons, Text(text[:100]))
    out.print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
