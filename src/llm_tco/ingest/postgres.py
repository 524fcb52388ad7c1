"""Reading LiteLLM's ``LiteLLM_SpendLogs`` straight from the proxy's PostgreSQL database.

DuckDB's postgres extension cannot be downloaded on air-gapped sites, so the table is read with psycopg
(binary wheel): ``COPY (SELECT …) TO STDOUT`` in CSV, streamed in blocks into a temporary file that DuckDB's
CSV reader then stages with the LiteLLM adapter — no Python loop over rows. Only the columns the adapter
uses are copied (never the prompt/response payload columns), ordered by (``startTime``, ``request_id``) so
that record numbers are stable. The file's fingerprint is of that CSV, so re-reading an unchanged table
is "already ingested"; new rows are recognised by their ``request_id``.

URL: ``postgresql://user:password@host:port/dbname`` (or ``postgres://``); ``?table=schema.name`` selects
another table than ``"LiteLLM_SpendLogs"``; other parameters (``sslmode``, ``connect_timeout``…) go to the
driver. One server: several hosts are refused. The password — in the user part or as a ``password=``
parameter — is never written to the store or the output: everything shown is :func:`redact_url`'s.
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from llm_tco.errors import InputFileError

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT_S",
    "LITELLM_COLUMNS",
    "DatabaseTarget",
    "is_database_url",
    "parse_database_url",
    "read_litellm_database",
    "redact_url",
]

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
REDACTED = "***"

DEFAULT_CONNECT_TIMEOUT_S = 10.0
"""How long to wait for the server to answer (each address the host name resolves to), unless the URL's
``connect_timeout`` or ``audit --pg-connect-timeout`` says otherwise: an unreachable server fails in
seconds instead of the operating system's minutes."""


def is_database_url(value: str) -> bool:
    return value.lower().startswith(_SCHEMES)


@dataclass(frozen=True)
class DatabaseTarget:
    """A ``postgresql://`` URL taken apart: what to connect with, and what may be shown."""

    shown: str
    """The URL with every password replaced by ``***``: the only form messages, JSON and the store see."""
    params: dict[str, str]
    """psycopg connection keywords (host, port, user, password, dbname, and the URL's other parameters)."""
    table: str
    connect_timeout_s: float


def redact_url(url: str) -> str:
    """The URL without its passwords (userinfo, ``password=`` and other ``…password=`` parameters): what
    the store, messages and JSON output show. Works on URLs that do not parse, too."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    userinfo, at, after = _split_userinfo(rest)
    if at and ":" in userinfo:
        rest = f"{userinfo.partition(':')[0]}:{REDACTED}@{after}"
    head, qmark, query = rest.partition("?")
    if qmark:
        query, hash_, fragment = query.partition("#")
        pieces = []
        for piece in query.split("&"):
            key, eq, _value = piece.partition("=")
            pieces.append(f"{key}={REDACTED}" if eq and _is_secret(unquote(key)) else piece)
        rest = f"{head}?{'&'.join(pieces)}{hash_}{fragment}"
    return f"{scheme}://{rest}"


def _split_userinfo(rest: str) -> tuple[str, str, str]:
    """(userinfo, "@" or "", the rest) of what follows ``scheme://``, split at the *last* ``@``: a password
    may hold an unencoded ``@``, ``/``, ``?`` or ``#`` (an ``@`` in the query must be written ``%40``)."""
    return rest.rpartition("@")


def _is_secret(parameter: str) -> bool:
    return "password" in parameter.lower()


def parse_database_url(url: str, *, connect_timeout_s: float | None = None) -> DatabaseTarget:
    """Take a ``postgresql://user:password@host:port/dbname?table=…`` URL apart, refusing what it cannot
    connect to as one server (a bad port, several hosts) with a one-line reason naming the redacted URL.

    The URL is taken apart here rather than by libpq, which splits ``user:p@ss@host`` at the first ``@``
    and then names the rest of the password as the host in its error message; the connection is made
    from keywords. ``connect_timeout_s`` (``--pg-connect-timeout``) overrides the URL's
    ``connect_timeout``, which overrides the default of 10 seconds.
    """
    shown = redact_url(url)
    scheme, _, rest = url.partition("://")
    userinfo, at, after = _split_userinfo(rest)
    parts = urlsplit(f"{scheme}://{after}")
    hostport = parts.netloc
    if "," in hostport:
        raise InputFileError(shown, f"several hosts ({hostport!r}): give the address of one server")
    try:
        endpoint = urlsplit(f"//{hostport}")
        port = endpoint.port
    except ValueError as exc:
        raise InputFileError(shown, f"bad host or port in {hostport!r}: {exc}") from exc
    params: dict[str, str] = {}
    if endpoint.hostname:
        params["host"] = endpoint.hostname
    if port is not None:
        params["port"] = str(port)
    if at:
        user, colon, password = userinfo.partition(":")
        if user:
            params["user"] = unquote(user)
        if colon:
            params["password"] = unquote(password)
    dbname = unquote(parts.path.lstrip("/"))
    if dbname:
        params["dbname"] = dbname
    query = parse_qsl(parts.query, keep_blank_values=True)
    tables = [v for k, v in query if k == "table"]
    table = tables[-1] if tables else DEFAULT_TABLE
    if not _TABLE_NAME.match(table):
        raise InputFileError(shown, f"table={table!r} is not a plain [schema.]table name")
    params.update((k, v) for k, v in query if k != "table")
    timeout_s = connect_timeout_s
    if timeout_s is None:
        timeout_s = _timeout(shown, params.get("connect_timeout", str(DEFAULT_CONNECT_TIMEOUT_S)))
    elif not (math.isfinite(timeout_s) and timeout_s > 0):
        raise InputFileError(shown, f"connect timeout {timeout_s!r}: expected a number of seconds above 0")
    params["connect_timeout"] = str(max(1, math.ceil(timeout_s)))
    return DatabaseTarget(shown=shown, params=params, table=table, connect_timeout_s=timeout_s)


def _timeout(shown: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise InputFileError(shown, f"connect_timeout={value!r}: expected a number of seconds above 0")
    return seconds


@contextmanager
def read_litellm_database(url: str, *, connect_timeout_s: float | None = None) -> Iterator[Path]:
    """Copy the spend-log table to a temporary CSV file (deleted on exit) and yield its path."""
    import psycopg
    from psycopg import sql

    database = parse_database_url(url, connect_timeout_s=connect_timeout_s)
    shown, table = database.shown, database.table
    schema, _, name = table.rpartition(".")
    try:
        conn = psycopg.connect(**database.params)  # type: ignore[arg-type]
    except psycopg.Error as exc:
        raise InputFileError(
            shown, f"cannot connect to PostgreSQL: {_scrub(_first_line(exc), database)}"
        ) from exc
    with conn, tempfile.TemporaryDirectory(prefix="llm-tco-pg-") as tmp:
        try:
            present = conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND table_schema = coalesce(%s, current_schema()) ORDER BY ordinal_position",
                [name, schema or None],
            ).fetchall()
        except psycopg.Error as exc:
            raise InputFileError(
                shown, f"cannot list the columns of {table!r}: {_scrub(_first_line(exc), database)}"
            ) from exc
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
            raise InputFileError(
                shown, f"cannot read {table!r}: {_scrub(_first_line(exc), database)}"
            ) from exc
        yield path


def _scrub(message: str, target: DatabaseTarget) -> str:
    """A server or driver message with any password it quotes replaced (libpq never should; belt and
    braces, since the message reaches the terminal and the JSON output)."""
    for key, value in target.params.items():
        if _is_secret(key) and value:
            message = message.replace(value, REDACTED)
    return message


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
