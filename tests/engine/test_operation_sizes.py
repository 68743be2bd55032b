"""How an operation's job is planned: the result size each model is asked for, and the
fields each operation takes. Pure planning, no server: the catalog as configured."""

from __future__ import annotations

import pytest

from easel.config import Settings
from easel.engine.operations import SourceSize
from easel.engine.specs import JobSpec, plan_variants
from easel.errors import UserInputError
from easel.providers import Catalog

SHA = "a" * 64
SOURCE = SourceSize(256, 192)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(
        Settings(environ={"OPENAI_API_KEY": "k", "GEMINI_API_KEY": "k", "STABILITY_API_KEY": "k"})
    )


def _size(catalog: Catalog, model: str, **spec: object) -> tuple[int, int, str | None]:
    job = JobSpec.model_validate({"models": [model], "image": SHA, **spec})
    (planned,) = plan_variants(job, catalog, max_variants=8, source=SOURCE)
    return planned.params["width"], planned.params["height"], planned.params.get("aspect_ratio")


def test_the_offline_engine_keeps_the_sources_size(catalog: Catalog) -> None:
    offline = "offline/procedural"
    assert _size(catalog, offline, operation="upscale", factor=4) == (1024, 768, None)
    extend = {"left": 10, "right": 6, "top": 0, "bottom": 4}
    assert _size(catalog, offline, operation="outpaint", extend=extend) == (272, 196, None)
    assert _size(catalog, offline, operation="inpaint", mask=SHA) == (256, 192, None)


def test_a_free_size_model_is_asked_for_the_shape_within_its_bounds(catalog: Catalog) -> None:
    width, height, _ = _size(catalog, "openai/gpt-image-2", operation="inpaint", mask=SHA)
    caps = catalog.get("openai/gpt-image-2").model.capabilities
    assert width % 16 == 0 and height % 16 == 0
    assert caps.min_pixels <= width * height <= caps.max_pixels
    assert abs(width / height - 256 / 192) < 0.05


def test_a_ratio_model_gets_the_nearest_ratio(catalog: Catalog) -> None:
    planned = _size(catalog, "google/gemini-3.1-flash-image", operation="edit", prompt="x")
    assert planned[2] == "4:3"


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"operation": "edit"}, "prompt"),
        ({"operation": "style_transfer"}, "style_image"),
        ({"operation": "remove_background", "prompt": "x"}, "prompt"),
        ({"operation": "variations", "factor": 2}, "factor"),
        ({"operation": "inpaint", "mask": SHA, "aspect_ratio": "1:1"}, "aspect_ratio"),
    ],
)
def test_operation_fields_are_checked(
    catalog: Catalog, spec: dict[str, object], field: str
) -> None:
    with pytest.raises(UserInputError) as refused:
        _size(catalog, "offline/procedural", **spec)
    assert refused.value.field == field


def test_an_upscaler_with_one_factor_uses_it_and_refuses_the_other(catalog: Catalog) -> None:
    fast = "stability/upscale-fast"  # Stability's fast upscaler only makes 4x
    assert _size(catalog, fast, operation="upscale") == (1024, 768, None)
    assert _size(catalog, "offline/procedural", operation="upscale") == (512, 384, None)
    with pytest.raises(UserInputError) as refused:
        _size(catalog, fast, operation="upscale", factor=2)
    assert refused.value.field == "factor" and refused.value.allowed == ["4"]
