"""``llm-tco catalog gpus`` and ``catalog models`` list every entry the issues require, with sources."""

from __future__ import annotations

from typing import Any

REQUIRED_GPUS = {
    "h100-sxm", "h100-pcie", "h100-nvl", "h200", "b200", "a100-sxm-80gb", "a100-pcie-80gb", "l40s", "l4",
    "mi300x",
}  # fmt: skip
REQUIRED_MODELS = {
    "llama-2-7b", "llama-2-70b", "llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "llama-3.3-70b",
    "mixtral-8x7b", "qwen2.5-7b", "qwen2.5-72b", "qwen3-8b", "qwen3-32b", "qwen3-235b-a22b", "gpt-oss-20b",
    "gpt-oss-120b", "deepseek-v3", "deepseek-r1", "mistral-7b", "gemma-3-27b", "gpt-j-6b",
}  # fmt: skip


def test_catalog_gpus_json_lists_the_required_gpus_with_sources(cli: Any) -> None:
    result = cli("catalog", "gpus", "--json")
    assert result.code == 0, result.err
    gpus = {g["id"]: g for g in result.json()["gpus"]}
    assert set(gpus) >= REQUIRED_GPUS
    for gpu in gpus.values():
        assert gpu["source"] and gpu["as_of"]
        assert all(p["usd_per_gpu_hour"] > 0 and p["source"] for p in gpu["cloud_prices"])


def test_catalog_models_json_lists_the_required_models(cli: Any) -> None:
    result = cli("catalog", "models", "--json")
    assert result.code == 0, result.err
    models = {m["id"]: m for m in result.json()["models"]}
    assert set(models) >= REQUIRED_MODELS
    # Active parameters never exceed the total; MoE models are the ones where they differ.
    assert all(m["active_params_b"] <= m["total_params_b"] for m in models.values())
    assert models["deepseek-v3"]["attention"] == "mla"


def test_catalog_terminal_tables_name_every_gpu(cli: Any) -> None:
    result = cli("catalog", "gpus")
    assert result.code == 0
    assert all(gpu in result.out for gpu in REQUIRED_GPUS)
