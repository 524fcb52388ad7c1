"""Exact dated pricing: genai-prices' data (plus user overrides) as price tables joined in the database.

Modules: :mod:`~llm_tco.pricing.rates` (exact per-partition rates from genai-prices),
:mod:`~llm_tco.pricing.overrides` (the user price file), :mod:`~llm_tco.pricing.table` (the TEMP price
tables), :mod:`~llm_tco.pricing.query` (the priced-usage SQL) and :mod:`~llm_tco.pricing.quote` (single
look-ups). Which price data is in force, provider spellings and model names are catalog look-ups
(:mod:`llm_tco.catalog.price_data`, :mod:`~llm_tco.catalog.providers`, :mod:`~llm_tco.catalog.model_names`),
shared with ingest, which never prices; they are re-exported here.
"""

from llm_tco.catalog.model_names import Resolution, resolve_model
from llm_tco.catalog.price_data import PriceDataVersion, price_data_version, update_prices
from llm_tco.catalog.providers import infer_provider, normalize_provider
from llm_tco.pricing.overrides import PriceOverride, PriceOverrides, load_price_overrides
from llm_tco.pricing.query import PricingContext, UnpricedModel, prepare_pricing, priced_usage_sql
from llm_tco.pricing.quote import PriceQuote, price_one
from llm_tco.pricing.rates import PartitionRates, price_context_for

__all__ = [
    "PartitionRates",
    "PriceDataVersion",
    "PriceOverride",
    "PriceOverrides",
    "PriceQuote",
    "PricingContext",
    "Resolution",
    "UnpricedModel",
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
