"""The price tables: every price that can apply to the store's usage, as rows to join on.

Four TEMP tables, built once per audit from the distinct pricing attribute sets of the series (a few
dozen; the rates a few hundred rows at most):

``llm_tco_price_series`` — one row per ``usage_series.series_key``: its ``price_key`` (NULL = unpriced)
and ``unknown_requests_floor_tokens``, the tier floor of a row without a request count, read from the
source's ``context_window`` group (``'200k-1M'`` ⇒ 200000, ``'0-200k'`` ⇒ 0; NULL when the source gives
none). It is made by a join in SQL of ``usage_series`` with two small TEMP tables, each attribute set's
key (``llm_tco_price_attributes``) and each window's floor (``llm_tco_price_floors``): a store of 70,000
series spent a third of a second building it row by row in Python.

``llm_tco_price_rates`` — per ``price_key``, one row per cell of (date interval × time-of-day interval ×
long-context band) in which the price is constant: ``valid_from``/``valid_to`` (DATE, to exclusive),
``tod_from_s``/``tod_to_s`` (seconds after UTC midnight, to exclusive), ``input_from_tokens``/
``input_to_tokens`` (the band of mean input tokens per request: it applies to a bucket whose tier floor
F satisfies from ≤ F < to, F being the largest threshold the mean strictly exceeds, 0 if none) and the
per-unit rates in USD as DECIMAL(38, 24) (per token; per request). Date intervals split at every start
date of the model's prices and variants and at the user overrides' validity dates; time-of-day
intervals at every time-of-day constraint. Rates come from genai-prices for a representative instant and
request size of the cell (:mod:`llm_tco.pricing.rates`), so every condition genai-prices models is
honoured.

``llm_tco_price_layout`` — one row: the store-wide sorted long-context thresholds ``tier1_tokens``.. and
time-of-day boundaries ``tod1_s``.. (NULL-padded). The query buckets every usage row by (UTC day,
time-of-day interval, tier floor) over these store-wide boundaries — a union of every model's, so no
model's price changes inside a bucket.

``llm_tco_price_keys`` — what each ``price_key`` is (provider, model, price context, overrides), for
reports.

A price key is a (provider, model, price context, matching overrides) combination, so series that differ
only in workload or team share their rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise
from typing import Any, Final

import duckdb
from genai_prices.types import StartDateConstraint

from llm_tco.catalog.model_names import Resolution, resolve_model
from llm_tco.catalog.providers import normalize_provider
from llm_tco.errors import DataFileError
from llm_tco.pricing.overrides import PriceOverride, PriceOverrides
from llm_tco.pricing.rates import (
    PartitionRates,
    band_input_tokens,
    model_constraints,
    price_context_for,
    rates_at,
    tier_thresholds,
    utc_seconds,
)
from llm_tco.store.temp_tables import create_temp_table

__all__ = [
    "KEYS_TABLE",
    "LAYOUT_TABLE",
    "MAX_LAYOUT",
    "RATES_TABLE",
    "RATE_COLUMNS",
    "SERIES_TABLE",
    "AttributePricing",
    "PriceTables",
    "PricingAttributes",
    "build_price_tables",
    "load_price_tables",
    "standard_rate_cells",
]

SERIES_TABLE: Final = "llm_tco_price_series"
LAYOUT_TABLE: Final = "llm_tco_price_layout"
RATES_TABLE: Final = "llm_tco_price_rates"
KEYS_TABLE: Final = "llm_tco_price_keys"
_ATTRIBUTES_TABLE: Final = "llm_tco_price_attributes"
_FLOORS_TABLE: Final = "llm_tco_price_floors"
MAX_LAYOUT: Final = 16
"""Distinct long-context thresholds, and time-of-day boundaries, across a store's models that the layout
table holds (genai-prices 0.2.3 has 9 distinct thresholds and 6 distinct boundaries in all its data)."""
NO_UPPER_TOKENS: Final = 2**62
"""``input_to_tokens`` of a model's top band: above any real request."""
RATE_SCALE: Final = 24
"""Decimal places of a per-token rate: a price per 1M tokens with up to 18 places (genai-prices' data has
float artefacts such as 0.041666666666666664) divided by 10^6, kept exactly."""
RATE_COLUMNS: Final = (
    "uncached_input_usd_per_token",
    "cache_read_usd_per_token",
    "cache_write_5m_usd_per_token",
    "cache_write_1h_usd_per_token",
    "output_usd_per_token",
    "reasoning_output_usd_per_token",
    "usd_per_request",
)
MIN_DATE: Final = date(1900, 1, 1)
MAX_DATE: Final = date(9999, 12, 31)
_DAY_S: Final = 86_400
_QUANTUM: Final = Decimal(1).scaleb(-RATE_SCALE)
_MTOK: Final = Decimal(1_000_000)


@dataclass(frozen=True)
class PricingAttributes:
    """What a series' price depends on, as ``usage_series`` holds it. A store has thousands of series (one
    per workload, team, user, key…) but a few dozen of these: each is resolved once, and its series are
    given its price key in SQL (``SERIES_TABLE``), not one by one."""

    provider: str | None
    model_raw: str
    service_tier: str | None
    batch: bool


@dataclass(frozen=True)
class AttributePricing:
    """How the series with ``attributes`` are priced: their resolution, price key (None = unpriced) and
    why not."""

    attributes: PricingAttributes
    resolution: Resolution
    price_key: int | None
    reason: str | None


@dataclass(frozen=True)
class PriceTables:
    priced: tuple[AttributePricing, ...]
    tier_thresholds: tuple[int, ...]
    """Store-wide sorted long-context thresholds (input tokens per request)."""
    tod_boundaries_s: tuple[int, ...]
    """Store-wide sorted time-of-day price boundaries (seconds after UTC midnight)."""
    tod_price_keys: frozenset[int]
    """Price keys whose model has time-of-day prices: only their series' rows need the time of day."""
    rate_rows: list[tuple[Any, ...]]
    key_rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class _KeySpec:
    provider: str | None
    model: str | None
    context: tuple[tuple[str, str], ...]
    overrides: tuple[int, ...]


def build_price_tables(
    attribute_sets: Iterable[PricingAttributes], overrides: PriceOverrides | None = None
) -> PriceTables:
    """Resolve each pricing attribute set once and build the rows of the price tables (see the module
    docstring); price keys are numbered in the order of ``attribute_sets``."""
    entries = overrides.entries if overrides else ()
    keys: dict[_KeySpec, int] = {}
    key_resolution: dict[int, Resolution] = {}
    decided = [(attrs, *_price_key(attrs, entries, keys, key_resolution)) for attrs in attribute_sets]

    rate_rows: list[tuple[Any, ...]] = []
    key_rows: list[tuple[Any, ...]] = []
    failed: dict[int, str] = {}
    all_thresholds: set[int] = set()
    all_tods: set[int] = set()
    keys_with_tods: set[int] = set()
    for spec, key in keys.items():
        try:
            tod_points, thresholds, cells = _cells(spec, key_resolution[key], overrides)
        except ValueError as exc:  # price data genai-prices itself rejects
            failed[key] = f"invalid price data: {exc}"
            continue
        all_thresholds.update(thresholds)
        all_tods.update(tod_points)
        if tod_points:
            keys_with_tods.add(key)
        rate_rows.extend((key, *cell) for cell in cells)
        labels = (
            "; ".join(overrides.label(i) for i in spec.overrides) if overrides and spec.overrides else None
        )
        context_label = ",".join(f"{k}={v}" for k, v in spec.context) or None
        key_rows.append((key, spec.provider, spec.model, context_label, labels))
    for name, values in (("long-context thresholds", all_thresholds), ("time-of-day boundaries", all_tods)):
        if len(values) > MAX_LAYOUT:
            raise DataFileError(
                f"the store's models have {len(values)} distinct {name}; at most {MAX_LAYOUT}"
            )

    priced = tuple(
        AttributePricing(attrs, resolution, None, failed[key])
        if key is not None and key in failed
        else AttributePricing(attrs, resolution, key, reason)
        for attrs, resolution, key, reason in decided
    )
    return PriceTables(
        priced,
        tuple(sorted(all_thresholds)),
        tuple(sorted(all_tods)),
        frozenset(keys_with_tods),
        rate_rows,
        key_rows,
    )


def _price_key(
    row: PricingAttributes,
    entries: Sequence[PriceOverride],
    keys: dict[_KeySpec, int],
    key_resolution: dict[int, Resolution],
) -> tuple[Resolution, int | None, str | None]:
    """Resolve an attribute set and give it its price key (allocating a new one in ``keys`` when its
    combination is new); the key is None, with the reason, when nothing prices it."""
    resolution = resolve_model(row.provider, row.model_raw)
    provider = resolution.provider or normalize_provider(row.provider)
    matched = tuple(
        i
        for i, e in enumerate(entries)
        if e.applies_to(
            provider=provider,
            model_raw=row.model_raw,
            model=resolution.model,
            batch=row.batch,
            service_tier=row.service_tier,
        )
    )
    explicit = any(entries[i].discount_pct is None for i in matched)
    if not resolution.resolved and not explicit:
        return resolution, None, resolution.reason
    context = price_context_for(row.batch, row.service_tier) if resolution.variants_apply else None
    spec = _KeySpec(provider, resolution.model, tuple(sorted((context or {}).items())), matched)
    if spec not in keys:
        keys[spec] = len(keys) + 1
        key_resolution[keys[spec]] = resolution
    return resolution, keys[spec], None


def _padded(values: Sequence[int], width: int) -> list[int | None]:
    return [*values, *([None] * (width - len(values)))]


def unknown_requests_floor(context_window: str | None) -> int | None:
    """The tier floor (input tokens) of a row without a request count, from the source's own
    context-window group: its lower bound.

    ``'200k-1M'`` (Anthropic usage reports) means every request had more than 200,000 input tokens: floor
    200000, the long tier of a model tiered at 200k. ``'0-200k'`` gives 0, the base band; ``'128k+'``
    (the FOCUS export's top band) 128000. Other or missing values give None: the row is then banded as
    one request of its total input, which is what ``calc_price`` on the row would do.
    """
    if not context_window or not ("-" in context_window or context_window.rstrip().endswith("+")):
        return None
    lower = context_window.split("-", 1)[0].rstrip().removesuffix("+")
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", lower)
    if match is None:
        return None
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return int(Decimal(match.group(1)) * factor)


def _cells(
    spec: _KeySpec, resolution: Resolution, overrides: PriceOverrides | None
) -> tuple[tuple[int, ...], tuple[int, ...], list[tuple[Any, ...]]]:
    """(time-of-day boundaries, tier thresholds, rate rows without the key) for one price key."""
    model = resolution.model_info if resolution.model == spec.model else None
    entries = [overrides.entries[i] for i in spec.overrides] if overrides else []
    thresholds = tier_thresholds(model) if model is not None else ()
    day_points: set[date] = set()
    tod_points: set[int] = set()
    for constraint in model_constraints(model) if model is not None else ():
        if isinstance(constraint, StartDateConstraint):
            day_points.add(constraint.start_date)
        else:
            tod_points.update((utc_seconds(constraint.start_time), utc_seconds(constraint.end_time)))
    for entry in entries:
        day_points.update(d for d in (entry.valid_from, entry.valid_to) if d is not None)
    days = [MIN_DATE, *sorted(d for d in day_points if MIN_DATE < d < MAX_DATE), MAX_DATE]
    tods = [0, *sorted(s for s in tod_points if 0 < s < _DAY_S), _DAY_S]
    context = dict(spec.context) or None
    explicit = {id(e): e.explicit_rates() for e in entries}
    cells: list[tuple[Any, ...]] = []
    for day_from, day_to in pairwise(days):
        active = [e for e in entries if e.active_on(day_from)]
        in_force = active[-1] if active else None
        for tod_from, tod_to in pairwise(tods):
            instant = datetime.combine(day_from, time(tod_from // 3600, tod_from % 3600 // 60, tod_from % 60))
            for band in range(len(thresholds) + 1):
                rates: PartitionRates | None = None
                if model is not None:
                    rates = rates_at(
                        model,
                        instant,
                        context,
                        variants_apply=resolution.variants_apply,
                        input_tokens=band_input_tokens(thresholds, band),
                    )
                source = "genai-prices"
                if in_force is not None:
                    source = "override"
                    if in_force.discount_pct is None:
                        rates = explicit[id(in_force)]
                    elif rates is not None:
                        rates = rates.scaled(1 - in_force.discount_pct / 100)
                if rates is None:
                    continue
                input_from = 0 if band == 0 else thresholds[band - 1]
                input_to = thresholds[band] if band < len(thresholds) else NO_UPPER_TOKENS
                cells.append(
                    (day_from, day_to, tod_from, tod_to, input_from, input_to, *_per_unit(rates), source)
                )
    return tuple(tods[1:-1]), thresholds, cells


def standard_rate_cells(resolution: Resolution) -> list[tuple[Any, ...]]:
    """The rate cells (as in ``llm_tco_price_rates``, without the key) of a resolved model at its
    standard prices: no batch or service-tier variant, no user override."""
    return _cells(_KeySpec(resolution.provider, resolution.model, (), ()), resolution, None)[2]


def _per_unit(rates: PartitionRates) -> list[Decimal]:
    """Per-token rates (and the per-request one) at ``RATE_SCALE`` places; exact for genai-prices' data."""
    values = rates.as_tuple()
    per_token = [(v / _MTOK).quantize(_QUANTUM, ROUND_HALF_EVEN) for v in values[:-1]]
    return [*per_token, values[-1].quantize(_QUANTUM, ROUND_HALF_EVEN)]


def load_price_tables(con: duckdb.DuckDBPyConnection, tables: PriceTables) -> None:
    """Create (or replace) the four TEMP tables in ``con`` from ``tables`` (rates as exact decimals) and
    the store's ``usage_series``."""
    rate = f"DECIMAL(38, {RATE_SCALE})"
    layout_row = (*_padded(tables.tier_thresholds, MAX_LAYOUT), *_padded(tables.tod_boundaries_s, MAX_LAYOUT))
    windows = [r[0] for r in con.execute("SELECT DISTINCT context_window FROM usage_series").fetchall()]
    schemas: dict[str, tuple[list[tuple[str, str]], Sequence[Sequence[Any]]]] = {
        _ATTRIBUTES_TABLE: (
            [
                ("provider", "VARCHAR"),
                ("model_raw", "VARCHAR"),
                ("service_tier", "VARCHAR"),
                ("batch", "BOOLEAN"),
                ("price_key", "INTEGER"),
            ],
            [(*astuple(p.attributes), p.price_key) for p in tables.priced],
        ),
        _FLOORS_TABLE: (
            [("context_window", "VARCHAR"), ("floor_tokens", "BIGINT")],
            [(w, unknown_requests_floor(w)) for w in windows if w is not None],
        ),
        RATES_TABLE: (
            [
                ("price_key", "INTEGER"),
                ("valid_from", "DATE"),
                ("valid_to", "DATE"),
                ("tod_from_s", "INTEGER"),
                ("tod_to_s", "INTEGER"),
                ("input_from_tokens", "BIGINT"),
                ("input_to_tokens", "BIGINT"),
                *[(c, rate) for c in RATE_COLUMNS],
                ("source", "VARCHAR"),
            ],
            tables.rate_rows,
        ),
        LAYOUT_TABLE: (
            [
                *((f"tier{i + 1}_tokens", "BIGINT") for i in range(MAX_LAYOUT)),
                *((f"tod{i + 1}_s", "INTEGER") for i in range(MAX_LAYOUT)),
            ],
            [layout_row],
        ),
        KEYS_TABLE: (
            [
                ("price_key", "INTEGER"),
                ("provider", "VARCHAR"),
                ("model", "VARCHAR"),
                ("price_context", "VARCHAR"),
                ("overrides", "VARCHAR"),
            ],
            tables.key_rows,
        ),
    }
    for name, (columns, rows) in schemas.items():
        create_temp_table(con, name, columns, rows)
    # every series gets its attribute set's key (NULL: unpriced) and its context window's floor
    same = " AND ".join(
        f"a.{c} IS NOT DISTINCT FROM s.{c}" for c in ("provider", "model_raw", "service_tier", "batch")
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {SERIES_TABLE} AS SELECT CAST(s.series_key AS INTEGER) AS series_key, "
        "a.price_key, f.floor_tokens AS unknown_requests_floor_tokens FROM usage_series s "
        f"LEFT JOIN {_ATTRIBUTES_TABLE} a ON {same} "
        f"LEFT JOIN {_FLOORS_TABLE} f ON f.context_window = s.context_window"
    )
