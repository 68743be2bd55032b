"""Time the built-in offline engine end to end: python bench/bench_offline.py [--reps N].

Each run goes through ``OfflineProvider.start`` exactly as the engine calls it (worker
threads, previews, PNG encoding), cycling through prompts and styles. Two workloads:
``scenery`` (landscapes, abstracts and nebulae with no named subject) and ``subjects``
(prompts that name things to draw, lettering included). Prints the median and p95
wall-clock seconds per image for square 512, 1024 and 2048 px pictures, and the median
CPU seconds the process spent per image (steadier than wall time on a shared machine);
writes nothing to disk.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import time

import httpx

from easel.config import ProviderSettings
from easel.providers.base import GenerationRequest, RunContext
from easel.providers.offline import OfflineProvider

SIZES = (512, 1024, 2048)
WORKLOADS = {
    "scenery": (
        ("a red sunset over mountains", "auto"),
        ("neon city at night", "auto"),
        ("calm teal ocean with a full moon", "auto"),
        ("golden forest in autumn", "auto"),
        ("abstract geometric pastel shapes", "auto"),
        ("a glowing nebula", "auto"),
        ("rolling hills with flowers", "watercolor"),
        ("a blue lake and mountains", "mosaic"),
    ),
    "subjects": (
        ("a small blue boat on a lake at dawn", "auto"),
        ("a portrait of an old fisherman", "auto"),
        ("a cat sleeping on a windowsill", "watercolor"),
        ("two horses and a castle at sunset", "auto"),
        ("three goldfish under the sea", "auto"),
        ("an owl in a tree at night", "mosaic"),
        ("a sign that says OPEN", "auto"),
        ("a red kite, a hot air balloon and a lighthouse", "auto"),
    ),
}


async def _ignore(fraction: float, message: str, preview: bytes | None) -> None:
    return None


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


async def run(reps: int) -> None:
    provider = OfflineProvider(ProviderSettings(), {})
    model = provider.models()[0]
    async with httpx.AsyncClient() as http:
        ctx = RunContext(http=http, report=_ignore)
        # Warm up imports, codecs and the font so the first timed run is not an outlier.
        for warm in ("warm up", "a sign that says HI"):
            await provider.start(GenerationRequest(model, warm, 64, 64, seed=0), ctx)
        print(f"{'workload':>8}  {'size':>9}  {'runs':>4}  {'median s':>8}  {'p95 s':>8}  cpu s")
        for name, workload in WORKLOADS.items():
            for size in SIZES:
                times: list[float] = []
                cpu: list[float] = []
                for i in range(reps):
                    prompt, style = workload[i % len(workload)]
                    req = GenerationRequest(model, prompt, size, size, seed=i, style=style)
                    start, start_cpu = time.perf_counter(), time.process_time()
                    await provider.start(req, ctx)
                    times.append(time.perf_counter() - start)
                    cpu.append(time.process_time() - start_cpu)
                median = statistics.median(times)
                print(
                    f"{name:>8}  {size:>4}x{size:<4}  {reps:>4}  {median:>8.2f}  "
                    f"{p95(times):>8.2f}  {statistics.median(cpu):>5.2f}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=8, help="runs per size (default 8)")
    asyncio.run(run(max(1, parser.parse_args().reps)))


if __name__ == "__main__":
    main()
