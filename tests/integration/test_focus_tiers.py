"""The FOCUS export follows each model's own long-context tier boundary, and round-trips to zero.

gemini-1.5-pro (google) is tiered at 128k input tokens per request in the price data: $1.25 input and $5
output per million tokens up to 128,000, $2.50 and $10 above (genai-prices' strict "above the threshold"
cliff: exactly 128,000 is still the base price). A 200k boundary would price a 150k-token request at
half its price. Expected costs below are worked by hand from those published prices.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from llm_tco.pricing.table import unknown_requests_floor

_MTOK = Decimal(1_000_000)
_BASE_IN, _BASE_OUT = Decimal("1.25") / _MTOK, Decimal("5") / _MTOK
_LONG_IN, _LONG_OUT = Decimal("2.50") / _MTOK, Decimal("10") / _MTOK

# (request id, input tokens, output tokens): one long request, one short, one exactly at the boundary
_REQUESTS = [("r1", 150_000, 1_000), ("r2", 10_000, 500), ("r3", 128_000, 0)]
_LONG_COST = 150_000 * _LONG_IN + 1_000 * _LONG_OUT  # 0.375 + 0.01
_BASE_COST = 10_000 * _BASE_IN + 500 * _BASE_OUT + 128_000 * _BASE_IN  # 0.0125 + 0.0025 + 0.16


def _usage(path: Path) -> Path:
    lines = ["request_id,timestamp,provider,model,prompt_tokens,completion_tokens"]
    lines += [
        f"{rid},2026-09-0{i + 1}T10:00:00Z,google,gemini-1.5-pro,{inp},{out}"
        for i, (rid, inp, out) in enumerate(_REQUESTS)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


def test_focus_export_at_a_128k_tier_round_trips_to_zero(tmp_path: Path, cli: Any) -> None:
    assert (Decimal("0.385"), Decimal("0.175")) == (_LONG_COST, _BASE_COST)
    focus = tmp_path / "focus.csv"
    first = cli(
        "audit", _usage(tmp_path / "u.csv"), "--db", tmp_path / "a.duckdb", "--export-focus", focus, "--json"
    )
    assert first.code == 0, first.err
    assert _money(first.json()["totals"]["cost_usd"]) == _LONG_COST + _BASE_COST

    with focus.open(newline="") as f:
        rows = list(csv.DictReader(f))
    by_band: dict[str, Decimal] = {}
    tokens: dict[tuple[str, str], int] = {}
    for row in rows:
        by_band[row["x_ContextWindow"]] = by_band.get(row["x_ContextWindow"], Decimal(0)) + _money(
            row["ListCost"]
        )
        tokens[(row["x_ContextWindow"], row["x_TokenType"])] = int(row["ConsumedQuantity"])
    assert by_band == {"128k+": _LONG_COST, "0-128k": _BASE_COST}
    assert tokens == {
        ("128k+", "input"): 150_000,
        ("128k+", "output"): 1_000,
        ("0-128k", "input"): 138_000,
        ("0-128k", "output"): 500,
    }

    back = cli("audit", focus, "--db", tmp_path / "b.duckdb", "--reconcile", "--json")
    assert back.code == 0, back.err
    doc = back.json()
    assert _money(doc["totals"]["cost_usd"]) == _LONG_COST + _BASE_COST
    [month] = [r for r in doc["reconciliation"] if r["model"] is None]
    assert _money(month["reported_cost_usd"]) == _LONG_COST + _BASE_COST
    assert _money(month["difference_usd"]) == 0
    assert all(_money(p["amount_usd"]) == 0 for p in month["explained"])


@pytest.mark.parametrize(
    ("label", "floor"),
    [("0-128k", 0), ("128k+", 128_000), ("128k-272k", 128_000), ("200k-1M", 200_000), ("524288+", 524_288)],
)
def test_context_window_labels_read_back_as_their_lower_bound(label: str, floor: int) -> None:
    assert unknown_requests_floor(label) == floor


def test_a_model_without_long_context_prices_has_no_context_window(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "u.csv"
    path.write_text(
        "request_id,timestamp,provider,model,prompt_tokens,completion_tokens\n"
        "r1,2026-09-01T10:00:00Z,openai,gpt-4o-mini,300000,0\n"
    )
    focus = tmp_path / "focus.csv"
    assert cli("audit", path, "--db", tmp_path / "a.duckdb", "--export-focus", focus, "--json").code == 0
    with focus.open(newline="") as f:
        [row] = list(csv.DictReader(f))
    assert row["x_ContextWindow"] == ""
    assert _money(row["ListCost"]) == 300_000 * Decimal("0.15") / _MTOK  # gpt-4o-mini: $0.15 / M input


def test_a_vendor_price_for_a_128k_band_is_explained_as_a_tier_difference(tmp_path: Path, cli: Any) -> None:
    """A FOCUS file charging $2.00 per million input tokens above 128k where the published price is
    $2.50: the difference is named as a price-tier difference, not left unexplained."""
    focus = tmp_path / "vendor_focus.csv"
    columns = {
        "BilledCost": "2.00",
        "EffectiveCost": "2.00",
        "ListCost": "2.00",
        "BillingCurrency": "USD",
        "ChargeCategory": "Usage",
        "ChargePeriodStart": "2026-09-01T00:00:00Z",
        "ChargePeriodEnd": "2026-10-01T00:00:00Z",
        "ConsumedQuantity": "1000000",
        "ConsumedUnit": "Tokens",
        "ProviderName": "google",
        "ServiceCategory": "AI and Machine Learning",
        "SkuMeter": "Input Tokens",
        "x_Model": "gemini-1.5-pro",
        "x_ContextWindow": "128k+",
    }
    with focus.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns))
        writer.writeheader()
        writer.writerow(columns)
    result = cli("audit", focus, "--db", ":memory:", "--reconcile", "--json")
    assert result.code == 0, result.err
    [month] = [r for r in result.json()["reconciliation"] if r["model"] is None]
    computed = 1_000_000 * _LONG_IN  # 2.50: the long-context price
    assert _money(month["computed_cost_usd"]) == computed
    parts = {p["part"]: _money(p["amount_usd"]) for p in month["explained"] if _money(p["amount_usd"])}
    assert parts == {"price_tier_differences": Decimal("2.00") - computed}
