"""Peak memory of storing one large provider image, end to end through the worker.

Each measurement runs in a fresh process: Easel's services (SQLite, a folder image store,
the real runner and worker) with one benchmark provider whose model answers with a URL to
a 10.8 MB, 4096x4096 PNG served by a separate ``http.server`` process (the download path),
or with the same bytes inline (the base64 path, as OpenAI or Gemini answer). After one
small warm-up job the process resets its peak-RSS mark (``/proc/self/clear_refs``), runs
one job with the large image, and reports how far VmHWM rose above VmRSS before, and how
much stayed resident afterwards.

``--src DIR`` runs the same measurement against another checkout's ``src`` (the baseline
figures in docs/performance.md come from the commit before streaming storage).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIDE = 4096
REPEATS = 3


def make_image(path: Path) -> None:
    """A 4096x4096 render-like PNG of about 10.8 MB (gradients with grainy patches)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:SIDE, 0:SIDE]
    base = np.stack([x * 255 // SIDE, y * 255 // SIDE, (x + y) * 255 // (2 * SIDE)], -1)
    patches = (rng.random((SIDE // 64, SIDE // 64)) < 0.5).repeat(64, 0).repeat(64, 1)
    grain = rng.integers(-2, 3, size=base.shape) * patches[..., None]
    pixels = np.clip(base + grain, 0, 255).astype(np.uint8)
    Image.fromarray(pixels, "RGB").save(path, compress_level=6)


def reset_peak() -> None:
    """Set VmHWM back to the current RSS (Linux 4.0+)."""
    with open("/proc/self/clear_refs", "w") as control:
        control.write("5")


def status() -> dict[str, int]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024
    return fields


async def child(image: Path, url: str, inline: bool) -> dict[str, Any]:
    from decimal import Decimal

    from easel.config import Settings
    from easel.db.migrate import upgrade
    from easel.db.repos import users as user_repo
    from easel.engine.specs import JobSpec
    from easel.providers import Catalog
    from easel.providers.base import (
        Capabilities,
        Finished,
        ImageBytes,
        ImageURL,
        ModelInfo,
        Pricing,
        Provider,
    )
    from easel.services import build_services

    class BenchProvider(Provider):
        id = "bench"
        display_name = "Bench"
        default_base_url = url.rsplit("/", 1)[0]

        def models(self) -> list[ModelInfo]:
            return [
                ModelInfo(
                    id="bench/large",
                    name="Large",
                    provider="bench",
                    capabilities=Capabilities(max_side=4096),
                    pricing=Pricing(per_image=Decimal(0)),
                )
            ]

        async def start(self, request: Any, ctx: Any) -> Finished:
            target = request.prompt.split()[-1]
            if inline:
                data = await asyncio.to_thread(Path(target).read_bytes)
                return Finished(outputs=(ImageBytes(data, "image/png"),))
            return Finished(outputs=(ImageURL(f"{self.base_url}/{Path(target).name}"),))

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", environ={"HOME": tmp})
        settings.data_dir.mkdir(parents=True)
        await asyncio.to_thread(upgrade, settings.resolved_database_url)
        catalog = Catalog([BenchProvider(settings.provider("bench"), {})], [])
        services = build_services(settings, catalog=catalog)
        await services.start_workers()
        try:
            async with services.db.transaction() as session:
                issued = await user_repo.create_token(session, user_name="bench")
                user = await user_repo.user_for_token(session, token=issued.token)
            assert user is not None

            async def run(target: Path) -> float:
                spec = JobSpec(prompt=f"bench {target}", models=["bench/large"])
                job = await services.jobs.create(user_id=user.id, spec=spec)
                started = time.perf_counter()
                while True:
                    view = await services.jobs.get(user_id=user.id, job_id=job.id)
                    if view.job.status not in ("queued", "running"):
                        break
                    await asyncio.sleep(0.01)
                assert view.job.status == "succeeded", [v.error_message for v in view.variants]
                return time.perf_counter() - started

            await run(image.with_name("warm.png"))
            gc.collect()
            reset_peak()
            before = status()
            seconds = await run(image)
            peak = status()["VmHWM"]
            gc.collect()
            await asyncio.sleep(0.5)
            after = status()["VmRSS"]
        finally:
            await services.aclose()
    return {
        "peak_growth": peak - before["VmRSS"],
        "resident_growth": after - before["VmRSS"],
        "seconds": seconds,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(src: Path | None, folder: Path, port: int, inline: bool) -> dict[str, Any]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    command = [sys.executable, __file__, "--child", str(folder / "large.png"), str(port)]
    if inline:
        command.append("--inline")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", type=Path, help="another checkout's src folder (a baseline)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--inline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        image, port = Path(args.child[0]), int(args.child[1])
        url = f"http://127.0.0.1:{port}/{image.name}"
        print(json.dumps(asyncio.run(child(image, url, args.inline))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_image(folder / "large.png")
        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (64, 64), "teal").save(out, "PNG")
        (folder / "warm.png").write_bytes(out.getvalue())
        size = (folder / "large.png").stat().st_size
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(1.0)
            print(f"image: {size / 1e6:.1f} MB PNG, {SIDE}x{SIDE}; {REPEATS} fresh processes each")
            for inline in (False, True):
                runs = [measure(args.src, folder, port, inline) for _ in range(REPEATS)]
                peak = statistics.median(r["peak_growth"] for r in runs)
                kept = statistics.median(r["resident_growth"] for r in runs)
                took = statistics.median(r["seconds"] for r in runs)
                path = "inline bytes" if inline else "URL download"
                print(
                    f"{path}: peak RSS +{peak / 1e6:.1f} MB ({peak / size:.2f}x the image), "
                    f"resident after +{kept / 1e6:.1f} MB, job {took:.2f} s"
                )
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
