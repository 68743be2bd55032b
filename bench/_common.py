"""Shared helpers of the benchmarks: real servers, emulators in their own processes,
tokens, the CPU and memory of a process tree, and percentile figures.

Every benchmark can measure the code of another checkout beside this one (the
baseline of a comparison, usually the commit a change started from): ``--baseline
PATH`` names that checkout's ``src`` folder, and its server runs from there with
``PYTHONPATH``, against the same emulators, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.server import ServerProcess, create_token  # noqa: E402

__all__ = [
    "ROOT",
    "Emulated",
    "ServerProcess",
    "baseline_arg",
    "checkouts",
    "cpu_meter",
    "create_token",
    "easel_server",
    "emulator_process",
    "percentile",
    "submit_jobs",
    "summary",
    "tree_cpu_seconds",
    "tree_rss_bytes",
]

PRODUCTION_TIMINGS = {"EASEL_LEASE_SECONDS": "20", "EASEL_RECONCILE_INTERVAL_SECONDS": "5"}
"""The defaults a deployment runs with (the test helper shortens them)."""


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def summary(name: str, values_ms: list[float]) -> str:
    return (
        f"{name}: n={len(values_ms)} p50={percentile(values_ms, 0.5):.1f} ms "
        f"p95={percentile(values_ms, 0.95):.1f} ms p99={percentile(values_ms, 0.99):.1f} ms "
        f"mean={statistics.fmean(values_ms):.1f} ms"
    )


def baseline_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--baseline",
        type=Path,
        default=os.environ.get("EASEL_BENCH_BASELINE") or None,
        help="the src folder of another checkout to measure beside this one "
        "(default: $EASEL_BENCH_BASELINE)",
    )


def checkouts(args: argparse.Namespace) -> list[tuple[str, Path | None]]:
    """(label, src folder) of what to measure: this checkout, then the baseline if any."""
    runs: list[tuple[str, Path | None]] = [("this checkout", None)]
    if args.baseline:
        runs.append(("baseline", args.baseline))
    return runs


def rounds_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure each checkout this many times, alternating, so that a change in the "
        "machine's load falls on both alike",
    )


def alternating(args: argparse.Namespace) -> Iterator[tuple[int, str, Path | None]]:
    """(round, label, src folder): each checkout in turn, ``--rounds`` times."""
    for round_number in range(1, args.rounds + 1):
        for label, src in checkouts(args):
            yield round_number, label, src


def easel_server(data_dir: Path, env: dict[str, str], src: Path | None = None) -> ServerProcess:
    """An Easel server with production timings, from this checkout or from ``src``."""
    extra = {**PRODUCTION_TIMINGS, **env}
    if src is not None:
        extra["PYTHONPATH"] = str(src.resolve())
    return ServerProcess(data_dir, env=extra)


async def submit_jobs(
    server: ServerProcess, token: str, jobs: int, models: list[dict[str, object]]
) -> None:
    """``jobs`` jobs of ``models``, eight requests at a time, each answered 202."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=300) as client:
        gate = asyncio.Semaphore(8)

        async def one(i: int) -> None:
            async with gate:
                body = {"prompt": f"a field of poppies, take {i}", "models": models, "seed": i}
                response = await client.post("/api/v1/jobs", json=body)
                assert response.status_code == 202, response.text

        await asyncio.gather(*(one(i) for i in range(jobs)))


# --- emulators in their own process -----------------------------------------------------

_EMULATOR_MAIN = """
import sys, time
sys.path.insert(0, {tests!r})
from emulators.{module} import {cls}
emulator = {cls}()
emulator.state.task_seconds = {task_seconds!r}
for name, value in {attributes!r}.items():
    setattr(emulator, name, value)
emulator.start()
print(emulator.port, flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
emulator.stop()
"""


@dataclass
class Emulated:
    process: subprocess.Popen[str]
    port: int
    api_key: str = "test-key"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def emulator_process(
    module: str,
    cls: str,
    *,
    task_seconds: float = 0.3,
    attributes: dict[str, object] | None = None,
) -> Iterator[Emulated]:
    """A provider emulator (``tests/emulators``) served by a process of its own, so its
    CPU is neither the client's nor the server's; ``attributes`` are set on it first
    (a text emulator's ``delta_interval`` or ``reply``)."""
    code = _EMULATOR_MAIN.format(
        tests=str(ROOT / "tests"),
        module=module,
        cls=cls,
        task_seconds=task_seconds,
        attributes=attributes or {},
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield Emulated(process, port)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


# --- CPU and memory of a process and its children -----------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, ()))
    return found


def tree_cpu_seconds(pid: int) -> float:
    """User and system CPU of the process and its live descendants."""
    total = 0
    for member in _tree(pid):
        fields = _stat(member)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


def tree_rss_bytes(pid: int) -> int:
    total = 0
    for member in _tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


@contextmanager
def cpu_meter(pid: int) -> Iterator[list[float]]:
    """Yields a list that holds [cpu seconds, wall seconds] once the block ends."""
    result: list[float] = []
    cpu, wall = tree_cpu_seconds(pid), time.perf_counter()
    yield result
    result += [tree_cpu_seconds(pid) - cpu, time.perf_counter() - wall]
