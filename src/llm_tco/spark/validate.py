"""Validation on the executors: the records the fast lane cannot show valid are checked, an Arrow batch at
a time, by llm-tco's own validation query.

The rules of a valid record and the wording of each quarantine reason exist once, as the DuckDB query of
``llm_tco.ingest.validate``; running that same query over each batch (an in-process DuckDB per Python
worker, through ``mapInArrow``) makes the Spark path's verdicts identical to the local audit's by
construction, instead of a second implementation that could drift. Spark distributes the batches; nothing
here coordinates work between machines. Records that plainly pass every rule — most of a healthy log —
skip the Python workers: Spark reads them itself (``llm_tco.spark.native``), and only the others cost a
trip through a worker.

The batch's record numbers travel through the query combined with the file index (``file << 40 |
record``): the validation passes ``record_no`` through unchanged, and the pair is split again after.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from llm_tco.canonical import TOKEN_COLUMNS
from llm_tco.ingest.base import ATTRIBUTE_COLUMNS
from llm_tco.ingest.generic import staged_select
from llm_tco.ingest.validate import bind_fingerprint, validation_sql
from llm_tco.spark.source import FILE_INDEX, RECORD_NO

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

    from llm_tco.spark.native import FastLane

__all__ = ["VALIDATED_SCHEMA", "ValidationSettings", "fast_rows", "validate_frame"]

RECORD_BITS = 40
"""Bits of a record number within its file in the combined number (10^12 records a file)."""

_TEXT_ATTRIBUTES = [a for a in ATTRIBUTE_COLUMNS if a != "batch"]
VALIDATED_SCHEMA = ", ".join(
    [
        "record_no BIGINT",
        "record_id STRING",
        "reason STRING",
        "ts_start TIMESTAMP_NTZ",
        "ts_end TIMESTAMP_NTZ",
        *(f"`{a}` STRING" for a in _TEXT_ATTRIBUTES),
        "batch BOOLEAN",
        "service_name STRING",
        "requests BIGINT",
        *(f"{t} BIGINT" for t in TOKEN_COLUMNS),
        "reported_cost_usd DECIMAL(18,9)",
    ]
)
_OUTPUT = [
    "record_no",
    "record_id",
    "reason",
    "ts_start",
    "ts_end",
    *_TEXT_ATTRIBUTES,
    "batch",
    "service_name",
    "requests",
    *TOKEN_COLUMNS,
    "reported_cost_usd",
]


@dataclass(frozen=True)
class ValidationSettings:
    """What the validation query needs (picklable: it travels to the executors)."""

    matched: dict[str, str]
    input_includes_cache: bool
    max_tokens_per_request: int
    now: datetime
    id_namespace: str


def validate_frame(
    frame: DataFrame, settings: ValidationSettings, lane: FastLane | None, doubtful: bool
) -> DataFrame:
    """The input frame validated: canonical columns, ``reason`` (NULL = accepted), ``_file_idx`` and
    ``record_no``. ``lane``: the fast lane for the frame's schema (``llm_tco.spark.native``; None: every
    record takes the DuckDB lane). ``doubtful``: whether some record fails the fast lane's test; when none
    does, the DuckDB lane is left out of the plan (it would scan the input a second time to find no
    record)."""
    if lane is None:
        return _by_duckdb(frame, settings)
    if not doubtful:  # every record is plain: testing each again would cost a pass its predicate
        return frame.select(FILE_INDEX, *lane.values)
    return fast_rows(frame, lane).unionByName(_by_duckdb(frame.filter(~lane.plain), settings))


def fast_rows(frame: DataFrame, lane: FastLane) -> DataFrame:
    """The records of ``frame`` the fast lane takes, validated."""
    return frame.filter(lane.plain).select(FILE_INDEX, *lane.values)


def _by_duckdb(frame: DataFrame, settings: ValidationSettings) -> DataFrame:
    """``frame``'s records validated by the validation query in the Python workers."""
    from pyspark.sql import functions as sf

    combined = frame.withColumn(
        RECORD_NO, sf.shiftleft(sf.col(FILE_INDEX).cast("bigint"), RECORD_BITS) + sf.col(RECORD_NO)
    ).drop(FILE_INDEX)
    validated = combined.mapInArrow(_partition_validator(settings), VALIDATED_SCHEMA)
    mask = (1 << RECORD_BITS) - 1
    return validated.withColumn(
        FILE_INDEX, sf.shiftright(sf.col(RECORD_NO), RECORD_BITS).cast("int")
    ).withColumn(RECORD_NO, sf.col(RECORD_NO).bitwiseAND(sf.lit(mask)))


def _partition_validator(settings: ValidationSettings):  # type: ignore[no-untyped-def]
    """The function ``mapInArrow`` runs on each partition (a closure over the settings only)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import duckdb
        import pyarrow as pa

        con = duckdb.connect(config={"threads": 1})
        bind_fingerprint(con, "0" * 64)  # keys are made by the identity stage, not here
        staged = staged_select("_batch", settings.matched, defaults={"requests": "1"})
        query: tuple[str, list[object]] | None = None
        for batch in batches:
            if batch.num_rows == 0:
                continue
            con.register("_batch", pa.Table.from_batches([batch]))
            if query is None:  # the batches of one frame share its schema: build the query once
                sql = validation_sql(
                    con,
                    staged,
                    [],
                    input_includes_cache=settings.input_includes_cache,
                    max_tokens_per_request=settings.max_tokens_per_request,
                    now=settings.now,
                    id_namespace=settings.id_namespace,
                )
                query = (f"SELECT {', '.join(_quoted(c) for c in _OUTPUT)} FROM ({sql.sql})", sql.params)
            with warnings.catch_warnings():  # the copy it warns about is of one batch
                warnings.simplefilter("ignore")
                table = con.execute(query[0], query[1]).to_arrow_table()
            if table is None:  # a statement without rows; never the validation query
                continue
            con.unregister("_batch")
            yield from table.to_batches()
        con.close()

    return run


def _quoted(column: str) -> str:
    return f'"{column}"'
