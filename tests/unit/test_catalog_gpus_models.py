"""The GPU and open-model catalogs: completeness, provenance, look-ups and validation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from llm_tco.capacity.memory import weight_breakdown
from llm_tco.catalog._load import AliasIndex, StrictModel, load_file, parse_document
from llm_tco.catalog.calibration import calibration_params, load_calibration_file, source_group
from llm_tco.catalog.gpus import GpuCatalog, get_gpu, gpu_spec, hourly_price, list_gpus
from llm_tco.catalog.open_models import get_open_model, list_open_models, model_spec, variant_base_name
from llm_tco.errors import DataFileError, LookupFailedError

REQUIRED_GPUS = {
    "h100-sxm",
    "h100-pcie",
    "h100-nvl",
    "h200",
    "b200",
    "a100-sxm-80gb",
    "a100-pcie-80gb",
    "l40s",
    "l4",
    "mi300x",
}
REQUIRED_MODELS = {
    "meta-llama/Llama-2-7b-hf": "llama-2-7b",
    "meta-llama/Llama-2-70b-hf": "llama-2-70b",
    "meta-llama/Llama-3.1-8B-Instruct": "llama-3.1-8b",
    "meta-llama/Llama-3.1-70B-Instruct": "llama-3.1-70b",
    "meta-llama/Llama-3.1-405B-Instruct": "llama-3.1-405b",
    "meta-llama/Llama-3.3-70B-Instruct": "llama-3.3-70b",
    "mistralai/Mixtral-8x7B-Instruct-v0.1": "mixtral-8x7b",
    "Qwen/Qwen2.5-7B-Instruct": "qwen2.5-7b",
    "Qwen/Qwen2.5-72B-Instruct": "qwen2.5-72b",
    "Qwen/Qwen3-8B": "qwen3-8b",
    "Qwen/Qwen3-32B": "qwen3-32b",
    "Qwen/Qwen3-235B-A22B": "qwen3-235b-a22b",
    "openai/gpt-oss-20b": "gpt-oss-20b",
    "openai/gpt-oss-120b": "gpt-oss-120b",
    "deepseek-ai/DeepSeek-V3": "deepseek-v3",
    "deepseek-ai/DeepSeek-R1": "deepseek-r1",
    "mistralai/Mistral-7B-v0.1": "mistral-7b",
    "google/gemma-3-27b-it": "gemma-3-27b",
    "EleutherAI/gpt-j-6b": "gpt-j-6b",
}


def test_required_gpus_are_present_with_provenance() -> None:
    gpus = {g.id: g for g in list_gpus()}
    assert set(gpus) >= REQUIRED_GPUS
    for gpu in gpus.values():
        assert gpu.source and isinstance(gpu.as_of, date)
        assert gpu.interconnect.source and gpu.purchase_price_usd.source
        for price in gpu.cloud_prices:
            assert price.source and isinstance(price.as_of, date) and price.usd_per_gpu_hour > 0


def test_gpu_specs_match_the_shared_vendor_table() -> None:
    # shared/data/gpu_specs.csv: H100 SXM 80 GB, 3.35 TB/s, 989.4 / 1978.9 dense TFLOPS, 700 W; the driver
    # reports 81559 MiB, which is what the model budgets
    assert get_gpu("h100-sxm").memory_gb == 80
    h100 = gpu_spec(get_gpu("h100-sxm"))
    assert h100.memory_bytes == 81559 * 2**20
    assert h100.hbm_bandwidth_bytes_per_s == 3.35e12
    assert h100.dense_flops_per_s["bf16"] == pytest.approx(989.4e12)
    assert h100.dense_flops_per_s["fp8"] == pytest.approx(1978.9e12)
    assert get_gpu("h100-sxm").tdp_w == 700
    assert gpu_spec(get_gpu("a100-sxm-80gb")).dense_flops_per_s["fp8"] is None  # no FP8 tensor cores
    assert gpu_spec(get_gpu("b200")).dense_flops_per_s["fp4"] == pytest.approx(9000e12)


@pytest.mark.parametrize("alias", ["H100 SXM", "h100", "H100", "h100_sxm", "  h100-SXM  "])
def test_gpu_aliases(alias: str) -> None:
    assert get_gpu(alias).id == "h100-sxm"


def test_unknown_gpu_suggests_close_names() -> None:
    with pytest.raises(LookupFailedError, match="did you mean") as excinfo:
        get_gpu("h10")
    assert "h100-sxm" in excinfo.value.suggestions or "h200" in excinfo.value.suggestions


def test_hourly_price_by_deployment() -> None:
    h100 = get_gpu("h100-sxm")
    on_demand = sorted(p.usd_per_gpu_hour for p in h100.cloud_prices if p.deployment == "on-demand")
    middle = len(on_demand) // 2
    expected = on_demand[middle] if len(on_demand) % 2 else (on_demand[middle - 1] + on_demand[middle]) / 2
    assert hourly_price(h100, "on-demand") == pytest.approx(expected)
    assert hourly_price(h100, "on-demand", provider="lambda") == 2.99
    assert hourly_price(h100, "reserved-3y") is None  # not published: None, never $0
    with pytest.raises(LookupFailedError):
        hourly_price(h100, "on-demand", provider="nosuchcloud")


def test_required_models_resolve_by_hf_id_case_insensitively() -> None:
    for hf_id, model_id in REQUIRED_MODELS.items():
        assert get_open_model(hf_id).id == model_id
        assert get_open_model(hf_id.upper()).id == model_id
        assert get_open_model(model_id).id == model_id


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("meta-llama/Llama-2-70b-chat-hf", "llama-2-70b"),
        ("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", "qwen3-235b-a22b"),
        ("deepseek-ai/DeepSeek-R1-0528", "deepseek-r1"),
        ("Meta-Llama-3.1-8B-Instruct", "llama-3.1-8b"),
        ("LLaMA-2-7B", "llama-2-7b"),
    ],
)
def test_chat_and_instruct_variants_are_aliases(name: str, model_id: str) -> None:
    assert get_open_model(name).id == model_id


def test_variant_base_name() -> None:
    assert variant_base_name("meta-llama/Llama-2-70b-chat-hf") == "llama-2-70b"
    assert variant_base_name("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8") == "qwen3-235b-a22b"


def test_unknown_model_suggests() -> None:
    with pytest.raises(LookupFailedError, match=r"did you mean 'llama-3\.1-8b'"):
        get_open_model("lama-3.1-8b")


def test_models_have_provenance_and_consistent_parameter_counts() -> None:
    for model in list_open_models():
        assert model.source and model.params_source and isinstance(model.as_of, date)
        spec = model_spec(model)
        weights = weight_breakdown(spec, "bf16")  # raises if total < embeddings + routed experts
        assert weights.core_params > 0
        if model.moe is not None:
            # routed experts + the rest must reproduce the published active count within 10%
            active = (
                weights.core_params
                + weights.lm_head_params
                + model.moe.experts_per_token * weights.params_per_expert * model.moe.moe_layers
            )
            assert active == pytest.approx(model.active_params_b * 1e9, rel=0.12), model.id


def test_deepseek_architecture_from_config() -> None:
    deepseek = get_open_model("deepseek-v3")
    assert deepseek.attention == "mla" and deepseek.mla is not None
    assert (deepseek.mla.kv_lora_rank, deepseek.mla.qk_rope_head_dim) == (512, 64)
    assert deepseek.moe is not None and deepseek.moe.moe_layers == 58  # 61 layers, the first 3 dense


class _Tiny(StrictModel):
    name: str
    value: float


def test_strict_loading_names_file_and_field(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"f\.yaml: field value: .*") as excinfo:
        parse_document("f.yaml", "name: x\nvalue: not-a-number\n", _Tiny)
    assert "f.yaml" in str(excinfo.value)
    with pytest.raises(DataFileError, match="field surprise: Extra inputs"):
        parse_document("f.yaml", "name: x\nvalue: 1\nsurprise: 2\n", _Tiny)
    with pytest.raises(DataFileError, match="not valid YAML"):
        parse_document("f.yaml", "name: [unclosed\n", _Tiny)
    bad = tmp_path / "gpus.yaml"
    bad.write_text("schema_version: 1\ngpus:\n  - id: x\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"gpus\.yaml: field gpus\.0\.name"):
        load_file(bad, GpuCatalog)
    with pytest.raises(DataFileError, match="cannot read"):
        load_file(tmp_path / "missing.yaml", GpuCatalog)


def test_alias_index_rejects_ambiguous_aliases() -> None:
    with pytest.raises(DataFileError, match="names both"):
        AliasIndex("thing", [("a", ["same"]), ("b", ["same"])])


def test_calibration_file_loads_with_provenance() -> None:
    document = load_calibration_file()
    assert len(document.fit.data_sha256) == 64 and document.fit.rows_used > 0
    params = calibration_params()
    assert 0 < params.bandwidth_efficiency <= 1 and 0 < params.compute_efficiency <= 1
    assert params.engine_factor("trtllm") == 1.0


def test_calibration_matches_the_shared_data_when_present() -> None:
    """The shipped fit must come from the current calibration set (re-run scripts/calibrate_capacity.py)."""
    from llm_tco.catalog.calibration import file_sha256

    shared = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "throughput_calibration.csv"
    if not shared.is_file():
        pytest.skip("shared/ calibration set not beside the repository")
    assert load_calibration_file().fit.data_sha256 == file_sha256(shared)


def test_source_group_merges_descriptions_of_one_document() -> None:
    a = "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md @00f37686 (v1.0 era; trtllm-bench)"
    b = "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md @00f37686 (v1.0 era; other words)"
    assert (
        source_group(a) == source_group(b) == "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md"
    )
    assert source_group("https://github.com/NVIDIA/TensorRT-LLM/issues/6294") == (
        "https://github.com/NVIDIA/TensorRT-LLM/issues/6294"
    )


def test_shipped_calibration_reproduces_from_the_shared_data() -> None:
    """Refitting on the shared calibration set gives the shipped parameters (to 1 %): the data file is
    generated by scripts/calibrate_capacity.py, never edited by hand."""
    from llm_tco.capacity.fitting import FITTED_PARAMETERS, _get, fit_parameters
    from llm_tco.catalog.calibration import load_calibration_cases, prior_params

    shared = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "throughput_calibration.csv"
    if not shared.is_file():
        pytest.skip("shared/ calibration set not beside the repository")
    cases, _ = load_calibration_cases(shared)
    refit = fit_parameters(cases, prior_params()).params
    shipped = calibration_params()
    for name in FITTED_PARAMETERS:
        assert _get(refit, name) == pytest.approx(_get(shipped, name), rel=0.01), name
