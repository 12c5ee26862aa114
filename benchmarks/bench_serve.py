"""Load test of `moderate serve` on loopback: requests/s and latency percentiles.

    PYTHONPATH=. python benchmarks/bench_serve.py [--presets default fast] [--clients 1 8 32]
        [--requests 200] [--seconds 20] [--json out.json]

For each preset, and for dynamic batching (the server's defaults: up to 32 texts per pass,
5 ms wait) against one-request-one-pass (`--max-batch 1`), one server is started as a
subprocess on 127.0.0.1 and loaded in turn by 1, 8 and 32 concurrent clients, each sending
single-comment Perspective requests (`comments:analyze`, every attribute the preset makes)
over its own keep-alive connection. Each level stops after --requests answers or --seconds,
whichever comes first. Comments are distinct synthetic comments (benchmarks/synth_comments.py,
median ~40 words). Server memory is the server process's resident set (VmRSS) after the
levels and its peak (VmHWM), read from /proc. The client is stdlib asyncio in this process
and shares the machine's cores with the server: figures are for this machine only. Server
CPU ms per request (user + system time of the server process over the level, divided by the
answers) depends far less on what else the machine runs than wall-clock figures do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.synth_comments import comment_text  # noqa: E402
from moderation.serve.perspective import ATTRIBUTE_SCORES  # noqa: E402

ANALYZE = "/v1alpha1/comments:analyze"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(preset: str, port: int, max_batch: int) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-c",
        "from moderation.cli import main; main()",
        "serve",
        "--preset",
        preset,
        "--port",
        str(port),
        "--max-batch",
        str(max_batch),
        "--max-queue",
        "1024",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MODERATE_API_KEYS", None)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                health = json.load(resp)
                if health["status"] == "ok":
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not become ready")


def attributes_of(port: int) -> list[str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
        produced = set(json.load(resp)["attributes"])
    return [name for name, score in ATTRIBUTE_SCORES.items() if score in produced]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


async def _post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int, body: bytes) -> int:
    writer.write(
        f"POST {ANALYZE} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def load(port: int, clients: int, texts: list[str], attributes: list[str], max_requests: int, seconds: float):
    """Latencies of successful requests, the count of failures, and the wall time."""
    latencies: list[float] = []
    failures = 0
    next_index = 0
    stop_at = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal next_index, failures
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while next_index < max_requests and time.perf_counter() < stop_at:
                text = texts[next_index % len(texts)]
                next_index += 1
                body = json.dumps(
                    {"comment": {"text": text}, "languages": ["en"], "requestedAttributes": {a: {} for a in attributes}}
                ).encode()
                started = time.perf_counter()
                status = await _post(reader, writer, port, body)
                if status == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    failures += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, failures, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def run_server(preset: str, max_batch: int, args: argparse.Namespace, texts: list[str]) -> list[dict]:
    port = free_port()
    proc = start_server(preset, port, max_batch)
    rows = []
    try:
        attributes = attributes_of(port)
        for clients in args.clients:
            offset = random.Random(clients).randrange(len(texts))
            chunk = texts[offset:] + texts[:offset]
            cpu_before = cpu_seconds(proc.pid)
            lat, failures, wall = asyncio.run(load(port, clients, chunk, attributes, args.requests, args.seconds))
            cpu_ms = (cpu_seconds(proc.pid) - cpu_before) * 1000 / max(1, len(lat))
            row = {
                "preset": preset,
                "mode": "batched" if max_batch > 1 else "one-pass",
                "clients": clients,
                "requests": len(lat),
                "failed": failures,
                "seconds": round(wall, 2),
                "rps": round(len(lat) / wall, 1),
                "p50_ms": round(statistics.median(lat) * 1000, 1),
                "p95_ms": round(percentile(lat, 95) * 1000, 1),
                "p99_ms": round(percentile(lat, 99) * 1000, 1),
                "server_cpu_ms_per_request": round(cpu_ms, 1),
            }
            rows.append(row)
            print(
                f"{preset:8} {row['mode']:8} clients={clients:<3} n={row['requests']:<5} failed={failures} "
                f"{row['rps']:7.1f} req/s  p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
                f"p99 {row['p99_ms']:7.1f} ms  server CPU {cpu_ms:6.1f} ms/req",
                flush=True,
            )
        rss, peak = memory_mib(proc.pid)
        print(
            f"{preset:8} {'batched' if max_batch > 1 else 'one-pass':8} server RSS {rss:.0f} MiB (peak {peak:.0f} MiB)"
        )
        for row in rows:
            row["server_rss_mib"], row["server_peak_mib"] = round(rss), round(peak)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=["default", "fast"])
    parser.add_argument("--clients", nargs="+", type=int, default=[1, 8, 32])
    parser.add_argument("--requests", type=int, default=200, help="Most answers per level.")
    parser.add_argument("--seconds", type=float, default=20.0, help="Longest time per level.")
    parser.add_argument("--json", type=Path, help="Also write the rows here.")
    args = parser.parse_args()
    rng = random.Random(7)
    texts = [comment_text(rng) for _ in range(2000)]
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
    rows: list[dict] = []
    for preset in args.presets:
        for max_batch in (32, 1):
            rows += run_server(preset, max_batch, args, texts)
    print("Perspective's default quota for comparison: 1 request/s per project.")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
