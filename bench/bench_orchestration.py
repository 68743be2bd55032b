"""Orchestration overhead per variant with the offline engine at 256 px.

Runs a job of N variants one at a time through a real server (queue, claim, lease,
progress, storage, thumbnails, PNG metadata, events) and subtracts the time the engine
alone needs for the same renders, measured in-process just before and just after (the
mean of both), and the time the server spent in fsyncs, measured by the server itself.

Waiting. By default the client waits as a real one does, without a request per variant:
one account-wide SSE stream (``GET /api/v1/events``), opened before the jobs are queued,
on which each job's ``job.finished`` arrives. That stream shows live events, so the jobs
are watched and the engine paints stage previews: the render subtracted is the one with
previews, and the overhead includes sending the live frames to the one subscriber.
``--wait poll`` polls each job every 10 ms instead (``GET /api/v1/jobs/{id}``), as figures
before this method did: nobody watches, no previews are painted (in this code and in any
baseline since that change; ``--baseline-paints-previews`` takes the baseline's render
time with previews, for a baseline from before it), and the polls cost the server CPU
on the same cores.

fsyncs. The server's ``easel_storage_fsync_seconds`` histogram is scraped from
``/metrics`` before and after; its growth in seconds, per variant, is the fsync time
subtracted. A checkout without that metric (an older baseline) has its overhead reported
beyond the render only, and says so: its fsyncs are the same in number but not measured,
so compare the two checkouts on the figure beyond the render.

The server's CPU while the jobs run is reported too, per variant and beyond the engine's
CPU for the render: on a loaded machine it moves far less than wall time.

``--rounds N`` measures the checkouts in turn N times, so a change in the machine's load
falls on both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from httpx_sse import connect_sse

from _common import alternating, baseline_arg, cpu_meter, create_token, easel_server, rounds_arg
from easel.config import ProviderSettings
from easel.providers.base import GenerationRequest, RunContext
from easel.providers.offline import OfflineProvider
from support.metrics import scrape

VARIANTS = 40
PER_JOB = 8
SIZE = 256
PROMPT = "a lighthouse on a cliff at sunset"
FSYNC_SUM = "easel_storage_fsync_seconds_sum"


async def engine_only(want_previews: bool) -> tuple[float, float]:
    """Mean seconds per 256 px render, wall and CPU, with progress reports going nowhere."""
    provider = OfflineProvider(ProviderSettings(), {})
    model = provider.models()[0]

    async def ignore(fraction: float, message: str, preview: bytes | None) -> None:
        return None

    async with httpx.AsyncClient() as http:
        ctx = RunContext(http=http, report=ignore, want_previews=want_previews)
        times = []
        cpu = time.process_time()
        for seed in range(VARIANTS):
            request = GenerationRequest(
                model=model, prompt=PROMPT, width=SIZE, height=SIZE, seed=seed
            )
            started = time.perf_counter()
            await provider.start(request, ctx)
            times.append(time.perf_counter() - started)
        cpu = time.process_time() - cpu
    return statistics.fmean(times), cpu / VARIANTS


@dataclass
class Run:
    wall: float
    cpu: float
    """CPU seconds of the server process while the jobs ran."""
    durations_ms: list[int]
    fsync_seconds: float | None
    """Seconds the server spent in fsyncs; None for a server without the metric."""


def fsync_seconds(client: httpx.Client) -> float | None:
    found = [v for (name, _), v in scrape(client).items() if name == FSYNC_SUM]
    return sum(found) if found else None


def submit(client: httpx.Client) -> list[str]:
    # A job holds at most 8 variants of this model: queue several jobs at once.
    return [
        client.post(
            "/api/v1/jobs",
            json={
                "prompt": PROMPT,
                "models": ["offline/procedural"],
                "n": PER_JOB,
                "size": f"{SIZE}x{SIZE}",
                "seed": first,
            },
        ).json()["id"]
        for first in range(0, VARIANTS, PER_JOB)
    ]


def run_polling(client: httpx.Client) -> list[str]:
    jobs = submit(client)
    for job_id in jobs:
        while not client.get(f"/api/v1/jobs/{job_id}").json()["finished_at"]:
            time.sleep(0.01)
    return jobs


def run_streaming(client: httpx.Client) -> list[str]:
    with connect_sse(client, "GET", "/api/v1/events") as source:
        jobs = submit(client)
        waiting = set(jobs)
        for sse in source.iter_sse():
            if sse.event == "job.finished":
                waiting.discard(json.loads(sse.data)["job_id"])
                if not waiting:
                    break
    return jobs


def through_server(src: Path | None, wait: str) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        server = easel_server(Path(tmp) / "data", {"EASEL_OFFLINE_CONCURRENCY": "1"}, src)
        server.start()
        try:
            token = create_token(server.data_dir, "bench")
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
                fsyncs_before = fsync_seconds(client)
                assert server.process is not None
                with cpu_meter(server.process.pid) as measured:
                    jobs = run_streaming(client) if wait == "sse" else run_polling(client)
                cpu, wall = measured
                fsyncs_after = fsync_seconds(client)
                states: list[dict[str, Any]] = [
                    client.get(f"/api/v1/jobs/{job_id}").json() for job_id in jobs
                ]
        finally:
            server.stop()
    assert all(s["status"] == "succeeded" for s in states)
    fsyncs = None
    if fsyncs_before is not None and fsyncs_after is not None:
        fsyncs = fsyncs_after - fsyncs_before
    return Run(wall, cpu, [v["duration_ms"] for s in states for v in s["variants"]], fsyncs)


def report(label: str, run: Run, render: float, render_cpu: float) -> str:
    per_variant = run.wall / VARIANTS
    overhead = per_variant - render
    line = (
        f"{label}: {per_variant * 1000:.1f} ms per variant through the server (wall "
        f"{run.wall:.2f} s, {VARIANTS} variants one at a time); overhead beyond the render "
        f"{overhead * 1000:.1f} ms"
    )
    if run.fsync_seconds is None:
        line += " (fsyncs not measured: no easel_storage_fsync_seconds)"
    else:
        fsync = run.fsync_seconds / VARIANTS
        line += (
            f", of which fsyncs {fsync * 1000:.1f} ms; beyond the render and the fsyncs "
            f"{(overhead - fsync) * 1000:.1f} ms"
        )
    cpu = run.cpu / VARIANTS
    return (
        f"{line}; claim-to-stored median {statistics.median(run.durations_ms):.0f} ms; "
        f"server CPU {cpu * 1000:.1f} ms per variant, {(cpu - render_cpu) * 1000:.1f} ms "
        "beyond the render's"
    )


def medians(label: str, measured: list[tuple[Run, float, float]]) -> str:
    """The median of each round's figures: a burst of load elsewhere moves one round."""

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.1f} ms"

    overheads = [run.wall / VARIANTS - render for run, render, _ in measured]
    cpu = [(run.cpu - VARIANTS * render_cpu) / VARIANTS for run, _, render_cpu in measured]
    line = (
        f"{label}, median of {len(measured)} rounds: "
        f"{ms([run.wall / VARIANTS for run, _, _ in measured])} per variant; overhead "
        f"beyond the render {ms(overheads)}"
    )
    fsyncs = [run.fsync_seconds for run, _, _ in measured]
    if all(f is not None for f in fsyncs):
        beyond = [o - (f or 0.0) / VARIANTS for o, f in zip(overheads, fsyncs, strict=True)]
        line += f"; beyond the render and the fsyncs {ms(beyond)}"
    return f"{line}; server CPU beyond the render's {ms(cpu)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    baseline_arg(parser)
    parser.add_argument("--baseline-paints-previews", action="store_true")
    parser.add_argument(
        "--wait",
        choices=("sse", "poll"),
        default="sse",
        help="wait for the jobs on one SSE stream (watched: previews painted), or by "
        "polling each job every 10 ms (unwatched), as figures before this option did",
    )
    rounds_arg(parser)  # with more than one, the medians of the rounds follow
    args = parser.parse_args()
    print(f"waiting: {'one SSE stream' if args.wait == 'sse' else 'polling every 10 ms'}")
    rounds: dict[str, list[tuple[Run, float, float]]] = {}
    for round_number, label, src in alternating(args):
        # Watched jobs get previews; so did every job of a baseline from before
        # unwatched jobs went without.
        previews = args.wait == "sse" or (src is not None and args.baseline_paints_previews)
        # Just before and just after the server's run, so that both see the load of
        # the moment on the machine.
        before = asyncio.run(engine_only(want_previews=previews))
        run = through_server(src, args.wait)
        after = asyncio.run(engine_only(want_previews=previews))
        render, render_cpu = ((b + a) / 2 for b, a in zip(before, after, strict=True))
        name = f"{label}, round {round_number}" if args.rounds > 1 else label
        print(
            f"{name}: engine alone {render * 1000:.1f} ms ({render_cpu * 1000:.1f} ms CPU) "
            f"per {SIZE} px image "
            f"{'with' if previews else 'without'} stage previews"
        )
        print(report(name, run, render, render_cpu), flush=True)
        rounds.setdefault(label, []).append((run, render, render_cpu))
    if args.rounds > 1:
        for label, measured in rounds.items():
            print(medians(label, measured))


if __name__ == "__main__":
    main()
