"""``postgresql://`` inputs: passwords never shown or stored, bad URLs refused in one line, a server that
does not answer given up on after the connect timeout.

The passwords are checked for in everything the user and the store see: stderr, the JSON document and
every text column of ``ingested_files``. The timeout is tried against a socket this test opens on the
loopback interface, which takes the connection and never answers (nothing leaves the machine); the real
server tests use ``$LLM_TCO_TEST_PG_URL`` or a throw-away server (see test_postgres_litellm.py).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from llm_tco.errors import InputFileError
from llm_tco.ingest.postgres import parse_database_url, redact_url

SRC = Path(__file__).resolve().parents[2] / "src"
SECRET = "s3cr3t-Pw"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "LLM_TCO_NOW": "2026-11-25T12:00:00Z"}
    env.pop("LLM_TCO_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "llm_tco.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:s3cr3t-Pw@db:5432/x", "postgresql://u:***@db:5432/x"),
        # an unencoded "@" in the password: the last "@" ends the user part
        ("postgresql://u:s3cr@3t-Pw@db/x", "postgresql://u:***@db/x"),
        ("postgresql://u:s3/cr?3t#Pw@db/x?table=t", "postgresql://u:***@db/x?table=t"),
        ("postgres://u@db/x?password=s3cr3t-Pw&table=t", "postgres://u@db/x?password=***&table=t"),
        ("postgresql://db/x?sslpassword=s3cr3t-Pw&user=u", "postgresql://db/x?sslpassword=***&user=u"),
        ("postgresql://u@db/x?table=t", "postgresql://u@db/x?table=t"),  # nothing to hide: unchanged
        ("postgresql://u:s3cr3t-Pw@db:99999/x", "postgresql://u:***@db:99999/x"),  # unparseable port
    ],
)
def test_every_password_is_redacted(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_the_url_is_taken_apart_at_the_last_at_sign_and_the_password_given_to_the_driver_whole() -> None:
    target = parse_database_url(
        "postgresql://alice:p@ss/w?rd@db.internal:6432/llm?table=s.Logs&sslmode=require"
    )
    assert target.params == {
        "host": "db.internal",
        "port": "6432",
        "user": "alice",
        "password": "p@ss/w?rd",
        "dbname": "llm",
        "sslmode": "require",
        "connect_timeout": "10",  # the default
    }
    assert target.table == "s.Logs"
    assert target.shown == "postgresql://alice:***@db.internal:6432/llm?table=s.Logs&sslmode=require"


def test_the_connect_timeout_comes_from_the_option_then_the_url_then_the_default() -> None:
    url = "postgresql://u@db/x?connect_timeout=4"
    assert parse_database_url(url).connect_timeout_s == 4
    assert parse_database_url(url, connect_timeout_s=2.5).params["connect_timeout"] == "3"
    assert parse_database_url("postgresql://u@db/x").connect_timeout_s == 10
    with pytest.raises(InputFileError, match="connect_timeout='soon'"):
        parse_database_url("postgresql://u@db/x?connect_timeout=soon")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"postgresql://u:{SECRET}@db:99999/x", "bad host or port"),
        (f"postgresql://u:{SECRET}@db:port/x", "bad host or port"),
        (f"postgresql://u:{SECRET}@h1:5432,h2:5432,h3,h4/x", "several hosts"),
    ],
)
def test_a_bad_port_or_several_hosts_is_exit_2_with_one_line_and_no_password(
    tmp_path: Path, url: str, reason: str
) -> None:
    db = tmp_path / "s.duckdb"
    run = _cli("audit", url, "--db", str(db), "--json")
    assert run.returncode == 2, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("warning: rejected postgresql://u:***@"), run.stderr
    assert reason in lines[0]
    assert SECRET not in run.stderr + run.stdout
    assert json.loads(run.stdout)["rejected_files"][0]["file"].startswith("postgresql://u:***@")


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts TCP connections (the kernel's backlog) and never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


@pytest.mark.parametrize("how", ["option", "url"])
def test_a_server_that_never_answers_is_given_up_on_after_the_connect_timeout(
    silent_server: int, tmp_path: Path, how: str
) -> None:
    base = f"postgresql://u:{SECRET}@127.0.0.1:{silent_server}/x"
    args = ["--pg-connect-timeout", "2"] if how == "option" else []
    url = base if how == "option" else f"{base}?connect_timeout=2"
    started = time.monotonic()
    run = _cli("audit", url, "--db", str(tmp_path / "s.duckdb"), *args)
    elapsed_s = time.monotonic() - started
    assert run.returncode == 2
    assert "cannot connect to PostgreSQL: connection timeout expired" in run.stderr
    assert SECRET not in run.stderr + run.stdout
    # 2 s to give up, plus the interpreter's start-up; far below the default 10 s
    assert 2 <= elapsed_s < 9


def test_a_connect_timeout_that_is_not_a_positive_number_is_refused(tmp_path: Path) -> None:
    for value in ("0", "-1", "nan"):
        run = _cli("audit", "postgresql://u@127.0.0.1:1/x", "--db", ":memory:", "--pg-connect-timeout", value)
        assert run.returncode == 2
        assert "--pg-connect-timeout" in run.stderr


# --- against a real server ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_spend_logs() -> Iterator[str]:
    """A real server's URL, with a fresh schema holding LiteLLM's table and its three sample rows:
    ``$LLM_TCO_TEST_PG_URL``, else a throw-away server from scripts/ci_postgres.sh, else skipped."""
    psycopg = pytest.importorskip("psycopg")
    import test_postgres_litellm as pg

    url = os.environ.get("LLM_TCO_TEST_PG_URL")
    stop: str | None = None
    if not url:
        if not (shutil.which("initdb") or list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))):
            pytest.skip("PostgreSQL test SKIPPED: LLM_TCO_TEST_PG_URL is not set and no PostgreSQL binaries")
        run = subprocess.run([str(pg.SCRIPT), "--no-install"], capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            pytest.skip(
                f"PostgreSQL test SKIPPED: scripts/ci_postgres.sh failed: {run.stderr.strip()[-500:]}"
            )
        url = run.stdout.strip().splitlines()[-1]
        stop = run.stderr.split("server in ")[-1].split(" ")[0] + "/stop.sh"
    name = f"t_{os.getpid()}_{int(time.time())}"
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
            conn.execute(pg.DDL.format(table=f'{name}."LiteLLM_SpendLogs"'))
            pg._insert(conn, name, pg.ROWS)
        yield f"{url}?table={name}.LiteLLM_SpendLogs"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")
    finally:
        if stop:
            subprocess.run([stop], check=False, timeout=60)


def _with_password(url: str, how: str) -> str:
    if how == "query":
        return f"{url}&password={SECRET}"
    # "postgres@" → "postgres:PASS@": a password holding an unencoded "@" (trust authentication ignores it)
    return url.replace("postgres@", f"postgres:{SECRET[:3]}@{SECRET[3:]}@", 1)


@pytest.mark.postgres
@pytest.mark.parametrize("how", ["query", "userinfo-with-at"])
def test_a_password_is_never_printed_nor_stored(pg_spend_logs: str, tmp_path: Path, how: str) -> None:
    url = _with_password(pg_spend_logs, how)
    db = tmp_path / "s.duckdb"
    run = _cli("audit", url, "--db", str(db), "--json")
    assert run.returncode == 0, run.stderr
    doc: dict[str, Any] = json.loads(run.stdout)
    assert doc["rows"]["accepted"] == 3
    assert SECRET not in run.stdout + run.stderr
    assert SECRET[3:] not in run.stdout + run.stderr  # nor the part after an unencoded "@"
    con = duckdb.connect(str(db), read_only=True)
    stored = con.execute("SELECT * FROM ingested_files").fetchall()
    con.close()
    text = " ".join(str(v) for row in stored for v in row)
    assert SECRET not in text and SECRET[3:] not in text
    assert "***" in text  # the redacted URL is what the store keeps
