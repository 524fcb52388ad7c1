"""Repeated record ids on Spark: the identity rules of ``llm_tco.ingest.identity``, as window functions.

A record with a source id repeats one seen before when its key matches: within its file the first
occurrence, else the first occurrence of an earlier input (or a record the store already holds). It is a
*duplicate* when its usage matches that record too, else an *id conflict*, quarantined with
``id conflict with FILE:RECORD``. Inputs are taken in order — the store first, then the files as listed —
as the DuckDB audit ingests them one after another. Records without an id cannot repeat: their key is the
file's fingerprint and position, and a file with known bytes is recognised as a whole before Spark reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_tco.canonical import TOKEN_COLUMNS
from llm_tco.ingest.identity import CONFLICT_PREFIX
from llm_tco.spark.source import FILE_INDEX, RECORD_NO

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

__all__ = ["OUTCOME", "classify"]

OUTCOME = "outcome"
"""``accepted``, ``duplicate`` or ``quarantined`` (``reason`` says why)."""
_USAGE = ("ts_start", "model_raw", "requests", *TOKEN_COLUMNS)
STORED_FILE = -1
"""``_file_idx`` of the records the store already holds (they come before every input)."""


def classify(validated: DataFrame, paths: DataFrame, stored: DataFrame | None) -> DataFrame:
    """``validated`` with ``outcome`` and, for id conflicts, the conflict as ``reason``.

    ``paths`` maps ``_file_idx`` to the path the reasons name (``path``); ``stored`` holds the store's
    records with ids (``_file_idx`` = -1, ``record_no``, ``record_id``, ``path`` and the usage columns)."""
    from pyspark.sql import functions as sf
    from pyspark.sql.window import Window

    valid = sf.col("reason").isNull()
    keyed = validated.filter(valid & sf.col("record_id").isNotNull()).join(sf.broadcast(paths), FILE_INDEX)
    columns = [FILE_INDEX, RECORD_NO, "record_id", "path", *_USAGE]
    if stored is not None:
        keyed = keyed.select(*columns).unionByName(stored.select(*columns))
    in_file = Window.partitionBy("record_id", FILE_INDEX).orderBy(RECORD_NO)
    overall = Window.partitionBy("record_id").orderBy(FILE_INDEX, RECORD_NO)

    def first(column: str, window: object) -> Column:
        return sf.first(column).over(window)  # type: ignore[arg-type]

    ranked = keyed.select(
        *columns,
        sf.row_number().over(in_file).alias("_in_file_rank"),
        *(first(c, in_file).alias(f"_f_{c}") for c in (RECORD_NO, *_USAGE)),
        *(first(c, overall).alias(f"_o_{c}") for c in (FILE_INDEX, RECORD_NO, "path", *_USAGE)),
    )

    def same(prefix: str) -> Column:
        test = sf.lit(True)
        for column in _USAGE:
            test = test & sf.col(column).eqNullSafe(sf.col(f"{prefix}{column}"))
        return test

    repeats_in_file = sf.col("_in_file_rank") > 1
    repeats_earlier = (sf.col("_in_file_rank") == 1) & (sf.col(f"_o_{FILE_INDEX}") < sf.col(FILE_INDEX))
    conflict = sf.when(
        repeats_in_file & ~same("_f_"),
        sf.concat(
            sf.lit(CONFLICT_PREFIX), sf.col("path"), sf.lit(":"), sf.col(f"_f_{RECORD_NO}").cast("string")
        ),
    ).when(
        repeats_earlier & ~same("_o_"),
        sf.concat(
            sf.lit(CONFLICT_PREFIX), sf.col("_o_path"), sf.lit(":"), sf.col(f"_o_{RECORD_NO}").cast("string")
        ),
    )
    flagged = ranked.filter((sf.col(FILE_INDEX) != STORED_FILE) & (repeats_in_file | repeats_earlier)).select(
        FILE_INDEX, RECORD_NO, conflict.alias("_conflict"), sf.lit(True).alias("_repeat")
    )
    # only the records with an id meet the verdicts; the others keep their validation verdict
    others = validated.filter(~(valid & sf.col("record_id").isNotNull()))
    judged = validated.filter(valid & sf.col("record_id").isNotNull()).join(
        flagged, [FILE_INDEX, RECORD_NO], "left"
    )
    reason = sf.coalesce(sf.col("reason"), sf.col("_conflict"))
    outcome = (
        sf.when(reason.isNotNull(), sf.lit("quarantined"))
        .when(sf.col("_repeat"), sf.lit("duplicate"))
        .otherwise(sf.lit("accepted"))
    )
    kept = [c for c in validated.columns if c != "reason"]
    return judged.select(*kept, reason.alias("reason"), outcome.alias(OUTCOME)).unionByName(
        others.select(*kept, "reason", outcome_of_invalid().alias(OUTCOME))
    )


def outcome_of_invalid() -> Column:
    """Records without an id, or quarantined by validation: accepted unless a reason was given."""
    from pyspark.sql import functions as sf

    return sf.when(sf.col("reason").isNotNull(), sf.lit("quarantined")).otherwise(sf.lit("accepted"))
