"""Print the model catalog as a markdown table, for docs/providers.md.

    .venv/bin/python scripts/providers_table.py

It loads the live catalog with no keys configured (every provider lists its models
whether or not it could run them), so the table is the same on every machine. The
lifecycle columns show what each provider declares (a deprecated model turns shut down
on its date by itself), so the table does not change with the day it is made on.
"""

from __future__ import annotations

from decimal import Decimal

from easel.config import Settings
from easel.providers import Catalog
from easel.providers.base import Capabilities, Lifecycle, ModelInfo, Pricing

COLUMNS = (
    "Model",
    "Name",
    "Provider",
    "Sizes / ratios",
    "Max n",
    "Seed",
    "Negative prompt",
    "Reference images",
    "USD per image",
    "Price source (as of)",
    "Status",
    "Shutdown",
    "Replacement",
    "Lifecycle source",
)


def _some(values: tuple[str, ...], limit: int = 4) -> str:
    shown = ", ".join(values[:limit])
    return f"{shown} … ({len(values)} in all)" if len(values) > limit else shown


def sizes(caps: Capabilities) -> str:
    if "generate" not in caps.operations and caps.keeps_source_size:
        return "the image's (" + ", ".join(caps.operations) + ")"
    if caps.sizes:
        return _some(caps.sizes)
    ratios = f"ratios {_some(caps.aspect_ratios)}" if caps.aspect_ratios else ""
    if caps.ratio_only:
        return ratios
    step = f", multiples of {caps.size_multiple}" if caps.size_multiple > 1 else ""
    free = f"any {caps.min_side}–{caps.max_side} px{step}"
    if caps.max_pixels:
        free += f", {caps.min_pixels:,}–{caps.max_pixels:,} pixels"
    if caps.max_aspect:
        free += f", up to {caps.max_aspect:g}:1"
    return f"{free}; {ratios}" if ratios else free


def _usd(value: Decimal) -> str:
    return f"{value.normalize():f}"


def price(pricing: Pricing) -> str:
    text = _usd(pricing.per_image)
    if pricing.rules:
        values = [pricing.per_image, *(rule.usd for rule in pricing.rules)]
        keys = sorted({key for rule in pricing.rules for key in rule.when})
        text = f"{_usd(min(values))}–{_usd(max(values))} by {', '.join(keys)}"
    if pricing.tokens is not None:
        text += "; from token usage when reported"
    return text


def _yes(flag: bool) -> str:
    return "yes" if flag else "–"


def lifecycle(life: Lifecycle) -> list[str]:
    return [
        life.status,
        life.shutdown_date.isoformat() if life.shutdown_date else "–",
        f"`{life.replacement}`" if life.replacement else "–",
        life.source or "–",
    ]


def row(model: ModelInfo) -> list[str]:
    if model.lifecycle.status == "shutdown":
        # Never offered: what it once took or cost no longer matters.
        return [
            f"`{model.id}`",
            model.name,
            model.provider,
            *["–"] * 7,
            *lifecycle(model.lifecycle),
        ]
    caps = model.capabilities
    source = model.pricing.source
    if model.pricing.as_of:
        source += f" ({model.pricing.as_of.isoformat()})"
    return [
        f"`{model.id}`",
        model.name,
        model.provider,
        sizes(caps),
        str(caps.max_n),
        _yes(caps.seed),
        _yes(caps.negative_prompt),
        str(caps.reference_images or "–"),
        price(model.pricing),
        source,
        *lifecycle(model.lifecycle),
    ]


def table(catalog: Catalog) -> str:
    lines = [f"| {' | '.join(COLUMNS)} |", f"|{'---|' * len(COLUMNS)}"]
    for entry in catalog.entries(include_retired=True):
        cells = [cell.replace("|", "\\|") for cell in row(entry.model)]
        lines.append(f"| {' | '.join(cells)} |")
    return "\n".join(lines)


def main() -> None:
    print(table(Catalog.load(Settings(environ={}))))


if __name__ == "__main__":
    main()
