"""Reconciliation (computed vs reported cost, explained in named parts) and the FOCUS 1.2 export.

Expected computed costs come from genai-prices' own ``calc_price`` (the independent oracle the pricing
tests also use): gpt-4o-mini input is $0.15 per million tokens, $0.075 in batch from Oct 2026.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from _formats import DATA, ingest
from genai_prices import Usage, calc_price

from llm_tco.audit.focus import FOCUS_COLUMNS, export_focus
from llm_tco.audit.reconcile import NO_MODEL, PARTS, ReconciliationRow, reconcile


def _calc(tokens: int, when: datetime, **context: str) -> Decimal:
    return Decimal(
        str(
            calc_price(
                Usage(input_tokens=tokens),
                "gpt-4o-mini",
                provider_id="openai",
                genai_request_timestamp=when,
                price_context=context or None,
            ).total_price
        )
    )


def _parts(row: ReconciliationRow) -> dict[str, Decimal]:
    assert [e.part for e in row.explained] == list(PARTS)  # every part, unexplained last
    assert sum(e.amount_usd for e in row.explained) == row.difference_usd  # exactly
    assert row.difference_usd == row.reported_cost_usd - row.computed_cost_usd
    return {e.part: e.amount_usd for e in row.explained if e.amount_usd}


def _litellm(path: Path, rows: list[tuple[str, str, int, str]]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "request_id",
                "spend",
                "prompt_tokens",
                "completion_tokens",
                "startTime",
                "model",
                "custom_llm_provider",
                "metadata",
            ]
        )
        for rid, model, prompt, spend in rows:
            w.writerow([rid, spend, prompt, 0, "2026-09-05 10:00:00", model, "openai", "{}"])
    return path


def _otel(path: Path, tokens: int) -> Path:
    attrs = [
        {"key": "gen_ai.provider.name", "value": {"stringValue": "openai"}},
        {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}},
        {"key": "gen_ai.usage.input_tokens", "value": {"intValue": str(tokens)}},
        {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "0"}},
    ]
    span = {"traceId": "aa", "spanId": "01", "startTimeUnixNano": "1788602400000000000", "attributes": attrs}
    path.write_text(
        json.dumps({"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": [span]}]}]})
    )
    return path


def test_row_level_costs_unpriced_models_uncovered_usage_and_rounding(tmp_path: Path) -> None:
    when = datetime(2026, 9, 5, tzinfo=UTC)
    one_m = _calc(1_000_000, when)  # 0.15
    two_m = _calc(2_000_000, when)  # 0.30
    litellm = _litellm(
        tmp_path / "spend.csv",
        [
            (
                "r1",
                "gpt-4o-mini",
                1_000_000,
                str(one_m + Decimal("0.0000004")),
            ),  # the source rounds its figure
            ("r2", "acme-unknown-7b", 5000, "0.5"),  # no price for this model
        ],
    )
    con, _ = ingest(litellm, _otel(tmp_path / "spans.json", 2_000_000))  # the spans carry no cost
    [row] = reconcile(con)
    assert (row.provider, row.month, row.model) == ("openai", "2026-09", None)
    assert row.computed_cost_usd == one_m + two_m
    assert row.reported_cost_usd == one_m + Decimal("0.0000004") + Decimal("0.5")
    assert _parts(row) == {
        "unpriced_models": Decimal("0.5"),
        "usage_without_reported_cost": -two_m,
        "rounding": Decimal("0.0000004"),
    }
    assert row.reported_records == 2


def _page(path: Path, results: list[dict[str, object]], start: int, obj: str) -> Path:
    path.write_text(
        json.dumps(
            {
                "object": "page",
                "data": [
                    {
                        "object": "bucket",
                        "start_time": start,
                        "end_time": start + 86400,
                        "results": [{"object": obj, **r} for r in results],
                    }
                ],
                "has_more": False,
                "next_page": None,
            }
        )
    )
    return path


def test_costs_api_against_usage_api_credits_and_non_token_charges(tmp_path: Path) -> None:
    oct_1 = 1790812800  # 2026-10-01T00:00:00Z
    when = datetime(2026, 10, 1, tzinfo=UTC)
    usage = _page(
        tmp_path / "usage.json",
        [
            {
                "input_tokens": 1_000_000,
                "output_tokens": 0,
                "num_model_requests": 40,
                "model": "gpt-4o-mini-2024-07-18",
            }
        ],
        oct_1,
        "organization.usage.completions.result",
    )
    costs = _page(
        tmp_path / "costs.json",
        [
            {
                "amount": {"value": float(_calc(1_000_000, when) + Decimal("0.003")), "currency": "usd"},
                "line_item": "gpt-4o-mini-2024-07-18, input",
            },
            {"amount": {"value": 0.2, "currency": "usd"}, "line_item": "web_search_calls"},
            {"amount": {"value": -0.1, "currency": "usd"}, "line_item": "credit"},
        ],
        oct_1,
        "organization.costs.result",
    )
    con, report = ingest(usage, costs)
    assert report.reported == 3
    rows = reconcile(con, by_model=True)
    [total] = [r for r in rows if r.model is None]
    assert total.computed_cost_usd == _calc(1_000_000, when)
    assert _parts(total) == {
        "non_token_charges": Decimal("0.2"),
        "discounts_credits": Decimal("-0.1"),
        "rounding": Decimal("0.003"),  # within half a cent per cost record
    }
    by_model = {r.model: r for r in rows if r.model is not None}
    assert set(by_model) == {"gpt-4o-mini", NO_MODEL}
    assert by_model["gpt-4o-mini"].difference_usd == Decimal("0.003")
    assert by_model[NO_MODEL].computed_cost_usd == 0


def _focus(path: Path, rows: list[dict[str, str]]) -> Path:
    cols = [
        "BilledCost",
        "EffectiveCost",
        "ListCost",
        "BillingCurrency",
        "ChargeCategory",
        "ChargePeriodStart",
        "ChargePeriodEnd",
        "ConsumedQuantity",
        "ConsumedUnit",
        "ProviderName",
        "ServiceCategory",
        "SkuMeter",
        "x_Model",
        "x_ServiceTier",
    ]
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow(
                {
                    "BillingCurrency": "USD",
                    "ChargeCategory": "Usage",
                    "ChargePeriodStart": "2026-11-01T00:00:00Z",
                    "ChargePeriodEnd": "2026-11-02T00:00:00Z",
                    "ConsumedUnit": "Tokens",
                    "ProviderName": "OpenAI",
                    "ServiceCategory": "AI and Machine Learning",
                    "SkuMeter": "Input Tokens",
                    "x_Model": "gpt-4o-mini",
                    **r,
                }
            )
    return path


def test_focus_discounts_against_list_cost_and_tier_differences(tmp_path: Path) -> None:
    when = datetime(2026, 11, 1, tzinfo=UTC)
    list_cost = _calc(1_000_000, when)  # 0.15
    focus = _focus(
        tmp_path / "focus.csv",
        [
            {
                "ConsumedQuantity": "1000000",
                "ListCost": str(list_cost),
                "EffectiveCost": str(list_cost * Decimal("0.9")),
                "BilledCost": str(list_cost),
            },  # a 10% commitment discount
            {
                "ConsumedQuantity": "1000000",
                "ListCost": "0.05",
                "EffectiveCost": "0.05",
                "BilledCost": "0.05",
                "x_ServiceTier": "batch",
            },
        ],
    )
    con, _ = ingest(focus)
    [row] = reconcile(con)
    batch = _calc(1_000_000, when, processing="batch")  # 0.075
    assert row.computed_cost_usd == list_cost + batch
    assert _parts(row) == {
        "discounts_credits": -list_cost * Decimal("0.1"),
        "price_tier_differences": Decimal("0.05") - batch,
    }


def test_provider_months_without_reported_cost_are_not_reconciled() -> None:
    con, _ = ingest(DATA / "otel" / "traces.json")
    assert reconcile(con) == []


def test_focus_export_round_trips_tokens_and_cost(tmp_path: Path) -> None:
    sources = [
        DATA / "openai_usage" / "pages",
        DATA / "litellm" / "spendlogs_export.csv",
        DATA / "anthropic_usage" / "messages_usage_report.json",
        DATA / "bedrock" / "invocations.jsonl.gz",
    ]
    con, _ = ingest(*sources)
    out = tmp_path / "focus.csv"
    result = export_focus(con, out)
    with out.open(newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == FOCUS_COLUMNS
        exported = list(reader)
    assert result.rows == len(exported) > 0
    assert all(r["BilledCost"] == r["EffectiveCost"] == r["ListCost"] for r in exported)
    assert {r["ChargeCategory"] for r in exported} == {"Usage"}
    assert {r["ServiceCategory"] for r in exported} == {"AI and Machine Learning"}
    assert {r["PricingUnit"] for r in exported} <= {"1000000 Tokens", "Requests"}
    priced = con.execute(
        "SELECT sum(input_tokens), sum(output_tokens) FROM usage_rows WHERE model IS NOT NULL"
    )
    expected_tokens = priced.fetchone()
    back, report = ingest(out)
    assert report.rejected == [] and report.quarantined == 0
    assert (
        back.execute("SELECT sum(input_tokens), sum(output_tokens) FROM usage_rows").fetchone()
        == expected_tokens
    )
    for row in reconcile(back):  # reported (the exported cost) equals the recomputed cost
        assert row.difference_usd == 0, row


def test_focus_export_leaves_unpriced_usage_out(tmp_path: Path) -> None:
    con, _ = ingest(_litellm(tmp_path / "spend.csv", [("r1", "acme-unknown-7b", 5000, "0.5")]))
    result = export_focus(con, tmp_path / "focus.csv")
    assert (result.rows, result.unpriced_groups) == (0, 1)
    with (tmp_path / "focus.csv").open() as f:
        assert tuple(next(csv.reader(f))) == FOCUS_COLUMNS and next(f, None) is None  # header only
