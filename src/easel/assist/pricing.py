"""What one assistant answer cost, from its token usage and the model's rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from easel.assist.base import MILLION, TextPricing, TextUsage
from easel.engine.pricing import CENT_PRECISION


def text_cost(pricing: TextPricing, usage: TextUsage, day: date) -> Decimal:
    """The cost on ``day``; a prompt over the rate's long-prompt threshold is billed at
    the long rates for the whole request, as the vendors bill it."""
    rate = pricing.rate_on(day)
    if rate is None:
        return Decimal(0)
    input_price, output_price = rate.input_per_million, rate.output_per_million
    long_prompt = (
        rate.long_prompt_tokens is not None and usage.input_tokens > rate.long_prompt_tokens
    )
    if long_prompt:
        input_price = rate.long_input_per_million or input_price
        output_price = rate.long_output_per_million or output_price
    total = usage.input_tokens * input_price + usage.output_tokens * output_price
    return (total / MILLION).quantize(CENT_PRECISION)
