"""Scale out on Ray Data (`pip install 'moderate[ray]'`): the same outputs as a local run.

    from moderation import Moderator
    from moderation.distributed import RayOptions, run_ray
    from moderation.writers import FolderSink
    result = run_ray(["comments.jsonl"], Moderator("fast"), FolderSink(Path("out")), ray_options=RayOptions(num_actors=2))

`moderate score INPUTS --engine ray [--address auto|ray://HOST:10001] [--num-actors N] -o OUT`
does the same from the command line. See docs/ray.md.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RayOptions", "run_ray"]


def __getattr__(name: str) -> Any:  # Ray is imported only when a distributed run is asked for
    if name in __all__:
        from moderation.distributed import engine

        return getattr(engine, name)
    raise AttributeError(name)
