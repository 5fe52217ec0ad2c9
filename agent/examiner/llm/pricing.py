"""Estimated cost of the tokens a session used, for the report.

Prices are US dollars per million tokens (input, output) as published by OpenAI for
these models; a model not listed, or any self-hosted endpoint, has no estimate.
"""

from __future__ import annotations

PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
}


def estimate_cost(model: str, input_tokens: int, output_tokens: int, self_hosted: bool) -> float | None:
    if self_hosted or model not in PRICES_PER_MILLION:
        return None
    price_in, price_out = PRICES_PER_MILLION[model]
    return round((input_tokens * price_in + output_tokens * price_out) / 1_000_000, 6)
