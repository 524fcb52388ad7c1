"""Summing the classified records into the rows the store keeps, in one pass: per file, attribute
combination, UTC hour (or month segment) and price bucket.

A Spark audit stores its usage aggregated (the facts stay in the lake): one row per input file, series,
period, time-of-day price interval (for models priced by time of day) and long-context tier band, with
the group's request and token sums. The hour is what ``plan`` sizes fleets by; a one-shot audit, whose
store nothing reads after it, sums by month segment instead (``IngestOptions.keep_rows`` False, as the
DuckDB engine's one-shot rollup does): the same prices, and far fewer groups to shuffle and collect — a
log with a record or so per series and hour made nearly one group per record by the hour.

The buckets are cut at every price boundary of the models the input names (``llm_tco.spark.buckets``), so
no row straddles a price change of its model: priced later, by the store's own query, an aggregated row
costs exactly what its records cost one by one. A row's mean input per request lies in the same tier band
as each of its records' (the band is an interval), and its ``ts_start`` (the group's first) lies in the
same period and interval. Records without a positive request count are priced per record (a per-request
price is charged once per such row), so they stay single rows. The same aggregate carries each
quarantined record alone and the duplicates' count, so that the pass gives every outcome of every file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Literal

from llm_tco.canonical import TOKEN_COLUMNS
from llm_tco.ingest.base import ATTRIBUTE_COLUMNS
from llm_tco.spark.source import FILE_INDEX, RECORD_NO

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

    from llm_tco.spark.buckets import Buckets

__all__ = ["COMBO_COLUMNS", "RECORDS_PER_PARTITION", "Grain", "group_outcomes"]

COMBO_COLUMNS: tuple[str, ...] = (*ATTRIBUTE_COLUMNS, "service_name")
"""What identifies a record's series (the generic adapter has no tags or metadata)."""


def _largest_not_above(value: Column, boundaries: Sequence[Column], floor: Column) -> Column:
    """The largest of the ascending ``boundaries`` not above ``value`` (``floor`` when none)."""
    from pyspark.sql import functions as sf

    result = floor
    for boundary in boundaries:
        result = sf.when(value >= boundary, boundary).otherwise(result)
    return result


def _tier_band(input_tokens: Column, requests: Column, thresholds: Sequence[int]) -> Column:
    """The largest threshold the mean request strictly exceeds (0 if none); ``-1 - that`` of the whole row
    for a record without a positive count — the pricing query's tier code."""
    from pyspark.sql import functions as sf

    per_request = sf.lit(0).cast("bigint")
    whole_row = sf.lit(0).cast("bigint")
    for t in sorted(thresholds):
        per_request = sf.when(input_tokens > sf.lit(t) * requests, sf.lit(t)).otherwise(per_request)
        whole_row = sf.when(input_tokens > sf.lit(t), sf.lit(t)).otherwise(whole_row)
    return sf.when(requests > 0, per_request).otherwise(sf.lit(-1) - whole_row)


RECORDS_PER_PARTITION = 2_000_000
"""Records per partition of the aggregate, at most (about as many groups at worst, ~120 bytes each): at
Spark's eight shuffle partitions a 100M-record log made 370 MB partitions, each one task's result for the
driver to fetch whole."""

Grain = Literal["hour", "segment"]
"""``hour``: a group lies in one UTC hour (a store that ``plan`` reads later). ``segment``: in one month,
cut at every date a price of the price data starts (a one-shot audit, which prices whole months)."""


def _period(grain: Grain, date_boundaries: Sequence[date]) -> Column:
    """The start of a record's period: its hour, or the later of its month's first day and the last date a
    price starts on or before its day (``llm_tco.pricing.sql.segment_start_sql``'s bucket, cut at every
    price start date of the price data instead of only its series' own)."""
    from pyspark.sql import functions as sf

    if grain == "hour":
        return sf.date_trunc("hour", "ts_start")
    month = sf.date_trunc("month", "ts_start")
    starts = [sf.lit(d.isoformat()).cast("timestamp_ntz") for d in sorted(date_boundaries)]
    latest = _largest_not_above(sf.col("ts_start"), starts, month)
    return sf.greatest(month, latest)


def _priced_by_time_of_day(pairs: frozenset[tuple[str | None, str]]) -> Column:
    """Whether a validated record's (provider, model_raw) is one of ``pairs``."""
    from pyspark.sql import functions as sf

    test = sf.lit(False)
    for provider, model in sorted(pairs, key=lambda p: (p[0] or "", p[1])):
        test = test | (sf.col("provider").eqNullSafe(sf.lit(provider)) & (sf.col("model_raw") == model))
    return test


def group_outcomes(
    classified: DataFrame, buckets: Buckets, records: int, grain: Grain, absent: frozenset[str]
) -> DataFrame:
    """Every classified record in one aggregate, so that one pass over the input gives all a file's
    results: the accepted records summed per file, attribute combination, period, time-of-day interval,
    tier band and, for a record without a positive request count, record (``_single``); each quarantined
    record alone, with its reason; the duplicates counted per file. ``records`` (read) sizes the
    partitions: at least the session's shuffle partitions, and one per :data:`RECORDS_PER_PARTITION`.

    The groups are cut at ``buckets`` (the price boundaries of the models the input names,
    ``llm_tco.spark.buckets``); which series a combination is becomes known only after the pass
    (``llm_tco.spark.series_rows``). The attribute values are grouping keys: a string as an aggregate's
    value would turn Spark's hash aggregate into a sort. ``absent``: text attributes the source has no
    column for (NULL in every record): left out of the keys, each a hash and a comparison per record."""
    from pyspark.sql import functions as sf

    from llm_tco.spark.identity import OUTCOME

    accepted = sf.col(OUTCOME) == "accepted"
    second_of_day = sf.hour("ts_start") * 3600 + sf.minute("ts_start") * 60 + sf.floor(sf.second("ts_start"))
    tod = sf.when(
        _priced_by_time_of_day(buckets.tod_pairs),
        _largest_not_above(second_of_day, [sf.lit(b) for b in sorted(buckets.tod_boundaries_s)], sf.lit(0)),
    ).otherwise(sf.lit(-1))
    tier = _tier_band(sf.col("input_tokens"), sf.col("requests"), buckets.tier_thresholds)
    single = sf.when(accepted & (sf.col("requests") > 0), sf.lit(0)).when(accepted, sf.col(RECORD_NO))
    keyed = classified.select(
        FILE_INDEX,
        OUTCOME,
        RECORD_NO,
        "ts_start",
        "ts_end",
        "requests",
        *TOKEN_COLUMNS,
        "reported_cost_usd",
        sf.when(sf.col(OUTCOME) == "quarantined", sf.col("reason")).alias("reason"),
        *(sf.when(accepted, sf.col(f"`{c}`")).alias(c) for c in COMBO_COLUMNS if c not in absent),
        sf.when(accepted, _period(grain, buckets.date_boundaries)).alias("_period"),
        sf.when(accepted, tod).alias("_tod"),
        sf.when(accepted, tier).alias("_tier"),
        sf.coalesce(single, sf.when(sf.col(OUTCOME) == "quarantined", sf.col(RECORD_NO)), sf.lit(0)).alias(
            "_single"
        ),
    )
    attributes = [c for c in COMBO_COLUMNS if c not in absent]
    keys = (FILE_INDEX, OUTCOME, "reason", *attributes, "_period", "_tod", "_tier", "_single")
    default = int(classified.sparkSession.conf.get("spark.sql.shuffle.partitions") or 8)
    partitions = max(default, -(-records // RECORDS_PER_PARTITION))
    if partitions > default:  # the aggregate reuses this hash partitioning: one shuffle, not two
        keyed = keyed.repartition(partitions, *(sf.col(f"`{k}`") for k in keys))
    grouped = keyed.groupBy(*(sf.col(f"`{k}`") for k in keys)).agg(
        sf.min(RECORD_NO).alias(RECORD_NO),
        sf.min("ts_start").alias("ts_start"),
        sf.max("ts_end").alias("ts_end"),
        sf.count(sf.lit(1)).alias("records"),
        sf.sum("requests").alias("requests"),
        *(sf.sum(t).alias(t) for t in TOKEN_COLUMNS),
        sf.sum("reported_cost_usd").alias("reported_cost_usd"),
    )
    return grouped.select("*", *(sf.lit(None).cast("string").alias(c) for c in sorted(absent)))
