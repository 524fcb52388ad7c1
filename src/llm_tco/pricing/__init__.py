"""Exact dated pricing: genai-prices' data (plus user overrides) as price tables joined in the database.

Modules: :mod:`~llm_tco.pricing.snapshot` (which price data is in force; the explicit update),
:mod:`~llm_tco.pricing.providers` (provider spellings → genai-prices ids), :mod:`~llm_tco.pricing.resolve`
(model names → genai-prices models), :mod:`~llm_tco.pricing.rates` (exact per-partition rates from
genai-prices), :mod:`~llm_tco.pricing.overrides` (the user price file), :mod:`~llm_tco.pricing.table`
(the TEMP price tables), :mod:`~llm_tco.pricing.query` (the priced-usage SQL) and
:mod:`~llm_tco.pricing.quote` (single look-ups).
"""

from llm_tco.pricing.overrides import PriceOverride, PriceOverrides, load_price_overrides
from llm_tco.pricing.providers import infer_provider, normalize_provider
from llm_tco.pricing.query import PricingContext, UnpricedSeries, prepare_pricing, priced_usage_sql
from llm_tco.pricing.quote import PriceQuote, price_one
from llm_tco.pricing.rates import PartitionRates, price_context_for
from llm_tco.pricing.resolve import Resolution, resolve_model
from llm_tco.pricing.snapshot import PriceDataVersion, price_data_version, update_prices

__all__ = [
    "PartitionRates",
    "PriceDataVersion",
    "PriceOverride",
    "PriceOverrides",
    "PriceQuote",
    "PricingContext",
    "Resolution",
    "UnpricedSeries",
    "infer_provider",
    "load_price_overrides",
    "normalize_provider",
    "prepare_pricing",
    "price_context_for",
    "price_data_version",
    "price_one",
    "priced_usage_sql",
    "resolve_model",
    "update_prices",
]
