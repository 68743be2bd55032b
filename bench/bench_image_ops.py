"""Time the image operations' pixel work: python bench/bench_image_ops.py [--reps N].

Each operation runs on square 512, 1024 and 2048 px pictures, in this process, exactly
as the engine will call the functions (Pillow images in, Pillow images out; no PNG
encoding, no storage). Inputs: a landscape from the offline painter, a disc mask over
about 7% of it, and for background removal a red disc on a graded pale backdrop.
The first row of each size is the baseline: the offline painter generating a picture of
that size from text (painting and PNG encoding), timed in the same run.
Prints the median and p95 seconds per call for each operation and size, in wall-clock
time and in CPU time of this process (the latter barely moves when other work shares the
cores, so it tells the cost of an operation on a busy machine too).
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

from PIL import Image

from _common import percentile
from easel.imaging import (
    composite_outside,
    extension_to_aspect,
    extract_palette,
    normalize_mask,
    remove_background,
    upscale,
)
from easel.providers import _procedural as painter
from easel.providers._procedural import operations as ops
from support.pictures import disc_mask, subject_on_backdrop

SIZES = (512, 1024, 2048)
Op = Callable[[], object]


def picture(size: int) -> Image.Image:
    scene = painter.plan_scene("mountains at sunset over a lake", seed=3, width=size, height=size)
    with Image.open(io.BytesIO(painter.render(scene))) as png:
        return png.convert("RGB")


def operations(size: int) -> dict[str, Op]:
    image = picture(size)
    mask = disc_mask(image.size, (0.35, 0.3, 0.65, 0.6))
    user_mask = mask.convert("RGB").resize((size // 2, size // 2))  # a half-size RGB mask
    sloppy = image.resize((size * 3 // 4, size * 3 // 4)).rotate(2)
    subject = subject_on_backdrop(size, graded=True)
    style = picture(256).rotate(90)
    wide = extension_to_aspect(image.size, "16:9")
    scene = painter.plan_scene("mountains at sunset over a lake", seed=3, width=size, height=size)
    return {
        "baseline: offline text-to-image": lambda: painter.render(scene),
        "normalize mask (half-size RGB)": lambda: normalize_mask(user_mask, image.size),
        "composite outside mask": lambda: composite_outside(image, sloppy, mask),
        "palette (8 colours)": lambda: extract_palette(image, 8),
        "upscale ×2": lambda: upscale(image, 2),
        "remove background": lambda: remove_background(subject),
        "offline inpaint": lambda: ops.inpaint(image, mask, seed=1),
        "offline outpaint to 16:9": lambda: ops.outpaint(image, wide, seed=1),
        "offline variation": lambda: ops.vary_image(image, seed=1),
        "offline edit (watercolor)": lambda: ops.edit(image, "watercolor", seed=1),
        "offline edit (vivid mosaic)": lambda: ops.edit(image, "vivid mosaic", seed=1),
        "offline style transfer": lambda: ops.transfer_style(image, style, seed=1),
    }


def measure(op: Op, reps: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each of ``reps`` calls."""
    op()  # warm up caches and lazy imports
    wall, cpu = [], []
    for _ in range(reps):
        start, start_cpu = time.perf_counter(), time.process_time()
        op()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10, help="timed runs per cell (default 10)")
    reps = max(1, parser.parse_args().reps)
    print(
        f"{'operation':<32} {'size':>9}  {'median s':>8}  {'p95 s':>8}  "
        f"{'cpu med':>8}  {'cpu p95':>8}"
    )
    for size in SIZES:
        for name, op in operations(size).items():
            wall, cpu = measure(op, reps)
            figures = [statistics.median(wall), percentile(wall, 0.95)]
            figures += [statistics.median(cpu), percentile(cpu, 0.95)]
            cells = "  ".join(f"{v:>8.3f}" for v in figures)
            print(f"{name:<32} {size:>4}x{size:<4}  {cells}", flush=True)


if __name__ == "__main__":
    main()
