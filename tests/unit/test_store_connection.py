"""The store: ordered migrations recorded once, UTC sessions, and the memory-limit setting."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from llm_tco.errors import StoreError
from llm_tco.store import open_store
from llm_tco.store.migrations import MIGRATIONS


def test_migrations_are_applied_once_in_order(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    open_store(db).close()
    con = open_store(db)
    rows = con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    versions = [r[0] for r in rows]
    assert versions == [m.version for m in MIGRATIONS] == sorted({m.version for m in MIGRATIONS})


def test_a_store_from_a_newer_llm_tco_is_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    open_store(db).close()
    raw = duckdb.connect(db)
    raw.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    raw.close()
    with pytest.raises(StoreError, match="newer than this llm-tco knows"):
        open_store(db)


def test_sessions_run_in_utc() -> None:
    con = open_store(":memory:")
    assert con.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)


_PROGRESS_SCRIPT = """
import duckdb
import llm_tco.store.connection as connection
from llm_tco.store import open_store

def connect(*args, **kwargs):
    # the bar drawn at once instead of after two seconds (setting the wait turns the bar on: it is
    # set as the connection opens, before the store's own settings)
    con = duckdb.connect(*args, **kwargs)
    con.execute("SET progress_bar_time = 0")
    return con

connection.duckdb = type("duckdb", (), {{"connect": staticmethod(connect), "Error": duckdb.Error}})
con = open_store(":memory:") if {store} else connect()
print("opened", flush=True)  # the statements opening the store may draw before the setting is made
con.execute("SELECT count(*) FROM range(100000000) t(i) WHERE i % 7 = 3").fetchall()
"""


@pytest.mark.parametrize("store", [True, False])
def test_duckdb_draws_no_progress_bar_on_a_store_connection(store: bool) -> None:
    """Under ``python -c`` DuckDB takes the process for an interactive one and draws its progress bar on
    stdout, where it came at the head of ``audit --json`` output. A store connection draws none; a plain
    one, the control, shows that the statement does provoke it."""
    run = subprocess.run(
        [sys.executable, "-c", _PROGRESS_SCRIPT.format(store=store)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    drawn = run.stdout.split("opened\n", 1)[1]
    if store:
        assert drawn == ""
        con = open_store(":memory:")
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)
    else:
        assert "%" in drawn


def test_memory_limit_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    open_store(db).close()
    # Read-only opens (re-audits, plans) default to a bounded buffer.
    con = open_store(db, read_only=True)
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert limit is not None and "MiB" in str(limit[0])
    con.close()
    monkeypatch.setenv("LLM_TCO_MEMORY_LIMIT", "512MB")
    con = open_store(db)
    assert con.execute("SELECT current_setting('memory_limit')").fetchone() == ("488.2 MiB",)  # 512e6 bytes
    con.close()
    monkeypatch.setenv("LLM_TCO_MEMORY_LIMIT", "1GB; DROP TABLE usage")
    with pytest.raises(StoreError, match="expected a size"):
        open_store(db)


def test_an_in_memory_store_spills_to_a_private_temporary_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's own default for an in-memory database is ``.tmp`` in the working directory."""
    monkeypatch.chdir(tmp_path)
    con = open_store(":memory:")
    row = con.execute("SELECT current_setting('temp_directory')").fetchone()
    assert row is not None
    spill = Path(str(row[0]))
    assert spill.is_absolute() and spill.is_dir()
    assert spill.parent == Path(tempfile.gettempdir()) and spill.name.startswith("llm-tco-spill-")
    # spilling really goes there: a sort far larger than the memory limit completes
    con.execute("SET memory_limit = '64MB'")
    con.execute("SET preserve_insertion_order = false")
    total = con.execute(
        "SELECT count(*) FROM (SELECT range, md5(CAST(range AS VARCHAR)) AS h FROM range(3000000) ORDER BY h)"
    ).fetchone()
    assert total == (3_000_000,)
    assert not (tmp_path / ".tmp").exists()


def test_threads_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    default = open_store(":memory:").execute("SELECT current_setting('threads')").fetchone()
    assert default is not None
    # a count other than the default (one thread on a one-core machine would prove nothing)
    asked = int(default[0]) + 1
    monkeypatch.setenv("LLM_TCO_THREADS", str(asked))
    assert open_store(":memory:").execute("SELECT current_setting('threads')").fetchone() == (asked,)
    monkeypatch.setenv("LLM_TCO_THREADS", " ")  # blank: DuckDB's default, every core
    assert open_store(":memory:").execute("SELECT current_setting('threads')").fetchone() == default
    for bad in ("0", "-1", "two", "1.5", "1; SET memory_limit = '1KB'", "100000"):
        monkeypatch.setenv("LLM_TCO_THREADS", bad)
        with pytest.raises(StoreError, match="LLM_TCO_THREADS"):
            open_store(":memory:")
