"""Orchestration overhead per variant with the offline engine at 256 px.

Runs a job of N variants one at a time through a real server (queue, claim, lease,
progress, storage, thumbnails, PNG metadata, events) and subtracts the time the engine
alone needs for the same renders, measured in-process. Nobody watches these jobs, so
the engine paints no stage previews, in this code and in any baseline since that change;
``--baseline-paints-previews`` takes the baseline's render time with previews, for a
baseline from before it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from _common import baseline_arg, checkouts, create_token, easel_server
from easel.config import ProviderSettings
from easel.providers.base import GenerationRequest, RunContext
from easel.providers.offline import OfflineProvider

VARIANTS = 40
PER_JOB = 8
SIZE = 256
PROMPT = "a lighthouse on a cliff at sunset"


async def engine_only(want_previews: bool) -> float:
    """Mean seconds per 256 px render, with progress reports going nowhere."""
    provider = OfflineProvider(ProviderSettings(), {})
    model = provider.models()[0]

    async def ignore(fraction: float, message: str, preview: bytes | None) -> None:
        return None

    async with httpx.AsyncClient() as http:
        ctx = RunContext(http=http, report=ignore, want_previews=want_previews)
        times = []
        for seed in range(VARIANTS):
            request = GenerationRequest(
                model=model, prompt=PROMPT, width=SIZE, height=SIZE, seed=seed
            )
            started = time.perf_counter()
            await provider.start(request, ctx)
            times.append(time.perf_counter() - started)
    return statistics.fmean(times)


def through_server(src: Path | None) -> tuple[float, list[int]]:
    with tempfile.TemporaryDirectory() as tmp:
        server = easel_server(Path(tmp) / "data", {"EASEL_OFFLINE_CONCURRENCY": "1"}, src)
        server.start()
        try:
            token = create_token(server.data_dir, "bench")
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
                started = time.perf_counter()
                # A job holds at most 8 variants of this model: queue several jobs at once.
                jobs = [
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
                states = []
                for job_id in jobs:
                    while not (state := client.get(f"/api/v1/jobs/{job_id}").json())["finished_at"]:
                        time.sleep(0.01)
                    states.append(state)
                wall = time.perf_counter() - started
        finally:
            server.stop()
    assert all(s["status"] == "succeeded" for s in states)
    return wall, [v["duration_ms"] for s in states for v in s["variants"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    baseline_arg(parser)
    parser.add_argument("--baseline-paints-previews", action="store_true")
    args = parser.parse_args()
    quiet = asyncio.run(engine_only(want_previews=False))
    watched = asyncio.run(engine_only(want_previews=True))
    print(f"engine alone: {quiet * 1000:.1f} ms per {SIZE} px image without stage previews")
    print(f"engine alone: {watched * 1000:.1f} ms per {SIZE} px image with stage previews")
    for label, src in checkouts(args):
        # A baseline from before unwatched jobs went without previews painted them.
        render = watched if src is not None and args.baseline_paints_previews else quiet
        wall, durations = through_server(src)
        per_variant = wall / VARIANTS
        print(
            f"{label}: {per_variant * 1000:.1f} ms per variant through the server (wall "
            f"{wall:.2f} s, {VARIANTS} variants one at a time); overhead beyond the render "
            f"{(per_variant - render) * 1000:.1f} ms; claim-to-stored median "
            f"{statistics.median(durations):.0f} ms"
        )


if __name__ == "__main__":
    main()
