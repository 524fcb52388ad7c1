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

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import duckdb

from llm_tco.canonical import TOKEN_COLUMNS
from llm_tco.config.attribution import AttributionRule

if TYPE_CHECKING:  # reader_sql imports this module
    from llm_tco.ingest.reader_sql import ReaderSql

__all__ = [
    "ATTRIBUTE_COLUMNS",
    "DEFAULT_MAX_TOKENS_PER_REQUEST",
    "OPTIONAL_STAGED_COLUMNS",
    "REPORTED_COST_COLUMNS",
    "STAGED_COLUMNS",
    "TOKEN_COLUMNS",
    "Adapter",
    "FileKind",
    "IngestOptions",
    "Probe",
    "StagedSource",
]

FileKind = Literal["csv", "json", "jsonl", "parquet", "empty", "unknown"]

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
    "ts_end",  # a single request: its end where the source gives one (its duration), else NULL = ts_start
    *ATTRIBUTE_COLUMNS,
    "requests",  # NULL = the source gives no request count
    *TOKEN_COLUMNS,
    "reported_cost_usd",
    "reject_reason",  # set by the adapter when it already knows the record is bad (e.g. invalid UTF-8)
)

OPTIONAL_STAGED_COLUMNS: tuple[str, ...] = (
    "tags",  # VARCHAR[]: the request's tags (LiteLLM request_tags), for attribution rules and --workload-from
    "metadata",  # JSON object of free-form key/values (LiteLLM metadata, Bedrock requestMetadata, span attrs)
    "service_name",  # OpenTelemetry resource service.name
    "input_includes_cache",  # BOOLEAN per record; NULL = the StagedSource's input_includes_cache
    "reported_billed_cost_usd",  # FOCUS BilledCost beside the EffectiveCost in reported_cost_usd
    "reported_list_cost_usd",  # FOCUS ListCost (list price × quantity), to explain discounts
    "id_scope",  # the export's own scope of its ids (organisation, account, project); NULL = the format's
)
"""Staged columns an adapter may add after ``STAGED_COLUMNS``; an absent one is NULL. The first three exist
for attribution rules (``[[attribution]]``) and are kept with the series (of the metadata, only the keys
rules read and the few-valued ones), so that changed rules can be re-applied
(``llm_tco.ingest.reattribute``)."""

REPORTED_COST_COLUMNS: tuple[str, ...] = (
    "record_no",  # 1-based position among the file's cost records
    "source_record_id",  # stable id of the record (bucket + grouping keys); NULL = fingerprint + position
    "ts_start",
    "ts_end",
    "provider",
    "model_raw",  # NULL when the source does not say (e.g. a cost line item without a model)
    "workload",  # natural workload key (project / workspace) or NULL
    "project",
    "api_key_id",
    "service_tier",
    "line_item",  # the source's own description of the charge
    "amount_usd",  # the effective (amortised, after discounts) cost in US dollars
    "billed_usd",  # billed cost where the source gives it apart (FOCUS BilledCost)
    "list_usd",  # list cost where the source gives it (FOCUS ListCost)
    "currency",  # as the source states it; a record not in USD is quarantined
    "charge_category",  # FOCUS ChargeCategory (Usage, Credit, Adjustment, ...) or NULL
    "reject_reason",
)
"""What ``StagedSource.reported_cost_sql`` yields: cost-only records (OpenAI Costs API, Anthropic cost
report, FOCUS rows without token quantities), stored in ``reported_costs`` for reconciliation, never as
usage."""

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
    attribution: tuple[AttributionRule, ...] = ()
    """``[[attribution]]`` rules from the config file: first match wins; with any rule, unmatched records
    go to the ``unattributed`` workload (``llm_tco.ingest.attribution``)."""
    pg_connect_timeout_s: float | None = None
    """``--pg-connect-timeout``: seconds to wait for a PostgreSQL server (None: the URL's
    ``connect_timeout``, else 10)."""
    id_namespace: str | None = None
    """``--id-namespace``: the namespace of the files' source ids instead of their format's, so that two
    sources whose ids collide are kept apart (``llm_tco.ingest.validate``)."""
    replace: bool = False
    """``--replace``: a file whose content changed since its path was ingested replaces the earlier
    records of that path (``llm_tco.ingest.history``); without it the file is left out and reported."""
    keep_rows: bool = True
    """False: store a streamable file's usage only as the rollup sums (``llm_tco.store.rollup``), not
    as rows — what a one-shot audit of a ``:memory:`` store needs, in bounded memory."""
    more_inputs: bool = True
    """False for the last input of a run: with ``keep_rows`` False, nothing read later can repeat its
    records, so the compact keys of its records with ids are not kept (``llm_tco.ingest.keyed``)."""


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
    encoding: str = "utf-8"
    """The text encoding found from a byte-order mark: ``utf-8`` or ``utf-16`` (either byte order)."""
    delimiter: str = ","
    """A CSV file's field separator, found from its header line (``,`` ``;`` tab or ``|``)."""


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
    """Optional query yielding ``REPORTED_COST_COLUMNS`` for cost-only records (``llm_tco.ingest.costs``)."""
    reported_cost_params: list[object] = field(default_factory=list)
    workload_from_applied: bool = False
    """True when the adapter already honoured ``IngestOptions.workload_from`` (the generic reader, where it
    names a column); otherwise the validation stage applies it as an attribute name."""
    setup_sql: tuple[str, ...] = ()
    """Statements to run before ``sql`` (e.g. to read a CSV with rejects into a temp table)."""
    sliceable: bool = False
    """True when a filter on ``record_no`` makes the reader skip the other records (Parquet row groups): the
    loader then validates and loads a large file in record-number slices, so memory stays bounded."""
    one_request_per_record: bool = False
    """True when the source has no request count and each record is one request (the staged ``requests``
    is the literal 1): the rollup then counts records instead of summing a column."""
    streamable: bool = False
    """True when the reader numbers every record (the same number on every read), so that the file can be
    validated and loaded as it streams, without holding its validated records (``llm_tco.ingest.stream``):
    records with source ids are checked for repeats from a compact key each (``llm_tco.ingest.keyed``)."""
    materialize: bool = False
    """True: ``sql`` is read once into a temporary table, and the file is loaded from that table as it
    streams (``llm_tco.ingest.staging``): for nested exports, whose every pass would parse the file again."""
    fallback: Callable[[], StagedSource] | None = None
    """With ``materialize``: the staging of the same file by a per-record reader, read instead when ``sql``'s
    reader refuses the file (DuckDB's JSON reader fails the whole read on one malformed record)."""
    lenient: Callable[[], StagedSource] | None = None
    """With ``fallback``: the same staging over DuckDB's reader told to skip the lines it cannot parse,
    tried before ``fallback`` (``llm_tco.ingest.lenient``); it applies where its ``unread_lines`` is set."""
    unread_lines: ReaderSql | None = None
    """Of a lenient staging: the lines of the file that are not JSON, with the per-record reader's reason
    for each, in file order (``llm_tco.ingest.lenient.unread_lines``)."""
    notes_if_all_null: tuple[tuple[str, str], ...] = ()
    """With ``materialize``: (staged column, note) pairs; the note is added to ``notes`` when no record has a
    value in that column (found from the staged table, so the file is not read again for it)."""
    table: str | None = None
    """Set once the source is materialised (``llm_tco.ingest.staging``): the temporary table ``sql`` reads,
    whose ``rowid``s pick one record of a group without carrying its columns through an aggregate."""


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
