"""Assist streaming through Easel beside the same stream straight from the vendor.

Against the Anthropic emulator (in its own process, pacing its words), it measures:

* time to first text: ``POST /v1/messages`` straight to the emulator until the first
  ``text_delta``, and ``POST /api/v1/assist/prompt`` through Easel until the first
  ``delta`` frame; Easel's added latency is the difference (p50 and p99). Each stream is
  closed after its first text (through Easel that cancels the upstream request, and the
  run is stored as canceled).
* words per second sustained with 100 streams at once, each a long answer paced by the
  emulator, direct and through Easel, and Easel's CPU per word.

    .venv/bin/python bench/bench_assist.py [--samples 100] [--streams 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import httpx
from httpx_sse import aconnect_sse

from _common import Emulated, cpu_meter, create_token, easel_server, emulator_process, summary
from emulators._text import SUGGEST_REPLY

MODEL = "anthropic/claude-haiku-5-5"
LONG_REPLY = SUGGEST_REPLY * 5
"""About 290 words, so a stream lasts seconds at the emulator's pace."""


def _direct_body() -> dict[str, object]:
    return {
        "model": MODEL.split("/")[1],
        "max_tokens": 1024,
        "stream": True,
        "messages": [{"role": "user", "content": "a kite over the sea"}],
    }


async def _direct(
    client: httpx.AsyncClient, emulator: Emulated, *, whole: bool
) -> tuple[float, int]:
    """Seconds to the first text (and words received, reading to the end when ``whole``)."""
    headers = {"x-api-key": emulator.api_key, "anthropic-version": "2026-10-21"}
    started, first, words = time.perf_counter(), 0.0, 0
    url = f"{emulator.base_url}/v1/messages"
    async with aconnect_sse(client, "POST", url, json=_direct_body(), headers=headers) as source:
        async for sse in source.aiter_sse():
            if sse.event == "content_block_delta" and '"text_delta"' in sse.data:
                words += 1
                first = first or time.perf_counter() - started
                if not whole:
                    break
    return first, words


async def _easel(client: httpx.AsyncClient, *, whole: bool) -> tuple[float, int]:
    body = {"idea": "a kite over the sea", "model": MODEL}
    started, first, words = time.perf_counter(), 0.0, 0
    async with aconnect_sse(client, "POST", "/api/v1/assist/prompt", json=body) as source:
        async for sse in source.aiter_sse():
            if sse.event == "delta":
                words += 1
                first = first or time.perf_counter() - started
                if not whole:
                    break
            elif sse.event == "error":
                raise RuntimeError(json.loads(sse.data)["detail"])
    return first, words


async def first_text(emulator: Emulated, easel: httpx.AsyncClient, samples: int) -> None:
    direct, through = [], []
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(5):  # warm both paths
            await _direct(client, emulator, whole=False)
            await _easel(easel, whole=False)
        for _ in range(samples):
            direct.append((await _direct(client, emulator, whole=False))[0] * 1000)
            through.append((await _easel(easel, whole=False))[0] * 1000)
    added = [t - d for t, d in zip(through, direct, strict=True)]
    print(summary("first text, direct      ", direct))
    print(summary("first text, through Easel", through))
    print(summary("added by Easel (paired)  ", added))


async def sustained(emulator: Emulated, easel: httpx.AsyncClient, streams: int, pid: int) -> None:
    async with httpx.AsyncClient(
        timeout=120, limits=httpx.Limits(max_connections=streams)
    ) as client:
        started = time.perf_counter()
        results = await asyncio.gather(
            *(_direct(client, emulator, whole=True) for _ in range(streams))
        )
        direct_wall = time.perf_counter() - started
    direct_words = sum(words for _, words in results)
    with cpu_meter(pid) as used:
        started = time.perf_counter()
        results = await asyncio.gather(*(_easel(easel, whole=True) for _ in range(streams)))
        easel_wall = time.perf_counter() - started
    easel_words = sum(words for _, words in results)
    print(
        f"{streams} streams, direct:        {direct_words} words in {direct_wall:.2f} s = "
        f"{direct_words / direct_wall:,.0f} words/s"
    )
    print(
        f"{streams} streams, through Easel: {easel_words} words in {easel_wall:.2f} s = "
        f"{easel_words / easel_wall:,.0f} words/s; server CPU {used[0]:.2f} s "
        f"({used[0] / max(1, easel_words) * 1e6:.0f} µs per word)"
    )


async def main(samples: int, streams: int, interval: float) -> None:
    attributes = {"delta_interval": interval, "reply": LONG_REPLY}
    with (
        emulator_process("anthropic", "AnthropicEmulator", attributes=attributes) as emulator,
        tempfile.TemporaryDirectory() as folder,
    ):
        data = Path(folder) / "data"
        env = {
            "ANTHROPIC_API_KEY": emulator.api_key,
            "EASEL_PROVIDERS__ANTHROPIC__BASE_URL": emulator.base_url,
        }
        server = easel_server(data, env)
        server.start()
        try:
            token = await asyncio.to_thread(create_token, data, "bench")
            headers = {"Authorization": f"Bearer {token}"}
            limits = httpx.Limits(max_connections=streams + 10)
            async with httpx.AsyncClient(
                base_url=server.url, headers=headers, timeout=120, limits=limits
            ) as easel:
                print(f"emulator pace: one word every {interval * 1000:.0f} ms")
                await first_text(emulator, easel, samples)
                assert server.process is not None
                await sustained(emulator, easel, streams, server.process.pid)
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.01, help="seconds between words")
    args = parser.parse_args()
    asyncio.run(main(args.samples, args.streams, args.interval))
