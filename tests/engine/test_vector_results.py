"""A model whose catalog entry lists ``image/svg+xml`` among its output types may answer
with an SVG (``ImageBytes(svg, "image/svg+xml")``); the engine stores it sanitised. Any
other model answering with an SVG fails saying so."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

from easel.config import Settings
from easel.db.migrate import upgrade
from easel.db.repos import users as user_repo
from easel.engine.specs import JobSpec
from easel.providers import Catalog
from easel.providers.base import (
    Capabilities,
    Finished,
    GenerationRequest,
    ImageBytes,
    ModelInfo,
    Pricing,
    Provider,
    RunContext,
)
from easel.services import build_services

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" onload="alert(1)">'
    b'<script>alert(2)</script><a href="https://example.invalid/"><circle r="20" cx="32" '
    b'cy="32" fill="#c33"/></a></svg>'
)
RASTER = ("image/png", "image/jpeg", "image/webp")


class VectorProvider(Provider):
    """Answers every request with the same SVG, as a vector model's API does inline."""

    id = "vector"
    display_name = "Vector"

    def models(self) -> list[ModelInfo]:
        def model(name: str, outputs: tuple[str, ...]) -> ModelInfo:
            return ModelInfo(
                id=f"vector/{name}",
                name=name,
                provider="vector",
                capabilities=Capabilities(output_types=outputs),
                pricing=Pricing(per_image=Decimal("0.08")),
            )

        return [model("svg", (*RASTER, "image/svg+xml")), model("raster", RASTER)]

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Finished:
        return Finished(outputs=(ImageBytes(SVG, "image/svg+xml"),))


async def test_a_vector_model_stores_a_sanitised_svg_and_others_refuse_it(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", environ={"HOME": str(tmp_path)})
    settings.data_dir.mkdir(parents=True)
    await asyncio.to_thread(upgrade, settings.resolved_database_url)
    catalog = Catalog([VectorProvider(settings.provider("vector"), {})], [])
    services = build_services(settings, catalog=catalog)
    try:
        async with services.db.transaction() as session:
            issued = await user_repo.create_token(session, user_name="alice")
            user = await user_repo.user_for_token(session, token=issued.token)
        assert user is not None
        spec = JobSpec(prompt="a red dot", models=["vector/svg", "vector/raster"])
        job = await services.jobs.create(user_id=user.id, spec=spec)
        view = await services.jobs.get(user_id=user.id, job_id=job.id)
        for variant in view.variants:
            await services.worker.handle(variant.id)
        view = await services.jobs.get(user_id=user.id, job_id=job.id)
        outcome: dict[str, Any] = {v.model_id: v for v in view.variants}

        vector = outcome["vector/svg"]
        assert vector.status == "succeeded", vector.error_message
        image = view.images[vector.image_sha256]
        assert image.mime_type == "image/svg+xml"
        stored = await services.store.get(image.storage_key)
        assert b"<script" not in stored and b"onload" not in stored
        assert b"example.invalid" not in stored and b"<circle" in stored
        thumbnail = await services.store.get(image.thumbnail_key)
        assert thumbnail[8:12] == b"WEBP"

        raster = outcome["vector/raster"]
        assert (raster.status, raster.error_code) == ("failed", "invalid-output")
        assert "image/svg+xml, which is not an accepted type" in (raster.error_message or "")
    finally:
        await services.aclose()
