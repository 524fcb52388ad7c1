"""The user price file: strict validation with file and key path, and its effect on priced usage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from llm_tco.catalog.price_data import PRICES_FILE_ENV_VAR
from llm_tco.errors import ConfigError
from llm_tco.pricing import load_price_overrides, prepare_pricing, priced_usage_sql
from llm_tco.pricing.overrides import parse_price_overrides
from llm_tco.store.connection import open_store


@pytest.fixture(autouse=True)
def _bundled_prices(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(PRICES_FILE_ENV_VAR, str(tmp_path / "no-saved-update.json"))


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_and_toml_files_load(tmp_path: Path) -> None:
    yaml_file = _write(
        tmp_path,
        "prices.yaml",
        "prices:\n"
        "  - provider: openai\n    model: gpt-4o\n    valid_from: 2025-01-01\n    discount_pct: 15\n"
        "    source: MSA 2025\n"
        "  - model: acme-70b\n    input_mtok: 0.4\n    output_mtok: 1.2\n",
    )
    toml_file = _write(
        tmp_path,
        "prices.toml",
        '[[prices]]\nmodel = "acme-70b"\ninput_mtok = 0.4\noutput_mtok = 1.2\nvalid_to = 2026-01-01\n',
    )
    from_yaml = load_price_overrides(yaml_file)
    assert [e.model for e in from_yaml.entries] == ["gpt-4o", "acme-70b"]
    assert from_yaml.entries[0].discount_pct == Decimal(15)
    assert from_yaml.entries[1].input_mtok == Decimal("0.4")  # floats read as their decimal text
    assert "prices.yaml#prices[0] (MSA 2025)" in from_yaml.label(0)
    assert load_price_overrides(toml_file).entries[0].valid_to is not None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"model": "x", "input_mtok": 1, "output_mtok": 2, "colour": "red"},
            r"prices\[0\]\.colour: Extra inputs",
        ),
        (
            {"model": "x", "discount_pct": 10, "input_mtok": 1},
            r"prices\[0\]: give either discount_pct or explicit",
        ),
        (
            {"model": "x", "input_mtok": 1},
            r"prices\[0\]: give discount_pct, or explicit prices including output_mtok",
        ),
        (
            {"model": "x", "discount_pct": 120},
            r"prices\[0\]\.discount_pct: Input should be less than or equal to 100",
        ),
        (
            {"model": "x", "input_mtok": -1, "output_mtok": 1},
            r"prices\[0\]\.input_mtok: Input should be greater",
        ),
        ({"model": "x", "discount_pct": 5, "valid_from": "2025-02-01", "valid_to": "2025-01-01"}, "valid_to"),
        (
            {"model": "x", "input_mtok": 1, "output_mtok": 2, "cache_write_1h_mtok": 3},
            "needs cache_write_mtok",
        ),
        ({"discount_pct": 5}, r"prices\[0\]\.model: Field required"),
    ],
)
def test_invalid_entries_name_file_and_key_path(entry: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=rf"^my\.yaml: .*{message}"):
        parse_price_overrides({"prices": [entry]}, "my.yaml")


def test_bad_documents(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"bad\.yaml: not valid YAML"):
        load_price_overrides(_write(tmp_path, "bad.yaml", "prices: [\n"))
    with pytest.raises(ConfigError, match=r"list\.yaml: expected a mapping"):
        load_price_overrides(_write(tmp_path, "list.yaml", "- model: x\n"))
    with pytest.raises(ConfigError, match=r"top\.yaml: price: Extra inputs"):
        load_price_overrides(_write(tmp_path, "top.yaml", "price: []\n"))
    with pytest.raises(ConfigError, match="cannot read price file"):
        load_price_overrides(tmp_path / "missing.yaml")


@pytest.fixture
def store() -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_store(":memory:")
    con.execute(
        "INSERT INTO ingested_files (file_id, path, fingerprint, source_format, size_bytes, ingested_at, "
        "rows_read, rows_accepted, rows_quarantined, rows_duplicate) "
        "VALUES (1, 'f', 'x', 't', 0, TIMESTAMP '2026-01-01', 0, 0, 0, 0)"
    )
    for key, provider, model in [(1, "openai", "gpt-4o"), (2, "acme", "acme-70b")]:
        con.execute(
            "INSERT INTO usage_series (series_key, series_id, source_format, provider, model_raw, workload, "
            "batch) VALUES (?, ?, 't', ?, ?, 'w', false)",
            [key, key, provider, model],
        )
    rows = [
        (1, datetime(2024, 12, 31)),
        (1, datetime(2025, 1, 1)),
        (2, datetime(2024, 12, 31)),
        (2, datetime(2025, 3, 1)),
    ]
    for i, (key, ts) in enumerate(rows, start=1):
        con.execute(
            "INSERT INTO usage (series_key, file_id, record_no, record_key, source_record_id, ts_start, "
            "ts_end, "
            "requests, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, "
            "output_tokens, reasoning_tokens) "
            "VALUES (?, 1, ?, ?, 'r', ?, ?, 1, 1000000, 0, 0, 0, 1000000, 0)",
            [key, i, i, ts, ts],
        )
    yield con
    con.close()


def _costs(con: duckdb.DuckDBPyConnection) -> list[tuple[int, Decimal | None]]:
    sql, params = priced_usage_sql(grain="row")
    return [
        (int(k), c)
        for k, c in con.execute(f"SELECT record_key, cost_usd FROM ({sql}) ORDER BY 1", params).fetchall()
    ]


def test_discount_applies_inside_its_dates_and_explicit_prices_add_a_model(
    store: duckdb.DuckDBPyConnection,
) -> None:
    overrides = parse_price_overrides(
        {
            "prices": [
                {"provider": "openai", "model": "gpt-4o", "valid_from": "2025-01-01", "discount_pct": 20},
                {"model": "acme-70b", "valid_from": "2025-01-01", "input_mtok": "0.4", "output_mtok": "1.2"},
            ]
        }
    )
    context = prepare_pricing(store, overrides=overrides)
    assert context.unpriced == ()  # acme-70b is priced by the override
    assert _costs(store) == [
        (1, Decimal("12.5")),  # 1M in at $2.50 + 1M out at $10, before the discount
        (2, Decimal("10.0")),  # 20% off from 2025-01-01
        (3, None),  # before the override's first day, acme-70b has no price: NULL, not 0
        (4, Decimal("1.6")),
    ]
    month_sql, params = priced_usage_sql(grain="month")
    months = store.execute(
        f"SELECT series_key, period, cost_usd, priced FROM ({month_sql}) ORDER BY 1, 2", params
    )
    assert [(k, str(p), c, ok) for k, p, c, ok in months.fetchall()] == [
        (1, "2024-12-01", Decimal("12.5"), True),
        (1, "2025-01-01", Decimal("10.0"), True),
        (2, "2024-12-01", None, False),
        (2, "2025-03-01", Decimal("1.6"), True),
    ]


def test_a_discount_cannot_price_an_unknown_model(store: duckdb.DuckDBPyConnection) -> None:
    context = prepare_pricing(
        store, overrides=parse_price_overrides({"prices": [{"model": "acme-70b", "discount_pct": 10}]})
    )
    assert [(u.model_raw, u.reason) for u in context.unpriced] == [("acme-70b", "unknown provider")]
    assert store.execute(
        "SELECT series_key FROM llm_tco_price_series WHERE price_key IS NULL"
    ).fetchall() == [(2,)]


def test_every_series_gets_its_attribute_sets_key_and_its_windows_floor() -> None:
    """The series table is a join of ``usage_series`` with each pricing attribute set's key and each
    context window's tier floor: series that differ in workload share a key, the batch API has its own
    prices, an unknown model none."""
    con = open_store(":memory:")
    series = [  # key, provider, model, workload, batch, context window
        (1, "openai", "gpt-4o", "a", False, None),
        (2, "openai", "gpt-4o", "b", False, "200k-1M"),
        (3, "openai", "gpt-4o", "c", False, "0-200k"),
        (4, "openai", "gpt-4o", "d", True, "128k+"),
        (5, "openai", "gpt-4o-ultra-unknown", "e", False, "soon"),
        (6, "anthropic", "claude-sonnet-4-5", "a", False, "200k-1M"),
    ]
    for key, provider, model, workload, batch, window in series:
        con.execute(
            "INSERT INTO usage_series (series_key, series_id, source_format, provider, model_raw, workload, "
            "batch, context_window) VALUES (?, ?, 't', ?, ?, ?, ?, ?)",
            [key, key, provider, model, workload, batch, window],
        )
    context = prepare_pricing(con)
    got = {
        k: (p, f)
        for k, p, f in con.execute(
            "SELECT series_key, price_key, unknown_requests_floor_tokens FROM llm_tco_price_series"
        ).fetchall()
    }
    assert sorted(got) == [1, 2, 3, 4, 5, 6]
    assert [got[k][1] for k in range(1, 7)] == [None, 200_000, 0, 128_000, None, 200_000]
    assert got[1][0] == got[2][0] == got[3][0] is not None
    assert len({got[1][0], got[4][0], got[6][0]}) == 3  # batch prices, and another model's
    assert got[5][0] is None
    assert [(u.provider, u.model_raw) for u in context.unpriced] == [("openai", "gpt-4o-ultra-unknown")]
