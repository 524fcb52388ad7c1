"""LiteLLM's spend logs read straight from a real PostgreSQL server (``postgresql://`` input), end to end.

The server: ``$LLM_TCO_TEST_PG_URL`` (CI starts one with scripts/ci_postgres.sh); without it the test
starts a throw-away one with that script when PostgreSQL's binaries are installed, else it skips with
the reason. The ``LiteLLM_SpendLogs`` table is created by hand from the columns in FORMATS.md section 8.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from _formats import assert_accounting, canonical_rows, ingest, tokens
from _kill import audit, kill_at_every_step, totals

pytestmark = pytest.mark.postgres
psycopg = pytest.importorskip("psycopg")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "ci_postgres.sh"

DDL = """
CREATE TABLE {table} (
    request_id TEXT PRIMARY KEY,
    call_type TEXT NOT NULL,
    api_key TEXT NOT NULL DEFAULT '',
    spend DOUBLE PRECISION NOT NULL DEFAULT 0,
    total_tokens INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    "startTime" TIMESTAMP(3) NOT NULL,
    "endTime" TIMESTAMP(3) NOT NULL,
    request_duration_ms INTEGER,
    "completionStartTime" TIMESTAMP(3),
    model TEXT NOT NULL DEFAULT '',
    model_id TEXT DEFAULT '',
    model_group TEXT DEFAULT '',
    custom_llm_provider TEXT DEFAULT '',
    api_base TEXT DEFAULT '',
    "user" TEXT DEFAULT '',
    metadata JSONB DEFAULT '{{}}',
    cache_hit TEXT DEFAULT '',
    cache_key TEXT DEFAULT '',
    request_tags JSONB DEFAULT '[]',
    team_id TEXT,
    organization_id TEXT,
    end_user TEXT,
    requester_ip_address TEXT,
    session_id TEXT,
    status TEXT,
    agent_id TEXT,
    mcp_namespaced_tool_name TEXT,
    messages JSONB DEFAULT '{{}}',
    response JSONB DEFAULT '{{}}',
    proxy_server_request JSONB DEFAULT '{{}}'
)
"""

ROWS: list[dict[str, Any]] = [
    {
        "request_id": "chatcmpl-001",
        "call_type": "acompletion",
        "api_key": "88dc28",
        "spend": 0.0019,
        "total_tokens": 10500,
        "prompt_tokens": 10000,
        "completion_tokens": 500,
        "startTime": "2026-09-01 10:00:00.123",
        "endTime": "2026-09-01 10:00:02.456",
        "model": "gpt-4o-mini",
        "custom_llm_provider": "openai",
        "end_user": "customer-42",
        "team_id": "team-1",
        "status": "success",
        "metadata": '{"user_api_key_team_alias": "support", "additional_usage_values": '
        '{"prompt_tokens_details": {"cached_tokens": 8000}}}',
        "request_tags": '["support-chat", "prod"]',
        "messages": '{"secret": "prompt text never copied"}',
    },
    {
        "request_id": "msg_002",
        "call_type": "acompletion",
        "api_key": "1f2e3d",
        "spend": 0.004725,
        "total_tokens": 4200,
        "prompt_tokens": 4000,
        "completion_tokens": 200,
        "startTime": "2026-09-01 11:00:00",
        "endTime": "2026-09-01 11:00:05",
        "model": "claude-sonnet-4-5-20250929",
        "custom_llm_provider": "anthropic",
        "user": "alice",
        "team_id": "team-2",
        "status": "success",
        "metadata": '{"user_api_key_team_alias": "research", "additional_usage_values": '
        '{"cache_read_input_tokens": 3000, "cache_creation_input_tokens": 500}}',
        "request_tags": "[]",
    },
    {
        "request_id": "chatcmpl-003",
        "call_type": "acompletion",
        "api_key": "88dc28",
        "spend": 0.0,
        "total_tokens": 0,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "startTime": "2026-09-01 12:00:00",
        "endTime": "2026-09-01 12:00:00.5",
        "model": "gpt-4o",
        "custom_llm_provider": "openai",
        "team_id": "team-1",
        "status": "failure",
        "metadata": '{"status": "failure", "error_information": {"error_code": "429"}}',
        "request_tags": '["support-chat"]',
    },
]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    url = os.environ.get("LLM_TCO_TEST_PG_URL")
    if url:
        yield url
        return
    if not (shutil.which("initdb") or list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))):
        pytest.skip(
            "PostgreSQL test SKIPPED: LLM_TCO_TEST_PG_URL is not set and no PostgreSQL binaries are "
            "installed (run scripts/ci_postgres.sh and export its URL)"
        )
    run = subprocess.run([str(SCRIPT), "--no-install"], capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        pytest.skip(f"PostgreSQL test SKIPPED: scripts/ci_postgres.sh failed: {run.stderr.strip()[-500:]}")
    url = run.stdout.strip().splitlines()[-1]
    directory = run.stderr.split("server in ")[-1].split(" ")[0]
    try:
        yield url
    finally:
        subprocess.run([f"{directory}/stop.sh"], check=False, timeout=60)


@pytest.fixture
def schema(pg_url: str) -> Iterator[str]:
    """A fresh schema holding a LiteLLM_SpendLogs table with ROWS."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
        conn.execute(DDL.format(table=f'{name}."LiteLLM_SpendLogs"'))
        _insert(conn, name, ROWS)
    yield name
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


def _insert(conn: Any, schema: str, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join(["%s"] * len(row))
        conn.execute(
            f'INSERT INTO {schema}."LiteLLM_SpendLogs" ({cols}) VALUES ({marks})', list(row.values())
        )


def _url(pg_url: str, schema: str, password: str = "") -> str:
    base = pg_url.replace("postgres@", f"postgres:{password}@") if password else pg_url
    return f"{base}?table={schema}.LiteLLM_SpendLogs"


def test_spend_logs_from_postgres_end_to_end(pg_url: str, schema: str) -> None:
    con, report = ingest(_url(pg_url, schema, password="s3cret"))
    assert not report.rejected, report.rejected
    assert_accounting(report)
    [result] = report.files
    assert result.format == "litellm"
    assert "s3cret" not in result.file and ":***@" in result.file  # the password never reaches the store
    assert (report.read, report.accepted) == (3, 3)
    rows = canonical_rows(con)
    assert tokens(rows["id:litellm:chatcmpl-001"]) == (
        10000,
        8000,
        0,
        0,
        500,
        0,
    )  # prompt includes the cached
    assert rows["id:litellm:chatcmpl-001"]["reported_cost_usd"] == Decimal("0.0019")
    assert rows["id:litellm:chatcmpl-001"]["workload"] == "support-chat"
    assert tokens(rows["id:litellm:msg_002"]) == (4000, 3000, 500, 0, 200, 0)
    assert rows["id:litellm:msg_002"]["workload"] == "research"
    assert tokens(rows["id:litellm:chatcmpl-003"]) == (
        0,
        0,
        0,
        0,
        0,
        0,
    )  # a failed request is still a request
    assert rows["id:litellm:chatcmpl-003"]["requests"] == 1
    stored = con.execute("SELECT DISTINCT source_file FROM usage_rows").fetchall()
    assert all("s3cret" not in s[0] for s in stored)


def test_reading_the_database_again_only_adds_new_requests(pg_url: str, schema: str) -> None:
    from llm_tco.ingest.base import IngestOptions
    from llm_tco.ingest.pipeline import ingest_files

    con, first = ingest(_url(pg_url, schema))
    assert first.accepted == 3
    unchanged = ingest_files(con, [_url(pg_url, schema)], IngestOptions())
    assert (unchanged.read, unchanged.accepted, unchanged.duplicates) == (3, 0, 3)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        _insert(
            conn,
            schema,
            [
                {
                    **ROWS[2],
                    "request_id": "chatcmpl-004",
                    "prompt_tokens": 7,
                    "completion_tokens": 3,
                    "total_tokens": 10,
                    "status": "success",
                    "spend": 0.00001,
                }
            ],
        )
    grown = ingest_files(con, [_url(pg_url, schema)], IngestOptions())
    assert (grown.read, grown.accepted, grown.duplicates) == (4, 1, 3)


def test_unreachable_database_and_missing_table_are_rejected_with_reasons(pg_url: str, schema: str) -> None:
    _, report = ingest(pg_url + "?table=public.no_such_table")
    assert "table 'public.no_such_table' not found" in report.rejected[0].reason
    _, report = ingest("postgresql://nobody:pw@127.0.0.1:1/none")
    assert report.rejected[0].reason.startswith("cannot connect to PostgreSQL")
    assert report.rejected[0].file == "postgresql://nobody:***@127.0.0.1:1/none"


def test_kill_at_every_step_of_a_database_ingest(pg_url: str, schema: str, tmp_path: Path) -> None:
    """Killed at each step of its transaction, reading the database leaves the store as it was; the
    completed run, and reading the grown table again, give what one clean read gives."""
    import json

    db = str(tmp_path / "s.duckdb")
    url = _url(pg_url, schema, password="s3cret")
    earlier = tmp_path / "earlier.csv"
    earlier.write_text(
        "request_id,timestamp,model,prompt_tokens,completion_tokens\nx,2026-09-01,gpt-4o,5,1\n"
    )
    assert audit(earlier, "--db", db).returncode == 0
    kills, done = kill_at_every_step(url, "--db", db, db=db)
    assert kills >= 3
    assert json.loads(done.stdout)["rows"] == {"read": 3, "accepted": 3, "quarantined": 0, "duplicates": 0}
    with psycopg.connect(pg_url, autocommit=True) as conn:
        new = {"request_id": "chatcmpl-005", "prompt_tokens": 70, "total_tokens": 70, "status": "success"}
        _insert(conn, schema, [{**ROWS[2], **new}])
    kills, done = kill_at_every_step(url, "--db", db, db=db)
    grown = json.loads(done.stdout)
    assert grown["rows"] == {"read": 4, "accepted": 1, "quarantined": 0, "duplicates": 3}
    clean = audit(earlier, url, "--db", tmp_path / "clean.duckdb")
    assert clean.returncode == 0, clean.stderr
    assert totals(grown) == totals(json.loads(clean.stdout))
    assert "s3cret" not in done.stdout + done.stderr
