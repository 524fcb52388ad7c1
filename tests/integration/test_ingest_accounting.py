"""Accepted, quarantined and duplicate records are each counted, never derived from the others, and
``read = accepted + quarantined + duplicates`` is checked per file: a step that loses a record is an
internal error (exit 3) naming the file, and the file's transaction leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

import llm_tco.ingest.costs as costs
import llm_tco.ingest.load as load
import llm_tco.ingest.stream as stream

DATA = Path(__file__).resolve().parents[1] / "data" / "formats"


def _losing_one_series(real: Callable[..., Any]) -> Callable[..., Any]:
    """``assign_series`` that forgets one attribute combination: its records find no series key."""

    def assign(con: duckdb.DuckDBPyConnection, *args: Any, **kwargs: Any) -> Any:
        result = real(con, *args, **kwargs)
        con.execute("DELETE FROM _series_keys WHERE attr_hash = (SELECT min(attr_hash) FROM _series_keys)")
        return result

    return assign


def _two_models(path: Path, with_ids: bool) -> Path:
    models = ["gpt-4o-mini", "gpt-4o", "gpt-4o-mini", "gpt-4o"]
    if path.suffix == ".jsonl":  # JSON lines are held whole (their reader numbers no record)
        path.write_text(
            "".join(
                f'{{"request_id": "r{i}", "timestamp": "2026-09-01T00:00:00Z", "model": "{m}", '
                f'"prompt_tokens": {10 + i}, "completion_tokens": 1}}\n'
                for i, m in enumerate(models)
            )
        )
        return path
    header = ("request_id," if with_ids else "") + "timestamp,model,prompt_tokens,completion_tokens\n"
    rows = [
        (f"r{i}," if with_ids else "") + f"2026-09-01T00:00:00Z,{m},{10 + i},1\n"
        for i, m in enumerate(models)
    ]
    path.write_text(header + "".join(rows))
    return path


def _assert_internal_error_naming(result: Any, path: Path, db: Path) -> None:
    assert result.code == 3, result.err
    assert str(path) in result.err and "records read but" in result.err
    assert result.err.strip().count("\n") == 0
    con = duckdb.connect(str(db), read_only=True)
    try:  # rolled back: the store holds nothing of the file
        for table in ("usage", "quarantine", "ingested_files", "reported_costs", "usage_rollup"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    finally:
        con.close()


@pytest.mark.parametrize(
    ("name", "with_ids"),
    [("usage.jsonl", True), ("usage.csv", True), ("usage.csv", False)],
    ids=["ids-held", "ids-streamed", "streamed"],
)
def test_a_lost_usage_record_is_an_internal_error_not_a_duplicate(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch, name: str, with_ids: bool
) -> None:
    module = load if name.endswith(".jsonl") else stream
    monkeypatch.setattr(module, "assign_series", _losing_one_series(module.assign_series))
    path = _two_models(tmp_path / name, with_ids)
    db = tmp_path / "s.duckdb"
    cli("audit", "--db", db)  # nothing to read: a store that exists, so that the check can look inside
    result = cli("audit", path, "--db", db, "--json")
    _assert_internal_error_naming(result, path, db)


def test_a_lost_cost_record_is_an_internal_error(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = costs.create_temp_table

    def forgetting_a_provider(con: duckdb.DuckDBPyConnection, name: str, columns: Any, rows: Any) -> None:
        real(con, name, columns, list(rows)[1:])  # the first provider's records find no match

    monkeypatch.setattr(costs, "create_temp_table", forgetting_a_provider)
    [path] = sorted((DATA / "openai_costs").glob("*.json*"))[:1]
    db = tmp_path / "s.duckdb"
    result = cli("audit", path, "--db", db, "--json")
    _assert_internal_error_naming(result, path, db)


def test_without_a_fault_the_same_files_balance(tmp_path: Path, cli: Any) -> None:
    """The control: the check passes on the same files when no step loses anything."""
    for name, with_ids in (("usage.jsonl", True), ("usage-ids.csv", True), ("usage.csv", False)):
        path = _two_models(tmp_path / name, with_ids)
        doc = cli("audit", path, "--db", ":memory:", "--json").json()
        assert doc["rows"] == {"read": 4, "accepted": 4, "quarantined": 0, "duplicates": 0}
