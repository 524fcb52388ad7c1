"""Gathering consecutive small files of one shape and loading them together.

An audit walks its files in order. Each file is first offered here: a small, plain CSV or JSON-lines
usage file of the generic format, at a path the store has never seen, with content not ingested before
(``llm_tco.ingest.small_files``), joins the batch of the files before it when it has their shape. Any
other file first has the batch loaded (so files are still loaded in their order), then goes the
per-file way (``llm_tco.ingest.pipeline``). A batch is loaded in one pass and one transaction
(``llm_tco.ingest.batch_load``); when that is not possible (a read error, a file changed meanwhile),
nothing of it is kept and each of its files is loaded on its own, which reports what is wrong with which.
A batch of one file is loaded on its own.

What a file gets is the same either way: its ``ingested_files`` row, counts, record numbers, keys,
quarantine reasons and the duplicates and id conflicts it has with the files before it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb

from llm_tco.errors import LlmTcoError
from llm_tco.ingest.base import Adapter, IngestOptions
from llm_tco.ingest.batch_load import (
    BatchNotUsableError,
    drop_work_tables,
    load_batch,
    not_usable,
    read_batch,
)
from llm_tco.ingest.files import not_a_file_reason, probe_file, resolve_file
from llm_tco.ingest.generic import matched_fields, staged_select
from llm_tco.ingest.history import KnownPaths
from llm_tco.ingest.load import FAULT_ENV
from llm_tco.ingest.outcome import FileResult, IngestReport
from llm_tco.ingest.records import FileCounts
from llm_tco.ingest.registry import detect_adapter
from llm_tco.ingest.small_files import (
    MAX_BATCH_FILES,
    Shape,
    SmallFile,
    read_small_file,
    screen_content,
)
from llm_tco.ingest.validate import validation_sql
from llm_tco.store.rollup import RollupLayout

__all__ = ["SmallFileBatcher"]

_GENERIC = "table"


class _Steps:
    """Counts a batch's transaction steps for the deterministic kill of the tests (``FAULT_ENV``)."""

    def __init__(self) -> None:
        limit = os.environ.get(FAULT_ENV)
        self.limit = int(limit) if limit else None
        self.done = 0

    def step(self) -> None:
        self.done += 1
        if self.limit is not None and self.done >= self.limit:
            os._exit(137)  # simulate a kill: no rollback, no cleanup, no flush


class SmallFileBatcher:
    """The batch being gathered during one ingest run, and how to load it.

    ``load_alone`` loads one file the per-file way, recording its outcome in the report (it is how a
    file that cannot join a batch, or a batch that cannot be loaded together, is loaded)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        options: IngestOptions,
        forced: Adapter | None,
        now: datetime,
        layout: RollupLayout,
        report: IngestReport,
        known: KnownPaths,
        load_alone: Callable[[Path], None],
    ) -> None:
        self._con = con
        self._options = options
        self._now = now
        self._layout = layout
        self._report = report
        self._known = known
        self._load_alone = load_alone
        self._enabled = forced is None or forced.name == _GENERIC
        self._forced = forced
        self._fingerprints: set[str] | None = None
        self._folders: dict[Path, Path] = {}
        self._queue: list[SmallFile] = []
        self._shape: Shape | None = None
        self._matched: dict[str, str] = {}

    def offer(self, path: Path) -> bool:
        """Queue ``path`` when it can be loaded with the files queued before it (loading those first when
        it cannot join them but starts a batch of its own); False: load it on its own, after
        :meth:`flush`."""
        admitted = self._admit(path)
        if admitted is None:
            return False
        small, matched = admitted
        if self._queue and (small.shape != self._shape or len(self._queue) >= MAX_BATCH_FILES):
            self.flush()
        self._queue.append(small)
        self._shape, self._matched = small.shape, matched
        self._known.add(small.resolved)
        return True

    def flush(self) -> None:
        """Load the queued files: together, or each on its own when they cannot be."""
        files, shape, matched = self._queue, self._shape, self._matched
        self._queue, self._shape, self._matched = [], None, {}
        if not files or shape is None:
            return
        if len(files) == 1:
            self._load_alone(files[0].path)
            return
        try:
            counts = self._load(files, shape, matched)
        except BatchNotUsableError:
            for small in files:
                self._load_alone(small.path)
            return
        for small, file_counts in zip(files, counts, strict=True):
            self._report.files.append(FileResult(small.name, _GENERIC, file_counts))

    def _load(self, files: list[SmallFile], shape: Shape, matched: dict[str, str]) -> list[FileCounts]:
        con, options = self._con, self._options
        try:
            table = read_batch(con, files, shape)
            usage = validation_sql(
                con,
                staged_select(table, matched, defaults={"requests": "1"}),
                [],
                input_includes_cache=options.input_includes_cache,
                max_tokens_per_request=options.max_tokens_per_request,
                now=self._now,
                rules=options.attribution,
                workload_from=None,
                one_request_per_record="requests" not in matched,
                id_namespace=options.id_namespace or _GENERIC,
            )
        except duckdb.Error as exc:
            drop_work_tables(con)
            raise not_usable(exc) from exc
        except BatchNotUsableError:
            drop_work_tables(con)
            raise
        return load_batch(con, files, usage, self._layout, _Steps().step)

    def _admit(self, path: Path) -> tuple[SmallFile, dict[str, str]] | None:
        """The file as a batch member with its column matching, or None when it goes the per-file way."""
        name = str(path)
        # DuckDB reads glob characters, a leading "~" and a URL scheme in a path specially: go alone
        if not self._enabled or any(ch in name for ch in "*?[]{}\\") or name.startswith("~") or "://" in name:
            return None
        if not_a_file_reason(path) is not None:
            return None
        try:
            stat = path.stat()
            resolved = str(resolve_file(path, self._folders))
        except (OSError, RuntimeError):
            return None
        read = read_small_file(path, stat)
        if read is None:
            return None
        raw, digest = read
        # Content ingested before (by any path, this run included) is recognised as a whole by the
        # per-file way; so is a path with earlier versions, compared with them there.
        seen = self._seen_fingerprints()
        if digest.fingerprint in seen:
            return None
        seen.add(digest.fingerprint)
        if self._known.may_hold(name, resolved):
            return None
        try:
            probe = probe_file(path)
            adapter = self._forced or detect_adapter(probe)
        except LlmTcoError:
            return None
        if adapter.name != _GENERIC or probe.gzip or probe.encoding != "utf-8":
            return None
        # where rows are not kept, a CSV file is streamed into the rollup sums alone (JSON lines are
        # stored as rows either way)
        if probe.kind == "csv" and not self._options.keep_rows:
            return None
        screened = screen_content(probe.kind, raw, probe.delimiter, probe.columns)
        if screened is None:
            return None
        columns, records = screened
        if probe.kind == "csv" and columns != probe.columns:
            return None
        try:
            matched = matched_fields(probe, list(columns), self._options)
        except LlmTcoError:
            return None
        shape = Shape(probe.kind, probe.delimiter if probe.kind == "csv" else "", columns)
        return SmallFile(path, name, resolved, stat, digest, shape, records), matched

    def _seen_fingerprints(self) -> set[str]:
        """The fingerprints of the content the store holds, read once per run, and of the files seen since."""
        if self._fingerprints is None:
            rows = self._con.execute("SELECT DISTINCT fingerprint FROM ingested_files").fetchall()
            self._fingerprints = {str(r[0]) for r in rows}
        return self._fingerprints
