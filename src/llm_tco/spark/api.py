"""Running an audit's ingest on Spark, and :func:`audit`, the entry point for a job that has a session.

:func:`spark_ingest` stands where the DuckDB ingest stands in ``llm-tco audit``: it reads, validates,
de-duplicates, aggregates and prices the input on Spark and writes the result into the store (an
in-memory one for a one-shot audit), so that the audit document — terminal, ``--json``, FOCUS export,
quarantine sample — is built by the same code as on the DuckDB path.

Per file, in input order: a file whose bytes the store (or an earlier input of this run) already holds is
recognised as a copy and its records counted as duplicates; a file at a path ingested before with other
content is left out and reported as changed (growing files are continued by the DuckDB engine only);
the rest are read by Spark in one job.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING

import duckdb

from llm_tco.errors import UsageError
from llm_tco.ingest.base import IngestOptions
from llm_tco.ingest.digest import digest_file
from llm_tco.ingest.history import Continuation, prior_version
from llm_tco.ingest.ingested import record_copy, seen_before
from llm_tco.ingest.outcome import ChangedFile, FileResult, IngestReport
from llm_tco.ingest.pipeline import now_utc
from llm_tco.ingest.records import AccountingError
from llm_tco.pricing.query import prepare_pricing
from llm_tco.spark.aggregate import COMBO_COLUMNS, group_outcomes
from llm_tco.spark.arrow import arrow_of
from llm_tco.spark.buckets import buckets_for
from llm_tco.spark.census import shared_source_ids, take_census
from llm_tco.spark.identity import BROADCAST_IDS, STORED_FILE, classify, repeated_ids
from llm_tco.spark.native import fast_lane
from llm_tco.spark.price import check_against_store, price_tables, spark_month_totals, store_month_totals
from llm_tco.spark.series_rows import GROUPS_TABLE, file_tallies, quarantined_records, series_usage
from llm_tco.spark.session import job_failures
from llm_tco.spark.source import FILE_INDEX, InputFile, SparkInput, list_inputs, read_files
from llm_tco.spark.store_write import SOURCE_FORMAT, write_results
from llm_tco.spark.validate import ValidationSettings, validate_frame
from llm_tco.store.rollup import RollupLayout, refresh_rollup

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from llm_tco.report.audit_doc import AuditDocument

__all__ = ["audit", "spark_ingest"]


def spark_ingest(
    spark: SparkSession, con: duckdb.DuckDBPyConnection, inputs: list[str], options: IngestOptions
) -> IngestReport:
    """Ingest ``inputs`` (generic usage files, globs, folders, URIs or one table) with Spark into the store
    of ``con``; the report counts every record of every file as accepted, quarantined or duplicate. A job
    that fails in Spark raises :class:`~llm_tco.errors.SparkJobError` with its cause on one line."""
    with job_failures():
        return _spark_ingest(spark, con, inputs, options)


def _spark_ingest(
    spark: SparkSession, con: duckdb.DuckDBPyConnection, inputs: list[str], options: IngestOptions
) -> IngestReport:
    if options.format not in (None, "table"):
        raise UsageError(f"--engine spark reads generic usage tables only, not --format {options.format}")
    if options.replace:
        raise UsageError("--replace is not supported with --engine spark (audit those files with DuckDB)")
    report = IngestReport()
    now = now_utc()
    layout = refresh_rollup(con, "day")
    files = list_inputs(spark, inputs)
    fresh, copies = _sort_out(con, files, report)
    if fresh:
        frame = read_files(spark, fresh, options.column_map, options.workload_from)
        settings = ValidationSettings(
            frame.matched,
            options.input_includes_cache,
            options.max_tokens_per_request,
            now.replace(tzinfo=None),
            options.id_namespace or SOURCE_FORMAT,
        )
        report.files.extend(_ingest_fresh(spark, con, frame, fresh, settings, layout, options.keep_rows))
    for item in copies:  # inputs repeating the bytes of an earlier input of this run
        seen = seen_before(con, item.fingerprint)
        if seen is None:
            raise AccountingError(f"{item.path}: its bytes were read in this run but are not in the store")
        counts = record_copy(con, seen, item.path, _digest(item), Continuation(resolved_path=item.resolved))
        report.files.append(FileResult(item.path, SOURCE_FORMAT, counts))
    order = {f.path: f.index for f in files}
    report.files.sort(key=lambda r: order.get(r.file, 0))
    return report


def _sort_out(
    con: duckdb.DuckDBPyConnection, files: Sequence[InputFile], report: IngestReport
) -> tuple[list[InputFile], list[InputFile]]:
    """(files Spark reads, later inputs repeating an earlier input's bytes); files the store holds are
    accounted for here (copies, changed files)."""
    fresh: list[InputFile] = []
    copies: list[InputFile] = []
    fingerprints: set[str] = set()
    for item in files:
        prior = prior_version(con, item.path, item.resolved or item.path)
        if prior is not None and prior.fingerprint != item.fingerprint:
            report.changed.append(ChangedFile(item.path, prior.ingested_at, prior.usage_records))
            continue
        seen = seen_before(con, item.fingerprint)
        if seen is not None:
            cont = Continuation(resolved_path=None if prior is not None else item.resolved)
            report.files.append(
                FileResult(item.path, SOURCE_FORMAT, record_copy(con, seen, item.path, _digest(item), cont))
            )
        elif item.fingerprint in fingerprints:
            copies.append(item)
        else:
            fingerprints.add(item.fingerprint)
            fresh.append(replace(item, index=len(fresh)))
    return fresh, copies


def _digest(item: InputFile):  # type: ignore[no-untyped-def]
    from pathlib import Path

    from llm_tco.ingest.digest import ContentDigest

    if item.resolved is not None:
        return digest_file(Path(item.resolved), item.size_bytes)
    return ContentDigest(item.size_bytes, item.fingerprint, item.size_bytes, item.fingerprint)


def _ingest_fresh(
    spark: SparkSession,
    con: duckdb.DuckDBPyConnection,
    frame: SparkInput,
    files: list[InputFile],
    settings: ValidationSettings,
    layout: RollupLayout,
    keep_rows: bool,
) -> list[FileResult]:
    """Validate, classify, aggregate (by the hour when the store's rows are read later, ``keep_rows``,
    else by month segment) and store the fresh files, checking Spark's pricing against the store's.

    Spark passes over the input two or three times, never through a cache: the census
    (``llm_tco.spark.census``); whether any source id repeats (the id column alone); and one aggregate
    that gives every outcome, the usage groups and the quarantined records together. The repeated ids
    are found apart only when some id does repeat or the store holds records with ids."""
    from pyspark import StorageLevel

    paths = spark.createDataFrame([(f.index, f.path) for f in files], f"{FILE_INDEX} INT, path STRING")
    lane = fast_lane(frame.frame.schema, settings)
    stored = _stored_keyed(spark, con)
    id_column = settings.matched.get("source_record_id")
    # Only records with ids can repeat one. When the store holds no ids, a narrow pass over the id column,
    # beside the census, says whether any id repeats at all (usually none).
    with ThreadPoolExecutor(max_workers=1) as pool:
        shared = (
            pool.submit(shared_source_ids, frame.frame, id_column)
            if id_column is not None and stored is None
            else None
        )
        census = take_census(frame.frame, lane, settings.matched)
        some_shared = shared is None or shared.result() > 0
    validated = validate_frame(frame.frame, settings, lane, census.doubtful > 0)
    repeated: DataFrame | None = None
    repeats = 0
    if id_column is not None and some_shared:
        repeated = repeated_ids(validated, stored).persist(StorageLevel.MEMORY_AND_DISK)
        repeats = repeated.count()
    try:
        classified = classify(
            validated, paths, stored, repeated if repeats else None, repeats <= BROADCAST_IDS
        )
        groups = group_outcomes(
            classified,
            buckets_for(census.pairs, layout),
            sum(census.read.values()),
            "hour" if keep_rows else "segment",
            frozenset(c for c in COMBO_COLUMNS if c not in ("workload", "batch", *settings.matched)),
        ).toArrow()
    finally:
        if repeated is not None:
            repeated.unpersist()
    con.register(GROUPS_TABLE, groups)
    con.execute("BEGIN TRANSACTION")
    try:
        usage = series_usage(con, layout)
        pricing = prepare_pricing(con)
        tables = price_tables(con)
        # Spark prices the usage while the store is written; the two are compared before the commit
        with ThreadPoolExecutor(max_workers=1) as pool:
            priced = pool.submit(spark_month_totals, spark, tables, usage, pricing)
            tallies = file_tallies(con, census.read)
            results = write_results(con, files, tallies, usage, quarantined_records(con), layout)
            file_ids = [
                int(r[0])
                for r in con.execute(
                    "SELECT file_id FROM ingested_files ORDER BY file_id DESC LIMIT ?", [len(files)]
                ).fetchall()
            ]
            check_against_store(priced.result(), store_month_totals(con, file_ids, pricing))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister(GROUPS_TABLE)
    return results


def _stored_keyed(spark: SparkSession, con: duckdb.DuckDBPyConnection) -> DataFrame | None:
    """The store's records with source ids, as the identity stage compares them (None when it has none)."""
    from llm_tco.canonical import TOKEN_COLUMNS

    tokens = ", ".join(f"u.{t}" for t in TOKEN_COLUMNS)
    arrow = arrow_of(
        con,
        f"SELECT {STORED_FILE}::INTEGER AS {FILE_INDEX}, u.record_no, u.source_record_id AS record_id, "
        f"f.path, u.ts_start, s.model_raw, u.requests, {tokens} "
        "FROM usage u JOIN usage_series s USING (series_key) JOIN ingested_files f USING (file_id) "
        "WHERE u.source_record_id IS NOT NULL",
    )
    return spark.createDataFrame(arrow) if arrow.num_rows else None


def audit(
    spark: SparkSession,
    source: str | list[str],
    *,
    db: str | None = None,
    options: IngestOptions | None = None,
) -> AuditDocument:
    """Audit ``source`` (paths, globs, URIs or a table name) with an existing Spark session; the result is
    the audit document ``llm-tco audit --json`` prints. ``db``: a store to write into (None: in memory)."""
    from llm_tco.cli.audit import run_audit
    from llm_tco.spark.session import configure

    configure(spark)
    inputs = [source] if isinstance(source, str) else list(source)
    doc, _ = run_audit(
        inputs,
        db=db or ":memory:",
        options=options or IngestOptions(),
        since=None,
        until=None,
        show_progress=False,
        engine=spark,
    )
    return doc
