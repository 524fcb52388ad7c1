"""Exact per-partition rates, computed by genai-prices itself.

Canonical usage splits into disjoint partitions (reference/FORMATS.md §0): uncached input, cache read,
5-minute cache write, 1-hour cache write, non-reasoning output, reasoning output; plus the request count.
For one resolved price (a ``ModelPrice`` for one date, time of day, request context and long-context tier
band) genai-prices' cost is linear in those partition counts: ``ModelPrice.calc_price`` charges each
priced unit its count minus its priced descendants, so every token lands in exactly one priced unit (a
cache read on a model without ``cache_read_mtok`` lands in ``input_mtok``; a 1-hour write without
``cache_write_1h_mtok`` in ``cache_write_mtok``). Tiered prices are the only non-linearity, and they are
removed first by fixing the tier band (:func:`flatten_tiers`).

So instead of re-implementing those rules, the rate of each partition is what genai-prices charges for one
million tokens of that partition alone (minus what it charges for an empty usage, which is the per-request
price of models with ``requests_kcount``). All values are ``Decimal`` and exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Final

from genai_prices import Usage
from genai_prices.types import (
    ConditionalPrice,
    ModelInfo,
    ModelPrice,
    StartDateConstraint,
    TieredPrices,
    TimeOfDateConstraint,
)

__all__ = [
    "PartitionRates",
    "band_input_tokens",
    "flatten_tiers",
    "model_constraints",
    "model_prices",
    "partition_rates",
    "price_context_for",
    "price_start_dates",
    "rates_at",
    "tier_thresholds",
    "utc_seconds",
]

_MTOK: Final = 1_000_000
_MTOK_DECIMAL: Final = Decimal(_MTOK)


@dataclass(frozen=True)
class PartitionRates:
    """Prices of the disjoint usage partitions: USD per 1M tokens, and USD per request."""

    uncached_input_mtok: Decimal
    cache_read_mtok: Decimal
    cache_write_5m_mtok: Decimal
    cache_write_1h_mtok: Decimal
    output_mtok: Decimal
    """Non-reasoning output."""
    reasoning_output_mtok: Decimal
    """Reasoning output (equals ``output_mtok`` unless the model prices ``output_reasoning_mtok``)."""
    request_usd: Decimal
    """Per request (``requests_kcount`` / 1000); 0 for token-only models."""

    def scaled(self, factor: Decimal) -> PartitionRates:
        """Every rate multiplied by ``factor`` (e.g. ``1 - discount``)."""
        return PartitionRates(*(getattr(self, f.name) * factor for f in fields(self)))

    def as_tuple(self) -> tuple[Decimal, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))

    def cost_usd(
        self,
        *,
        input_tokens: int,
        cache_read_tokens: int = 0,
        cache_write_tokens: int = 0,
        cache_write_1h_tokens: int = 0,
        output_tokens: int = 0,
        reasoning_tokens: int = 0,
        requests: int = 1,
    ) -> Decimal:
        """Cost of canonical (inclusive) counts: input includes cache reads and writes, cache writes
        include the 1-hour part, output includes reasoning."""
        tokens = (
            (input_tokens - cache_read_tokens - cache_write_tokens) * self.uncached_input_mtok
            + cache_read_tokens * self.cache_read_mtok
            + (cache_write_tokens - cache_write_1h_tokens) * self.cache_write_5m_mtok
            + cache_write_1h_tokens * self.cache_write_1h_mtok
            + (output_tokens - reasoning_tokens) * self.output_mtok
            + reasoning_tokens * self.reasoning_output_mtok
        )
        return tokens / _MTOK_DECIMAL + requests * self.request_usd


def price_context_for(batch: bool | None, service_tier: str | None) -> dict[str, str] | None:
    """The genai-prices ``price_context`` for a usage row's ``batch`` flag and ``service_tier``.

    - ``batch`` true, or a service tier of ``batch`` (Anthropic usage reports) ⇒ ``{'processing': 'batch'}``;
    - any other service tier ⇒ ``{'service_tier': <tier lower-cased>}`` (genai-prices' variants match
      exact lower-case values: ``flex``, ``priority``, ``fast``, ...), except ``standard``, ``default``,
      ``auto`` and blank, which mean the standard price and add nothing;
    - nothing to say ⇒ None (standard prices).
    """
    context: dict[str, str] = {}
    tier = (service_tier or "").strip().lower()
    if batch or tier == "batch":
        context["processing"] = "batch"
    if tier and tier not in ("batch", "standard", "default", "auto"):
        context["service_tier"] = tier
    return context or None


def model_prices(model: ModelInfo) -> list[ModelPrice]:
    """Every ``ModelPrice`` a model can select: its conditional prices and its variants' partial prices."""
    base = [model.prices] if isinstance(model.prices, ModelPrice) else [c.prices for c in model.prices]
    return base + [v.prices for v in model.price_variants or ()]


def model_constraints(model: ModelInfo) -> list[StartDateConstraint | TimeOfDateConstraint]:
    """Every date or time-of-day constraint of a model's prices and variants (where prices can change)."""
    out: list[StartDateConstraint | TimeOfDateConstraint] = []
    conditionals: list[ConditionalPrice] = [] if isinstance(model.prices, ModelPrice) else model.prices
    for item in [*conditionals, *(model.price_variants or ())]:
        if item.constraint is not None:
            out.append(item.constraint)
    return out


def price_start_dates(model: ModelInfo) -> set[date]:
    """The dates on which one of a model's prices starts (where its price changes)."""
    return {c.start_date for c in model_constraints(model) if isinstance(c, StartDateConstraint)}


def tier_thresholds(model: ModelInfo) -> tuple[int, ...]:
    """The sorted input-token thresholds of every long-context tier the model has, in any of its prices.

    Band ``k`` (0 ≤ k ≤ len) is "mean input tokens per request above the first k thresholds".
    """
    starts: set[int] = set()
    for price in model_prices(model):
        for value in price.__dict__.values():
            if isinstance(value, TieredPrices):
                starts.update(tier.start for tier in value.tiers)
    return tuple(sorted(starts))


def band_input_tokens(thresholds: tuple[int, ...], band: int) -> int:
    """An input-token count inside ``band``: 0 for the base band, else one above its lower threshold."""
    return 0 if band == 0 else thresholds[band - 1] + 1


def flatten_tiers(price: ModelPrice, input_tokens: int) -> ModelPrice:
    """``price`` with every ``TieredPrices`` replaced by the rate genai-prices applies at ``input_tokens``
    total input per request (cliff rule: the highest tier whose ``start`` is strictly exceeded)."""
    flat: dict[str, Decimal | TieredPrices | None] = {}
    for key, value in price.__dict__.items():
        if isinstance(value, TieredPrices):
            applicable = value.base
            for tier in reversed(value.tiers):
                if input_tokens > tier.start:
                    applicable = tier.price
                    break
            flat[key] = applicable
        else:
            flat[key] = value
    return ModelPrice(**flat)


def partition_rates(price: ModelPrice, *, input_tokens: int = 0) -> PartitionRates:
    """Exact rates of ``price`` for requests of ``input_tokens`` total input (which picks the tier).

    Each rate is genai-prices' charge for 1M tokens of that partition alone, minus its charge for an empty
    usage (the per-request price); see the module docstring for why that is exact.

    The rates are memoised on the flattened price's fields: a plan asks for the same few prices once per
    workload and option (thousands of times), and genai-prices' ``calc_price`` is a pure function of the
    price's fields (and its static unit registry), so the memo returns exactly what it would compute. The
    key tells ``Decimal('2.5')`` from ``Decimal('2.50')`` (equal, but printed differently).
    """
    flat = flatten_tiers(price, input_tokens)
    try:
        key = tuple((k, _exact(v)) for k, v in flat.__dict__.items())
        cached = _MEMO.get(key)
    except TypeError:  # a field that is not hashable: compute without the memo
        return _rates_of_flat(flat)
    if cached is None:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.clear()
        cached = _MEMO[key] = _rates_of_flat(flat)
    return cached


_MEMO: dict[tuple[tuple[str, object], ...], PartitionRates] = {}
_MEMO_SIZE: Final = 4096
"""Distinct flattened prices kept (a price data file has a few thousand; past that the memo restarts)."""


def _exact(value: object) -> object:
    """A hashable stand-in for a price field that equals another only for the identical value and form."""
    return value.as_tuple() if isinstance(value, Decimal) else (type(value), value)


def _rates_of_flat(flat: ModelPrice) -> PartitionRates:
    """The partition rates of a price without tiers, charged by genai-prices."""
    m = _MTOK

    def charge(**usage: int) -> Decimal:
        return flat.calc_price(Usage(**usage))["total_price"]

    per_request = charge()
    return PartitionRates(
        uncached_input_mtok=charge(input_tokens=m) - per_request,
        cache_read_mtok=charge(input_tokens=m, cache_read_tokens=m) - per_request,
        cache_write_5m_mtok=charge(input_tokens=m, cache_write_tokens=m, cache_write_5m_tokens=m)
        - per_request,
        cache_write_1h_mtok=charge(input_tokens=m, cache_write_tokens=m, cache_write_1h_tokens=m)
        - per_request,
        output_mtok=charge(output_tokens=m) - per_request,
        reasoning_output_mtok=charge(output_tokens=m, output_reasoning_tokens=m) - per_request,
        request_usd=per_request,
    )


def rates_at(
    model: ModelInfo,
    ts: datetime,
    context: Mapping[str, str] | None,
    *,
    variants_apply: bool = True,
    input_tokens: int = 0,
) -> PartitionRates:
    """The partition rates genai-prices applies to ``model`` at ``ts`` (naive = UTC) under ``context``.

    ``variants_apply`` False reproduces genai-prices ignoring the context for a fallback model.
    """
    price = model.get_prices(ts, context if variants_apply else None)
    return partition_rates(price, input_tokens=input_tokens)


def utc_seconds(value: time) -> int:
    """Seconds after UTC midnight of a (possibly zoned) time of day; naive times are UTC."""
    if value.tzinfo is not None:
        value = datetime.combine(date(1970, 1, 2), value).astimezone(UTC).time()
    return value.hour * 3600 + value.minute * 60 + value.second
