"""The contract between format adapters and the shared validation/loading stage.

An adapter never prices and never writes to the store. It recognises its format from a file's content
(``detect``) and returns a ``StagedSource``: one SQL query over DuckDB's own readers that yields one row per
source record with the ``STAGED_COLUMNS`` below. Everything after that — type checks, quarantine with
reasons, de-duplication, series keys, the transaction — is common (``llm_tco.ingest.validate`` and
``llm_tco.ingest.load``), so every format gets the same guarantees.

Staged values may be of any DuckDB type (VARCHAR from a CSV read as text, integers from Parquet, JSON
from a mixed-type JSON field): the validation stage checks and converts them, so a wrong type becomes a
quarantined record with a reason, not a failed file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import duckdb

__all__ = [
    "ATTRIBUTE_COLUMNS",
    "DEFAULT_MAX_TOKENS_PER_REQUEST",
    "STAGED_COLUMNS",
    "TOKEN_COLUMNS",
    "Adapter",
    "FileKind",
    "IngestOptions",
    "Probe",
    "StagedSource",
]

FileKind = Literal["csv", "json", "jsonl", "parquet", "empty", "unknown"]

TOKEN_COLUMNS: tuple[str, ...] = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
)
"""Token counts of the canonical row, in its convention: input inclusive of cache reads and writes,
cache writes inclusive of their 1-hour part, output inclusive of reasoning."""

ATTRIBUTE_COLUMNS: tuple[str, ...] = (
    "provider",
    "model_raw",
    "workload",
    "team",
    "project",
    "api_key_id",
    "user",
    "service_tier",
    "batch",
    "region",
    "context_window",
)
"""Low-cardinality attributes; one ``usage_series`` row per distinct combination."""

STAGED_COLUMNS: tuple[str, ...] = (
    "record_no",  # 1-based position among the file's data records (a CSV header does not count)
    "source_record_id",  # the source's own id (request id); NULL = use file fingerprint + record_no
    "ts_start",
    "ts_end",  # NULL = same as ts_start (a single request)
    *ATTRIBUTE_COLUMNS,
    "requests",  # NULL = the source gives no request count
    *TOKEN_COLUMNS,
    "reported_cost_usd",
    "reject_reason",  # set by the adapter when it already knows the record is bad (e.g. invalid UTF-8)
)

DEFAULT_MAX_TOKENS_PER_REQUEST = 10_000_000
"""Per-request ceiling above which a token count is treated as absurd (a unit or parsing error upstream).
10M is ~10× the longest context window offered in 2026; configurable with ``--max-tokens-per-request``."""


@dataclass(frozen=True)
class IngestOptions:
    """What the user said about the files (command-line options of ``audit``)."""

    format: str | None = None
    """Force an adapter by name instead of detecting it."""
    column_map: dict[str, str] = field(default_factory=dict)
    """``--map field=column``: canonical field -> source column, overriding automatic matching."""
    input_includes_cache: bool = True
    """Whether the source's input count already includes cache reads and writes (OpenAI/OTel: yes)."""
    workload_from: str | None = None
    """Source column (or attribute) the workload is taken from."""
    max_tokens_per_request: int = DEFAULT_MAX_TOKENS_PER_REQUEST


@dataclass(frozen=True)
class Probe:
    """What detection may look at: the file's kind and its first bytes, never its name."""

    path: Path
    kind: FileKind
    gzip: bool
    head: str
    """Up to the first 64 KiB, decoded as UTF-8 with replacement (empty for Parquet)."""
    columns: tuple[str, ...] = ()
    """CSV header or Parquet schema column names; top-level keys of the first JSON record."""


@dataclass(frozen=True)
class StagedSource:
    """One SQL query yielding ``STAGED_COLUMNS`` for every source record of one file."""

    format: str
    sql: str
    params: list[object] = field(default_factory=list)
    input_includes_cache: bool = True
    """False when ``input_tokens`` in the staged rows excludes cache reads/writes (Anthropic, Bedrock):
    the validation stage then adds them, so stored rows follow the canonical (inclusive) convention."""
    notes: tuple[str, ...] = ()
    """Facts about this source the output should mention (e.g. "no request counts")."""
    reported_cost_sql: str | None = None
    """Optional query yielding reported-cost-only records (see ``llm_tco.ingest.costs``)."""
    setup_sql: tuple[str, ...] = ()
    """Statements to run before ``sql`` (e.g. to read a CSV with rejects into a temp table)."""


class Adapter(Protocol):
    """A source format: content detection and staging."""

    name: str
    """Value of ``--format`` that forces this adapter."""
    description: str

    def detect(self, probe: Probe) -> bool:
        """True when the content is this format. Must be cheap and must not depend on the file name."""
        ...

    def stage(self, con: duckdb.DuckDBPyConnection, probe: Probe, options: IngestOptions) -> StagedSource:
        """Build the staging query; raise ``InputFileError`` when the file is not usable as a whole."""
        ...
