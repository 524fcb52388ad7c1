"""Reading LiteLLM's ``LiteLLM_SpendLogs`` straight from the proxy's PostgreSQL database.

DuckDB's postgres extension cannot be downloaded on air-gapped sites, so the table is read with psycopg
(binary wheel): ``COPY (SELECT …) TO STDOUT`` in CSV, streamed in blocks into a temporary file that DuckDB's
CSV reader then stages with the LiteLLM adapter — no Python loop over rows. Only the columns the adapter
uses are copied (never the prompt/response payload columns), ordered by (``startTime``, ``request_id``) so
that record numbers are stable. The file's fingerprint is of that CSV, so re-reading an unchanged table
is "already ingested"; new rows are recognised by their ``request_id``.

URL: ``postgresql://user:password@host:port/dbname`` (or ``postgres://``); ``?table=schema.name`` selects
another table than ``"LiteLLM_SpendLogs"``. The password is never written to the store or the output.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from llm_tco.errors import InputFileError

__all__ = ["LITELLM_COLUMNS", "is_database_url", "read_litellm_database", "redact_url"]

DEFAULT_TABLE = "LiteLLM_SpendLogs"
LITELLM_COLUMNS: tuple[str, ...] = (
    "request_id",
    "call_type",
    "api_key",
    "spend",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "startTime",
    "endTime",
    "model",
    "model_id",
    "model_group",
    "custom_llm_provider",
    "api_base",
    "user",
    "metadata",
    "cache_hit",
    "request_tags",
    "team_id",
    "organization_id",
    "end_user",
    "status",
    "session_id",
)
"""Columns copied when present (FORMATS.md section 8); the payload columns are left in the database."""

_SCHEMES = ("postgresql://", "postgres://")
_TABLE_NAME = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_$]*\.)?[A-Za-z_][A-Za-z0-9_$]*$")


def is_database_url(value: str) -> bool:
    return value.lower().startswith(_SCHEMES)


def redact_url(url: str) -> str:
    """The URL without its password (what the store, messages and JSON output show)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = parts.username or ""
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))


def _split_table(url: str) -> tuple[str, str]:
    """(connection URL without our ``table`` parameter, table name)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    tables = [v for k, v in query if k == "table"]
    rest = [(k, v) for k, v in query if k != "table"]
    table = tables[-1] if tables else DEFAULT_TABLE
    if not _TABLE_NAME.match(table):
        raise InputFileError(redact_url(url), f"table={table!r} is not a plain [schema.]table name")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(rest), parts.fragment)), table


@contextmanager
def read_litellm_database(url: str) -> Iterator[Path]:
    """Copy the spend-log table to a temporary CSV file (deleted on exit) and yield its path."""
    import psycopg
    from psycopg import sql

    shown = redact_url(url)
    conninfo, table = _split_table(url)
    schema, _, name = table.rpartition(".")
    try:
        conn = psycopg.connect(conninfo, connect_timeout=10)
    except psycopg.Error as exc:
        raise InputFileError(shown, f"cannot connect to PostgreSQL: {_first_line(exc)}") from exc
    with conn, tempfile.TemporaryDirectory(prefix="llm-tco-pg-") as tmp:
        present = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND table_schema = coalesce(%s, current_schema()) ORDER BY ordinal_position",
            [name, schema or None],
        ).fetchall()
        columns = [str(r[0]) for r in present]
        if not columns:
            raise InputFileError(shown, f"table {table!r} not found (expected LiteLLM's {DEFAULT_TABLE})")
        wanted = [c for c in LITELLM_COLUMNS if c in columns]
        if "request_id" not in wanted or "startTime" not in wanted:
            raise InputFileError(
                shown, f"table {table!r} has no request_id/startTime: not a LiteLLM spend log"
            )
        target = sql.Identifier(schema, name) if schema else sql.Identifier(name)
        query = sql.SQL(
            "COPY (SELECT {cols} FROM {table} ORDER BY {start}, {rid}) TO STDOUT WITH (FORMAT csv, HEADER "
            "true)"
        ).format(
            cols=sql.SQL(", ").join(sql.Identifier(c) for c in wanted),
            table=target,
            start=sql.Identifier("startTime"),
            rid=sql.Identifier("request_id"),
        )
        path = Path(tmp) / "litellm_spendlogs.csv"
        try:
            with conn.cursor() as cur, cur.copy(query) as copy, path.open("wb") as out:
                for block in copy:
                    out.write(block)
        except psycopg.Error as exc:
            raise InputFileError(shown, f"cannot read {table!r}: {_first_line(exc)}") from exc
        yield path


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
