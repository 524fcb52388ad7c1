"""Summing the accepted records into the rows the store keeps: per file, series, UTC hour (or day) and
price bucket.

A Spark audit stores its usage aggregated (the facts stay in the lake): one row per input file, series,
UTC hour, time-of-day price interval (for models priced by time of day) and long-context tier band, with
the group's request and token sums. The hour is what ``plan`` sizes fleets by; a one-shot audit, whose
store nothing reads after it, sums by UTC day instead (``IngestOptions.keep_rows`` False): the same
prices, and far fewer groups to shuffle and collect when a log has a record or so per series and hour.

The buckets are cut at every boundary of the price data in force
(``llm_tco.store.rollup.price_data_layout``), so no row straddles a price change: priced later, by the
store's own query, an aggregated row costs exactly what its records cost one by one. A row's mean input
per request lies in the same tier band as each of its records' (the band is an interval), and its
``ts_start`` (the group's first) lies in the same hour (or day) and interval. Records without a positive
request count are priced per record (a per-request price is charged once per such row), so they stay
single rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from llm_tco.canonical import TOKEN_COLUMNS
from llm_tco.ingest.base import ATTRIBUTE_COLUMNS
from llm_tco.spark.source import FILE_INDEX, RECORD_NO

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

__all__ = ["COMBO_COLUMNS", "RECORDS_PER_PARTITION", "aggregate_usage", "combo_hash"]

COMBO_COLUMNS: tuple[str, ...] = (*ATTRIBUTE_COLUMNS, "service_name")
"""What identifies a record's series (the generic adapter has no tags or metadata)."""


def combo_hash() -> Column:
    """A 64-bit hash of a record's attribute values (NULLs included), the join key to its series."""
    from pyspark.sql import functions as sf

    return sf.xxhash64(*(sf.col(f"`{c}`") for c in COMBO_COLUMNS))


def _largest_not_above(value: Column, boundaries: Sequence[int], floor: Column) -> Column:
    """The largest boundary ``b`` with ``b <= value`` (``floor`` when none)."""
    from pyspark.sql import functions as sf

    result = floor
    for boundary in sorted(boundaries):
        result = sf.when(value >= sf.lit(boundary), sf.lit(boundary)).otherwise(result)
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
"""Accepted records per partition of the aggregate, at most (about as many groups at worst, ~120 bytes
each): at Spark's eight shuffle partitions a 100M-record log made 370 MB partitions, each one task's
result for the driver to fetch whole."""


def aggregate_usage(
    accepted: DataFrame,
    series: DataFrame,
    tier_thresholds: Sequence[int],
    tod_boundaries_s: Sequence[int],
    records: int,
    grain: Literal["hour", "day"] = "hour",
) -> DataFrame:
    """The store's usage rows from the accepted records (``records`` of them), per UTC ``grain``.
    ``series`` maps ``_combo`` (:func:`combo_hash`) to ``series_key`` and ``tod`` (whether its model is
    priced by time of day). The groups are spread over at least the session's shuffle partitions and one
    per :data:`RECORDS_PER_PARTITION` records."""
    from pyspark.sql import functions as sf

    second_of_day = sf.hour("ts_start") * 3600 + sf.minute("ts_start") * 60 + sf.floor(sf.second("ts_start"))
    bucketed = (
        accepted.withColumn("_combo", combo_hash())
        .join(sf.broadcast(series), "_combo")
        .select(
            FILE_INDEX,
            RECORD_NO,
            "series_key",
            "ts_start",
            "ts_end",
            "requests",
            *TOKEN_COLUMNS,
            "reported_cost_usd",
            sf.date_trunc(grain, "ts_start").alias("_period"),
            sf.when(sf.col("tod"), _largest_not_above(second_of_day, tod_boundaries_s, sf.lit(0)))
            .otherwise(sf.lit(-1))
            .alias("_tod"),
            _tier_band(sf.col("input_tokens"), sf.col("requests"), tier_thresholds).alias("_tier"),
            sf.when(sf.col("requests") > 0, sf.lit(0)).otherwise(sf.col(RECORD_NO)).alias("_single"),
        )
    )
    sums = [sf.sum(t).cast("bigint").alias(t) for t in TOKEN_COLUMNS]
    keys = (FILE_INDEX, "series_key", "_period", "_tod", "_tier", "_single")
    default = int(accepted.sparkSession.conf.get("spark.sql.shuffle.partitions") or 8)
    partitions = max(default, -(-records // RECORDS_PER_PARTITION))
    if partitions > default:  # the aggregate reuses this hash partitioning: one shuffle, not two
        bucketed = bucketed.repartition(partitions, *keys)
    return (
        bucketed.groupBy(*keys)
        .agg(
            sf.min(RECORD_NO).alias(RECORD_NO),
            sf.min("ts_start").alias("ts_start"),
            sf.max("ts_end").alias("ts_end"),
            sf.count(sf.lit(1)).alias("records"),
            sf.sum("requests").cast("bigint").alias("requests"),
            *sums,
            sf.sum("reported_cost_usd").cast("decimal(18,9)").alias("reported_cost_usd"),
        )
        .drop("_period", "_tod", "_tier", "_single")
    )
