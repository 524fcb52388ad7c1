"""The first pass over a Spark audit's input: what it holds, counted before any record is judged.

One job answers four questions at once, so that the input is scanned once for all of them:

- how many records each file has (the accounting checks every outcome against these counts);
- how many records the fast lane cannot show valid (``llm_tco.spark.native``; none: the DuckDB lane is
  left out of every later pass);
- which (provider, model) pairs the input names (where the aggregate cuts its groups,
  ``llm_tco.spark.buckets``);
- whether any source id is shared by two plainly valid records (per-request logs give each request its
  own id, so usually not: then the identity stage has nothing to rank, and no pass of its own).

The counts are grouped by file and pair, the ids by their 64-bit hash, as two grouping sets of one
aggregate. The id answer is exact only when the fast lane takes every record; otherwise the identity
stage runs its own pass over the validated records (``llm_tco.spark.identity.repeated_ids``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from llm_tco.spark.buckets import RawPair
from llm_tco.spark.source import FILE_INDEX

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

    from llm_tco.spark.native import FastLane

__all__ = ["Census", "take_census"]


@dataclass(frozen=True)
class Census:
    read: dict[int, int]
    """Records read per file (``_file_idx``)."""
    doubtful: int
    """Records the fast lane leaves to the DuckDB lane (all of them without a fast lane)."""
    pairs: set[RawPair]
    repeated_ids: int | None
    """Id hashes shared by more than one plainly valid record; None where that does not answer whether
    any id repeats (some record is doubtful, or the source has no fast lane)."""


_PAIR_SET = 1
"""``grouping_id()`` of the (file, provider, model) set: only the id hash (the last column) is rolled up."""


def take_census(frame: DataFrame, lane: FastLane | None, matched: dict[str, str]) -> Census:
    """The census of ``frame`` (the numbered input) with its fast lane and matched columns."""
    from pyspark.sql import functions as sf

    def raw(field: str) -> Column:
        column = matched.get(field)
        return (sf.col(f"`{column}`") if column else sf.lit(None)).cast("string").alias(field)

    plain = lane.plain if lane is not None else sf.lit(False)
    with_ids = lane is not None and "source_record_id" in matched
    id_hash = sf.lit(None)
    if lane is not None and with_ids:
        # a plain record's id is the source's value unchanged (no space at either end; empty = none), so
        # equal ids are equal values: hashing the value spares building every record's id text
        source_id = sf.col(f"`{matched['source_record_id']}`")
        id_hash = sf.when(plain & lane.record_id.isNotNull(), sf.xxhash64(source_id))
    keyed = frame.select(
        FILE_INDEX,
        raw("provider"),
        raw("model_raw"),
        plain.alias("_plain"),
        id_hash.cast("bigint").alias("_h"),
    )
    pair_columns = [FILE_INDEX, "provider", "model_raw"]
    counts = [sf.count(sf.lit(1)).alias("n"), sf.count_if(~sf.col("_plain")).alias("d")]
    if with_ids:
        counted = keyed.groupingSets([pair_columns, ["_h"]], *pair_columns, "_h").agg(
            *counts, sf.grouping_id().alias("_set")
        )
    else:  # no id can repeat: the pairs' counts alone
        counted = (
            keyed.groupBy(*pair_columns)
            .agg(*counts, sf.lit(_PAIR_SET).alias("_set"))
            .withColumn("_h", sf.lit(None).cast("bigint"))
        )
    pair_rows = sf.col("_set") == _PAIR_SET
    shared = ~pair_rows & sf.col("_h").isNotNull() & (sf.col("n") > 1)
    rows = (
        counted.filter(pair_rows | shared)
        .groupBy("_set", FILE_INDEX, "provider", "model_raw")
        .agg(sf.sum("n").alias("n"), sf.sum("d").alias("d"), sf.count(sf.lit(1)).alias("groups"))
        .collect()
    )
    read: dict[int, int] = {}
    doubtful = 0
    pairs: set[RawPair] = set()
    repeated = 0
    for row in rows:
        if row["_set"] != _PAIR_SET:
            repeated += int(row["groups"])
            continue
        index = int(row[FILE_INDEX])
        read[index] = read.get(index, 0) + int(row["n"])
        doubtful += int(row["d"])
        pairs.add((row["provider"], row["model_raw"]))
    return Census(read, doubtful, pairs, repeated if lane is not None and doubtful == 0 else None)
