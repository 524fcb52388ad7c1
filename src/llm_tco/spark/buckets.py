"""Where the Spark aggregate must cut its groups: the price boundaries of the models the input names.

A group of records is priced as one row, so it must not straddle a boundary of its model's prices: a
long-context threshold, a time-of-day boundary, a date on which a price starts. The price data's
boundaries of *every* model are far more than any input needs (nine thresholds, six times of day and three
dozen dates today), and each multiplies the groups Spark shuffles and collects: cut at all of them, a
10M-record log made 1.4M groups instead of 35k. So the cuts are those of the models the input names —
found in the pass that counts the records read, which groups them by file and raw (provider, model)
anyway — as the DuckDB engine's one-shot audit cuts month segments at its series' own start dates
(``llm_tco.store.rollup``). Time of day is cut only for the records of models priced by it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from llm_tco.catalog.model_names import resolve_model
from llm_tco.catalog.providers import normalize_provider
from llm_tco.pricing.rates import price_start_dates, tier_thresholds
from llm_tco.pricing.table import MAX_DATE, MIN_DATE
from llm_tco.store.rollup import RollupLayout

__all__ = ["Buckets", "RawPair", "buckets_for"]

RawPair = tuple[str | None, str | None]
"""(provider, model) as the source wrote them (text, before the validation cleans them)."""


@dataclass(frozen=True)
class Buckets:
    tier_thresholds: tuple[int, ...]
    tod_boundaries_s: tuple[int, ...]
    tod_pairs: frozenset[tuple[str | None, str]]
    """(provider, model_raw) as validated (cleaned) whose records are cut by time of day."""
    date_boundaries: tuple[date, ...]
    """Price start dates of the models named."""


def _cleanings(text: str | None) -> set[str | None]:
    """The values the validation can make of a raw text (``llm_tco.ingest.value_sql.text_sql``: spaces
    trimmed when there is one at either end, empty as NULL). Both readings of "trim" are kept: a pair
    found tod-priced under either is cut by time of day, which is finer than needed at worst."""
    if text is None:
        return {None}
    return {value or None for value in (text, text.strip(" "), text.strip())}


def buckets_for(pairs: Iterable[RawPair], layout: RollupLayout) -> Buckets:
    """The cuts for an input naming ``pairs``, within the price data's ``layout``."""
    thresholds: set[int] = set()
    dates: set[date] = set()
    tod_pairs: set[tuple[str | None, str]] = set()
    for provider_raw, model_raw in pairs:
        for provider in _cleanings(provider_raw):
            for model in _cleanings(model_raw):
                if model is None:
                    continue  # quarantined: "missing model"
                resolution = resolve_model(normalize_provider(provider), model)
                if (resolution.provider, resolution.model) in layout.tod_models:
                    tod_pairs.add((provider, model))
                info = resolution.model_info
                if info is None:
                    continue
                thresholds.update(tier_thresholds(info))
                dates |= price_start_dates(info)
    return Buckets(
        tuple(sorted(thresholds)),
        layout.tod_boundaries_s if tod_pairs else (),
        frozenset(tod_pairs),
        tuple(sorted(d for d in dates if MIN_DATE < d < MAX_DATE)),
    )
