"""FinOps FOCUS 1.2 export (FORMATS.md 12): token SKUs as usage, other AI charges as reported cost.

Convention: one FOCUS row is one token type; cached input and cache writes are parts of the input, so a
"Cached Input Tokens" row of N tokens is a canonical row with input N and cache read N.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from _formats import DATA, assert_accounting, canonical_rows, ingest, one, quarantine, reported_costs, tokens

FOCUS = DATA / "focus"


def test_token_rows_are_usage_and_other_ai_rows_reported_cost() -> None:
    con, report = ingest(FOCUS / "focus_1_2_export.csv")
    assert_accounting(report)
    assert report.files[0].format == "focus"
    assert (report.read, report.accepted, report.reported) == (3, 3, 1)
    assert any("outside 'AI and Machine Learning'" in n for n in report.files[0].notes)  # the EC2 row
    rows = canonical_rows(con)
    inp = one(rows, reported_cost_usd=Decimal("2.25"))
    assert tokens(inp) == (1_000_000, 0, 0, 0, 0, 0)  # ConsumedQuantity 1000000 Tokens
    assert (inp["model_raw"], inp["provider"], inp["workload"], inp["project"]) == (
        "gpt-4o-2024-08-06",
        "openai",
        "support-chat",
        "proj_abc",
    )
    assert (inp["ts_start"], inp["ts_end"], inp["requests"]) == (
        datetime(2026, 9, 1),
        datetime(2026, 9, 2),
        None,
    )
    cached = one(rows, reported_cost_usd=Decimal("0.225"))
    assert tokens(cached) == (200_000, 200_000, 0, 0, 0, 0)
    out = one(rows, reported_cost_usd=Decimal("4.5"))
    assert tokens(out) == (0, 0, 0, 0, 500_000, 0)  # no ConsumedQuantity: PricingQuantity 0.5 × "1M Tokens"
    details = con.execute(
        "SELECT billed_cost_usd, list_cost_usd FROM usage_cost_details ORDER BY billed_cost_usd"
    ).fetchall()
    assert details == [
        (Decimal("0.25"), Decimal("0.25")),
        (Decimal("2.5"), Decimal("2.5")),
        (Decimal("5"), Decimal("5")),
    ]  # BilledCost kept beside EffectiveCost
    [credit] = reported_costs(con)
    assert (credit["amount_usd"], credit["billed_usd"], credit["charge_category"], credit["line_item"]) == (
        Decimal("-1"),
        Decimal("-1"),
        "Credit",
        "Promotional credit",
    )


def test_malformed_focus_rows_are_quarantined_with_reasons() -> None:
    con, report = ingest(FOCUS / "malformed" / "bad_focus.csv")
    assert_accounting(report)
    reasons = quarantine(con)
    assert reasons[1] == "BillingCurrency 'EUR' is not USD"
    assert reasons[2] == "unknown token type in SkuMeter 'Mystery Tokens'"
    assert reasons[3] == "non-numeric input_tokens 'lots'"
    assert reasons[4] == "reported cost: non-numeric billed cost 'abc'"
    assert reasons[5].startswith("reported cost: unreadable record")
