"""Run every benchmark in turn; each prints its own figures. With
``EASEL_BENCH_BASELINE=<another checkout>/src`` the benchmarks that compare also
measure that checkout in the same run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS = [
    "bench_offline.py",
    "bench_image_ops.py",
    "bench_submit_latency.py",
    "bench_orchestration.py",
    "bench_sse_fanout.py",
    "bench_history.py",
    "bench_load.py",
    "bench_png_metadata.py",
    "bench_store_memory.py",
    "bench_hosted_scale.py",
    "bench_write_transaction.py",
    "bench_cluster.py",
    "bench_gateway.py",
    "bench_cli_startup.py",
]

if __name__ == "__main__":
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        subprocess.run([sys.executable, str(HERE / name)], check=True)
