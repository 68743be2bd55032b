"""Easel as an OpenAI-compatible gateway, beside a LiteLLM proxy, against one emulator.

The same OpenAI SDK request (``images.generate`` on a GPT image model, which answers a
small image as ``b64_json``) goes three ways: straight to the OpenAI emulator, through
Easel's ``/v1/images/generations`` (which also stores every image durably, with its
record, thumbnail and history), and through a LiteLLM proxy (which stores nothing).
With 1 and with 8 concurrent clients it prints each path's latency, the latency it
adds over the direct call (p50 and p99), and the server's CPU time per request.

LiteLLM is installed by this script into its own virtual environment under
``~/.cache/easel-bench`` (never a dependency of Easel). The release is pinned: an
older, widely used one (the index lists 1.107.0 as a compromised release).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai

from _common import (
    Emulated,
    ServerProcess,
    baseline_arg,
    cpu_meter,
    create_token,
    easel_server,
    emulator_process,
    percentile,
)
from support.server import free_port

LITELLM = "litellm[proxy]==1.77.7"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "easel-bench"
PROMPT = "a small red boat on a calm lake"
MODEL = "gpt-image-2"
"""A GPT image model the emulator serves (it refuses retired ones, as OpenAI does)."""
CONCURRENCY = (1, 8)


@dataclass
class Target:
    name: str
    base_url: str
    api_key: str
    model: str
    pid: int | None
    """The server process whose CPU counts (None: the emulator itself)."""


@dataclass
class Cell:
    target: str
    clients: int
    latencies_ms: list[float]
    cpu_ms_per_request: float


# --- LiteLLM ------------------------------------------------------------------------------


def litellm_python() -> Path:
    """The LiteLLM proxy's own interpreter, installed on first use."""
    venv = CACHE / ("litellm-" + LITELLM.split("==")[1])
    python = venv / "bin" / "python"
    if not python.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
        if Path(uv).exists():
            subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
            install = [uv, "pip", "install", "-q", "--python", str(python), LITELLM]
        else:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            install = [str(python), "-m", "pip", "install", "-q", LITELLM]
        subprocess.run(install, check=True)
    return python


class LiteLLMProxy:
    def __init__(self, emulator: Emulated, workdir: Path) -> None:
        self.port = free_port()
        self.config = workdir / "litellm.yaml"
        self.config.write_text(
            "model_list:\n"
            f"  - model_name: {MODEL}\n"
            "    litellm_params:\n"
            f"      model: openai/{MODEL}\n"
            f"      api_base: {emulator.base_url}/v1\n"
            f"      api_key: {emulator.api_key}\n"
            "litellm_settings:\n"
            "  telemetry: false\n"
        )
        self.log = (workdir / "litellm.log").open("wb")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        python = litellm_python()
        env = {**os.environ, "LITELLM_TELEMETRY": "False", "LITELLM_LOG": "ERROR"}
        command = [str(python), "-m", "litellm.proxy.proxy_cli", "--config", str(self.config)]
        self.process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(self.port), "--num_workers", "1"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the LiteLLM proxy exited; see litellm.log")
            try:
                if httpx.get(f"{self.url}/health/liveliness", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        raise RuntimeError("the LiteLLM proxy did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(15)


# --- measuring ----------------------------------------------------------------------------


async def _burst(target: Target, clients: int, requests: int) -> list[float]:
    client = openai.AsyncOpenAI(
        base_url=target.base_url, api_key=target.api_key, max_retries=0, timeout=60
    )
    latencies: list[float] = []
    todo = iter(range(requests))

    async def one_client() -> None:
        for _ in todo:
            started = time.perf_counter()
            result = await client.images.generate(
                model=target.model, prompt=PROMPT, size="1024x1024"
            )
            latencies.append((time.perf_counter() - started) * 1000)
            assert result.data and result.data[0].b64_json, target.name

    try:
        await asyncio.gather(*(one_client() for _ in range(clients)))
    finally:
        await client.close()
    return latencies


def measure(target: Target, emulator: Emulated, clients: int, requests: int) -> Cell:
    asyncio.run(_burst(target, clients, 20))  # warm up: connections, caches, JIT-free paths
    with cpu_meter(target.pid or emulator.process.pid) as used:
        latencies = asyncio.run(_burst(target, clients, requests))
    return Cell(target.name, clients, latencies, used[0] * 1000 / requests)


def report(cells: list[Cell]) -> None:
    direct = {c.clients: c for c in cells if c.target == "direct"}
    litellm = {c.clients: c for c in cells if c.target == "litellm"}
    print(
        f"{'path':<16} {'clients':>7} {'p50 ms':>8} {'p99 ms':>8} {'added p50':>10} "
        f"{'added p99':>10} {'cpu ms/req':>11} {'p50 vs litellm':>15} {'cpu vs litellm':>15}"
    )
    for cell in cells:
        base = direct[cell.clients]
        p50, p99 = percentile(cell.latencies_ms, 0.5), percentile(cell.latencies_ms, 0.99)
        added50 = p50 - percentile(base.latencies_ms, 0.5)
        added99 = p99 - percentile(base.latencies_ms, 0.99)
        ratio50 = ratio_cpu = ""
        peer = litellm.get(cell.clients)
        if peer is not None and cell.target not in ("direct", "litellm"):
            peer50 = percentile(peer.latencies_ms, 0.5) - percentile(base.latencies_ms, 0.5)
            ratio50 = f"{added50 / peer50:.2f}"
            ratio_cpu = f"{cell.cpu_ms_per_request / peer.cpu_ms_per_request:.2f}"
        print(
            f"{cell.target:<16} {cell.clients:>7} {p50:>8.1f} {p99:>8.1f} {added50:>10.1f} "
            f"{added99:>10.1f} {cell.cpu_ms_per_request:>11.1f} {ratio50:>15} {ratio_cpu:>15}"
        )
    print("(cpu of 'direct' is the emulator's own; added = the path's latency minus direct's)")


def easel_target(name: str, emulator: Emulated, root: Path, src: Path | None) -> ServerProcess:
    env = {
        "OPENAI_API_KEY": emulator.api_key,
        "EASEL_PROVIDERS__OPENAI__BASE_URL": f"{emulator.base_url}/v1",
    }
    server = easel_server(root / name / "data", env, src)
    server.start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--no-litellm", action="store_true")
    parser.add_argument(
        "--full-size",
        action="store_true",
        help="the emulator answers 1024x1024 PNGs as dense as a photo's (about 3 MB) "
        "instead of small flat ones",
    )
    baseline_arg(parser)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        emulator_process(
            "openai", "OpenAIEmulator", attributes={"full_size_results": args.full_size}
        ) as emulator,
    ):
        root = Path(tmp)
        servers: list[tuple[str, ServerProcess]] = [
            ("easel", easel_target("easel", emulator, root, None))
        ]
        if args.baseline:
            servers.append(
                ("easel-baseline", easel_target("baseline", emulator, root, args.baseline))
            )
        proxy = None if args.no_litellm else LiteLLMProxy(emulator, root)
        try:
            targets = [Target("direct", f"{emulator.base_url}/v1", emulator.api_key, MODEL, None)]
            for name, server in servers:
                token = create_token(server.data_dir, "bench")
                assert server.process is not None
                targets.append(
                    Target(name, f"{server.url}/v1", token, f"openai/{MODEL}", server.process.pid)
                )
            if proxy is not None:
                proxy.start()
                assert proxy.process is not None
                targets.append(Target("litellm", proxy.url, "sk-none", MODEL, proxy.process.pid))
            cells = []
            for _ in range(args.repeats):
                for clients in CONCURRENCY:
                    for target in targets:
                        cells.append(measure(target, emulator, clients, args.requests))
            report(_merged(cells))
        finally:
            if proxy is not None:
                proxy.stop()
            for _, server in servers:
                server.stop()


def _merged(cells: list[Cell]) -> list[Cell]:
    """Repeats pooled into one cell per (path, clients), in the order first measured."""
    merged: dict[tuple[str, int], Cell] = {}
    counts: dict[tuple[str, int], int] = {}
    for cell in cells:
        key = (cell.target, cell.clients)
        if key not in merged:
            merged[key] = Cell(cell.target, cell.clients, [], 0.0)
            counts[key] = 0
        merged[key].latencies_ms += cell.latencies_ms
        merged[key].cpu_ms_per_request += cell.cpu_ms_per_request
        counts[key] += 1
    for key, cell in merged.items():
        cell.cpu_ms_per_request /= counts[key]
    return sorted(
        merged.values(), key=lambda c: (c.clients, list(merged).index((c.target, c.clients)))
    )


if __name__ == "__main__":
    main()
