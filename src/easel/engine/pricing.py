"""What a variant cost, from the model's price data and what the API reported."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from easel.providers.base import Finished, GenerationRequest, Pricing, TokenPrices

MILLION = Decimal(1_000_000)
CENT_PRECISION = Decimal("0.000001")


def usd(value: Decimal) -> str:
    """A dollar amount as plain text without trailing zeros: 0.04, 0.1664, 0."""
    return format(value.normalize(), "f") if value else "0"


def price_params(request: GenerationRequest) -> dict[str, str]:
    """The request's parameters as price rules see them."""
    params = {"size": request.size}
    if request.operation != "generate":  # rules may price operations apart
        params["operation"] = request.operation
    for key in ("quality", "style", "aspect_ratio"):
        value = getattr(request, key)
        if value:
            params[key] = str(value)
    for key, value in request.extra.items():
        params.setdefault(key, str(value))
    return params


def _detail(usage: Mapping[str, Any], section: str, key: str) -> int:
    details = usage.get(section) or {}
    return int(details.get(key, 0)) if isinstance(details, Mapping) else 0


def token_cost(prices: TokenPrices, usage: Mapping[str, Any]) -> Decimal:
    """Cost from an OpenAI-style ``usage`` block (input/output tokens with details)."""
    input_tokens = int(usage.get("input_tokens", 0))
    image_in = _detail(usage, "input_tokens_details", "image_tokens")
    text_in = _detail(usage, "input_tokens_details", "text_tokens") or input_tokens - image_in
    output_tokens = int(usage.get("output_tokens", 0))
    text_out = _detail(usage, "output_tokens_details", "text_tokens")
    image_out = output_tokens - text_out
    total = (
        text_in * prices.text_input_per_million
        + image_in * prices.image_input_per_million
        + image_out * prices.image_output_per_million
        + text_out * prices.text_output_per_million
    )
    return total / MILLION


def variant_cost(pricing: Pricing, params: Mapping[str, str], result: Finished) -> Decimal:
    if result.cost_usd is not None:
        cost = result.cost_usd
    elif pricing.tokens is not None and result.usage:
        cost = token_cost(pricing.tokens, result.usage)
    else:
        cost = next(
            (
                rule.usd
                for rule in pricing.rules
                if all(params.get(k) == v for k, v in rule.when.items())
            ),
            pricing.per_image,
        )
    return cost.quantize(CENT_PRECISION)
