"""CLI start-up: wall and CPU time of `easel --help`, `easel models` and `easel jobs` (on a
data dir with some history), each run as a user runs it, in a fresh process.

Byte code is compiled first (as `make run` installs it), so the figures are of starting,
not of compiling. ``--baseline PATH`` measures another checkout's src beside this one.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import baseline_arg, checkouts

COMMANDS = (["--help"], ["models"], ["jobs"])
HEAVY = ("fastapi", "uvicorn", "alembic", "numpy", "PIL", "sqlalchemy", "httpx", "easel.services")


def _env(src: Path | None, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EASEL_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update({"EASEL_DATA_DIR": str(data), "COLUMNS": "120"})
    if src is not None:
        env["PYTHONPATH"] = str(src.resolve())
    return env


def _once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "easel", *args], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _modules(args: list[str], env: dict[str, str]) -> list[str]:
    """Which heavy modules the command imported."""
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['easel', *{args!r}]\n"
        "try:\n    runpy.run_module('easel', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print('heavy:' + ','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("heavy:"))
    return [m for m in line.removeprefix("heavy:").split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    baseline_arg(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        for label, src in checkouts(args):
            env = _env(src, data)
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", str(src or Path(__file__).parents[1])],
                check=False,
                capture_output=True,
            )
            for i in range(3):  # some history for `easel jobs`
                _once(["generate", f"a lighthouse {i}", "--size", "256x256", "--out", tmp], env)
            print(f"-- {label}")
            for command in COMMANDS:
                runs = [_once(command, env) for _ in range(args.runs)]
                walls, cpus = sorted(w for w, _ in runs), sorted(c for _, c in runs)
                print(
                    f"easel {' '.join(command)}: wall min {walls[0] * 1000:.0f} ms, "
                    f"median {walls[len(walls) // 2] * 1000:.0f} ms; CPU median "
                    f"{cpus[len(cpus) // 2] * 1000:.0f} ms; imports "
                    f"{', '.join(_modules(command, env)) or 'none of the heavy ones'}"
                )


if __name__ == "__main__":
    main()
