"""Options and output helpers shared by every command: the store option, JSON output, stderr console.

Contract (DESIGN.md): with ``--json`` a command prints exactly one JSON document on stdout and nothing
else there; progress, warnings and tables for people go to stderr or, without ``--json``, to stdout.
"""

from __future__ import annotations

import gc
import math
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from llm_tco.cli.json_text import json_text
from llm_tco.errors import StoreError
from llm_tco.report.text import line
from llm_tco.store.connection import DB_ENV_VAR, MEMORY, resolve_db_path

__all__ = [
    "DbOption",
    "JsonOption",
    "OutputClosed",
    "check_store_exists",
    "collector_paused",
    "emit_json",
    "err_console",
    "out_console",
    "to_jsonable",
    "warn",
]

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="DuckDB store to use (default: $LLM_TCO_DB, else llm-tco.duckdb in the user data directory; "
        "':memory:' for a one-shot run).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print exactly one JSON document on stdout and nothing else there.")
]

REDIRECTED_WIDTH = 150
"""Columns used when stdout is not a terminal (a file, a pipe, CI logs): Rich would otherwise assume 80,
which folds the plan's tables into unreadable slivers."""


class OutputClosed(Exception):  # noqa: N818 - an event, not a fault
    """The reader of our output went away (``llm-tco audit | head`` once ``head`` has its lines).

    Not an ``OSError``: the command line framework would turn a broken pipe into exit 1, the code of a
    tripped policy; ``cli.main`` ends the run quietly with exit 0 instead."""


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """Rich's default exits 1; raise instead, for ``cli.main`` to end quietly."""
        self.quiet = True
        raise OutputClosed


# Markup and emoji codes are off: what these consoles print includes names and paths from the user's files,
# which must show as typed (``[/red]x`` is a workload name, not a closing tag). Styles come from ``Text``
# parts built with ``llm_tco.report.text``.
err_console: Console = _Console(stderr=True, soft_wrap=True, markup=False, emoji=False)
out_console: Console = _Console(
    soft_wrap=False, width=None if sys.stdout.isatty() else REDIRECTED_WIDTH, markup=False, emoji=False
)


def warn(message: str) -> None:
    """A one-line warning on stderr (never on stdout, so ``--json`` output stays parseable).

    ``message`` is shown literally: names in it keep their brackets, and control characters (a newline
    in a file name) are escaped, so the warning stays one line."""
    err_console.print(line(("warning:", "yellow"), " ", message))


def to_jsonable(value: Any) -> Any:
    """Convert library values to JSON-ready ones: Decimal money becomes a float (≥ 6 decimals kept for
    amounts under $1e9), dates become ISO 8601, non-finite floats become null."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump(mode="python"))
    return value


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (restored after it).

    ``plan`` allocates millions of container objects (options, their documents, Decimals in dicts) that
    all stay alive until the command ends; each full collection walks every one of them and frees
    nothing (the peak memory was measured the same with the collector off). Reference counting still
    frees everything else as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def emit_json(document: Any) -> None:
    """Print one JSON document on stdout: ``json.dumps(to_jsonable(document), indent=2,
    ensure_ascii=False, allow_nan=False)``, written by :func:`~llm_tco.cli.json_text.json_text` (the same
    text in one pass; a plan's document holds half a million values)."""
    text = json_text(document)
    try:
        sys.stdout.write(text)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError as exc:
        raise OutputClosed from exc


def check_store_exists(db: str | None) -> None:
    """A store named explicitly (``--db`` or ``LLM_TCO_DB``) must exist for a command that only reads it
    (``plan``; ``audit`` without files): a typo in the path would otherwise report an empty store and say
    nothing useful. The default store may be absent ("no usage")."""
    if db is None and os.environ.get(DB_ENV_VAR) is None:
        return
    path = resolve_db_path(db)
    if path != MEMORY and not Path(path).exists():
        option = "--db" if db is not None else DB_ENV_VAR
        raise StoreError(f"{option} {path}: no such store; run `llm-tco audit FILES… --db {path}` first")
