"""Adding Easel's record to a provider PNG: splicing chunks against re-encoding.

For offline-engine renders at 1024 and 2048 px and a 10.8 MB 4096x4096 PNG, times
(median of several runs, one process):

* **splice**: what Easel does now, `easel.storage.png.copy_png` writing the ``parameters``
  and ``easel`` chunks before the first IDAT (checksums checked, image data copied);
* **prepare**: all of `prepare_image`: the splice, the band-by-band decode, the WebP
  thumbnail and the sha256;
* **re-encode (before)**: what Easel did before, decode the PNG and save it again with the
  text chunks through Pillow at compression level 6.
"""

from __future__ import annotations

import asyncio
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from PIL import Image, PngImagePlugin

from bench_store_memory import make_image
from easel.config import ProviderSettings
from easel.providers.base import GenerationRequest, ImageBytes, RunContext
from easel.providers.offline import OfflineProvider
from easel.storage import png
from easel.storage.images import GenerationRecord, a1111_parameters, prepare_image
from easel.storage.records import RECORD_KEYS

RECORD = GenerationRecord(
    prompt="a lighthouse on a basalt cliff at dusk, volumetric light",
    negative_prompt="blurry",
    model_id="offline/procedural",
    model_name="Procedural",
    provider="offline",
    seed=42,
    width=1024,
    height=1024,
    params={"style": "watercolor"},
)


async def render(side: int) -> bytes:
    provider = OfflineProvider(ProviderSettings(), {})

    async def ignore(fraction: float, message: str, preview: bytes | None) -> None:
        return None

    async with httpx.AsyncClient() as http:
        request = GenerationRequest(
            model=provider.models()[0], prompt=RECORD.prompt, width=side, height=side, seed=42
        )
        finished = await provider.start(request, RunContext(http=http, report=ignore))
    output = finished.outputs[0]
    assert isinstance(output, ImageBytes)
    return output.data


def splice(data: bytes) -> bytes:
    out = io.BytesIO()
    size = Image.open(io.BytesIO(data)).size

    def chunks() -> bytes:
        text = png.text_chunk("parameters", a1111_parameters(RECORD, size))
        return text + png.itxt_chunk("easel", RECORD.to_json())

    png.copy_png(
        io.BytesIO(data),
        out,
        metadata=chunks,
        replaced=RECORD_KEYS,
        on_chunk=lambda kind, body: None,
        on_data=lambda piece: None,
    )
    return out.getvalue()


def reencode(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        info = PngImagePlugin.PngInfo()
        info.add_text("parameters", a1111_parameters(RECORD, image.size))
        info.add_itxt("easel", RECORD.to_json())
        out = io.BytesIO()
        image.save(out, "PNG", pnginfo=info, compress_level=6)
    return out.getvalue()


def timed(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def idat(data: bytes) -> bytes:
    chunks, position = [], 8
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        if data[position + 4 : position + 8] == b"IDAT":
            chunks.append(data[position + 8 : position + 8 + length])
        position += 12 + length
    return b"".join(chunks)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        large = Path(tmp) / "large.png"
        make_image(large)
        images = {
            "1024x1024 render": asyncio.run(render(1024)),
            "2048x2048 render": asyncio.run(render(2048)),
            "4096x4096, 10.8 MB": large.read_bytes(),
        }
    print("| image | size | splice | prepare (all) | re-encode (before) |")
    print("|---|---:|---:|---:|---:|")
    for name, data in images.items():
        spliced = splice(data)
        assert idat(spliced) == idat(data), "the image data changed"
        print(
            f"| {name} | {len(data) / 1e6:.1f} MB | {timed(lambda d=data: splice(d), 20):.2f} ms "
            f"| {timed(lambda d=data: prepare_image(d, RECORD), 5):.0f} ms "
            f"| {timed(lambda d=data: reencode(d), 3):.0f} ms |"
        )


if __name__ == "__main__":
    main()
