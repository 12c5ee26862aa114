"""The `moderate` command: parse options, call the API, print. No logic of its own.

Exit codes: 0 all good; 1 some inputs could not be read (the others were processed);
2 bad usage or configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from moderation.errors import ModerationError

app = typer.Typer(
    name="moderate",
    help=(
        "Moderate reader comments on news pages: parse, score, flag, report.\n\n"
        "Exit codes: 0 all good; 1 some inputs failed (the others were processed); 2 bad usage."
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
) -> None:
    """Parse, score and flag comments; write JSONL, run.json and report.html into --out."""
    from moderation.api import Moderator
    from moderation.writers import write_run

    try:
        moderator = Moderator(config if config is not None else preset)
        with _progress(quiet) as progress:
            task = progress.add_task("scoring", total=None)
            run = moderator.score_paths(
                paths, format=format, progress=lambda done, total: progress.update(task, completed=done, total=total)
            )
        written = write_run(run, out_dir)
    except ModerationError as exc:
        raise _fail(exc) from None
    _print_errors(run.errors)
    if not quiet:
        _print_articles(run)
        _print_flagged(run, top)
        missing = run.provenance["scores_not_produced"]
        if missing:
            out.print(f"Preset [bold]{run.provenance['preset']}[/bold] does not produce: {', '.join(missing)}")
    out.print(Text(f"Wrote {', '.join(p.name for p in written.values())} to {out_dir}/"), soft_wrap=True)
    raise typer.Exit(1 if run.has_fatal_errors else 0)


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


@app.command()
def report(
    out_dir: Annotated[Path, typer.Argument(help="An output folder of `moderate score`.", show_default=False)],
) -> None:
    """Rebuild DIR/report.html from the JSONL outputs and run.json in DIR."""
    from moderation.report import load_outputs
    from moderation.writers import write_report

    try:
        rows = load_outputs(out_dir)
        path = write_report(out_dir / "report.html", rows.articles, rows.comments, rows.threads, rows.run)
    except ModerationError as exc:
        raise _fail(exc) from None
    n_flagged = sum(1 for c in rows.comments if c.get("flagged"))
    out.print(Text(f"Wrote {path} ({len(rows.comments)} comments, {n_flagged} flagged)."), soft_wrap=True)


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} texts"),
        TimeRemainingColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
        transient=True,
    )


def _print_errors(errors) -> None:  # type: ignore[no-untyped-def]
    for e in errors:
        label = "error" if e.fatal else "warning"
        colour = "red" if e.fatal else "yellow"
        err.print(
            f"[{colour}]{label}:[/{colour}] {escape(e.path)}: {escape(e.problem)}", highlight=False, soft_wrap=True
        )


def _print_articles(run) -> None:  # type: ignore[no-untyped-def]
    table = Table(title="Articles", title_justify="left")
    table.add_column("article", no_wrap=True, min_width=20)
    table.add_column("site", no_wrap=True, min_width=7)
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=max(12, out.width - 73))
    for column in ("comments", "threads", "flagged"):
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    for a in run.articles:
        art = a.article
        table.add_row(
            Text(art.article_id),
            Text(art.site or "-"),
            Text((art.title or "-")[:48]),
            str(len(a.comments)),
            str(len(a.threads)),
            str(sum(1 for c in a.comments if c.flagged)),
        )
    counts = run.counts()
    out.print(table)
    out.print(
        f"{counts['documents']} articles, {counts['comments_parsed']} comments, {counts['comments_flagged']} flagged.",
        highlight=False,
    )


def _print_flagged(run, top: int) -> None:  # type: ignore[no-untyped-def]
    flagged = sorted((c for c in run.comments if c.flagged), key=lambda c: -max(f.score for f in c.flags))
    if not flagged or top <= 0:
        return
    table = Table(title=f"Top flagged comments ({min(top, len(flagged))} of {len(flagged)})", title_justify="left")
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
