"""Prometheus text exposition (format 0.0.4) for the server's counters, gauges and histograms.

Small on purpose: label sets are few and fixed (endpoint, HTTP code), so a dict per metric
is enough. Values are per server process (with --workers N, each worker answers for itself).
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Sequence

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)

Labels = tuple[tuple[str, str], ...]


def _labels(labels: Labels, extra: str = "") -> str:
    parts = [f'{k}="{_escape(v)}"' for k, v in labels]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class Counter:
    def __init__(self, name: str, help: str) -> None:
        self.name, self.help = name, help
        self._values: dict[Labels, float] = {}
        self._lock = threading.Lock()

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(tuple(sorted(labels.items())), 0.0)

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} counter"]
        lines += [f"{self.name}{_labels(k)} {_num(v)}" for k, v in sorted(self._values.items())]
        return lines


class Gauge:
    """A value read when scraped."""

    def __init__(self, name: str, help: str, read: Callable[[], float]) -> None:
        self.name, self.help, self._read = name, help, read

    def render(self) -> list[str]:
        return [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} gauge", f"{self.name} {_num(self._read())}"]


class Histogram:
    def __init__(self, name: str, help: str, buckets: Sequence[float]) -> None:
        self.name, self.help = name, help
        self.buckets = tuple(sorted(buckets))
        self._series: dict[Labels, list[float]] = {}  # bucket counts..., +Inf count, sum
        self._lock = threading.Lock()

    def observe(self, value: float, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            series = self._series.setdefault(key, [0.0] * (len(self.buckets) + 2))
            series[bisect.bisect_left(self.buckets, value)] += 1
            series[-1] += value

    def count(self, **labels: str) -> int:
        series = self._series.get(tuple(sorted(labels.items())))
        return int(sum(series[:-1])) if series else 0

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        for key, series in sorted(self._series.items()):
            running = 0.0
            for bound, n in zip(self.buckets, series, strict=False):
                running += n
                le = 'le="' + _num(bound) + '"'
                lines.append(f"{self.name}_bucket{_labels(key, le)} {_num(running)}")
            running += series[len(self.buckets)]
            inf = 'le="+Inf"'
            lines.append(f"{self.name}_bucket{_labels(key, inf)} {_num(running)}")
            lines.append(f"{self.name}_sum{_labels(key)} {_num(series[-1])}")
            lines.append(f"{self.name}_count{_labels(key)} {_num(running)}")
        return lines


class ServerMetrics:
    """Everything /metrics shows."""

    def __init__(self, queue_depth: Callable[[], float]) -> None:
        self.requests = Counter("moderate_requests_total", "HTTP requests answered, by endpoint and status code.")
        self.latency = Histogram(
            "moderate_request_duration_seconds", "Time from request to response, by endpoint.", LATENCY_BUCKETS
        )
        self.batch_size = Histogram("moderate_batch_size", "Texts per scoring pass.", BATCH_BUCKETS)
        self.batch_seconds = Histogram("moderate_batch_duration_seconds", "Time of one scoring pass.", LATENCY_BUCKETS)
        self.texts = Counter("moderate_texts_scored_total", "Texts scored.")
        self.rejected = Counter("moderate_rejected_total", "Requests refused because the queue was full.")
        self.queue = Gauge("moderate_queue_depth", "Texts waiting or being scored now.", queue_depth)

    def on_batch(self, size: int, seconds: float) -> None:
        self.batch_size.observe(size)
        self.batch_seconds.observe(seconds)
        self.texts.inc(size)

    def render(self) -> str:
        parts = (
            self.requests,
            self.latency,
            self.batch_size,
            self.batch_seconds,
            self.texts,
            self.rejected,
            self.queue,
        )
        return "\n".join(line for metric in parts for line in metric.render()) + "\n"
