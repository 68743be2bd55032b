"""Shared helpers of the benchmarks: a real server, tokens, and percentile figures."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.server import ServerProcess, create_token  # noqa: E402

__all__ = ["ServerProcess", "create_token", "percentile", "summary"]


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
