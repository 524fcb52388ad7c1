"""Anthropic Admin API usage report and cost report (FORMATS.md 4.1, 4.2).

Convention: Anthropic's input is exclusive of cache, so the canonical (inclusive) input is
uncached + cache read + 5m cache write + 1h cache write; the report has no request count.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from _formats import DATA, assert_accounting, canonical_rows, ingest, one, quarantine, reported_costs, tokens

USAGE = DATA / "anthropic_usage" / "messages_usage_report.json"


def test_usage_report_rows_follow_the_exclusive_convention() -> None:
    con, report = ingest(USAGE)
    assert report.files[0].format == "anthropic-usage"
    assert (report.read, report.accepted) == (3, 3)  # the middle bucket is empty
    assert any("no request counts" in n for n in report.files[0].notes)
    rows = canonical_rows(con)
    documented = one(rows, project="wrkspc_support")
    # input = uncached 1200 + cache read 9000 + 5m write 300 + 1h write 0 = 10500
    assert tokens(documented) == (10500, 9000, 300, 0, 850, 0)
    assert documented["requests"] is None
    assert (documented["ts_start"], documented["ts_end"]) == (datetime(2026, 9, 1), datetime(2026, 9, 2))
    assert (documented["provider"], documented["model_raw"]) == ("anthropic", "claude-sonnet-4-5-20250929")
    assert (documented["workload"], documented["context_window"], documented["service_tier"]) == (
        "wrkspc_support",
        "0-200k",
        "standard",
    )
    assert documented["batch"] is False
    long = one(rows, project="wrkspc_research")
    # input = uncached 250000 + cache read 0 + 5m write 0 + 1h write 40000 = 290000
    assert tokens(long) == (290000, 0, 40000, 40000, 4000, 0)
    assert (long["context_window"], long["batch"], long["region"], long["api_key_id"]) == (
        "200k-1M",
        True,
        "us",
        "apikey_01",
    )
    default_workspace = one(rows, model_raw="claude-haiku-4-5-20251001")
    assert tokens(default_workspace) == (40, 0, 0, 0, 12, 0)
    # The default workspace (workspace_id null) has no workload key: the model is the workload.
    assert (default_workspace["workload"], default_workspace["region"]) == (
        "claude-haiku-4-5-20251001",
        "global",
    )


def test_malformed_usage_rows_are_quarantined_with_reasons() -> None:
    con, report = ingest(DATA / "anthropic_usage" / "malformed")
    assert_accounting(report)
    assert quarantine(con) == {
        1: "non-numeric input_tokens '1,200'",
        2: "missing input_tokens",
        3: "non-numeric cache_write_tokens 'five'",
        4: "result names no model (export the usage report with group_by=model to price it)",
    }


def test_cost_report_amounts_are_cents_and_become_reported_cost_records() -> None:
    con, report = ingest(DATA / "anthropic_costs" / "cost_report.json")
    assert_accounting(report)
    assert report.files[0].format == "anthropic-costs"
    assert (report.read, report.reported) == (0, 2)
    costs = reported_costs(con)
    # "123.45" cents = $1.2345; "0.5" cents = $0.005
    assert [(c["amount_usd"], c["line_item"], c["model_raw"], c["workload"]) for c in costs] == [
        (
            Decimal("1.2345"),
            "Claude Sonnet 4.5 Usage - Input Tokens",
            "claude-sonnet-4-5-20250929",
            "wrkspc_support",
        ),
        (Decimal("0.005"), "web_search", None, "wrkspc_support"),
    ]
