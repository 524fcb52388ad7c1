"""Stores that are not what they should be, and where they cannot live: each is exit 2 with one line.

An empty ``--db`` or ``LLM_TCO_DB``; a URL, a MotherDuck name or a SQLite file (DuckDB would download an
extension to open them); a truncated store; a store with a dropped table; a folder that cannot be made; a
memory limit of zero or garbage; a disk that takes no more (a file-size limit on the process) — reported
as the store's problem, not the input's. And the spill folders of killed one-shot runs are removed by the
next one, never those of a live process.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from _formats import vendor_generator

from llm_tco.store.spill import SPILL_PREFIX, remove_stale_spill_folders

SRC = Path(__file__).resolve().parents[2] / "src"
HEADER = "request_id,timestamp,model,prompt_tokens,completion_tokens\n"


def _csv(path: Path, n: int, prefix: str = "r") -> Path:
    path.write_text(
        HEADER
        + "".join(f"{prefix}{i},2026-09-{1 + i % 28:02d}T10:00:00Z,gpt-4o-mini,1000,100\n" for i in range(n))
    )
    return path


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("llm-tco: error: "), err
    return lines[0]


@pytest.fixture
def store(tmp_path: Path, cli: Any) -> Path:
    """A real store holding 30 requests of 1,000 input and 100 output tokens (September 2026)."""
    db = tmp_path / "s.duckdb"
    assert cli("audit", _csv(tmp_path / "a.csv", 30), "--db", db, "--json").code == 0
    return db


def test_an_empty_db_option_or_variable_is_refused_and_nothing_is_written(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))  # where the default store would go
    f = _csv(tmp_path / "a.csv", 3)
    result = cli("audit", f, "--db", "")
    assert result.code == 2
    assert "--db is empty" in _one_error_line(result.err)
    monkeypatch.setenv("LLM_TCO_DB", "")
    result = cli("audit", f)
    assert result.code == 2
    assert "LLM_TCO_DB is empty" in _one_error_line(result.err)
    assert not data_home.exists()


@pytest.mark.parametrize(
    "location", ["http://example.com/x.duckdb", "s3://bucket/x.duckdb", "md:x", "https:x"]
)
def test_a_url_or_remote_database_is_refused_before_anything_is_created(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch, location: str
) -> None:
    monkeypatch.chdir(tmp_path)
    f = _csv(tmp_path / "a.csv", 3)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("audit", f, "--db", location)
    assert result.code == 2
    assert "must be a local DuckDB file" in _one_error_line(result.err)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no "http:" or "s3:" folder made


def test_a_sqlite_file_is_not_a_duckdb_store_and_no_extension_is_fetched(tmp_path: Path, cli: Any) -> None:
    lite = tmp_path / "usage.db"
    con = sqlite3.connect(lite)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    for args in (("audit", "--db", lite), ("audit", _csv(tmp_path / "a.csv", 3), "--db", lite)):
        result = cli(*args)
        assert result.code == 2
        assert "not a DuckDB store" in _one_error_line(result.err)


def test_no_extension_is_installed_or_loaded_on_its_own(tmp_path: Path) -> None:
    from llm_tco.store import open_store

    con = open_store(str(tmp_path / "s.duckdb"))
    settings = dict(
        con.execute(
            "SELECT name, value FROM duckdb_settings() "
            "WHERE name IN ('autoinstall_known_extensions', 'autoload_known_extensions')"
        ).fetchall()
    )
    con.close()
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


def test_a_truncated_store_is_refused_as_damaged(store: Path, cli: Any) -> None:
    size = store.stat().st_size
    os.truncate(store, size - 1000)  # the last block cut short
    for args in (("audit", "--db", store), ("plan", "--db", store)):
        result = cli(*args)
        assert result.code == 2
        assert "is damaged" in _one_error_line(result.err)


def test_a_store_with_a_dropped_table_is_refused_as_damaged(store: Path, cli: Any, tmp_path: Path) -> None:
    con = duckdb.connect(str(store))
    con.execute("DROP VIEW usage_rows")
    con.execute("DROP TABLE usage_series CASCADE")
    con.close()
    for args in (("audit", "--db", store), ("audit", _csv(tmp_path / "b.csv", 3, "b"), "--db", store)):
        result = cli(*args)
        assert result.code == 2, result.err
        line = _one_error_line(result.err)
        assert "is damaged" in line and "is missing" in line


def test_a_store_folder_that_cannot_be_made_is_a_store_error(tmp_path: Path, cli: Any) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = cli("audit", _csv(tmp_path / "a.csv", 3), "--db", blocker / "sub" / "s.duckdb")
    assert result.code == 2
    assert "cannot use store" in _one_error_line(result.err)


def test_a_data_directory_that_cannot_be_used_is_a_store_error(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "data-is-a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))  # the default store's folder cannot exist
    result = cli("audit", _csv(tmp_path / "a.csv", 3))
    assert result.code == 2
    assert "cannot use store" in _one_error_line(result.err)


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root reads everything")
def test_an_unreadable_data_directory_is_a_store_error(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0)
    try:
        monkeypatch.setenv("XDG_DATA_HOME", str(data))
        result = cli("audit")
        assert result.code == 2
        _one_error_line(result.err)
    finally:
        data.chmod(0o700)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        *(("LLM_TCO_MEMORY_LIMIT", limit) for limit in ["0GB", "0", "garbage", "10KB", "1e9GB"]),
        *(("LLM_TCO_THREADS", threads) for threads in ["0", "many", "-2", "99999"]),
    ],
)
def test_a_memory_limit_or_thread_count_of_zero_or_garbage_is_refused_naming_the_variable(
    store: Path, cli: Any, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = cli("audit", "--db", store)
    assert result.code == 2
    assert variable in _one_error_line(result.err)


def test_a_memory_limit_that_is_a_size_is_taken(
    store: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_TCO_MEMORY_LIMIT", "512MB")
    result = cli("audit", "--db", store, "--json")
    assert result.code == 0
    assert result.json()["totals"]["requests"] == 30


def test_one_thread_gives_the_same_audit(tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # an export as users have them (request ids, nested metadata, repeats, broken records), in a file
    # large enough that DuckDB splits its read between threads
    export = vendor_generator().generate(
        "litellm-json", tmp_path / "spend.jsonl", 20_000, duplicates=0.02, bad=0.01, seed=11
    )
    every_core = cli("audit", export, "--db", ":memory:", "--json").json()
    monkeypatch.setenv("LLM_TCO_THREADS", "1")
    one = cli("audit", export, "--db", ":memory:", "--json")
    assert one.code == 0
    doc = one.json()
    assert doc["rows"]["duplicates"] > 0 and doc["rows"]["quarantined"] > 0  # the shape asked for
    for key in ("rows", "totals", "quarantine"):
        assert doc[key] == every_core[key], key


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="POSIX file-size limits")
def test_a_full_disk_is_reported_as_the_stores_problem_and_the_store_keeps_its_data(
    tmp_path: Path, store: Path
) -> None:
    """A file-size limit on the process stands in for a full disk: writes past it fail (EFBIG) as they
    would with ENOSPC, and reading the input is unaffected."""
    big = tmp_path / "big.csv"
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT 'big' || i AS request_id,
                  TIMESTAMP '2026-09-01' + i * INTERVAL 1 SECOND AS timestamp, 'gpt-4o-mini' AS model,
                  1000 AS prompt_tokens, 100 AS completion_tokens
                  FROM range(300000) t(i)) TO '{big}' (HEADER)"""
    )
    con.close()
    limit_bytes = store.stat().st_size + 256 * 1024  # room for one more block, not for 300,000 rows

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write instead of a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    env = {**os.environ, "PYTHONPATH": str(SRC), "LLM_TCO_NOW": "2026-11-25T12:00:00Z"}
    cmd = [sys.executable, "-m", "llm_tco.cli.main", "audit", str(big), "--db", str(store), "--json"]
    proc = subprocess.run(
        cmd, env=env, preexec_fn=limit_file_size, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 2, proc.stderr
    line = _one_error_line(proc.stderr)
    assert "cannot write the store" in line
    assert "unreadable" not in line and "rejected" not in proc.stderr
    after = subprocess.run(
        [sys.executable, "-m", "llm_tco.cli.main", "audit", "--db", str(store), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert after.returncode == 0, after.stderr
    assert '"requests": 30,' in after.stdout  # the 30 requests stored before, and nothing half-written


def test_spill_folders_of_ended_processes_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(ended.stdout)  # a process that has ended (its id not reused this instant)
    live_pid = os.getppid()  # the process that started the tests: alive
    host = re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())
    dead = tmp_path / f"{SPILL_PREFIX}{host}-{dead_pid}-abc_12"
    live = tmp_path / f"{SPILL_PREFIX}{host}-{live_pid}-def"
    mine = tmp_path / f"{SPILL_PREFIX}{host}-{os.getpid()}-ghi"
    other_host = tmp_path / f"{SPILL_PREFIX}elsewhere-{dead_pid}-jkl"  # its ids mean nothing here
    unrelated = tmp_path / f"{SPILL_PREFIX}no-pid"
    for folder in (dead, live, mine, other_host, unrelated):
        folder.mkdir()
        (folder / "duckdb_temp_block-1.block").write_bytes(b"x" * 1000)
    removed = remove_stale_spill_folders(tmp_path)
    assert removed == [dead]
    assert not dead.exists()
    assert live.exists() and mine.exists() and other_host.exists() and unrelated.exists()


def test_a_one_shot_run_cleans_the_spill_folder_a_killed_run_left(tmp_path: Path) -> None:
    """A ``:memory:`` run killed with SIGKILL leaves its folder; the next one-shot run removes it."""
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "TMPDIR": str(tmp_path),
        "LLM_TCO_NOW": "2026-11-25T12:00:00Z",
    }
    script = (
        "import os, sys; from llm_tco.store import open_store; open_store(':memory:'); "
        "print(os.getpid(), flush=True); sys.stdin.read()"
    )
    victim = subprocess.Popen(
        [sys.executable, "-c", script], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert victim.stdout is not None
    pid = int(victim.stdout.readline())
    left = [p for p in tmp_path.iterdir() if p.name.startswith(SPILL_PREFIX) and f"-{pid}-" in p.name]
    assert len(left) == 1
    victim.kill()
    victim.wait()
    assert left[0].exists()  # SIGKILL: no clean-up ran
    f = _csv(tmp_path / "a.csv", 3)
    run = subprocess.run(
        [sys.executable, "-m", "llm_tco.cli.main", "audit", str(f), "--db", ":memory:", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert not left[0].exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(SPILL_PREFIX)]  # its own removed at exit


@pytest.mark.parametrize(
    ("message", "is_store"),
    [
        ('IO Error: Could not write file "/data/s.duckdb": No space left on device', True),
        ('IO Error: Could not write all bytes to file "/data/s.duckdb.wal": File too large', True),
        ('IO Error: Cannot open file "/data/s.duckdb.wal": Permission denied', True),
        ('IO Error: Cannot open file "/tmp/llm-tco-spill-7-x/duckdb_temp_storage-0.tmp": Read-only', True),
        ('IO Error: Cannot open file "/data/usage.csv": Permission denied', False),  # the input's
        ("Invalid Input Error: CSV Error on Line: 3", False),
    ],
)
def test_a_failed_write_is_told_from_an_unreadable_input(message: str, is_store: bool) -> None:
    from llm_tco.store.health import store_write_failure

    failure = store_write_failure(duckdb.IOException(message))
    assert (failure is not None) == is_store
    if failure is not None:
        assert str(failure).startswith("cannot write the store or its temporary files")


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root writes everywhere")
def test_an_unwritable_store_directory_is_the_stores_problem(tmp_path: Path, cli: Any) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "s.duckdb"
    assert cli("audit", _csv(tmp_path / "a.csv", 3), "--db", db, "--json").code == 0
    folder.chmod(0o555)
    try:
        result = cli("audit", _csv(tmp_path / "b.csv", 3, "b"), "--db", db)
        assert result.code == 2
        line = _one_error_line(result.err)
        assert "store" in line and "unreadable" not in line
    finally:
        folder.chmod(0o755)
