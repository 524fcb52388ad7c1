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
from llm_tco.spark.census import shared
from llm_tco.spark.source import FILE_INDEX, RECORD_NO

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

__all__ = ["BROADCAST_IDS", "OUTCOME", "classify", "repeated_ids"]

OUTCOME = "outcome"
"""``accepted``, ``duplicate`` or ``quarantined`` (``reason`` says why)."""
_USAGE = ("ts_start", "model_raw", "requests", *TOKEN_COLUMNS)
BROADCAST_IDS = 2_000_000
"""Up to this many repeated ids are shipped to every task (a broadcast join, no shuffle of the input);
beyond it — two overlapping exports of a large log — they are joined by shuffling."""
STORED_FILE = -1
"""``_file_idx`` of the records the store already holds (they come before every input)."""


def repeated_ids(validated: DataFrame, stored: DataFrame | None) -> DataFrame:
    """``_id_hash`` of the ids worth examining: a 64-bit hash shared by more than one valid record of the
    inputs and the store. Usually none (per-request logs give each request its own id), which a hash
    aggregate over 64-bit integers finds without sorting or shuffling the ids' text. A hash only chooses
    what :func:`classify` compares: two ids that collide are both examined, and told apart exactly."""

    hashes = _keyed(validated).select(_id_hash())
    if stored is not None:
        hashes = hashes.unionByName(stored.select(_id_hash()))
    return shared(hashes, "_id_hash")


def _id_hash() -> Column:
    from pyspark.sql import functions as sf

    return sf.xxhash64("record_id").alias("_id_hash")


def classify(
    validated: DataFrame, paths: DataFrame, stored: DataFrame | None, repeated: DataFrame | None, few: bool
) -> DataFrame:
    """``validated`` with ``outcome`` and, for id conflicts, the conflict as ``reason``.

    ``paths`` maps ``_file_idx`` to the path the reasons name (``path``); ``stored`` holds the store's
    records with ids (``_file_idx`` = -1, ``record_no``, ``record_id``, ``path`` and the usage columns);
    ``repeated`` holds the id hashes :func:`repeated_ids` found (None: it found none, and every record
    keeps its validation verdict). Only the records with those hashes are ranked in file order. ``few``:
    they are few enough to be broadcast to every task (else joined by shuffling, as large overlaps need)."""
    from pyspark.sql import functions as sf
    from pyspark.sql.window import Window

    if repeated is None:
        return validated.withColumn(OUTCOME, outcome_of_invalid())

    def shipped(frame: DataFrame) -> DataFrame:
        return sf.broadcast(frame) if few else frame

    repeats = shipped(repeated)

    def suspects(frame: DataFrame) -> DataFrame:
        return frame.withColumn("_id_hash", _id_hash()).join(repeats, "_id_hash", "left_semi")

    keyed = suspects(_keyed(validated)).join(sf.broadcast(paths), FILE_INDEX)
    columns = [FILE_INDEX, RECORD_NO, "record_id", "path", *_USAGE]
    if stored is not None:
        keyed = keyed.select(*columns).unionByName(suspects(stored).select(*columns))
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
    # only the flagged records (a few, beside the input) meet the verdicts; the others keep their own
    judged = validated.join(shipped(flagged), [FILE_INDEX, RECORD_NO], "left")
    reason = sf.coalesce(sf.col("reason"), sf.col("_conflict"))
    outcome = (
        sf.when(reason.isNotNull(), sf.lit("quarantined"))
        .when(sf.col("_repeat"), sf.lit("duplicate"))
        .otherwise(sf.lit("accepted"))
    )
    kept = [c for c in validated.columns if c != "reason"]
    return judged.select(*kept, reason.alias("reason"), outcome.alias(OUTCOME))


def _keyed(validated: DataFrame) -> DataFrame:
    """The valid records that carry a source id: the only ones that can repeat (a file's records without
    ids are keyed by its fingerprint and position, and a file with known bytes never reaches Spark)."""
    from pyspark.sql import functions as sf

    return validated.filter(sf.col("reason").isNull() & sf.col("record_id").isNotNull())


def outcome_of_invalid() -> Column:
    """A record's outcome when no id repeats: accepted unless the validation gave a reason."""
    from pyspark.sql import functions as sf

    return sf.when(sf.col("reason").isNotNull(), sf.lit("quarantined")).otherwise(sf.lit("accepted"))
