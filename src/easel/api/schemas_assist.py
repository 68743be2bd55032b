"""Response shapes of the assist routes, and how they are built from the catalog and rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from easel.assist.base import Modality
from easel.assist.catalog import AssistEntry
from easel.assist.frames import SuggestionOut, UsageOut
from easel.assist.service import assist_path
from easel.db.ids import as_utc
from easel.db.tables import AssistRun
from easel.engine.pricing import usd
from easel.providers.base import Lifecycle


class AssistPriceOut(BaseModel):
    input_per_million_usd: str = Field(description="Today's price per million input tokens.")
    output_per_million_usd: str
    long_prompt_tokens: int | None = Field(
        default=None, description="Prompts longer than this are billed at the long rates."
    )
    long_input_per_million_usd: str | None = None
    long_output_per_million_usd: str | None = None
    source: str
    as_of: str | None
    note: str = ""


class AssistModelOut(BaseModel):
    id: str
    name: str
    provider: str
    kind: str
    description: str
    available: bool
    unavailable_reason: str | None
    modality: Modality
    max_images: int
    lifecycle: Lifecycle
    price: AssistPriceOut

    @classmethod
    def build(cls, entry: AssistEntry, today: date) -> AssistModelOut:
        model, pricing = entry.model, entry.model.pricing
        rate = pricing.rate_on(today)
        price = AssistPriceOut(
            input_per_million_usd=usd(rate.input_per_million) if rate else "0",
            output_per_million_usd=usd(rate.output_per_million) if rate else "0",
            long_prompt_tokens=rate.long_prompt_tokens if rate else None,
            long_input_per_million_usd=_usd(rate.long_input_per_million) if rate else None,
            long_output_per_million_usd=_usd(rate.long_output_per_million) if rate else None,
            source=pricing.source,
            as_of=pricing.as_of.isoformat() if pricing.as_of else None,
            note=pricing.note,
        )
        return cls(
            id=model.id,
            name=model.name,
            provider=model.provider,
            kind=model.kind,
            description=model.description,
            available=entry.available,
            unavailable_reason=entry.unavailable_reason,
            modality=model.modality,
            max_images=model.max_images,
            lifecycle=model.lifecycle.model_copy(update={"status": entry.status}),
            price=price,
        )


def _usd(value: Decimal | None) -> str | None:
    return usd(value) if value is not None else None


class AssistError(BaseModel):
    code: str
    message: str


class AssistRunOut(BaseModel):
    id: str
    url: str
    kind: str = Field(description="describe or prompt.")
    model: str
    provider: str
    status: str = Field(description="succeeded, failed or canceled.")
    request_text: str = Field(description="The question (describe) or the idea (prompt).")
    params: dict[str, Any]
    text: str
    prompt: str | None = Field(default=None, description="describe: the reproducing prompt.")
    suggestions: list[SuggestionOut] | None = None
    usage: UsageOut | None
    cost_usd: str | None
    error: AssistError | None
    created_at: datetime
    finished_at: datetime
    duration_ms: int
    first_delta_ms: int | None

    @classmethod
    def build(cls, row: AssistRun) -> AssistRunOut:
        usage = None
        if row.input_tokens is not None and row.output_tokens is not None:
            usage = UsageOut(input_tokens=row.input_tokens, output_tokens=row.output_tokens)
        suggestions = row.result.get("suggestions")
        return cls(
            id=row.id,
            url=assist_path(row.id),
            kind=row.kind,
            model=row.model_id,
            provider=row.provider_id,
            status=row.status,
            request_text=row.request_text,
            params=row.params,
            text=row.text,
            prompt=row.result.get("prompt"),
            suggestions=[SuggestionOut(**s) for s in suggestions]
            if suggestions is not None
            else None,
            usage=usage,
            cost_usd=usd(row.cost_usd) if row.cost_usd is not None else None,
            error=AssistError(code=row.error_code, message=row.error_message or "")
            if row.error_code
            else None,
            created_at=as_utc(row.created_at),
            finished_at=as_utc(row.finished_at),
            duration_ms=row.duration_ms,
            first_delta_ms=row.first_delta_ms,
        )


class AssistPage(BaseModel):
    items: list[AssistRunOut]
    next_cursor: str | None = Field(description="Pass as `before` to get the next page.")


class AssistStats(BaseModel):
    model: str
    runs: int
    succeeded: int
    failed: int
    canceled: int
    input_tokens: int
    output_tokens: int
    p50_first_delta_ms: int | None
    total_cost_usd: str


def _median(values: list[int]) -> int | None:
    return sorted(values)[(len(values) - 1) // 2] if values else None


def assist_stats(
    rows: Sequence[tuple[str, str, int | None, int | None, int | None, Decimal | None]],
) -> list[AssistStats]:
    grouped: dict[str, list[tuple[str, int | None, int | None, int | None, Decimal | None]]]
    grouped = defaultdict(list)
    for model, status, tokens_in, tokens_out, first_ms, cost in rows:
        grouped[model].append((status, tokens_in, tokens_out, first_ms, cost))
    out = []
    for model, runs in sorted(grouped.items()):
        statuses = [run[0] for run in runs]
        out.append(
            AssistStats(
                model=model,
                runs=len(runs),
                succeeded=statuses.count("succeeded"),
                failed=statuses.count("failed"),
                canceled=statuses.count("canceled"),
                input_tokens=sum(run[1] or 0 for run in runs),
                output_tokens=sum(run[2] or 0 for run in runs),
                p50_first_delta_ms=_median([run[3] for run in runs if run[3] is not None]),
                total_cost_usd=usd(sum((run[4] or Decimal(0) for run in runs), Decimal(0))),
            )
        )
    return out
