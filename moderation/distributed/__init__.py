"""Scale out on Ray Data (`pip install 'moderate[ray]'`): the same outputs as a local run.

    from moderation import Moderator
    from moderation.distributed import RayOptions, run_ray
    from moderation.writers import FolderSink
    options = RayOptions(num_actors=2)
    result = run_ray(["comments.jsonl"], Moderator("fast"), FolderSink(Path("out")), ray_options=options)

`moderate score INPUTS --engine ray [--address auto|ray://HOST:10001] [--num-actors N] -o OUT`
does the same from the command line. See docs/ray.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moderation.errors import UsageError

__all__ = ["RayOptions", "engine_runner", "run_ray"]
ENGINES = ("local", "ray")


def engine_runner(engine: str, address: str | None = None, num_actors: int | None = None) -> Callable[..., Any]:
    """`run(inputs, moderator, sink, options, progress)` for an engine name (what the CLI calls)."""
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")
    if engine == "local":
        if address is not None or num_actors is not None:
            raise UsageError("--address and --num-actors need --engine ray")
        from moderation.run import run

        return run
    from moderation.distributed.engine import RayOptions, require_ray, run_ray

    require_ray()
    ray_options = RayOptions(address=address, num_actors=num_actors)

    def run_on_ray(
        inputs: Any, moderator: Any, sink: Any, options: Any = None, progress: Any = None, stage: Any = None
    ) -> Any:
        return run_ray(inputs, moderator, sink, options, ray_options, progress, stage)

    return run_on_ray


def __getattr__(name: str) -> Any:  # Ray is imported only when a distributed run is asked for
    if name in ("RayOptions", "run_ray"):
        from moderation.distributed import engine

        return getattr(engine, name)
    raise AttributeError(name)
