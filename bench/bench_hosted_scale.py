"""1,000 hosted variants in flight in one server, against an emulated create-then-poll
API whose every task takes a fixed 10 s (Black Forest Labs' protocol).

125 jobs of 8 variants are submitted at once; the benchmark then watches the database
(read-only, so watching costs the server nothing) until every variant has ended, and
samples the server's memory and CPU meanwhile. It prints how many succeeded, how long
after the last submission the last one finished, the server's peak RSS and its average
CPU (in cores) from the first submission to the end.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from _common import (
    ServerProcess,
    baseline_arg,
    create_token,
    easel_server,
    emulator_process,
    submit_jobs,
    tree_cpu_seconds,
    tree_rss_bytes,
)

JOBS = 125
MODELS = [{"model": "bfl/flux-pro-1.1", "n": 4}, {"model": "bfl/flux-pro-1.1-ultra", "n": 4}]
TASK_SECONDS = 10.0


def _ended(database: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as conn:
        rows = conn.execute(
            "SELECT status, count(*) FROM variants "
            "WHERE status IN ('succeeded', 'failed', 'canceled') GROUP BY status"
        ).fetchall()
    return {status: count for status, count in rows}


async def _submit(server: ServerProcess, token: str) -> float:
    await submit_jobs(server, token, JOBS, MODELS)
    return time.monotonic()


def run(
    label: str, root: Path, bfl_env: dict[str, str], concurrency: int, src: Path | None
) -> None:
    env = {**bfl_env, "EASEL_PROVIDERS__BFL__CONCURRENCY": str(concurrency)}
    server = easel_server(root / label / "data", env, src)
    server.start()
    try:
        token = create_token(server.data_dir, "bench")
        assert server.process is not None
        pid = server.process.pid
        peak_rss = tree_rss_bytes(pid)
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak_rss
            while not stop.wait(0.25):
                peak_rss = max(peak_rss, tree_rss_bytes(pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        cpu_before, started = tree_cpu_seconds(pid), time.monotonic()
        last_submitted = asyncio.run(_submit(server, token))
        database = server.data_dir / "easel.db"
        while sum((ended := _ended(database)).values()) < JOBS * 8:
            if time.monotonic() - started > 1800:
                raise RuntimeError(f"{label}: not done after 30 min: {ended}")
            time.sleep(0.2)
        done = time.monotonic()
        cpu = tree_cpu_seconds(pid) - cpu_before
        stop.set()
        sampler.join()
    finally:
        server.stop()
    print(
        f"{label:<22} concurrency={concurrency:<4} succeeded={ended.get('succeeded', 0)}/"
        f"{JOBS * 8} submit {last_submitted - started:5.1f} s, done {done - last_submitted:5.1f} s "
        f"after the last submission, peak RSS {peak_rss / 2**20:5.0f} MB, "
        f"CPU {cpu:5.1f} s = {cpu / (done - started):.2f} cores on average"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[256, 4],
        help="the provider's concurrency settings to run with (default: 256 and 4)",
    )
    baseline_arg(parser)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        emulator_process("bfl", "BFLEmulator", task_seconds=TASK_SECONDS) as bfl,
    ):
        bfl_env = {"BFL_API_KEY": bfl.api_key, "EASEL_PROVIDERS__BFL__BASE_URL": bfl.base_url}
        root = Path(tmp)
        for concurrency in args.concurrency:
            run(f"easel-{concurrency}", root, bfl_env, concurrency, None)
        if args.baseline:
            run("easel-baseline", root, bfl_env, max(args.concurrency), args.baseline)


if __name__ == "__main__":
    main()
