"""A run on Ray Data: the same rows, counts and run.json as `moderation.run.run`, with the work
spread over a cluster.

    inputs -> parse (one task per file, the project's readers)
           -> copies (group by identity, before scoring: distributed/copies.py)
           -> score (map_batches over an actor pool; each actor builds one Moderator)
           -> duplicates (group by exact digest, then by LSH band key: distributed/duplicates.py)
           -> analyse (group by article: flags, severities, thread and article rollups)
           -> the driver streams the results, in run order, into the same sink as a local run
              (JSONL contract files, optional Parquet, run.json, report.html).

Per-run bookkeeping reuses run.py's (`RunContext`, tallies) and run_record.py's `publish`, so the
counts and run.json have one definition. What runs on the driver: listing inputs, one
summary per file, the article ids (to rename ids used by two files, as a local run does),
and writing the sorted results (serial: the contract files are single JSONL files).
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moderation import tally
from moderation.distributed.copies import apply_copies, copy_groups, copy_rows
from moderation.distributed.duplicates import (
    ARTICLE,
    EXACT,
    NEAR_MEMBER,
    band_groups,
    band_rows,
    exact_groups,
)
from moderation.distributed.stages import FILE, REF, FileSummary, ScoreArticles, analyse_group, parse_file, rows_fn
from moderation.distributed.tables import nonempty_blocks, read_table, table_dataset
from moderation.errors import UsageError
from moderation.moderator import Moderator
from moderation.parse.detect import check_format
from moderation.parse.inputs import FileError, InputFile, ReadState, holds_context, list_inputs
from moderation.parse.join import Joiner
from moderation.run import (
    Progress,
    ProgressCallback,
    RunContext,
    RunOptions,
    RunResult,
    StageCallback,
    run_result,
    tally_limits,
)
from moderation.run_record import publish
from moderation.schema import Article
from moderation.writers import MemorySink, RunNotPublished, Sink

DEFAULT_BATCH_ARTICLES = 8
SCORER = ScoreArticles  # the scoring actor class (a test swaps in one that dies)


@dataclass(frozen=True, slots=True)
class RayOptions:
    """Where and how wide to run. `address`: None starts a local Ray (or uses the one this
    process already started), "auto" joins the cluster of this node, "ray://host:10001" a
    remote one. `num_actors`: scoring actors (default: one per `cpus_per_actor` CPUs of the
    cluster). `batch_articles`: articles per scoring batch."""

    address: str | None = None
    num_actors: int | None = None
    cpus_per_actor: float = 1.0
    gpus_per_actor: float = 0.0
    batch_articles: int = DEFAULT_BATCH_ARTICLES
    shuffle_partitions: int | None = None  # partitions of each group-by (default: the cluster's CPUs)

    def __post_init__(self) -> None:
        if self.num_actors is not None and self.num_actors < 1:
            raise UsageError("--num-actors must be at least 1")
        if self.batch_articles < 1 or self.cpus_per_actor <= 0 or self.gpus_per_actor < 0:
            raise UsageError("batch size and CPUs per actor must be positive")


def require_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UsageError("--engine ray needs Ray: pip install 'moderate[ray]'") from None
    return ray


def run_ray(
    inputs: Iterable[str | Path] | Any,
    moderator: Moderator,
    sink: Sink | None = None,
    options: RunOptions | None = None,
    ray_options: RayOptions | None = None,
    progress: ProgressCallback | None = None,
    stage: StageCallback | None = None,
) -> RunResult:
    """Read, score and flag everything under `inputs` on Ray into `sink` (default: in memory).
    `inputs`: paths, or one comment table (a `ray.data.Dataset` or `datasets.Dataset`:
    distributed/tables.py)."""
    options = options or RunOptions()
    if options.workers is not None:
        raise UsageError("--workers is for the local engine; on Ray, actors score the chunks (--num-actors)")
    ray = require_ray()
    ray_options = ray_options or RayOptions()
    sink = sink if sink is not None else MemorySink()
    check_format(options.format)
    table = table_dataset(ray, inputs)
    paths = [Path(p) for p in inputs] if table is None else []
    entries = list_inputs(paths, skip=sink.out_dir) if table is None else []
    sink.check(paths)
    _connect(ray, ray_options)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    sink.open(options.report_comments)
    ctx = RunContext(read=ReadState(), scorer=moderator)
    try:
        files = [e for e in entries if e.problem is None]
        ctx.read.bytes_total = sum(_size(e.path) for e in files)
        stage = stage or (lambda name: None)
        stage("reading (ray)")
        if table is None:
            articles, renames, joins = _parse(ray, files, entries, ctx, options, timings)
        else:
            mark = time.perf_counter()
            articles, renames, joins = read_table(ray, *table, ctx.read, _partitions(ray, ray_options)), {}, {}
            timings["parse_s"] = time.perf_counter() - mark
        stage("scoring (ray)")
        results = _score_and_analyse(ray, articles, (renames, joins), moderator, ray_options, timings)
        stage("writing")
        mark = time.perf_counter()
        limits = tally_limits(options)
        for row in results:
            result = pickle.loads(row["payload"])
            tally.add(ctx, tally.count([result], limits), limits)
            sink.add(result)
            if progress is not None and ctx.counts["documents"] % 100 == 0:
                progress(Progress(ctx.read.bytes_total, ctx.read.bytes_total, ctx.counts["comments_written"]))
        sink.flush()
        timings["write_s"] = time.perf_counter() - mark
        timings = {"total_s": time.perf_counter() - started, **timings}
        provenance = {**moderator.provenance(), "engine": _engine(ray, ray_options)}
        counts, record, written = publish(ctx, sink, provenance, timings)
    except RunNotPublished as exc:
        exc.errors = ctx.read.errors
        sink.discard()
        raise
    except BaseException:
        sink.discard()
        raise
    finally:
        sink.close()
    return run_result(ctx, sink, counts, provenance, timings, record, written)


def _connect(ray: Any, opts: RayOptions) -> None:
    if ray.is_initialized():
        return
    try:
        ray.init(address=opts.address, ignore_reinit_error=True, log_to_driver=False, include_dashboard=False)
    except ConnectionError as exc:
        raise UsageError(f"cannot reach the Ray cluster at {opts.address}: {exc}") from None
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = True


def _engine(ray: Any, opts: RayOptions) -> dict[str, Any]:
    return {
        "name": "ray",
        "ray_version": ray.__version__,
        "address": opts.address,
        "num_actors": _num_actors(ray, opts),
        "batch_articles": opts.batch_articles,
        "cpus_per_actor": opts.cpus_per_actor,
        "gpus_per_actor": opts.gpus_per_actor,
    }


def _num_actors(ray: Any, opts: RayOptions) -> int:
    if opts.num_actors is not None:
        return opts.num_actors
    if opts.gpus_per_actor > 0:
        return max(1, int(ray.cluster_resources().get("GPU", 0) // opts.gpus_per_actor))
    return max(1, int(ray.cluster_resources().get("CPU", 1) // opts.cpus_per_actor))


def _partitions(ray: Any, opts: RayOptions) -> int:
    return opts.shuffle_partitions or max(2, int(ray.cluster_resources().get("CPU", 2)))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _parse(
    ray: Any,
    files: list[Any],
    entries: list[Any],
    ctx: RunContext,
    options: RunOptions,
    timings: dict[str, float],
) -> tuple[Any, dict[int, Any], dict[int, Article]]:
    """Parse every file in a Ray task; on the driver, one summary per file, the joins of article
    files to their comments and the article ids (renamed, as a local run does, when two files
    use one id), all in the order of a local run (`iter_articles`: article files first, what
    nothing joined last). Returns the article rows, the renames and the joins by row order."""
    mark = time.perf_counter()
    first = {id(e) for e in files if holds_context(e.path, options.format)}
    ordered = [e for e in files if id(e) not in first] + [e for e in files if id(e) in first]
    file_index = {id(e): i for i, e in enumerate(ordered)}  # context files sort last
    items = [{"file_index": i, "path": str(e.path), "walked": e.walked} for i, e in enumerate(ordered)]
    if not items:
        raise UsageError("no readable input")
    parsed = (
        ray.data.from_items(items, override_num_blocks=len(items))
        .flat_map(parse_file, fn_kwargs={"format": options.format, "max_bytes": options.max_input_bytes})
        .materialize()
    )
    summaries = {
        int(r["order"]) >> 32: pickle.loads(r["payload"]) for r in parsed.filter(lambda r: r["kind"] == FILE).take_all()
    }
    refs = {int(r["order"]): pickle.loads(r["payload"]) for r in parsed.filter(lambda r: r["kind"] == REF).take_all()}
    ids: dict[int, list[tuple[int, str]]] = {}
    articles = parsed.filter(lambda r: r["kind"] == ARTICLE).materialize()  # before the actors take the CPUs
    for r in articles.select_columns(["order", "key"]).take_all():
        ids.setdefault(int(r["order"]) >> 32, []).append((int(r["order"]), r["key"]))
    held_files = {file_index[k] for k in first}
    joiner = Joiner()
    held = articles.filter(lambda r: int(r["order"]) >> 32 in held_files).take_all() if first else []
    for order, article in sorted((int(r["order"]), pickle.loads(r["payload"])) for r in held):
        joiner.hold(order, article)
    renames: dict[int, Any] = {}
    joins: dict[int, Article] = {}
    state = ctx.read
    paths = {file_index[id(e)]: str(e.path) for e in files}

    def unique(order: int, article_id: str) -> str:
        path = paths[order >> 32]
        stub = Article(article_id, path, "")
        state.unique(stub, path)
        if stub.article_id != article_id:
            renames[order] = (stub.article_id, stub.problems[0])
        return stub.article_id

    def account(i: int, final_ids: Iterable[str]) -> None:
        summary: FileSummary = summaries[i]
        state.errors.extend(summary.errors)
        state.counts["comments_read"] += summary.comments_read
        state.counts["comments_rejected"] += summary.comments_rejected
        if summary.input is not None:
            s = summary.input
            state.inputs.append(InputFile(s.path, s.sha256, s.bytes, s.format, tuple(final_ids)))

    for i in sorted(held_files):  # article files: read first, their ids as read
        given = summaries[i].input
        account(i, given.article_ids if given is not None else ())
    for entry in entries:
        if entry.problem is not None:
            state.errors.append(FileError(str(entry.path), entry.problem, entry.fatal, entry.skipped))
            continue
        i = file_index[id(entry)]
        if i in held_files:
            continue
        final_ids = []
        for order, article_id in sorted(ids.get(i, [])):
            context = joiner.context_for(refs.get(order), True)
            if context is not None:
                joins[order] = context
            final_ids.append(unique(order, article_id))
        account(i, final_ids)
    names = {order: article_id for pairs in ids.values() for order, article_id in pairs}
    for order in joiner.leftovers():
        unique(order, names[order])
    dropped = set(joiner.joined())
    if dropped:
        articles = articles.filter(lambda r: int(r["order"]) not in dropped).materialize()
    state.bytes_done = state.bytes_total
    timings["parse_s"] = time.perf_counter() - mark
    return articles, renames, joins


def _score_and_analyse(
    ray: Any,
    articles: Any,
    changes: tuple[dict[int, Any], dict[int, Article]],
    moderator: Moderator,
    opts: RayOptions,
    timings: dict[str, float],
) -> Iterator[dict[str, Any]]:
    """`changes`: the renames and joins by row order, applied by the scoring actors."""
    mark = time.perf_counter()
    parts = _partitions(ray, opts)
    articles = _mark_copies(articles, changes[0], parts)
    actors = _num_actors(ray, opts)
    # an actor scores whole blocks, and one input file is one block: split the articles so
    # that every actor gets work (4 blocks per actor, fewer when there are fewer articles),
    # before the actors take the CPUs (a split waiting for a CPU the idle actors hold never runs)
    blocks = max(1, min(articles.count(), 4 * actors))
    scored = (
        articles.repartition(blocks)
        .materialize()
        .map_batches(
            SCORER,
            fn_constructor_args=(moderator, *changes),
            batch_size=opts.batch_articles,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=opts.cpus_per_actor,
            num_gpus=opts.gpus_per_actor or None,
        )
        .materialize()
    )  # Ray Data restarts a dead scoring actor and retries its batch (no limit)
    timings["score_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    by_article = scored.filter(lambda r: r["kind"] == ARTICLE)
    if moderator.flag_settings.duplicates is not None:
        index = moderator.new_duplicate_index()
        members = _nonempty(scored.filter(lambda r: r["kind"] == NEAR_MEMBER))
        if members is not None:
            exact = (
                members.groupby("key", num_partitions=parts)
                .map_groups(rows_fn(exact_groups), batch_format="numpy")
                .materialize()
            )
            near_members = _nonempty(exact.filter(lambda r: r["kind"] == NEAR_MEMBER))
            events = [_nonempty(exact.filter(lambda r: r["kind"] == EXACT))]
            if near_members is not None:
                candidates = (
                    near_members.map_batches(rows_fn(band_rows, per_row=True), batch_format="numpy")
                    .groupby("key", num_partitions=parts)
                    .map_groups(rows_fn(band_groups, index=index), batch_format="numpy")
                )
                events.append(_nonempty(candidates))
            found = [e for e in events if e is not None]
            if found:
                by_article = by_article.union(*found)
    results = (
        by_article.groupby("order", num_partitions=parts)
        .map_groups(rows_fn(analyse_group, moderator=moderator), batch_format="numpy")
        .sort("order")
        .materialize()
    )
    timings["analyse_s"] = time.perf_counter() - mark
    return results.iter_rows()


def _mark_copies(articles: Any, renames: dict[int, Any], parts: int) -> Any:
    """The articles with the comments other exports carried first marked as copies
    (distributed/copies.py); the articles as they are when there is none."""
    members = _nonempty(articles.map_batches(rows_fn(copy_rows, per_row=True, renames=renames), batch_format="numpy"))
    if members is None:
        return articles
    found = _nonempty(
        members.groupby("key", num_partitions=parts).map_groups(rows_fn(copy_groups), batch_format="numpy")
    )
    if found is None:
        return articles
    return (
        articles.union(found)
        .groupby("order", num_partitions=parts)
        .map_groups(rows_fn(apply_copies), batch_format="numpy")
        .materialize()
    )


def _nonempty(ds: Any) -> Any:
    """The dataset's non-empty blocks, run, or None when it has no row: a shuffle partition
    that got no group is an empty block without a schema, which later shuffles cannot join
    with others (ArrowInvalid: no field `order`)."""
    import ray

    refs = [ref for ref, _ in nonempty_blocks(ds)]
    return ray.data.from_arrow_refs(refs) if refs else None
