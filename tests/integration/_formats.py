"""Helpers for the per-format tests: ingest fixture files into a fresh in-memory store and read back the
canonical rows (as the ``usage_rows`` view presents them), the quarantine and the reported costs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import duckdb

from llm_tco.ingest.base import IngestOptions
from llm_tco.ingest.pipeline import IngestReport, ingest_files
from llm_tco.store import open_store

DATA = Path(__file__).resolve().parents[1] / "data" / "formats"
ROOT = Path(__file__).resolve().parents[2]


def vendor_generator() -> Any:
    """``benchmarks/gen_vendor.py`` as a module: seeded vendor exports with repeats and bad records (it
    imports its record builders from the folder it lives in, as when run as a script)."""
    if "gen_vendor" in sys.modules:
        return sys.modules["gen_vendor"]
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.append(str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("gen_vendor", ROOT / "benchmarks" / "gen_vendor.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_vendor"] = module
    spec.loader.exec_module(module)
    return module


CANONICAL = (
    "source_format",
    "source_record_id",
    "ts_start",
    "ts_end",
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
    "requests",
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "reported_cost_usd",
)


def ingest(*paths: str | Path, **options: Any) -> tuple[duckdb.DuckDBPyConnection, IngestReport]:
    con = open_store(":memory:")
    report = ingest_files(con, [str(p) for p in paths], IngestOptions(**options))
    return con, report


def canonical_rows(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """source_record_id -> canonical row (the fields of DESIGN.md's canonical usage row)."""
    cols = ", ".join(f'"{c}"' for c in CANONICAL)
    cur = con.execute(f"SELECT {cols} FROM usage_rows ORDER BY source_file, record_no")
    return {row[1]: dict(zip(CANONICAL, row, strict=True)) for row in cur.fetchall()}


def quarantine(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """record_no -> reason, for a store holding one quarantining file."""
    return {int(r[0]): str(r[1]) for r in con.execute("SELECT record_no, reason FROM quarantine").fetchall()}


def reported_costs(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cur = con.execute(
        "SELECT source_format, source_record_id, provider, model_raw, workload, project, line_item, "
        "ts_start, ts_end, amount_usd, billed_usd, list_usd, charge_category FROM reported_costs "
        "ORDER BY file_id, record_no"
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def tokens(row: dict[str, Any]) -> tuple[int, int, int, int, int, int]:
    """(input, cache read, cache write, of which 1h, output, reasoning) of a canonical row."""
    return (
        row["input_tokens"],
        row["cache_read_tokens"],
        row["cache_write_tokens"],
        row["cache_write_1h_tokens"],
        row["output_tokens"],
        row["reasoning_tokens"],
    )


def assert_accounting(report: IngestReport) -> None:
    """read = accepted + quarantined + duplicates, for usage and for cost-only records, file by file."""
    for f in report.files:
        c = f.counts
        assert c.read == c.accepted + c.quarantined + c.duplicates, f.file
        assert c.reported_read == c.reported + c.reported_quarantined + c.reported_duplicates, f.file


def one(rows: dict[str, dict[str, Any]], **match: Any) -> dict[str, Any]:
    """The single canonical row whose fields equal ``match``."""
    found = [r for r in rows.values() if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, f"{len(found)} rows match {match}"
    return found[0]
