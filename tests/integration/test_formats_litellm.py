"""LiteLLM proxy LiteLLM_SpendLogs exports (FORMATS.md 8): CSV, and the same rows as Parquet and JSON.

Convention: ``prompt_tokens`` already includes cache reads and writes (OpenAI semantics); the split is in
``metadata.additional_usage_values``. ``spend`` is the reported cost. Failed requests are requests.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from _formats import DATA, assert_accounting, canonical_rows, ingest, quarantine, tokens

CSV = DATA / "litellm" / "spendlogs_export.csv"


def _expectations(rows: dict[str, dict[str, object]]) -> None:
    openai = rows["id:litellm:chatcmpl-001"]
    # prompt_tokens 10000 includes the 8000 cached (prompt_tokens_details.cached_tokens): kept as is.
    assert tokens(openai) == (10000, 8000, 0, 0, 500, 0)
    assert openai["reported_cost_usd"] == Decimal("0.0019")
    assert (openai["workload"], openai["team"], openai["user"]) == ("support-chat", "support", "customer-42")
    assert (openai["provider"], openai["model_raw"], openai["requests"]) == ("openai", "gpt-4o-mini", 1)
    assert openai["ts_start"] == datetime(2026, 9, 1, 10, 0, 0, 123000)
    anthropic = rows["id:litellm:msg_002"]
    # prompt_tokens 4000 already holds cache read 3000 + cache creation 500 (LiteLLM adds them).
    assert tokens(anthropic) == (4000, 3000, 500, 0, 200, 0)
    assert (anthropic["workload"], anthropic["user"]) == ("research", "alice")  # no tag: the team alias
    failed = rows["id:litellm:chatcmpl-003"]
    assert tokens(failed) == (0, 0, 0, 0, 0, 0)
    assert (failed["requests"], failed["reported_cost_usd"], failed["workload"]) == (
        1,
        Decimal(0),
        "support-chat",
    )
    reasoning = rows["id:litellm:chatcmpl-004"]
    assert tokens(reasoning) == (700, 0, 0, 0, 1000, 640)
    assert reasoning["workload"] == "o3-mini"  # no tag, no team: the model


def test_spendlogs_csv_export() -> None:
    con, report = ingest(CSV)
    assert report.files[0].format == "litellm"
    assert (report.read, report.accepted) == (4, 4)
    _expectations(canonical_rows(con))


@pytest.mark.parametrize("fmt", ["parquet", "json"])
def test_the_same_rows_as_parquet_and_json(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"spendlogs.{fmt}"
    duckdb.execute(
        f"COPY (SELECT * FROM read_csv(?, all_varchar = true)) TO '{out}' (FORMAT {fmt})", [str(CSV)]
    )
    con, report = ingest(out)
    assert report.files[0].format == "litellm"
    _expectations(canonical_rows(con))


def test_malformed_rows_are_quarantined_with_reasons() -> None:
    con, report = ingest(DATA / "litellm" / "malformed" / "bad_rows.csv")
    assert_accounting(report)
    assert quarantine(con) == {
        1: "non-numeric input_tokens 'ten'",
        2: "metadata not valid JSON",
        3: "missing output_tokens",
        4: "cache_read_tokens + cache_write_tokens (50) exceed input_tokens (10)",
    }


@pytest.mark.parametrize("leading_rows", [1, 25_000])
def test_unreadable_csv_lines_send_the_file_through_the_checked_reader(
    tmp_path: Path, leading_rows: int
) -> None:
    """A CSV export is read once, straight into the staged table; a line DuckDB's reader cannot take (a
    wrong column count, invalid UTF-8) fails that read — or, within the rows DuckDB samples for the header
    (the first 20,480), its look at the file — and the file is read checked for such lines first: each is
    a quarantined record with its reason, the other rows load."""
    from llm_tco.ingest.base import IngestOptions
    from llm_tco.ingest.files import probe_file
    from llm_tco.ingest.formats.litellm import ADAPTER

    header = "request_id,spend,prompt_tokens,completion_tokens,startTime,model,team_id\n"
    good = "r{n},0.1,10,5,2026-09-01 10:00:00,gpt-4o-mini,team-a\n"
    lead = "".join(good.format(n=n) for n in range(1, leading_rows + 1))
    clean = tmp_path / "clean.csv"
    clean.write_text(header + lead)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(
        (header + lead + "bad-columns,0.1,10\n").encode()
        + b"bad-utf8,0.1,10,5,2026-09-01 10:00:00,gpt-4o-mini,team-\xff\n"
        + good.format(n="last").encode()
    )

    def fast_read_takes(path: Path) -> bool:
        with duckdb.connect() as con:
            probe = probe_file(path)
            staged = ADAPTER.stage(con, probe, IngestOptions())
            assert staged.materialize and staged.fallback is not None
            try:
                con.execute(f"CREATE TEMP TABLE t AS {staged.sql}", staged.params)
            except duckdb.Error:
                return False
            return True

    assert fast_read_takes(clean)
    if leading_rows > 20_480:  # past the sample: the read itself fails
        assert not fast_read_takes(broken)
    con, report = ingest(broken)
    assert_accounting(report)
    assert (report.read, report.accepted, report.quarantined) == (leading_rows + 3, leading_rows + 1, 2)
    reasons = quarantine(con)
    assert set(reasons) == {leading_rows + 1, leading_rows + 2}
    assert reasons[leading_rows + 1].startswith("unreadable record (missing columns")
    assert reasons[leading_rows + 2] == "invalid UTF-8 in field 'team_id'"
    assert len(canonical_rows(con)) == leading_rows + 1


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_json_columns_are_read_trimmed_whatever_their_padding(tmp_path: Path, kind: str) -> None:
    """``metadata`` and ``request_tags`` are trimmed of spaces (Unicode ones too) before they are read as
    JSON, and a blank one is absent: only a value that opens and closes with its brackets skips the trim.
    Padding must change nothing a row says; text that is not JSON, padded or not, is quarantined."""
    import csv
    import json

    meta = '{"user_api_key_team_alias": "search"}'
    cases = [  # (request_id, metadata, request_tags)
        ("plain", meta, '["rag"]'),
        ("spaces", f"  {meta}  ", '  ["rag"] '),
        ("unicode-spaces", f"\u00a0{meta}\u3000", '\u2003["rag"]\u00a0'),
        ("blank", "   ", "  "),
        ("bad-braced", "{not json}", '["rag"]'),
        ("bad-padded", "  {not json ", '["rag"]'),
        ("bad-tags", meta, "[rag]"),
    ]
    header = ["request_id", "spend", "prompt_tokens", "completion_tokens", "startTime", "model"]
    header += ["custom_llm_provider", "team_id", "metadata", "request_tags"]
    rows = [
        [rid, "0.1", "10", "1", "2026-09-01 10:00:00", "gpt-4o", "openai", "team-7", m, t]
        for rid, m, t in cases
    ]
    path = tmp_path / f"spendlogs.{kind}"
    with path.open("w", newline="", encoding="utf-8") as fh:
        if kind == "csv":
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
        else:
            fh.writelines(json.dumps(dict(zip(header, r, strict=True))) + "\n" for r in rows)
    con, report = ingest(path)
    assert_accounting(report)
    assert quarantine(con) == {
        5: "metadata not valid JSON",
        6: "metadata not valid JSON",
        7: "request_tags not valid JSON",
    }
    got = canonical_rows(con)
    for rid in ("plain", "spaces", "unicode-spaces"):
        assert (got[f"id:litellm:{rid}"]["workload"], got[f"id:litellm:{rid}"]["team"]) == ("rag", "search")
    # nothing to read: the team falls back to team_id, and with no tag the workload to the team
    assert (got["id:litellm:blank"]["workload"], got["id:litellm:blank"]["team"]) == ("team-7", "team-7")
