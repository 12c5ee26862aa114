"""The `moderate` command: parse options, call the API, print. No logic of its own.

Exit codes: 0 all good; 1 some inputs could not be read (the others were processed);
2 bad usage or configuration; 130 interrupted (Ctrl-C), re-running resumes from the cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.text import Text

from moderation.errors import ModerationError
from moderation.parse.detect import reader_names
from moderation.printing import err, exit_for, out, print_articles, print_errors, print_flagged, progress_bar
from moderation.serve.command import serve_command
from moderation.terminal import printable
from moderation.writers import REPORT_COMMENTS

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
PathsArg = Annotated[list[Path], typer.Argument(help="Files or folders to read.", show_default=False)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs (not inside an input folder).")]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help=f"Input format: {', '.join(reader_names())} (default: detected from each file's content).",
    ),
]
OverwriteOpt = Annotated[
    bool,
    typer.Option("--overwrite", help="Replace earlier results in --out even when some input could not be read."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors and the output folder.")]


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
    overwrite: OverwriteOpt = False,
    output_format: Annotated[
        str,
        typer.Option(
            "--output-format", help="jsonl, or parquet: also articles/comments/threads.parquet (needs pyarrow)."
        ),
    ] = "jsonl",
    engine: Annotated[
        str, typer.Option("--engine", help="local (this process), or ray: spread over a Ray cluster (docs/ray.md).")
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option("--address", help="With --engine ray: auto (this node's cluster) or ray://HOST:10001."),
    ] = None,
    num_actors: Annotated[
        int | None,
        typer.Option("--num-actors", min=1, help="With --engine ray: scoring actors (default: one per CPU)."),
    ] = None,
    min_severity: Annotated[
        float | None,
        typer.Option(
            "--min-severity",
            min=0.0,
            max=1.0,
            help="Queue comments whose severity reaches this (default: the preset's).",
        ),
    ] = None,
    queue_size: Annotated[
        str | None,
        typer.Option(
            "--queue-size",
            help="Aim the queue at this share of comments, e.g. 3% or 0.03 (min severity read from the "
            "severity model's development table; docs/flags.md).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=0,
            help="Processes that score and flag chunks while this one reads and writes; 0: none (default: one "
            "per core for a preset without neural models on 2+ cores and 4 MB+ of input, else 0).",
        ),
    ] = None,
) -> None:
    """Parse, score and flag comments; write JSONL, run.json and report.html into --out.

    Large inputs are streamed in chunks; a re-run after an interruption resumes from the
    scores cache and writes the same outputs. Ctrl-C exits with code 130.
    """
    from moderation.analysis.settings import queue_overrides
    from moderation.distributed import engine_runner
    from moderation.moderator import Moderator
    from moderation.run import RunInterrupted, RunOptions
    from moderation.writers import FolderSink

    options = RunOptions(
        format=format,
        chunk_comments=chunk_size,
        use_cache=not no_cache,
        cache_path=cache,
        top_flagged=top,
        max_input_bytes=max_input_mb * 1024 * 1024,
        workers=workers,
    )
    try:
        queue = queue_overrides(min_severity, queue_size)
        moderator = Moderator(config if config is not None else preset, queue=queue)
        runner = engine_runner(engine, address, num_actors)
        with progress_bar(quiet) as progress:
            task = progress.add_task("starting", total=None, comments=0)
            result = runner(
                paths,
                moderator,
                FolderSink(out_dir, overwrite=overwrite, output_format=output_format),
                options,
                progress=lambda p: progress.update(
                    task, completed=p.bytes_done, total=max(p.bytes_total, 1), comments=p.comments_done
                ),
                stage=lambda name: progress.update(task, description=name),
            )
    except RunInterrupted as exc:
        where = (
            f" (scores cache: {printable(str(exc.cache_path))})"
            if exc.cache_path is not None
            else " (no cache: nothing kept)"
        )
        err.print(
            Text(
                f"Interrupted: {exc.comments_saved} comments were scored and saved{where}; "
                "run the same command again to resume."
            ),
            soft_wrap=True,
        )
        raise typer.Exit(130) from None
    except ModerationError as exc:
        raise exit_for(exc) from None
    print_errors(result.errors)
    if not quiet:
        print_articles(result)
        print_flagged(result, top)
        missing = result.provenance["scores_not_produced"]
        if missing:
            preset_name = escape(printable(str(result.provenance["preset"])))
            out.print(f"Preset [bold]{preset_name}[/bold] does not produce: {', '.join(missing)}", highlight=False)
    names = ", ".join(p.name for p in result.written.values())
    out.print(Text(f"Wrote {names} to {printable(str(out_dir))}/"), soft_wrap=True)
    raise typer.Exit(1 if result.has_fatal_errors else 0)


@app.command()
def parse(
    paths: PathsArg,
    out_dir: OutOpt = Path("out"),
    format: FormatOpt = None,
    quiet: QuietOpt = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """Parse pages into articles.jsonl and comments.jsonl (no models)."""
    from moderation.run import RunOptions, run
    from moderation.writers import FolderSink

    try:
        result = run(paths, None, FolderSink(out_dir, parse_only=True, overwrite=overwrite), RunOptions(format=format))
    except ModerationError as exc:
        raise exit_for(exc) from None
    print_errors(result.errors)
    if not quiet:
        counts = result.counts
        out.print(f"Read {counts['documents']} articles with {counts['comments_parsed']} comments.")
    names = ", ".join(p.name for p in result.written.values())
    out.print(Text(f"Wrote {names} to {printable(str(out_dir))}/"), soft_wrap=True)
    raise typer.Exit(1 if result.has_fatal_errors else 0)


@app.command("eval")
def eval_(
    data: Annotated[Path, typer.Argument(help="Labelled .csv, .tsv or .jsonl file.", show_default=False)],
    task: Annotated[str, typer.Option("--task", help="toxicity | sentiment | stance")],
    text_col: Annotated[str, typer.Option("--text-col", help="Column holding the text.")] = "text",
    label_col: Annotated[str, typer.Option("--label-col", help="Column holding the label.")] = "label",
    preset: Annotated[str, typer.Option("--preset", "-p", help="Preset name or .toml path.")] = "default",
    target_col: Annotated[str | None, typer.Option("--target-col", help="Stance target text column.")] = None,
    score: Annotated[
        str | None, typer.Option("--score", help="Toxicity attribute to rank by (default: toxicity).")
    ] = None,
    positive: Annotated[
        str | None, typer.Option("--positive", help="Label value counted as positive (default: number >= 0.5).")
    ] = None,
    threshold: Annotated[float, typer.Option(help="Decision threshold for binary precision/recall.")] = 0.5,
    limit: Annotated[int | None, typer.Option(help="Score only the first N rows.")] = None,
    merge: Annotated[
        list[str] | None,
        typer.Option("--merge", help="Fold a predicted class into another, FROM=TO (e.g. query=comment); repeatable."),
    ] = None,
) -> None:
    """Score a labelled file and print ROC AUC, macro-F1, per-class precision/recall and reliability."""
    from moderation.evaluate import evaluate_file, parse_merge

    try:
        report = evaluate_file(
            task,
            data,
            text_col=text_col,
            label_col=label_col,
            preset=preset,
            target_col=target_col,
            score=score,
            positive=positive,
            threshold=threshold,
            limit=limit,
            merge=parse_merge(merge or []),
        )
    except ModerationError as exc:
        raise exit_for(exc) from None
    out.print(Text(printable(report.format(), keep_newlines=True)), soft_wrap=True)


@app.command("models")
def models(json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List the presets, the models each needs, and whether each is available on this machine."""
    import json

    from moderation.config import load_preset
    from moderation.scoring.availability import availability

    try:
        table = availability()
    except ModerationError as exc:
        raise exit_for(exc) from None
    if json_out:
        out.print_json(json.dumps({p: [s.to_dict() for s in rows] for p, rows in table.items()}))
        return
    for name, rows in table.items():
        out.print(Text(printable(f"{name}: {load_preset(name).description}"), style="bold"), soft_wrap=True)
        for s in rows:
            state = Text("available", style="green") if s.available else Text("MISSING", style="red")
            line = Text(printable(f"  {s.scorer:<16} {s.model:<40} ")).append(state)
            out.print(line.append(printable(f"  {s.where}")), soft_wrap=True)


@app.command("train")
def train(
    what: Annotated[str, typer.Argument(help="toxicity | sentiment | stance | all | severity | unhealthy")] = "all",
    data_dir: Annotated[Path | None, typer.Option(help="Default: ../shared/data next to the repo.")] = None,
    models_dir: Annotated[Path | None, typer.Option(help="Default: the repo's models/.")] = None,
    ucc_train_fraction: Annotated[float, typer.Option(help="Share of UCC val rows used for training.")] = 0.5,
    no_eval: Annotated[bool, typer.Option("--no-eval", help="Skip the evaluation runs quoted in the cards.")] = False,
    preset: Annotated[str, typer.Option("--preset", "-p", help="severity: the preset to fit it for.")] = "default",
) -> None:
    """Retrain the first-generation heads on the packaged MiniLM into models/<name>-base, or fit a
    preset's severity layer (`severity --preset NAME`) from the public data.

    The default preset's second-generation heads and encoder come from a GPU fine-tune:
    see models/minilm-moderate/MODEL_CARD.md. Same as python -m moderation.training.
    """
    from moderation.training.__main__ import main as train_main

    argv = [what, "--ucc-train-fraction", str(ucc_train_fraction)]
    argv += ["--data-dir", str(data_dir)] if data_dir else []
    argv += ["--models-dir", str(models_dir)] if models_dir else []
    argv += ["--no-eval"] if no_eval else []
    argv += ["--preset", preset]
    raise typer.Exit(train_main(argv))


@app.command()
def report(
    out_dir: Annotated[Path, typer.Argument(help="An output folder of `moderate score`.", show_default=False)],
    decisions: Annotated[
        list[Path] | None, typer.Option("--decisions", "-d", help="Exported decisions to start from (repeatable).")
    ] = None,
    max_comments: Annotated[
        int,
        typer.Option(
            "--max-comments",
            min=1,
            help="The page holds every comment up to this many; a larger run shows the threads of its most "
            "severe flagged comments (as `moderate score` does).",
        ),
    ] = REPORT_COMMENTS,
) -> None:
    """Rebuild DIR/report.html from the JSONL outputs and run.json in DIR."""
    from moderation.report.decisions import carry_files
    from moderation.report.load import view_outputs
    from moderation.writers import write_report

    try:
        rows = view_outputs(out_dir, max_comments)  # read from disk as the page is written, never held
        carried = carry_files(decisions or [], rows.comments, bounded="report_scope" in rows.run)
        path = write_report(
            out_dir / "report.html", rows.articles, rows.comments, rows.threads, rows.run, carried["kept"]
        )
        n_comments, n_flagged = rows.count()
    except ModerationError as exc:
        raise exit_for(exc) from None
    out.print(Text(f"Wrote {printable(str(path))} ({n_comments} comments, {n_flagged} flagged)."), soft_wrap=True)
    if decisions:
        out.print(Text(printable(carried["summary"], keep_newlines=True)), soft_wrap=True)


decisions_app = typer.Typer(help="Work with decisions exported from the review report.", no_args_is_help=True)
app.add_typer(decisions_app, name="decisions")


@decisions_app.command("merge")
def decisions_merge(
    files: Annotated[list[Path], typer.Argument(help="Decisions files exported from reports.", show_default=False)],
    output: Annotated[Path, typer.Option("--out", "-o", help="The merged file.")] = Path("decisions-merged.json"),
) -> None:
    """Combine several moderators' decisions into one file; exit 1 and list the conflicts (latest kept)."""
    from moderation.report.decisions import merge_decisions, read_decisions, write_merged

    try:
        merged = merge_decisions([read_decisions(f) for f in files])
        path = write_merged(merged, output)
    except ModerationError as exc:
        raise exit_for(exc) from None
    out.print(Text(printable(merged.summary([f.name for f in files], path), keep_newlines=True)), soft_wrap=True)
    if merged.conflicts:
        raise typer.Exit(1)


app.command("serve")(serve_command)


@app.command("schema")
def schema(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the schema files.")] = Path("docs/schema"),
) -> None:
    """Write the JSON Schema of every output file (articles, comments, threads, run.json)."""
    from moderation.schema_export import write_schemas

    for path in write_schemas(out_dir):
        out.print(Text(f"Wrote {printable(str(path))}"), soft_wrap=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
