"""What a caller may ask of the assistants (the request bodies of the assist routes)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from easel.engine.specs import MAX_MODELS, ModelId

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
AssistModelId = Annotated[str, StringConstraints(min_length=3, max_length=100)]
MAX_IMAGES = 8
MAX_SUGGESTIONS = 8


class DescribeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    images: list[Sha256] = Field(
        min_length=1,
        max_length=MAX_IMAGES,
        description="sha256 of images you own: uploads (POST /api/v1/uploads) or results.",
    )
    question: str | None = Field(
        default=None, max_length=2000, description="Something to answer about the images."
    )
    model: AssistModelId | None = Field(
        default=None,
        description="An assistant model id (GET /api/v1/assist/models); left out: the "
        "studio's default (EASEL_ASSIST_MODEL), else the offline assistant.",
    )


class SuggestSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    idea: str = Field(min_length=1, max_length=2000, description="The idea or prompt to improve.")
    models: list[ModelId] = Field(
        default_factory=list,
        max_length=MAX_MODELS,
        description="Image models the prompts are for; the suggestions play to their strengths.",
    )
    count: int = Field(default=3, ge=1, le=MAX_SUGGESTIONS)
    style: str | None = Field(default=None, max_length=200)
    model: AssistModelId | None = Field(default=None, description="As for describe.")
