"""What the DuckDB reader helpers share: the table expression they return, and how a file's path,
compression, column names and errors are written for DuckDB."""

from __future__ import annotations

import glob
from dataclasses import dataclass

from llm_tco.ingest.base import Probe

__all__ = ["ReaderSql", "duck_compression", "duck_path", "error_line", "quote_ident"]


@dataclass(frozen=True)
class ReaderSql:
    """A table expression with a ``record_no`` column, its parameters, statements to run first, and a
    reason column (``_reject_reason``) set for records the reader itself could not parse."""

    table: str
    params: list[object]
    setup: tuple[str, ...] = ()
    setup_params: tuple[list[object], ...] = ()
    unread: ReaderSql | None = None
    """Of a lenient JSON-lines reader: the file's lines that are not JSON, with their reasons
    (``llm_tco.ingest.lenient``)."""


def quote_ident(name: str) -> str:
    """Quote a column name from a file for SQL (names are data: never interpolate them unquoted)."""
    return '"' + name.replace('"', '""') + '"'


def duck_compression(probe: Probe) -> str:
    """The ``compression`` argument of a DuckDB reader for the file."""
    return "gzip" if probe.gzip else "none"


def duck_path(probe: Probe) -> str:
    """The file's path for a DuckDB reader, literal: DuckDB expands ``*``, ``?`` and ``[...]`` in a
    reader's path, so a file named ``j?.jsonl`` would also read ``j1.jsonl``. The user's own pattern was
    expanded already (``llm_tco.ingest.files.expand_inputs``); here each glob character is escaped by
    enclosing it in brackets (``[?]``), which DuckDB's matcher reads as that one character."""
    return glob.escape(str(probe.path))


def error_line(exc: BaseException) -> str:
    """The first line of a DuckDB error, without its class prefix (the reason is what the user needs)."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    for prefix in ("Invalid Input Error: ", "Conversion Error: ", "IO Error: "):
        first = first.removeprefix(prefix)
    return first
