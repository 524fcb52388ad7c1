"""Reading the audit's input into Spark: the generic adapter's shape, every record numbered in its file.

Inputs are local files, globs and folders (expanded and fingerprinted exactly as the DuckDB audit does, so a
later DuckDB audit of the same files recognises them), paths Spark reads by URI (``s3a://``, ``hdfs://``,
``dbfs:/``; fingerprinted by Spark itself, SHA-256 of each file's bytes), or one table name. Columns are
matched to canonical fields by name, as for a generic file (``llm_tco.ingest.columns``).

Every value is read as the source wrote it — CSV as text, JSON primitives as text — so that a wrongly typed
value is quarantined by the validation with the same reason as on DuckDB, never coerced by a reader.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from llm_tco.errors import InputFileError, UsageError
from llm_tco.ingest.columns import REQUIRED_FIELDS, ambiguous_columns, match_columns
from llm_tco.ingest.early_digest import digest_of
from llm_tco.ingest.files import expand_inputs

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["InputFile", "SparkInput", "list_inputs", "read_files"]

_KINDS = {".parquet": "parquet", ".csv": "csv", ".json": "json", ".jsonl": "json", ".ndjson": "json"}
RECORD_NO = "record_no"
FILE_INDEX = "_file_idx"
REJECT = "_reject_reason"
_CORRUPT = "_corrupt_record"
TABLE_PREFIX = "table:"


@dataclass(frozen=True)
class InputFile:
    """One input file (or table), in the order the run ingests them: identity compares later with earlier."""

    index: int
    path: str
    """As the store records it (a local path as given, or the URI)."""
    uri: str
    """As Spark names it in ``_metadata.file_path``."""
    fingerprint: str
    size_bytes: int
    resolved: str | None = None
    """A local file's resolved path (how the store tells a file seen under another name)."""


@dataclass(frozen=True)
class SparkInput:
    frame: DataFrame
    """``_file_idx``, ``record_no`` (1-based in its file), ``_reject_reason`` and the source's columns."""
    files: tuple[InputFile, ...]
    matched: dict[str, str]
    """Canonical field -> source column."""
    kind: str


def list_inputs(spark: SparkSession, inputs: list[str]) -> list[InputFile]:
    """The run's inputs in order, each fingerprinted: files (expanded), URIs, or one table."""
    if len(inputs) == 1 and _is_table(spark, inputs[0]):
        return [_table_input(spark, inputs[0])]
    files = _input_files(spark, inputs)
    kinds = {_kind(f.path) for f in files}
    if len(kinds) > 1:
        raise UsageError(
            "--engine spark reads one format per run (Parquet, CSV or JSON lines); got "
            + ", ".join(sorted(kinds))
        )
    return files


def read_files(
    spark: SparkSession, files: list[InputFile], column_map: dict[str, str], workload_from: str | None
) -> SparkInput:
    """Read ``files`` (as :func:`list_inputs` gave them, renumbered) as one numbered frame."""
    if files[0].path.startswith(TABLE_PREFIX):
        return _read_table(spark, files[0], column_map, workload_from)
    kind = _kind(files[0].path)
    from pyspark.sql import functions as sf

    reader = spark.read
    uris = [f.uri for f in files]
    if kind == "parquet":
        frame = reader.parquet(*uris)
    elif kind == "csv":
        frame = (
            reader.option("header", "true")
            .option("inferSchema", "false")
            .option("mode", "PERMISSIVE")
            .csv(uris)
        )
    else:
        frame = (
            reader.option("primitivesAsString", "true")
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", _CORRUPT)
            .json(uris)
        )
    matched = _match(frame.columns, column_map, workload_from, files[0].path, kind)
    numbered = _with_file_index(spark, frame, files)
    if kind == "parquet":
        numbered = numbered.withColumn(RECORD_NO, sf.col("_metadata.row_index") + sf.lit(1))
    else:
        from pyspark.sql.window import Window

        # CSV and JSON lines give no row index: the scan order within a file is its line order, and
        # monotonically_increasing_id grows along it (splits of one file are numbered in file order).
        order = Window.partitionBy(FILE_INDEX).orderBy(sf.monotonically_increasing_id())
        numbered = numbered.withColumn(RECORD_NO, sf.row_number().over(order).cast("bigint"))
    reject = (
        sf.when(sf.col(_CORRUPT).isNotNull(), sf.lit("malformed JSON record"))
        if _CORRUPT in frame.columns
        else sf.lit(None)
    )
    numbered = numbered.withColumn(REJECT, reject.cast("string"))
    keep = [FILE_INDEX, RECORD_NO, REJECT, *(f"`{c}`" for c in frame.columns if c != _CORRUPT)]
    return SparkInput(numbered.select(*keep), tuple(files), matched, kind)


_FEW_FILES = 32
"""Up to this many files, a record's file is found by comparing its path with each (no join)."""


def _spellings(uri: str) -> list[str]:
    """How Spark may name a file in ``_metadata.file_path``: a local file as ``file:/x``, ``file://x`` or
    ``file:///x`` depending on the version; other URIs as they are."""
    if not uri.startswith("file:"):
        return [uri]
    path = "/" + re.sub(r"^file:/+", "", uri)
    return [f"file:{path}", f"file:/{path}", f"file://{path}"]


def _with_file_index(spark: SparkSession, frame: DataFrame, files: list[InputFile]) -> DataFrame:
    """``frame`` with each record's ``_file_idx``, from the path Spark read it from (records of no file of
    ``files`` are left out, as no file read them). The path is compared as Spark spells it, never
    rewritten per record: a regular expression on every record's path, joined to the files, cost 2.9 s of
    each pass over 10M records; a comparison with each of a few files costs 0.5 s."""
    from pyspark.sql import functions as sf

    path = sf.col("_metadata.file_path")
    if len(files) <= _FEW_FILES:
        index = sf.lit(None).cast("int")
        for item in reversed(files):
            index = sf.when(path.isin(*_spellings(item.uri)), sf.lit(item.index)).otherwise(index)
        return frame.withColumn(FILE_INDEX, index).filter(sf.col(FILE_INDEX).isNotNull())
    rows = [(spelling, item.index) for item in files for spelling in _spellings(item.uri)]
    table = spark.createDataFrame(rows, f"_path STRING, {FILE_INDEX} INT")
    return frame.withColumn("_path", path).join(sf.broadcast(table), "_path").drop("_path")


def _is_table(spark: SparkSession, name: str) -> bool:
    if any(ch in name for ch in "/\\*?[") or Path(name).exists() or ":" in name:
        return False
    return bool(spark.catalog.tableExists(name))


def _table_input(spark: SparkSession, name: str) -> InputFile:
    """A table is one input; its fingerprint digests its content (order-independent), so that an
    unchanged table is recognised as already audited."""
    from pyspark.sql import functions as sf

    frame = spark.table(name)
    row = frame.select(
        sf.count(sf.lit(1)).alias("n"),
        sf.sum(sf.xxhash64(*(sf.col(f"`{c}`") for c in frame.columns)).cast("decimal(38,0)")).alias("h"),
    ).first()
    content = f"{name}\x1f{row['n'] if row else 0}\x1f{row['h'] if row else 0}"
    fingerprint = hashlib.sha256(content.encode()).hexdigest()
    return InputFile(0, f"{TABLE_PREFIX}{name}", f"{TABLE_PREFIX}{name}", fingerprint, 0)


def _read_table(
    spark: SparkSession, table: InputFile, column_map: dict[str, str], workload_from: str | None
) -> SparkInput:
    """A table's records are numbered by scan position (unique, not dense)."""
    from pyspark.sql import functions as sf

    name = table.path.removeprefix(TABLE_PREFIX)
    frame = spark.table(name)
    matched = _match(frame.columns, column_map, workload_from, name, "table")
    numbered = frame.select(
        sf.lit(table.index).alias(FILE_INDEX),
        (sf.monotonically_increasing_id() + sf.lit(1)).alias(RECORD_NO),
        sf.lit(None).cast("string").alias(REJECT),
        *(sf.col(f"`{c}`") for c in frame.columns),
    )
    return SparkInput(numbered, (table,), matched, "table")


def _input_files(spark: SparkSession, inputs: list[str]) -> list[InputFile]:
    local = [i for i in inputs if "://" not in i and not i.startswith("dbfs:")]
    remote = [i for i in inputs if i not in local]
    files: list[InputFile] = []
    for path in expand_inputs(local) if local else []:
        if not path.is_file():
            raise InputFileError(str(path), "not a regular file")
        size = path.stat().st_size
        digest = digest_of(path, size)
        uri = path.resolve().as_uri()
        files.append(InputFile(len(files), str(path), uri, digest.fingerprint, size, str(path.resolve())))
    if remote:
        from pyspark.sql import functions as sf

        rows = (
            spark.read.format("binaryFile")
            .load(remote)
            .select("path", "length", sf.sha2("content", 256).alias("sha"))
            .orderBy("path")
            .collect()
        )
        if not rows:
            raise InputFileError(", ".join(remote), "no file matches")
        for row in rows:
            files.append(
                InputFile(len(files), str(row["path"]), str(row["path"]), str(row["sha"]), int(row["length"]))
            )
    return files


def _kind(path: str) -> str:
    suffix = Path(path.split("?")[0]).suffix.lower()
    kind = _KINDS.get(suffix)
    if kind is None:
        raise InputFileError(path, "--engine spark reads .parquet, .csv and .json/.jsonl files (or a table)")
    return kind


def _match(
    columns: list[str], column_map: dict[str, str], workload_from: str | None, label: str, kind: str
) -> dict[str, str]:
    """Canonical field -> column, as the generic adapter matches a file's columns."""
    overrides = dict(column_map)
    if workload_from:
        overrides["workload"] = workload_from
    present = set(columns)
    for field, column in overrides.items():
        if column not in present:
            raise InputFileError(label, f"column {column!r} (for {field}) not found")
    matched = match_columns(columns, overrides)
    ambiguity = ambiguous_columns(columns if kind in ("csv", "parquet", "table") else (), matched)
    if ambiguity is not None:
        raise InputFileError(label, ambiguity)
    missing = [f for f in REQUIRED_FIELDS if f not in matched]
    if missing:
        raise InputFileError(label, "missing required column " + ", ".join(repr(f) for f in missing))
    return matched
