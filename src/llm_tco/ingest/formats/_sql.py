"""SQL building blocks shared by the format adapters (paths and names here are constants, never user data).

Token counts from JSON are taken as text (``->>``), so a value of the wrong type reaches the common
validation stage as text and is quarantined there with a reason, instead of failing the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from llm_tco.errors import InputFileError
from llm_tco.ingest.base import OPTIONAL_STAGED_COLUMNS, REPORTED_COST_COLUMNS, STAGED_COLUMNS, Probe
from llm_tco.ingest.reader_sql import quote_ident

__all__ = [
    "EMPTY_USAGE_SQL",
    "column",
    "cost_select",
    "first_of",
    "head_matches",
    "jtext",
    "lit",
    "require_kind",
    "staged_select",
    "sum_counts",
]


def jtext(expr: str, path: str) -> str:
    """The JSON member at ``path`` (``$.a.b``) as text (NULL when absent or JSON null)."""
    return f"json_extract_string({expr}, {lit(path)})"


def first_of(expr: str, paths: Iterable[str]) -> str:
    """The first present of several JSON paths, as text."""
    parts = [jtext(expr, p) for p in paths]
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def lit(value: str) -> str:
    """A SQL string literal for a constant of this code base."""
    return "'" + value.replace("'", "''") + "'"


def head_matches(probe: Probe, *patterns: str) -> bool:
    """Every regular expression matches the probed head of the file."""
    return all(re.search(p, probe.head) for p in patterns)


def column(columns: Iterable[str], *names: str) -> str:
    """The quoted first column present among ``names`` (compared case-insensitively), else ``NULL``."""
    by_lower = {c.lower(): c for c in columns}
    for name in names:
        found = by_lower.get(name.lower())
        if found is not None:
            return quote_ident(found)
    return "NULL"


def sum_counts(*raws: str) -> str:
    """Sum of token counts given as text: the sum as text when every present value is a whole number,
    else the first value that is not (so validation names it); NULL when all are absent."""
    checks = " AND ".join(f"({r} IS NULL OR TRY_CAST({r} AS HUGEINT) IS NOT NULL)" for r in raws)
    total = " + ".join(f"coalesce(TRY_CAST({r} AS HUGEINT), 0)" for r in raws)
    present = " OR ".join(f"{r} IS NOT NULL" for r in raws)
    bad = ", ".join(f"CASE WHEN TRY_CAST({r} AS HUGEINT) IS NULL THEN {r} END" for r in raws)
    return (
        f"(CASE WHEN NOT ({present}) THEN NULL WHEN {checks} THEN CAST({total} AS VARCHAR) "
        f"ELSE coalesce({bad}) END)"
    )


def staged_select(exprs: Mapping[str, str], source: str) -> str:
    """``SELECT`` of ``STAGED_COLUMNS`` (absent ones NULL) and the optional columns given, from ``source``."""
    parts = [f"{exprs.get(c, 'NULL')} AS {quote_ident(c)}" for c in STAGED_COLUMNS]
    parts += [f"{exprs[c]} AS {quote_ident(c)}" for c in OPTIONAL_STAGED_COLUMNS if c in exprs]
    return f"SELECT {', '.join(parts)} FROM {source}"


def cost_select(exprs: Mapping[str, str], source: str) -> str:
    """``SELECT`` of ``REPORTED_COST_COLUMNS`` (absent ones NULL) from ``source``."""
    parts = [f"{exprs.get(c, 'NULL')} AS {quote_ident(c)}" for c in REPORTED_COST_COLUMNS]
    return f"SELECT {', '.join(parts)} FROM {source}"


EMPTY_USAGE_SQL = staged_select({"record_no": "1"}, "(SELECT 1) WHERE false")
"""A staged query with no rows, for cost-only formats."""


def require_kind(probe: Probe, adapter: str, *kinds: str) -> None:
    """Reject a file forced to ``adapter`` (``--format``) whose content is of another kind."""
    if probe.kind not in kinds:
        raise InputFileError(
            str(probe.path),
            f"format {adapter!r} reads {'/'.join(kinds)} content, but this file is {probe.kind}",
        )
