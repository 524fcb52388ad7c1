"""``llm-tco plan`` with the user's own numbers, end to end on a real DuckDB store: ``--prices`` (the audit's
price file), ``[capacity] measured`` read relative to the configuration file, and an overflowing horizon
refused with exit 2.

The store: ``chat`` (openai gpt-4o, one request of 1,000 + 200 tokens every 10 minutes, August–October
2026) and ``private`` (a model no price list knows, 100 + 10 tokens a day).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from llm_tco.store import open_store

_USAGE = """INSERT INTO usage (series_key, file_id, record_no, record_key, source_record_id, ts_start, ts_end,
       requests, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens,
       reasoning_tokens)"""


@pytest.fixture
def store(tmp_path: Path) -> str:
    path = str(tmp_path / "plan.duckdb")
    con = open_store(path)
    con.execute(
        "INSERT INTO ingested_files (file_id, path, fingerprint, source_format, size_bytes, ingested_at,"
        " rows_read, rows_accepted, rows_quarantined, rows_duplicate)"
        " VALUES (1, 'synthetic.csv', 'f', 'test', 0, TIMESTAMP '2026-11-01', 0, 0, 0, 0)"
    )
    for key, provider, raw, model, workload in (
        (1, "openai", "gpt-4o", "gpt-4o", "chat"),
        (2, "openai", "acme-private-70b", None, "private"),
    ):
        con.execute(
            "INSERT INTO usage_series (series_key, series_id, source_format, provider, model_raw, model,"
            " workload, batch) VALUES (?, ?, 'test', ?, ?, ?, ?, false)",
            [key, key, provider, raw, model, workload],
        )
    con.execute(
        _USAGE
        + """ SELECT 1, 1, i + 1, i, 'c' || i, TIMESTAMP '2026-08-01' + i * INTERVAL 10 MINUTE,
               TIMESTAMP '2026-08-01' + i * INTERVAL 10 MINUTE, 1, 1000, 0, 0, 0, 200, 0
           FROM range(0, 92 * 144) t(i)"""
    )
    con.execute(
        _USAGE
        + """ SELECT 2, 1, 100000 + d, 100000 + d, 'p' || d, TIMESTAMP '2026-08-01' + d * INTERVAL 1 DAY,
               TIMESTAMP '2026-08-01' + d * INTERVAL 1 DAY, 1, 100, 0, 0, 0, 10, 0
           FROM range(0, 92) t(d)"""
    )
    con.close()
    return path


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _workloads(doc: Any) -> dict[str, Any]:
    return {w["workload"]: w for w in doc["workloads"]}


def _stay(plan: Any) -> Any:
    return next(o for o in plan["options"] if o["id"] == "stay")


def test_prices_file_prices_today_and_the_api_options_as_the_audit_does(
    tmp_path: Path, store: str, cli: Any
) -> None:
    config = _write(tmp_path / "llm-tco.toml", "")
    prices = _write(
        tmp_path / "prices.yaml",
        "prices:\n"
        "  - provider: openai\n    model: gpt-4o\n    discount_pct: 20\n    source: MSA\n"
        "  - model: acme-private-70b\n    input_mtok: 1.0\n    output_mtok: 2.0\n",
    )
    plain = _workloads(cli("plan", "--db", store, "--json", "--config", config).json())
    result = cli("plan", "--db", store, "--json", "--config", config, "--prices", prices)
    assert result.code == 0, result.err
    doc = result.json()
    assert str(prices) in doc["price_data"]
    ours = _workloads(doc)
    # 20% off every gpt-4o rate: today's cost and staying both cost 0.8× the list price.
    chat, chat_list = ours["chat"], plain["chat"]
    assert Decimal(chat["current_monthly_cost_usd"]) == pytest.approx(
        Decimal("0.8") * Decimal(chat_list["current_monthly_cost_usd"]), rel=Decimal("1e-9")
    )
    assert Decimal(_stay(chat)["monthly_cost_usd"]) == pytest.approx(
        Decimal("0.8") * Decimal(_stay(chat_list)["monthly_cost_usd"]), rel=Decimal("1e-6")
    )
    # The private model is unpriced on list prices, priced by the file: 10 input tokens to 1 output, at
    # $1 and $2 per 1M, cost (10/11 × 1 + 1/11 × 2) = 12/11 dollars per million tokens.
    assert plain["private"]["current_monthly_cost_usd"] is None
    private = ours["private"]
    expected = Decimal(str(private["monthly_tokens"])) * Decimal(12) / Decimal(11) / Decimal(1_000_000)
    assert Decimal(private["current_monthly_cost_usd"]) == pytest.approx(expected, rel=Decimal("1e-3"))
    assert _stay(private)["monthly_cost_usd"] is not None
    assert "private" not in doc["totals"]["workloads_unpriced"]


def test_measured_file_is_read_relative_to_the_configuration(tmp_path: Path, store: str, cli: Any) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    _write(
        folder / "mine.csv",
        "id,model,gpu,num_gpus,tp,precision,engine,input_len,output_len,scenario,concurrency,value_system\n"
        "a,llama-3.1-8b,h100-sxm,1,1,bf16,vllm,1000,200,concurrency,8,800\n"
        "b,llama-3.1-8b,h100-sxm,1,1,bf16,vllm,1000,200,concurrency,64,4000\n",
    )
    config = _write(
        folder / "llm-tco.toml",
        '[capacity]\nmeasured = "mine.csv"\n\n[gpu]\ndeployment_modes = ["on-demand"]\n\n'
        '[workloads.chat.self_hosted]\nmodel = "llama-3.1-8b"\ngpu = "h100-sxm"\ngpus_per_replica = 1\n'
        'replicas = 1\nprecision = "bf16"\n',
    )
    result = cli("plan", "--db", store, "--json", "--config", config)
    assert result.code == 0, result.err
    chat = _workloads(result.json())["chat"]
    option = next(o for o in chat["options"] if o["placement"] == "self-hosted")
    assert any("from your measurements" in note for note in option["notes"])


def test_missing_measured_file_is_exit_2(tmp_path: Path, store: str, cli: Any) -> None:
    config = _write(tmp_path / "llm-tco.toml", '[capacity]\nmeasured = "nowhere.csv"\n')
    result = cli("plan", "--db", store, "--config", config)
    assert result.code == 2
    assert "capacity.measured" in result.err and "nowhere.csv" in result.err


def test_an_overflowing_horizon_is_exit_2_naming_the_inputs(tmp_path: Path, store: str, cli: Any) -> None:
    config = _write(
        tmp_path / "llm-tco.toml",
        '[planning]\nhorizon_months = 240\n\n[growth]\nmode = "fixed"\nmonthly_rate = 0.3\n',
    )
    result = cli("plan", "--db", store, "--config", config)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "240-month horizon" in result.err and "+30.0%/month" in result.err


@pytest.mark.parametrize(("region", "stays_inside"), [("europe-west4", True), ("europe-west2", False)])
def test_region_sovereignty_uses_the_regions_in_the_logs(
    tmp_path: Path, store: str, cli: Any, region: str, stays_inside: bool
) -> None:
    # The provider's catalog entry has no region list; the workload's own logs say where it ran. Google
    # Cloud's europe-west4 (Netherlands) is inside the EU, europe-west2 (London) is not.
    con = open_store(store)
    con.execute("UPDATE usage_series SET region = ? WHERE workload = 'chat'", [region])
    con.close()
    config = _write(tmp_path / "llm-tco.toml", '[workloads.chat]\nsovereignty = "region:eu"\n')
    result = cli("plan", "--db", store, "--json", "--config", config)
    assert result.code == 0, result.err
    stay = _stay(_workloads(result.json())["chat"])
    assert ("sovereignty" not in stay["unmet"]) is stays_inside
    assert any(f"runs in {region}" in note for note in stay["notes"]) is stays_inside


_GPU_FILE = """schema_version: 1
gpus:
  - id: rtx-5090-test
    name: GeForce RTX 5090 (test entry)
    vendor: nvidia
    memory_gb: 32
    memory_type: GDDR7
    memory_reported: {bytes: null, source: "none", as_of: 2026-12-01}
    hbm_bandwidth_tb_per_s: 1.79
    dense_tflops: {bf16: 209.5, fp16: 209.5, fp8: 419, int8: 838, fp4: 838}
    tdp_w: 575
    source: "test"
    verification: read
    as_of: 2026-12-01
    interconnect: {nvlink_gb_per_s_per_direction: null, nvlink_domain_gpus: 1,
                   pcie_gb_per_s_per_direction: 64, source: "test", as_of: 2026-12-01}
    purchase_price_usd: {value: 2000, source: "test", as_of: 2026-12-01}
    cloud_prices: []
"""

_MODEL_FILE = """schema_version: 1
models:
  - id: house-8b
    name: House 8B
    hf_id: example/House-8B-Instruct
    family: llama
    licence: test
    context_length: 131072
    total_params_b: 8.03
    active_params_b: 8.03
    layers: 32
    hidden_size: 4096
    attention_heads: 32
    kv_heads: 8
    head_dim: 128
    attention: gqa
    intermediate_size: 14336
    mlp: gated
    vocab_size: 128256
    tied_embeddings: false
    source: "test"
    params_source: "test"
    as_of: 2026-12-01
"""


def test_catalog_files_extend_the_gpus_and_open_models(tmp_path: Path, store: str, cli: Any) -> None:
    _write(tmp_path / "gpus.yaml", _GPU_FILE)
    _write(tmp_path / "models.yaml", _MODEL_FILE)
    config = _write(
        tmp_path / "llm-tco.toml",
        '[catalog]\ngpus_file = "gpus.yaml"\nmodels_file = "models.yaml"\n\n'
        '[gpu]\ndeployment_modes = ["owned"]\n\n'
        '[workloads.chat.self_hosted]\nmodel = "house-8b"\ngpu = "rtx-5090-test"\ngpus_per_replica = 1\n'
        'replicas = 2\nprecision = "bf16"\n',
    )
    result = cli("plan", "--db", store, "--json", "--config", config)
    assert result.code == 0, result.err
    chat = _workloads(result.json())["chat"]
    option = next(o for o in chat["options"] if o["placement"] == "self-hosted")
    assert (option["open_model"], option["gpu"], option["gpus"]) == ("house-8b", "rtx-5090-test", 2)
    assert Decimal(option["one_off_cost_usd"]) >= Decimal(2 * 2000)  # two GPUs bought at the file's price


def test_catalog_file_reusing_a_bundled_id_is_exit_2(tmp_path: Path, store: str, cli: Any) -> None:
    _write(tmp_path / "gpus.yaml", _GPU_FILE.replace("rtx-5090-test", "h100-sxm"))
    config = _write(tmp_path / "llm-tco.toml", '[catalog]\ngpus_file = "gpus.yaml"\n')
    result = cli("plan", "--db", store, "--config", config)
    assert result.code == 2
    assert "gpus.yaml" in result.err and "'h100-sxm' is already in the catalog" in result.err


def test_catalog_file_failing_the_schema_is_exit_2(tmp_path: Path, store: str, cli: Any) -> None:
    _write(tmp_path / "gpus.yaml", _GPU_FILE.replace("memory_gb: 32", "memory_gb: -1"))
    config = _write(tmp_path / "llm-tco.toml", '[catalog]\ngpus_file = "gpus.yaml"\n')
    result = cli("plan", "--db", store, "--config", config)
    assert result.code == 2
    assert "gpus.yaml" in result.err and "memory_gb" in result.err
