"""The offline painter's library of subjects, and the pictures it draws from a plan:
every subject renders at any size and shape, its drawing lands where the plan put it,
text is lettered, output is deterministic, and the engine reports a drawing stage."""

from __future__ import annotations

import io
from dataclasses import replace

import httpx
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from easel.config import ProviderSettings
from easel.providers import _procedural as painter
from easel.providers._procedural.lettering import text_mask
from easel.providers._procedural.phrases import read_prompt
from easel.providers._procedural.subjects import LIBRARY, NOUNS
from easel.providers.base import Finished, GenerationRequest, ImageBytes, RunContext
from easel.providers.offline import OfflineProvider

Pixels = npt.NDArray[np.float64]


def pixels(png: bytes) -> Pixels:
    with Image.open(io.BytesIO(png)) as img:
        return np.asarray(img.convert("RGB"), dtype=np.float64) / 255.0


def render(scene: painter.Scene) -> Pixels:
    return pixels(painter.render(scene))


def prompt_for(kind: str) -> str:
    return "a portrait of a man" if kind == "portrait" else f"a {kind}"


def test_the_library_is_large_and_organised_in_families() -> None:
    assert len(LIBRARY) >= 40
    families = {spec.family for spec in LIBRARY.values()}
    assert len(families) >= 8
    for spec in LIBRARY.values():
        assert spec.colours, spec.kind
        assert spec.aspect > 0 and 0 < spec.scale <= 1 and spec.metres > 0


def test_every_noun_asks_for_its_subject() -> None:
    for words, (kind, _) in NOUNS.items():
        wanted = read_prompt(f"a {' '.join(words)}").wanted
        assert [w.kind for w in wanted] == [kind], words


@pytest.mark.parametrize("kind", sorted(LIBRARY))
def test_every_subject_renders_at_any_size_and_shape(kind: str) -> None:
    sizes = ((64, 64, ""), (344, 144, " at night"), (72, 168, ""), (200, 120, " at night"))
    for width, height, when in sizes:
        scene = painter.plan_scene(prompt_for(kind) + when, seed=2, width=width, height=height)
        assert kind in {p.kind for p in scene.subjects}
        img = render(scene)
        assert img.shape == (height, width, 3)
        assert np.isfinite(img).all()


def test_a_named_colour_is_painted() -> None:
    for colour, hue in (("red", 0.0), ("blue", 0.62)):
        scene = painter.plan_scene(f"a big {colour} car", seed=3, width=320, height=240)
        (car,) = scene.subjects
        x0, x1 = int((car.x - car.width / 3) * 320), int((car.x + car.width / 3) * 320)
        y0, y1 = int((car.y - car.height * 0.45) * 240), int((car.y - car.height * 0.3) * 240)
        patch = render(scene)[y0:y1, x0:x1]
        hsv = np.asarray(Image.fromarray((patch * 255).astype(np.uint8)).convert("HSV"), float)
        coloured = hsv[..., 1] > 80
        hues = hsv[..., 0][coloured] / 255
        distance = np.minimum(np.abs(hues - hue), 1 - np.abs(hues - hue))
        assert coloured.mean() > 0.5 and np.median(distance) < 0.06, colour


@pytest.mark.parametrize(
    "prompt", ["the word HELLO in bold letters", "a sign that says OPEN", "a logo for a bakery"]
)
def test_text_is_lettered(prompt: str) -> None:
    scene = painter.plan_scene(prompt, seed=1, width=384, height=288)
    plain = replace(
        scene, lettering=None, subjects=tuple(replace(p, text=None) for p in scene.subjects)
    )
    changed = np.abs(render(scene) - render(plain)).max(axis=2) > 0.2
    assert changed.mean() > 0.01
    # The letters' own shapes: the mask the painter uses for them is not empty.
    words = scene.lettering.text if scene.lettering else scene.subjects[0].text
    assert words is not None
    mask = text_mask(words, 300, 100)
    assert mask is not None and mask.max() == pytest.approx(1.0) and 0.1 < mask.mean() < 0.8


def test_lettering_drops_what_the_font_cannot_draw() -> None:
    assert text_mask("", 100, 50) is None
    assert text_mask("日本", 100, 50) is None
    assert text_mask("Café €5", 200, 60) is not None


@pytest.mark.parametrize("style", ["watercolor", "mosaic", "geometric", "nebula"])
def test_styles_treat_subject_pictures_too(style: str) -> None:
    scene = painter.plan_scene(
        "a red kite and a blue boat", seed=4, width=192, height=144, style=style
    )
    assert {p.kind for p in scene.subjects} == {"kite", "boat"}
    base = painter.plan_scene("a red kite and a blue boat", seed=4, width=192, height=144)
    assert np.abs(render(scene) - render(base)).mean() > 0.01


def test_same_inputs_give_the_same_plan_and_pixels() -> None:
    scene = painter.plan_scene("a castle at sunset", seed=9, width=128, height=96)
    again = painter.plan_scene("a castle at sunset", seed=9, width=128, height=96)
    assert scene == again
    assert painter.render(scene) == painter.render(again)
    other = painter.plan_scene("a castle at sunset", seed=10, width=128, height=96)
    assert other.subjects != scene.subjects


async def test_the_engine_reports_drawing_the_subjects() -> None:
    provider = OfflineProvider(ProviderSettings(), {})
    reports: list[tuple[float, str, bytes | None]] = []

    async def report(fraction: float, message: str, preview: bytes | None) -> None:
        reports.append((fraction, message, preview))

    req = GenerationRequest(provider.models()[0], "a red kite and a blue boat", 320, 240, seed=1)
    async with httpx.AsyncClient() as http:
        ctx = RunContext(http=http, report=report, want_previews=True)  # someone watches
        outcome = await provider.start(req, ctx)
    assert isinstance(outcome, Finished)
    assert isinstance(outcome.outputs[0], ImageBytes)
    messages = [m for _, m, _ in reports]
    assert "Drawing the kite and the boat" in messages
    assert all(preview for _, _, preview in reports)
