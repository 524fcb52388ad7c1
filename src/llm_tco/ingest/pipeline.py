"""Ingesting a list of inputs: expand, probe, pick the adapter, validate, load — one file at a time.

An input is a file, a glob, a directory (a folder of OpenAI Usage API pages is one file per page) or a
``postgresql://`` URL of a LiteLLM proxy database (``llm_tco.ingest.postgres``). A file that cannot be used
as a whole (unknown format, truncated JSON, missing required column) is rejected with a one-line reason and
the other files still load; the caller decides the exit code.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from llm_tco.errors import InputFileError, UsageError
from llm_tco.ingest import early_digest
from llm_tco.ingest.base import Adapter, IngestOptions, StagedSource
from llm_tco.ingest.batch import SmallFileBatcher
from llm_tco.ingest.costs import ReportedCounts, cost_validation_sql
from llm_tco.ingest.digest import ContentDigest
from llm_tco.ingest.files import expand_inputs, not_a_file_reason, probe_file
from llm_tco.ingest.history import (
    ChangedWhileReadError,
    Continuation,
    KnownPaths,
    PriorVersion,
    compare_with_prior,
    continuation,
    prior_version,
    snapshot,
    unchanged_since,
)
from llm_tco.ingest.load import FileCounts, load_file
from llm_tco.ingest.outcome import ChangedFile, FileResult, IngestReport, RejectedFile
from llm_tco.ingest.postgres import is_database_url, read_litellm_database, redact_url
from llm_tco.ingest.reader_sql import error_line
from llm_tco.ingest.reattribute import AttributionSettings, settle_attribution
from llm_tco.ingest.registry import detect_adapter, get_adapter
from llm_tco.ingest.series_hash import SeriesHash, materialize_hashed
from llm_tco.ingest.staging import drop_staged_tables
from llm_tco.ingest.validate import ValidationSql, validation_sql
from llm_tco.store.health import raise_store_write_failure
from llm_tco.store.rollup import RollupLayout, refresh_rollup

__all__ = ["ChangedFile", "FileResult", "IngestReport", "RejectedFile", "ingest_files", "now_utc"]

NOW_ENV = "LLM_TCO_NOW"


def now_utc() -> datetime:
    """The current UTC time, or ``$LLM_TCO_NOW`` (ISO 8601) so that runs and tests are reproducible."""
    fixed = os.environ.get(NOW_ENV)
    if fixed:
        try:
            parsed = datetime.fromisoformat(fixed.strip().replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(
                f"{NOW_ENV}={fixed!r}: expected an ISO 8601 timestamp (e.g. 2026-11-25T12:00:00Z)"
            ) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    inputs: list[str],
    options: IngestOptions,
    *,
    on_file: Callable[[Path], None] | None = None,
) -> IngestReport:
    """Ingest every input (files, globs, directories, ``postgresql://`` URLs) into the store of ``con``.

    ``options``' attribution settings become the store's first (stored records are re-attributed when
    they differ: ``llm_tco.ingest.reattribute``), so stored and new records share one attribution."""
    report = IngestReport()
    settle_attribution(con, AttributionSettings(options.attribution, options.workload_from))
    forced = get_adapter(options.format) if options.format else None
    now = now_utc()
    # usage kept only as sums is summed by month segment: only a whole-store monthly audit reads it
    layout = refresh_rollup(con, "day" if options.keep_rows else "segment")
    known = KnownPaths(con)

    def load_alone(path: Path, file_options: IngestOptions = options) -> None:
        try:
            _ingest_path(con, path, file_options, forced, now, layout, report, known)
        except InputFileError as exc:
            # a write that failed is the store's fault (disk full), not the input's: stop the run
            raise_store_write_failure(exc.__cause__)
            report.rejected.append(RejectedFile(str(path), exc.reason))

    # consecutive small files of one shape are loaded together (llm_tco.ingest.batch)
    batcher = SmallFileBatcher(con, options, forced, now, layout, report, known, load_alone)
    for index, item in enumerate(inputs):
        if is_database_url(item):
            _ingest_database(con, item, options, now, layout, report)
            continue
        try:
            files = expand_inputs([item])
        except InputFileError as exc:
            report.rejected.append(RejectedFile(exc.file, exc.reason))
            continue
        for position, path in enumerate(files):
            if on_file:
                on_file(path)
            if not batcher.offer(path):
                batcher.flush()
                # the last input: nothing read after it can repeat its records
                last = index == len(inputs) - 1 and position == len(files) - 1
                load_alone(path, dataclasses.replace(options, more_inputs=False) if last else options)
        batcher.flush()
    early_digest.discard_all()
    return report


def _ingest_path(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    options: IngestOptions,
    forced: Adapter | None,
    now: datetime,
    layout: RollupLayout,
    report: IngestReport,
    known: KnownPaths,
) -> None:
    """Ingest a file into ``report``, comparing it with the earlier versions of its path
    (``llm_tco.ingest.history``): one that changed is listed in ``report.changed`` instead."""
    reason = not_a_file_reason(path)  # a FIFO, device or symlink loop: named for what it is, never opened
    if reason is not None:
        raise InputFileError(str(path), reason)
    try:
        stat = path.stat()
    except OSError as exc:
        raise InputFileError(str(path), f"unreadable ({exc.strerror or exc})") from exc
    resolved = str(path.resolve())
    # a version of it may be stored from here on (it is only a hint that a look-up is needed)
    prior = prior_version(con, str(path), resolved) if known.may_hold(str(path), resolved) else None
    known.add(resolved)
    try:
        _ingest_version(
            con, path, str(path), resolved, stat.st_size, options, forced, now, layout, report, stat, prior
        )
        return
    except ChangedWhileReadError:
        pass
    # Appended to (or rewritten) while it was read: load a copy of exactly the bytes there were at the
    # start, so that what is recorded is what was read and the next audit loads the rest.
    with snapshot(path, stat.st_size) as copy:
        size = copy.stat().st_size
        _ingest_version(
            con, copy, str(path), resolved, size, options, forced, now, layout, report, None, prior
        )


def _ingest_version(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    name: str,
    resolved: str,
    size_bytes: int,
    options: IngestOptions,
    forced: Adapter | None,
    now: datetime,
    layout: RollupLayout,
    report: IngestReport,
    stat: os.stat_result | None,
    prior: PriorVersion | None,
) -> None:
    """Ingest the file at ``path`` as the version of ``name`` after ``prior`` (None: its first)."""
    cont: Continuation | None = Continuation(resolved_path=resolved)
    known: ContentDigest | None = None
    if prior is not None:
        early_digest.discard(path)  # hashed below with the prior version's prefix
        verdict, known = compare_with_prior(path, size_bytes, prior)
        cont = continuation(prior, verdict, options.replace, resolved)
        if verdict == "unchanged" and cont is None:
            counts = FileCounts.of(
                prior.usage_records,
                0,
                0,
                prior.usage_records,
                True,
                ReportedCounts(prior.reported_records, 0, 0, prior.reported_records),
            )
            report.files.append(FileResult(name, _format_of(con, prior.file_ids[-1]), counts))
            return
        if cont is None:
            report.changed.append(
                ChangedFile(name, prior.ingested_at, prior.usage_records + prior.reported_records)
            )
            return

    result = _ingest_one(
        con,
        path,
        options,
        forced,
        now,
        layout,
        source_file=name,
        size_bytes=size_bytes,
        digest=known,
        continuation=cont,
        before_commit=unchanged_since(path, stat) if stat is not None else None,
    )
    if result is not None and prior is not None and cont is not None and cont.key_fingerprint is not None:
        when = prior.ingested_at.strftime("%Y-%m-%d %H:%M UTC")
        kept = prior.usage_records + prior.reported_records
        note = (
            f"grew since it was read on {when}: {kept:,} records read then, only the ones after them read now"
        )
        result = dataclasses.replace(result, notes=(*result.notes, note))
    _record(report, name, result)


def _format_of(con: duckdb.DuckDBPyConnection, file_id: int) -> str:
    row = con.execute("SELECT source_format FROM ingested_files WHERE file_id = ?", [file_id]).fetchone()
    return str(row[0]) if row else "unknown"


def _record(report: IngestReport, name: str, result: FileResult | None) -> None:
    if result is None:
        report.warnings.append(f"{name}: empty file (no records)")
        report.files.append(FileResult(name, "empty", FileCounts(0, 0, 0, 0)))
    else:
        report.files.append(result)


def _ingest_database(
    con: duckdb.DuckDBPyConnection,
    url: str,
    options: IngestOptions,
    now: datetime,
    layout: RollupLayout,
    report: IngestReport,
) -> None:
    """Copy the LiteLLM spend-log table to a temporary CSV file and ingest that as the database's rows."""
    name = redact_url(url)
    try:
        with read_litellm_database(url, connect_timeout_s=options.pg_connect_timeout_s) as export:
            result = _ingest_one(con, export, options, get_adapter("litellm"), now, layout, source_file=name)
    except InputFileError as exc:
        raise_store_write_failure(exc.__cause__)
        report.rejected.append(RejectedFile(name, exc.reason))
        return
    _record(report, name, result)


def _ingest_one(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    options: IngestOptions,
    forced: Adapter | None,
    now: datetime,
    layout: RollupLayout,
    *,
    source_file: str | None = None,
    size_bytes: int | None = None,
    digest: ContentDigest | None = None,
    continuation: Continuation | None = None,
    before_commit: Callable[[], None] | None = None,
) -> FileResult | None:
    """Stage, validate and load one file; ``digest`` when the caller already hashed it (a path with
    earlier versions), ``continuation`` how it continues them."""
    probe = probe_file(path)
    if probe.kind == "empty":
        return None
    adapter = forced if forced is not None else detect_adapter(probe)
    staged = adapter.stage(con, probe, options)
    for statement in staged.setup_sql:
        con.execute(statement)
    name = source_file or str(path)
    workload_from = None if staged.workload_from_applied else options.workload_from
    series: SeriesHash | None = None
    if staged.materialize:
        try:
            staged, series = materialize_hashed(con, staged, options.attribution, workload_from)
        except duckdb.Error as exc:
            raise InputFileError(name, _unreadable(probe.kind, exc)) from exc
        before_commit = _dropping_staged(con, before_commit)
    has_usage = _has_rows(con, name, probe.kind, staged.sql, staged.params)
    has_costs = staged.reported_cost_sql is not None and _has_rows(
        con, name, probe.kind, staged.reported_cost_sql, staged.reported_cost_params
    )
    if not has_usage and not has_costs:
        drop_staged_tables(con)
        return None
    namespace = options.id_namespace or staged.format
    size = path.stat().st_size if size_bytes is None else size_bytes
    cont = continuation or Continuation()
    # The fingerprint (a hash of every byte: ~0.6 s per GB) is computed in a thread while DuckDB, which
    # releases the GIL, reads the file's attributes in the first pass of a streamable load — or taken
    # from the hash the command started as it began (llm_tco.ingest.early_digest).
    with ThreadPoolExecutor(max_workers=1) as pool:
        file_digest = pool.submit(
            lambda: digest if digest is not None else early_digest.digest_of(path, size)
        )
        usage = (
            _usage_validation(con, staged, options, now, namespace, workload_from, series)
            if has_usage
            else None
        )
        cost_sql: str | None = None
        cost_params: list[object] = []
        if has_costs and staged.reported_cost_sql is not None:
            cost_sql, cost_params = cost_validation_sql(
                con,
                staged.reported_cost_sql,
                staged.reported_cost_params,
                fingerprint=cont.key_fingerprint or file_digest.result().fingerprint,
                now=now,
                rules=options.attribution,
                id_namespace=namespace,
                after_record=cont.reported_after,
            )
        try:
            counts = load_file(
                con,
                source_file=source_file or str(path),
                digest=file_digest.result,
                source_format=staged.format,
                usage=usage,
                cost_sql=cost_sql,
                cost_params=cost_params,
                sliceable=staged.sliceable,
                streamable=staged.streamable,
                keep_rows=options.keep_rows,
                keep_keys=options.more_inputs,
                layout=layout,
                continuation=continuation,
                before_commit=before_commit,
            )
        except duckdb.Error as exc:
            # The readers stream: a fault found only while loading (malformed JSON past the probed head,
            # a value DuckDB's reader cannot take) rejects the file, and the transaction was rolled back.
            raise InputFileError(name, _unreadable(probe.kind, exc)) from exc
        finally:
            drop_staged_tables(con)  # the staged copy of the file is loaded (or abandoned) now
    return FileResult(source_file or str(path), staged.format, counts, staged.notes)


def _dropping_staged(con: duckdb.DuckDBPyConnection, check: Callable[[], None] | None) -> Callable[[], None]:
    """``check``, then the staged table dropped inside the file's transaction: a commit past DuckDB's
    checkpoint threshold checkpoints, and compressed the million-record table about to be dropped (1.1 s
    of a Helicone export's 5.4 s). Rolled back with the transaction, the table is dropped after it."""

    def run() -> None:
        if check is not None:
            check()
        drop_staged_tables(con)

    return run


def _usage_validation(
    con: duckdb.DuckDBPyConnection,
    staged: StagedSource,
    options: IngestOptions,
    now: datetime,
    namespace: str,
    workload_from: str | None,
    series: SeriesHash | None,
) -> ValidationSql:
    return validation_sql(
        con,
        staged.sql,
        staged.params,
        input_includes_cache=staged.input_includes_cache,
        max_tokens_per_request=options.max_tokens_per_request,
        now=now,
        rules=options.attribution,
        workload_from=workload_from,
        one_request_per_record=staged.one_request_per_record,
        id_namespace=namespace,
        series=series,
        staged_table=staged.table,
    )


def _has_rows(con: duckdb.DuckDBPyConnection, name: str, kind: str, sql: str, params: list[object]) -> bool:
    """Whether the staged query yields any row; reading stops at the first one."""
    try:
        return con.execute(f"SELECT 1 FROM ({sql}) LIMIT 1", params).fetchone() is not None
    except duckdb.Error as exc:
        raise InputFileError(name, _unreadable(kind, exc)) from exc


def _unreadable(kind: str, exc: BaseException) -> str:
    first = error_line(exc)
    return f"invalid JSON ({first})" if kind in ("json", "jsonl") else f"unreadable ({first})"
