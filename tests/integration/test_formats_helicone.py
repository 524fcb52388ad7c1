"""Helicone request export (FORMATS.md 10): JSON lines and CSV.

Convention: prompt_tokens keeps the provider's meaning — inclusive for OpenAI, exclusive of
prompt_cache_read/write_tokens for Anthropic (and whenever the cache parts exceed it).
"""

from __future__ import annotations

from decimal import Decimal

from _formats import DATA, assert_accounting, canonical_rows, ingest, quarantine, tokens

HELICONE = DATA / "helicone"


def test_request_export_rows() -> None:
    con, report = ingest(HELICONE / "requests_export.jsonl", HELICONE / "requests_export.csv")
    assert [f.format for f in report.files] == ["helicone", "helicone"]
    assert (report.read, report.accepted) == (4, 4)
    rows = canonical_rows(con)
    openai = rows["id:helicone:hc-0001"]
    assert tokens(openai) == (3000, 2048, 0, 0, 250, 0)  # OpenAI: prompt 3000 includes 2048 cached
    assert (openai["workload"], openai["user"], openai["reported_cost_usd"]) == (
        "support-chat",
        "user-7",
        Decimal("0.00069"),
    )
    anthropic = rows["id:helicone:hc-0002"]
    # Anthropic: prompt 120 is uncached; input = 120 + cache read 6000 + cache write 1000 = 7120
    assert tokens(anthropic) == (7120, 6000, 1000, 0, 80, 0)
    assert anthropic["workload"] == "claude-sonnet-4-5-20250929"  # no workload property: the model
    failed = rows["id:helicone:hc-0003"]
    assert tokens(failed) == (0, 0, 0, 0, 0, 0) and failed["requests"] == 1
    csv_row = rows["id:helicone:hc-0100"]
    assert tokens(csv_row) == (500, 0, 0, 0, 50, 0)
    assert csv_row["workload"] == "search"  # Helicone-Property-Workload


def test_malformed_export_rows_are_quarantined_with_reasons() -> None:
    con, report = ingest(HELICONE / "malformed" / "bad_export.json")
    assert_accounting(report)
    assert quarantine(con) == {
        1: "negative input_tokens (-5)",
        2: "unparseable timestamp 'not a date'",
        3: "non-integer input_tokens (5.5)",
        4: "non-numeric reported cost 'free'",
    }
