"""Dynamic batching: texts from concurrent requests share one scoring pass.

A request puts its text in a bounded queue and awaits a future. One loop takes the oldest
text and hands up to `max_batch` texts to a single scoring thread; while that pass runs, new
texts queue up and form the next batch, so under load batches fill without any wait. When the
scorer is idle, the oldest text waits at most `max_wait_s` for company, and only while
`arriving()` says more requests are on their way in (received, not yet queued): a lone client
is never made to wait for company that is not coming. A full queue is refused at once
(`QueueFull`), never allowed to grow. `max_batch=1` is one-request-one-pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class ShuttingDown(Exception):
    """The server stopped before this text was scored."""


class QueueFull(Exception):
    """The queue holds `max_queue` texts; `retry_after_s` estimates when there is room."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"queue full, retry after {retry_after_s}s")
        self.retry_after_s = retry_after_s


@dataclass(slots=True)
class _Item(Generic[R]):
    text: str
    future: asyncio.Future[R]
    queued_at: float


class Batcher(Generic[R]):
    """Collects texts into batches for `score(texts) -> results` run on `executor`."""

    def __init__(
        self,
        score: Callable[[list[str]], Sequence[R]],
        executor: Executor,
        max_batch: int = 32,
        max_wait_s: float = 0.005,
        max_queue: int = 256,
        on_batch: Callable[[int, float], None] | None = None,
        arriving: Callable[[], int] | None = None,
    ) -> None:
        if max_batch < 1 or max_queue < 1 or max_wait_s < 0:
            raise ValueError("max_batch and max_queue must be at least 1, max_wait_s at least 0")
        self._score = score
        self._executor = executor
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self.max_queue = max_queue
        self._on_batch = on_batch
        self._arriving = arriving if arriving is not None else lambda: 1  # unknown: always wait
        self._pending: deque[_Item[R]] = deque()
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.in_flight = 0  # texts in the pass now running
        self._seconds_per_text = 0.05  # running estimate, for Retry-After

    @property
    def depth(self) -> int:
        """Texts waiting plus texts being scored."""
        return len(self._pending) + self.in_flight

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="moderate-batcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        while self._pending:
            item = self._pending.popleft()
            if not item.future.done():
                item.future.set_exception(ShuttingDown())

    def submit(self, text: str) -> asyncio.Future[R]:
        """Queue one text; the future resolves to its result. QueueFull when there is no room."""
        if len(self._pending) >= self.max_queue:
            raise QueueFull(self.retry_after())
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append(_Item(text, future, time.perf_counter()))
        self._arrived.set()
        return future

    def retry_after(self) -> int:
        """Whole seconds until the queue has likely drained (at least 1)."""
        return max(1, math.ceil(self.depth * self._seconds_per_text))

    async def _run(self) -> None:
        while True:
            while not self._pending:
                self._arrived.clear()
                await self._arrived.wait()
            deadline = self._pending[0].queued_at + self.max_wait_s
            while len(self._pending) < self.max_batch and self._arriving() > 0:
                left = deadline - time.perf_counter()
                if left <= 0:
                    break
                self._arrived.clear()
                try:
                    await asyncio.wait_for(self._arrived.wait(), left)
                except TimeoutError:
                    break
            batch = self._take()
            if batch:
                await self._score_batch(batch)

    def _take(self) -> list[_Item[R]]:
        """Up to max_batch items, skipping those whose request already gave up."""
        batch: list[_Item[R]] = []
        while self._pending and len(batch) < self.max_batch:
            item = self._pending.popleft()
            if not item.future.done():
                batch.append(item)
        return batch

    async def _score_batch(self, batch: list[_Item[R]]) -> None:
        loop = asyncio.get_running_loop()
        self.in_flight = len(batch)
        started = time.perf_counter()
        try:
            results: Any = await loop.run_in_executor(self._executor, self._score, [i.text for i in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"scorer returned {len(results)} results for {len(batch)} texts")
        except Exception as exc:  # every waiting request learns of it; the loop goes on
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(exc)
            return
        finally:
            self.in_flight = 0
        elapsed = time.perf_counter() - started
        self._seconds_per_text = 0.8 * self._seconds_per_text + 0.2 * (elapsed / len(batch))
        if self._on_batch is not None:
            self._on_batch(len(batch), elapsed)
        for item, result in zip(batch, results, strict=True):
            if not item.future.done():
                item.future.set_result(result)
