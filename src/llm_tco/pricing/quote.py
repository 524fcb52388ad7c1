"""Single price look-ups (``llm-tco catalog prices MODEL``): one model's rates at one instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from llm_tco.catalog.model_names import require_model
from llm_tco.pricing.rates import PartitionRates, price_context_for, rates_at, tier_thresholds

__all__ = ["PriceQuote", "price_one", "quote_to_dict"]


@dataclass(frozen=True)
class PriceQuote:
    """The rates of one model at one instant, for ``llm-tco catalog prices``: USD per 1M tokens."""

    provider: str
    model: str
    model_ref: str
    at: datetime
    price_context: dict[str, str] | None
    rates: PartitionRates
    long_context: tuple[tuple[int, PartitionRates], ...]
    """(threshold, rates above it) for each long-context tier."""


def price_one(
    model_raw: str,
    *,
    provider: str | None = None,
    at: datetime | None = None,
    batch: bool = False,
    service_tier: str | None = None,
) -> PriceQuote:
    """The genai-prices rates of one model (single look-up: unknown names raise with "did you mean")."""
    resolution = require_model(provider, model_raw)
    assert resolution.model_info is not None and resolution.provider is not None and resolution.model
    when = at or datetime.now().replace(microsecond=0)
    context = price_context_for(batch, service_tier)
    model = resolution.model_info

    def rates(input_tokens: int) -> PartitionRates:
        return rates_at(
            model, when, context, variants_apply=resolution.variants_apply, input_tokens=input_tokens
        )

    tiers = tuple((t, rates(t + 1)) for t in tier_thresholds(model))
    return PriceQuote(
        resolution.provider,
        resolution.model,
        resolution.model_ref or model_raw,
        when,
        context,
        rates(0),
        tiers,
    )


def quote_to_dict(quote: PriceQuote) -> dict[str, object]:
    """A JSON-ready view of a quote (keys carry units)."""

    def rates(r: PartitionRates) -> dict[str, Decimal]:
        return {
            "input_usd_per_mtok": r.uncached_input_mtok,
            "cache_read_usd_per_mtok": r.cache_read_mtok,
            "cache_write_5m_usd_per_mtok": r.cache_write_5m_mtok,
            "cache_write_1h_usd_per_mtok": r.cache_write_1h_mtok,
            "output_usd_per_mtok": r.output_mtok,
            "reasoning_output_usd_per_mtok": r.reasoning_output_mtok,
            "usd_per_request": r.request_usd,
        }

    return {
        "provider": quote.provider,
        "model": quote.model,
        "model_ref": quote.model_ref,
        "at": quote.at,
        "price_context": quote.price_context,
        "rates": rates(quote.rates),
        "long_context": [{"above_input_tokens": t, "rates": rates(r)} for t, r in quote.long_context],
    }
