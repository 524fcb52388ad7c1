"""Bad input from the user or the environment is exit 2 with one line naming what is wrong, never an
internal error (exit 3): price files, configuration files, ``--fail-on``, ``LLM_TCO_NOW``, the audit
window and ``--max-tokens-per-request``. A byte-order mark at the start of a file is not an error."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

# gpt-4o-mini: $0.15 input and $0.60 output per million tokens
_USAGE = "timestamp,model,prompt_tokens,completion_tokens\n2026-09-01T00:00:00Z,gpt-4o-mini,100,10\n"
_LIST_COST = (100 * Decimal("0.15") + 10 * Decimal("0.60")) / Decimal(1_000_000)
_BOM = b"\xef\xbb\xbf"


def _usage(tmp_path: Path) -> Path:
    path = tmp_path / "usage.csv"
    path.write_text(_USAGE)
    return path


def _one_line_error(result: Any, *needles: str) -> None:
    assert result.code == 2, (result.code, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("llm-tco: error: "), result.err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert "internal error" not in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("huge.yaml", b"prices:\n  - model: gpt-4o-mini\n    input_mtok: 1e300\n    output_mtok: 1\n"),
        ("huge.toml", b'[[prices]]\nmodel = "gpt-4o-mini"\ninput_mtok = 1e300\noutput_mtok = 1\n'),
        ("dear.yaml", b"prices:\n  - model: gpt-4o-mini\n    input_mtok: 10000.01\n    output_mtok: 1\n"),
        ("nan.yaml", b"prices:\n  - model: gpt-4o-mini\n    input_mtok: .nan\n    output_mtok: 1\n"),
    ],
)
def test_price_file_with_an_absurd_price_is_exit_2_naming_the_key(
    tmp_path: Path, cli: Any, name: str, body: bytes
) -> None:
    prices = tmp_path / name
    prices.write_bytes(body)
    result = cli("audit", _usage(tmp_path), "--db", ":memory:", "--prices", prices)
    _one_line_error(result, str(prices), "prices[0].input_mtok")


def test_price_file_that_is_not_utf8_is_exit_2(tmp_path: Path, cli: Any) -> None:
    prices = tmp_path / "latin1.yaml"
    prices.write_bytes(b'prices:\n  - model: gpt-4o-mini\n    discount_pct: 10\n    source: "caf\xe9"\n')
    result = cli("audit", _usage(tmp_path), "--db", ":memory:", "--prices", prices)
    _one_line_error(result, str(prices), "not UTF-8", "0xe9")


def test_price_file_nested_too_deeply_is_exit_2(tmp_path: Path, cli: Any) -> None:
    prices = tmp_path / "deep.yaml"
    prices.write_text("prices: " + "[" * 50_000 + "]" * 50_000 + "\n")
    _one_line_error(cli("audit", _usage(tmp_path), "--db", ":memory:", "--prices", prices), str(prices))


def test_price_file_with_a_byte_order_mark_is_read(tmp_path: Path, cli: Any) -> None:
    prices = tmp_path / "bom.yaml"
    prices.write_bytes(_BOM + b"prices:\n  - model: gpt-4o-mini\n    discount_pct: 10\n")
    result = cli("audit", _usage(tmp_path), "--db", ":memory:", "--prices", prices, "--json")
    assert result.code == 0, result.err
    assert Decimal(str(result.json()["totals"]["cost_usd"])) == _LIST_COST * Decimal("0.9")


def test_a_price_at_the_documented_maximum_is_accepted(tmp_path: Path, cli: Any) -> None:
    prices = tmp_path / "max.yaml"
    prices.write_text(
        "prices:\n  - model: gpt-4o-mini\n    input_mtok: 10000\n    output_mtok: 0\n"
        "    requests_kcount: 1000000\n"
    )
    result = cli("audit", _usage(tmp_path), "--db", ":memory:", "--prices", prices, "--json")
    assert result.code == 0, result.err
    # 100 input tokens at a cent each, plus one request at $1,000
    assert Decimal(str(result.json()["totals"]["cost_usd"])) == Decimal("1001")


@pytest.mark.parametrize("amount", ["nan", "NaN", "inf", "-inf", "Infinity", "sNaN"])
def test_fail_on_savings_above_a_non_finite_amount_is_exit_2(tmp_path: Path, cli: Any, amount: str) -> None:
    result = cli("plan", "--db", tmp_path / "s.duckdb", "--fail-on", f"savings-above={amount}")
    _one_line_error(result, f"savings-above={amount}", "finite")


def test_fail_on_savings_above_a_negative_amount_is_exit_2(tmp_path: Path, cli: Any) -> None:
    result = cli("plan", "--db", tmp_path / "s.duckdb", "--fail-on", "savings-above=-5")
    _one_line_error(result, "savings-above=-5", "negative")


def test_configuration_nested_too_deeply_is_exit_2(tmp_path: Path, cli: Any) -> None:
    config = tmp_path / "deep.toml"
    config.write_text("a = " + "[" * 50_000 + "]" * 50_000 + "\n")
    _one_line_error(cli("audit", _usage(tmp_path), "--db", ":memory:", "--config", config), str(config))
    _one_line_error(cli("plan", "--db", tmp_path / "s.duckdb", "--config", config), str(config))


def test_configuration_that_is_not_utf8_is_exit_2(tmp_path: Path, cli: Any) -> None:
    config = tmp_path / "latin1.toml"
    config.write_bytes(b'[[attribution]]\nmodel = "gpt-4o-mini"\nworkload = "caf\xe9"\n')
    result = cli("audit", _usage(tmp_path), "--db", ":memory:", "--config", config)
    _one_line_error(result, str(config), "not UTF-8")


def test_configuration_with_a_byte_order_mark_is_read(tmp_path: Path, cli: Any) -> None:
    config = tmp_path / "llm-tco.toml"
    config.write_bytes(_BOM + b'[[attribution]]\nmodel = "gpt-4o-mini"\nworkload = "from-the-bom-file"\n')
    result = cli("audit", _usage(tmp_path), "--db", ":memory:", "--config", config, "--json")
    assert result.code == 0, result.err
    assert [w["workload"] for w in result.json()["by_workload"]] == ["from-the-bom-file"]


def test_a_garbage_llm_tco_now_is_exit_2_naming_the_variable(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_TCO_NOW", "garbage")
    db = tmp_path / "s.duckdb"
    _one_line_error(cli("audit", _usage(tmp_path), "--db", db), "LLM_TCO_NOW", "garbage")
    assert not db.exists()  # refused before the store was opened


@pytest.mark.parametrize(
    ("since", "until", "relation"),
    [("2026-10-01", "2026-09-01", "is after"), ("2026-09", "2026-09-01", "is the same as")],
)
def test_an_empty_window_is_exit_2_and_ingests_nothing(
    tmp_path: Path, cli: Any, since: str, until: str, relation: str
) -> None:
    db = tmp_path / "s.duckdb"
    result = cli("audit", _usage(tmp_path), "--db", db, "--since", since, "--until", until)
    _one_line_error(result, f"--since {since} {relation} --until {until}")
    assert not db.exists()  # refused before the store was opened


def test_a_window_in_order_is_accepted(tmp_path: Path, cli: Any) -> None:
    args = ("--since", "2026-09", "--until", "2026-10", "--json")
    result = cli("audit", _usage(tmp_path), "--db", ":memory:", *args)
    assert result.code == 0, result.err
    assert json.loads(result.out)["totals"]["input_tokens"] == 100


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_max_tokens_per_request_below_one_is_exit_2(tmp_path: Path, cli: Any, limit: str) -> None:
    result = cli("audit", _usage(tmp_path), "--db", ":memory:", "--max-tokens-per-request", limit)
    _one_line_error(result, f"--max-tokens-per-request {limit}")
