"""The built-in offline engine: honest catalog entry, deterministic and prompt-driven
pictures, exact sizes, real progress with previews, cancellation and negative prompts."""

from __future__ import annotations

import asyncio
import io
import itertools
import os
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from easel.config import ProviderSettings
from easel.errors import UnsupportedRequest
from easel.providers import _procedural as painter
from easel.providers.base import Finished, GenerationRequest, ImageBytes, RunContext
from easel.providers.offline import MODEL_ID, OfflineProvider

Pixels = npt.NDArray[np.float64]


@dataclass
class Recorder:
    """A report callback that keeps everything it is told."""

    reports: list[tuple[float, str, bytes | None]] = field(default_factory=list)
    on_report: Callable[[], None] | None = None

    async def __call__(self, fraction: float, message: str, preview: bytes | None) -> None:
        self.reports.append((fraction, message, preview))
        if self.on_report:
            self.on_report()


@pytest.fixture
def provider() -> OfflineProvider:
    return OfflineProvider(ProviderSettings(), {})


def request(
    provider: OfflineProvider,
    prompt: str,
    *,
    width: int = 256,
    height: int = 256,
    seed: int | None = 1,
    style: str | None = None,
    negative: str | None = None,
) -> GenerationRequest:
    return GenerationRequest(
        model=provider.models()[0],
        prompt=prompt,
        width=width,
        height=height,
        seed=seed,
        style=style,
        negative_prompt=negative,
    )


async def generate(
    provider: OfflineProvider,
    req: GenerationRequest,
    recorder: Recorder | None = None,
    *,
    want_previews: bool = False,
) -> tuple[bytes, Finished]:
    async with httpx.AsyncClient() as http:
        ctx = RunContext(http=http, report=recorder or Recorder(), want_previews=want_previews)
        outcome = await provider.start(req, ctx)
    assert isinstance(outcome, Finished)
    (output,) = outcome.outputs
    assert isinstance(output, ImageBytes)
    assert output.mime_type == "image/png"
    return output.data, outcome


async def paint(
    provider: OfflineProvider,
    prompt: str,
    *,
    width: int = 256,
    height: int = 256,
    seed: int | None = 1,
    style: str | None = None,
    negative: str | None = None,
) -> Pixels:
    req = request(
        provider, prompt, width=width, height=height, seed=seed, style=style, negative=negative
    )
    data, _ = await generate(provider, req)
    return pixels(data)


def pixels(data: bytes) -> Pixels:
    with Image.open(io.BytesIO(data)) as img:
        return np.asarray(img.convert("RGB"), dtype=np.float64) / 255.0


def png_chunks(data: bytes) -> list[str]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, names = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        names.append(data[pos + 4 : pos + 8].decode("ascii"))
        pos += 12 + length
    return names


def hue_share(img: Pixels, lo: float, hi: float) -> float:
    """Share of clearly coloured pixels whose hue (0..1) lies in [lo, hi)."""
    hsv = np.asarray(Image.fromarray((img * 255).astype(np.uint8)).convert("HSV"), dtype=np.float64)
    hue, sat, val = hsv[..., 0] / 255, hsv[..., 1] / 255, hsv[..., 2] / 255
    coloured = (sat > 0.25) & (val > 0.15)
    # lo > hi wraps around red
    in_range = (hue >= lo) | (hue < hi) if lo > hi else (hue >= lo) & (hue < hi)
    return float((coloured & in_range).mean())


# ------------------------------------------------------------------------- catalog


def test_catalog_entry_is_honest_about_being_procedural(provider: OfflineProvider) -> None:
    (model,) = provider.models()
    assert model.id == MODEL_ID == "offline/procedural"
    assert model.provider == "offline" and model.kind == "offline"
    assert "offline" in model.name.lower() and "procedural" in model.name.lower()
    assert "not an AI model" in model.description
    assert model.pricing.per_image == Decimal(0)
    assert model.pricing.source == "built-in offline engine"
    caps = model.capabilities
    assert (caps.min_side, caps.max_side, caps.max_n) == (64, 2048, 8)
    assert caps.seed and caps.negative_prompt and caps.previews
    assert {"1:1", "16:9", "9:16", "21:9", "9:21"} <= set(caps.aspect_ratios)
    assert {"auto", "geometric", "landscape", "nebula", "watercolor", "mosaic"} <= set(caps.styles)


def test_always_available_without_keys(provider: OfflineProvider) -> None:
    assert provider.key_env_vars == ()
    assert provider.unavailable_reason() is None


# ------------------------------------------------------------------- determinism


async def test_same_inputs_give_byte_identical_plain_png(provider: OfflineProvider) -> None:
    def req() -> GenerationRequest:
        prompt = "a red sunset over mountains"
        return request(provider, prompt, seed=42, style="auto", negative="clouds")

    first, done = await generate(provider, req())
    second, _ = await generate(provider, req())
    assert first == second
    assert done.seed == 42
    # Metadata is the storage layer's job: only the image itself comes out.
    assert png_chunks(first) == ["IHDR", *["IDAT"] * (len(png_chunks(first)) - 2), "IEND"]


def test_output_does_not_depend_on_the_process(tmp_path: Path) -> None:
    """Same bytes in fresh interpreters with different hash seeds (set order varies)."""
    code = (
        "import hashlib, sys\n"
        "from easel.providers import _procedural as p\n"
        "s = p.plan_scene('red sunset over mountains and a lake', seed=11, width=160,\n"
        "    height=96, negative='orange red clouds')\n"
        "sys.stdout.write(hashlib.sha256(p.render(s)).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(hash_seed)},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
        for hash_seed in (1, 2)
    }
    assert len(digests) == 1


async def test_a_different_seed_gives_a_different_picture(provider: OfflineProvider) -> None:
    a = await paint(provider, "calm teal ocean with a full moon", seed=1)
    b = await paint(provider, "calm teal ocean with a full moon", seed=2)
    assert np.abs(a - b).mean() > 0.01


async def test_missing_seed_is_derived_from_the_prompt(provider: OfflineProvider) -> None:
    first, done = await generate(provider, request(provider, "golden forest", seed=None))
    again, done_again = await generate(provider, request(provider, "golden forest", seed=None))
    assert first == again
    assert done.seed == done_again.seed == painter.seed_from_prompt("golden forest")
    assert painter.seed_from_prompt("golden forest") != painter.seed_from_prompt("silver forest")


# ------------------------------------------------------------- prompt → picture


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_colour_and_mood_words_set_the_palette(provider: OfflineProvider, seed: int) -> None:
    warm = await paint(provider, "crimson red sunset", seed=seed)
    cold = await paint(provider, "deep blue ocean night", seed=seed)
    red, blue = (0, 1, 2), (2, 1, 0)
    warm_r, _, warm_b = (warm[..., i].mean() for i in red)
    cold_b, _, cold_r = (cold[..., i].mean() for i in blue)
    assert warm_r > warm_b + 0.1, "a crimson sunset is mostly red"
    assert cold_b > cold_r + 0.05, "a blue night ocean is mostly blue"
    assert hue_share(warm, 0.9, 0.08) > 5 * hue_share(cold, 0.9, 0.08)
    assert hue_share(cold, 0.5, 0.75) > 5 * hue_share(warm, 0.5, 0.75)


async def test_subject_words_change_the_composition(provider: OfflineProvider) -> None:
    city = await paint(provider, "neon city at night", seed=5)
    mountains = await paint(provider, "neon mountains at night", seed=5)
    assert np.abs(city - mountains).mean() > 0.03


def test_planner_reads_subjects_moods_and_layouts() -> None:
    def plan(prompt: str, **kw: str) -> painter.Scene:
        return painter.plan_scene(prompt, seed=1, width=64, height=64, **kw)

    ocean = plan("calm teal ocean with a full moon")
    assert {"water", "moon"} <= ocean.elements and "calm" in ocean.modifiers
    assert ocean.layout == "landscape"
    assert plan("neon city at night").mood == "neon"
    assert plan("abstract geometric pastel shapes").layout == "geometric"
    assert plan("a swirling nebula").layout == "nebula"
    assert plan("hills", style="watercolor").treatment == "watercolor"
    assert plan("hills", style="mosaic").treatment == "mosaic"
    assert "moon" not in plan("a night sky with no moon").elements


@pytest.mark.parametrize(
    "style", ["auto", "landscape", "geometric", "nebula", "watercolor", "mosaic"]
)
@pytest.mark.parametrize("prompt", ["golden forest in autumn", "a cat on a chair"])
async def test_pictures_have_structure_not_noise(
    provider: OfflineProvider, style: str, prompt: str
) -> None:
    img = await paint(provider, prompt, style=style, width=192, height=192)
    # The same colours in random places: what noise with this palette would look like.
    shuffled = np.random.default_rng(0).permutation(img.reshape(-1, 3)).reshape(img.shape)

    def roughness(a: Pixels) -> float:
        return float(np.abs(np.diff(a, axis=1)).mean() + np.abs(np.diff(a, axis=0)).mean())

    # Neighbouring pixels mostly agree, far more than randomly placed ones would...
    assert roughness(img) < 0.4 * roughness(shuffled)
    # ...yet the picture is not one flat colour: coarse blocks differ from each other.
    blocks = img.reshape(12, 16, 12, 16, 3).mean(axis=(1, 3))
    assert blocks.std(axis=(0, 1)).max() > 0.04


async def test_styles_give_different_pictures(provider: OfflineProvider) -> None:
    shots = [
        await paint(provider, "mountains by a lake", style=style, seed=9)
        for style in ("landscape", "watercolor", "mosaic", "geometric")
    ]
    for i, a in enumerate(shots):
        for b in shots[i + 1 :]:
            assert np.abs(a - b).mean() > 0.01


# -------------------------------------------------------------------------- sizes


@pytest.mark.parametrize(
    ("width", "height"),
    [(64, 64), (2048, 1152), (72, 168), (344, 144), (1000, 664), (201, 67), (64, 2048)],
)
async def test_output_has_exactly_the_requested_size(
    provider: OfflineProvider, width: int, height: int
) -> None:
    data, _ = await generate(provider, request(provider, "sunset", width=width, height=height))
    with Image.open(io.BytesIO(data)) as img:
        assert img.size == (width, height)
        assert img.mode == "RGB"


async def test_sizes_outside_the_bounds_are_refused(provider: OfflineProvider) -> None:
    with pytest.raises(UnsupportedRequest):
        await generate(provider, request(provider, "sunset", width=4096, height=512))
    with pytest.raises(UnsupportedRequest):
        await generate(provider, request(provider, "sunset", width=32, height=512))


# ----------------------------------------------------------------------- progress


async def test_progress_reports_rise_and_carry_small_previews(provider: OfflineProvider) -> None:
    rec = Recorder()
    req = request(provider, "neon city at night", width=640, height=360)
    await generate(provider, req, rec, want_previews=True)
    assert len(rec.reports) >= 5
    fractions = [f for f, _, _ in rec.reports]
    assert all(0 < a < b for a, b in itertools.pairwise(fractions))
    assert fractions[-1] == 1.0
    for _, message, preview in rec.reports:
        assert message
        assert preview is not None
        with Image.open(io.BytesIO(preview)) as img:
            assert max(img.size) <= 128
            assert img.size[0] > img.size[1]  # same shape as the picture
    # The previews show the picture growing, not one image repeated.
    assert len({p for _, _, p in rec.reports}) >= 4


async def test_no_previews_are_painted_when_no_one_can_see_them(
    provider: OfflineProvider,
) -> None:
    rec = Recorder()
    req = request(provider, "neon city at night", width=640, height=360)
    image, _ = await generate(provider, req, rec, want_previews=False)
    assert len(rec.reports) >= 5 and all(p is None for _, _, p in rec.reports)
    assert image == (await generate(provider, req, want_previews=True))[0]


async def test_cancelling_stops_the_painting(
    provider: OfflineProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    real_stages = painter.stages

    def counted(scene: painter.Scene) -> tuple[painter.Stage, ...]:
        def wrap(name: str, step: painter.StageFn) -> painter.StageFn:
            def run(canvas: painter.Canvas) -> None:
                ran.append(name)
                step(canvas)

            return run

        return tuple((name, wrap(name, step)) for name, step in real_stages(scene))

    encoded: list[int] = []
    real_encode = painter.encode_png

    def encode(canvas: painter.Canvas) -> bytes:
        encoded.append(1)
        return real_encode(canvas)

    monkeypatch.setattr(painter, "stages", counted)
    monkeypatch.setattr(painter, "encode_png", encode)

    first = asyncio.Event()
    rec = Recorder(on_report=first.set)
    task = asyncio.create_task(
        generate(provider, request(provider, "mountains by a lake", width=1024, height=1024), rec)
    )
    await asyncio.wait_for(first.wait(), timeout=30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(1.0)  # let the stage already in its thread finish
    assert len(rec.reports) == 1
    assert len(ran) <= 2, ran
    assert not encoded


async def test_event_loop_stays_responsive_while_painting(provider: OfflineProvider) -> None:
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticks = asyncio.create_task(ticker())
    try:
        await generate(provider, request(provider, "mountains", width=1024, height=1024))
    finally:
        ticks.cancel()
    assert gaps and max(gaps) < 0.5


# ------------------------------------------------------------------ negative prompt


@pytest.mark.parametrize("seed", [4, 5])
async def test_negative_colour_drains_that_colour(provider: OfflineProvider, seed: int) -> None:
    # No colour word in the prompt: the oranges come from the sunset mood itself.
    plain = await paint(provider, "sunset over the sea", seed=seed)
    drained = await paint(provider, "sunset over the sea", seed=seed, negative="orange")
    orange = (0.03, 0.12)
    assert hue_share(plain, *orange) > 0.1
    assert hue_share(drained, *orange) < 0.3 * hue_share(plain, *orange)


async def test_negative_colour_also_cancels_the_colour_word(provider: OfflineProvider) -> None:
    plain = await paint(provider, "red sunset over the sea", seed=4)
    drained = await paint(provider, "red sunset over the sea", seed=4, negative="red")
    assert hue_share(drained, 0.93, 0.05) < 0.5 * hue_share(plain, 0.93, 0.05)


async def test_negative_subject_removes_it(provider: OfflineProvider) -> None:
    prompt = "a full moon over a calm lake at night"
    with_moon = await paint(provider, prompt, seed=3)
    without = await paint(provider, prompt, seed=3, negative="moon")
    assert np.abs(with_moon - without).mean() > 0.003

    # The moon is a disc of bright pixels in the sky; stars alone are only a few.
    def bright(img: Pixels) -> int:
        return int((img[:128].mean(axis=2) > 0.75).sum())

    assert bright(with_moon) > 100
    assert bright(without) < 40


async def test_negation_inside_the_prompt_works_like_a_negative(provider: OfflineProvider) -> None:
    said = await paint(provider, "a calm lake at night, no moon", seed=3)
    negative = await paint(provider, "a calm lake at night, no moon", seed=3, negative="moon")
    assert np.abs(said - negative).mean() < 1e-6
