"""Kill-safety on every ingest path: killed at each step of its transaction, an audit leaves the store as
it was (or, for a one-shot ``:memory:`` audit, prints nothing and fails); completed afterwards, the store
holds exactly what a clean single run gives. The PostgreSQL path is in ``test_postgres_litellm.py``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from _kill import audit, kill_at_every_step, totals

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[1] / "data" / "formats"
HEADER_IDS = "request_id,timestamp,model,prompt_tokens,completion_tokens\n"
HEADER = "timestamp,model,prompt_tokens,completion_tokens\n"


def _rows(n: int, start: int = 0, ids: bool = True, bad: bool = True) -> str:
    models = ("gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5")
    rows = [
        (f"k{i}," if ids else "")
        + f"2026-09-{1 + i % 28:02d}T10:00:00Z,{models[i % 3]},{1000 + i},{10 + i}\n"
        for i in range(start, start + n)
    ]
    if bad:
        rows.append(("kbad," if ids else "") + "not-a-time,gpt-4o-mini,1,1\n")
    return "".join(rows)


def _clean(tmp_path: Path, *files: Path, extra: tuple[str, ...] = ()) -> dict[str, object]:
    """One clean audit of ``files`` (copied under the same names) into a fresh store."""
    folder = tmp_path / "clean"
    folder.mkdir()
    copies = []
    for f in files:
        copy = folder / f.name
        shutil.copy(f, copy)
        copies.append(copy)
    run = audit(*copies, *extra, "--db", folder / "s.duckdb")
    assert run.returncode == 0, run.stderr
    return dict(json.loads(run.stdout))


def _base_store(tmp_path: Path) -> tuple[str, Path]:
    """A store holding one earlier file, so that the kills happen on a store with content."""
    base = tmp_path / "earlier.csv"
    base.write_text(HEADER_IDS + _rows(4, start=100, bad=False))
    db = str(tmp_path / "s.duckdb")
    assert audit(base, "--db", db).returncode == 0
    return db, base


@pytest.mark.parametrize("ids", [True, False], ids=["ids-held", "streamed-to-store"])
def test_kill_at_every_step_of_a_usage_file(tmp_path: Path, ids: bool) -> None:
    db, base = _base_store(tmp_path)
    target = tmp_path / "usage.csv"
    target.write_text((HEADER_IDS if ids else HEADER) + _rows(30, ids=ids))
    kills, done = kill_at_every_step(target, "--db", db, db=db)
    assert kills >= 3
    doc = json.loads(done.stdout)
    assert doc["rows"] == {"read": 31, "accepted": 30, "quarantined": 1, "duplicates": 0}
    assert totals(doc) == totals(_clean(tmp_path, base, target))


def test_kill_at_every_step_of_a_one_shot_audit_streamed_to_month_sums(tmp_path: Path) -> None:
    """A ``:memory:`` audit keeps no store to resume: a kill prints no partial report and fails; the
    completed run's figures are those of an on-disk store."""
    target = tmp_path / "usage.csv"
    target.write_text(HEADER + _rows(30, ids=False))
    kills, done = kill_at_every_step(target, "--db", ":memory:", db=":memory:")
    assert kills >= 2
    assert totals(json.loads(done.stdout)) == totals(_clean(tmp_path, target))


def test_kill_at_every_step_of_a_cost_only_export(tmp_path: Path) -> None:
    db, base = _base_store(tmp_path)
    target = tmp_path / "costs_page.json"
    shutil.copy(DATA / "openai_costs" / "costs_page.json", target)
    kills, done = kill_at_every_step(target, "--db", db, db=db)
    assert kills >= 2
    doc = json.loads(done.stdout)
    assert doc["reported"]["records"] > 0
    assert totals(doc) == totals(_clean(tmp_path, base, target))


def test_kill_at_every_step_of_a_grown_file(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    log = tmp_path / "usage.csv"
    log.write_text(HEADER + _rows(10, ids=False, bad=False))
    assert audit(log, "--db", db).returncode == 0
    with log.open("a") as fh:
        fh.write(_rows(12, start=10, ids=False))
    kills, done = kill_at_every_step(log, "--db", db, db=db)
    assert kills >= 2
    doc = json.loads(done.stdout)
    assert doc["rows"] == {"read": 13, "accepted": 12, "quarantined": 1, "duplicates": 0}
    assert totals(doc) == totals(_clean(tmp_path, log))


def test_kill_at_every_step_of_a_replaced_file(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    export = tmp_path / "export.csv"
    export.write_text(HEADER_IDS + _rows(10))
    assert audit(export, "--db", db).returncode == 0
    export.write_text(HEADER_IDS + _rows(7, start=3))  # rewritten: some records gone, others new
    kills, done = kill_at_every_step(export, "--replace", "--db", db, db=db)
    assert kills >= 3
    doc = json.loads(done.stdout)
    assert doc["rows"] == {"read": 8, "accepted": 7, "quarantined": 1, "duplicates": 0}
    assert totals(doc) == totals(_clean(tmp_path, export))
