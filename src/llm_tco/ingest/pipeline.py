"""Ingesting a list of files: expand, probe, pick the adapter, validate, load — one file at a time.

A file that cannot be used as a whole (unknown format, truncated JSON, missing required column) is
rejected with a one-line reason and the other files still load; the caller decides the exit code.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from llm_tco.errors import InputFileError
from llm_tco.ingest.base import Adapter, IngestOptions
from llm_tco.ingest.files import expand_inputs, fingerprint, probe_file
from llm_tco.ingest.load import FileCounts, load_file
from llm_tco.ingest.registry import detect_adapter, get_adapter
from llm_tco.ingest.validate import validation_sql

__all__ = ["FileResult", "IngestReport", "RejectedFile", "ingest_files", "now_utc"]

NOW_ENV = "LLM_TCO_NOW"


def now_utc() -> datetime:
    """The current UTC time, or ``$LLM_TCO_NOW`` (ISO 8601) so that runs and tests are reproducible."""
    fixed = os.environ.get(NOW_ENV)
    if fixed:
        parsed = datetime.fromisoformat(fixed.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


@dataclass(frozen=True)
class RejectedFile:
    file: str
    reason: str


@dataclass(frozen=True)
class FileResult:
    file: str
    format: str
    counts: FileCounts
    notes: tuple[str, ...] = ()


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def read(self) -> int:
        return sum(f.counts.read for f in self.files)

    @property
    def accepted(self) -> int:
        return sum(f.counts.accepted for f in self.files)

    @property
    def quarantined(self) -> int:
        return sum(f.counts.quarantined for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.counts.duplicates for f in self.files)


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    inputs: list[str],
    options: IngestOptions,
    *,
    on_file: Callable[[Path], None] | None = None,
) -> IngestReport:
    """Ingest every file named by ``inputs`` (files, globs, directories) into the store behind ``con``."""
    report = IngestReport()
    files: list[Path] = []
    for item in inputs:
        try:
            files.extend(expand_inputs([item]))
        except InputFileError as exc:
            report.rejected.append(RejectedFile(exc.file, exc.reason))
    forced = get_adapter(options.format) if options.format else None
    now = now_utc()
    for path in files:
        if on_file:
            on_file(path)
        try:
            result = _ingest_one(con, path, options, forced, now)
        except InputFileError as exc:
            report.rejected.append(RejectedFile(str(path), exc.reason))
            continue
        if result is None:
            report.warnings.append(f"{path}: empty file (no records)")
            report.files.append(FileResult(str(path), "empty", FileCounts(0, 0, 0, 0)))
            continue
        report.files.append(result)
    return report


def _ingest_one(
    con: duckdb.DuckDBPyConnection, path: Path, options: IngestOptions, forced: Adapter | None, now: datetime
) -> FileResult | None:
    probe = probe_file(path)
    if probe.kind == "empty":
        return None
    adapter = forced if forced is not None else detect_adapter(probe)
    staged = adapter.stage(con, probe, options)
    for statement in staged.setup_sql:
        con.execute(statement)
    try:
        n = con.execute(f"SELECT count(*) FROM ({staged.sql})", staged.params).fetchone()
    except duckdb.Error as exc:
        raise InputFileError(str(path), f"unreadable ({str(exc).strip().splitlines()[0]})") from exc
    if n is None or n[0] == 0:
        return None
    file_fingerprint = fingerprint(path)
    validated = validation_sql(
        con,
        staged.sql,
        staged.params,
        fingerprint=file_fingerprint,
        input_includes_cache=staged.input_includes_cache,
        max_tokens_per_request=options.max_tokens_per_request,
        now=now,
    )
    counts = load_file(
        con,
        path=path,
        fingerprint=file_fingerprint,
        source_format=staged.format,
        validated_sql=validated.sql,
        validated_params=validated.params,
    )
    return FileResult(str(path), staged.format, counts, staged.notes)
