"""Scenarios, fit checks and measured overrides of the capacity model."""

from __future__ import annotations

import pytest

from llm_tco.capacity.measured import Measurement
from llm_tco.capacity.predict import Prediction, make_deployment, predict, replica_capacity
from llm_tco.capacity.specs import ScenarioSpec, Workload
from llm_tco.catalog.calibration import calibration_params
from llm_tco.catalog.serving import (
    predict_named,
    replica_capacity_named,
    resolve_gpu_spec,
    resolve_model_spec,
)
from llm_tco.errors import DoesNotFitError, UsageError

PARAMS = calibration_params()


def _predict(
    model: str,
    gpu: str,
    *,
    gpus: int = 1,
    precision: str = "bf16",
    scenario: ScenarioSpec | None = None,
    input_len: float = 1000,
    output_len: float = 200,
    engine: str = "vllm",
    measurements: tuple[Measurement, ...] = (),
) -> Prediction:
    return predict(
        resolve_model_spec(model),
        resolve_gpu_spec(gpu),
        PARAMS,
        deployment=make_deployment(
            num_gpus=gpus, tp=None, precision=precision, kv_precision=None, engine=engine
        ),
        workload=Workload(input_len=input_len, output_len=output_len),
        scenario=scenario or ScenarioSpec(kind="offline"),
        measurements=measurements,
    )


def test_does_not_fit_names_the_smallest_configuration() -> None:
    # Llama 3.1 405B: 405.85e9 params. bf16 = 812 GB; on H100s (81559 MiB = 85.5 GB, 90% usable = 77 GB):
    # 8 GPUs at bf16 would need 101 GB each (no), fp8 on 4 needs 101 GB (no), fp8 on 8 needs 51 GB (yes).
    with pytest.raises(DoesNotFitError, match=r"smallest that fits: 8× h100-sxm at fp8 \(tp 8\)"):
        _predict("llama-3.1-405b", "h100-sxm")


def test_does_not_fit_anywhere_on_a_small_gpu() -> None:
    with pytest.raises(DoesNotFitError, match="use a GPU with more memory"):
        _predict("deepseek-v3", "l4")


def test_offline_reports_the_concurrency_it_chose() -> None:
    prediction = _predict("llama-3.1-8b", "h100-sxm", precision="fp8", engine="trtllm")
    assert prediction.concurrency is not None and prediction.concurrency > 1
    memory = prediction.memory
    assert memory is not None
    # the chosen concurrency never exceeds what the KV cache holds
    assert prediction.concurrency <= memory.max_sequences
    assert memory.weights_bytes + memory.activations_bytes + memory.kv_capacity_bytes == pytest.approx(
        memory.usable_bytes
    )


def test_replicas_multiply_system_throughput() -> None:
    one = _predict("llama-3.1-8b", "h100-sxm", scenario=ScenarioSpec(kind="concurrency", concurrency=8))
    two = predict(
        resolve_model_spec("llama-3.1-8b"),
        resolve_gpu_spec("h100-sxm"),
        PARAMS,
        deployment=make_deployment(num_gpus=2, tp=1, precision="bf16", kv_precision=None, engine="vllm"),
        workload=Workload(input_len=1000, output_len=200),
        scenario=ScenarioSpec(kind="concurrency", concurrency=16),
    )
    assert two.replicas == 2
    assert two.output_tokens_per_s == pytest.approx(2 * (one.output_tokens_per_s or 0))
    assert two.output_tokens_per_s_per_gpu == pytest.approx(one.output_tokens_per_s_per_gpu)


def test_batch_scenario_prefills_then_decodes() -> None:
    prediction = _predict(
        "llama-2-7b",
        "a100-sxm-80gb",
        precision="fp16",
        engine="trtllm",
        scenario=ScenarioSpec(kind="batch", concurrency=32),
        input_len=128,
        output_len=128,
    )
    assert prediction.concurrency == 32
    # total time = TTFT (whole-batch prefill) + 128 decode steps; throughput = 32 x 128 / total
    assert prediction.ttft_ms is not None and prediction.tpot_ms is not None
    total_s = (prediction.ttft_ms + 128 * prediction.tpot_ms) / 1e3
    assert prediction.output_tokens_per_s == pytest.approx(32 * 128 / total_s)


def test_slo_meets_its_targets_or_says_why() -> None:
    prediction = _predict(
        "llama-3.1-8b", "h100-sxm", scenario=ScenarioSpec(kind="slo", ttft_ms=2000, tpot_ms=60)
    )
    assert prediction.ttft_ms is not None and prediction.ttft_ms <= 2000
    assert prediction.tpot_ms is not None and prediction.tpot_ms <= 60
    assert prediction.limited_by in ("latency-target", "kv-capacity", "compute", "memory-bandwidth")
    impossible = _predict(
        "llama-3.1-70b", "h100-sxm", gpus=4, scenario=ScenarioSpec(kind="slo", ttft_ms=1, tpot_ms=1)
    )
    assert impossible.output_tokens_per_s == 0
    assert any("unreachable" in note for note in impossible.notes)


def test_replica_capacity_for_the_planner() -> None:
    capacity = replica_capacity(
        resolve_model_spec("llama-3.1-70b"),
        resolve_gpu_spec("h100-sxm"),
        PARAMS,
        tp=4,
        precision="fp8",
        engine="vllm",
        input_len=1500,
        output_len=300,
        ttft_p99_ms=3000,
        tpot_p99_ms=80,
    )
    assert capacity.fits and capacity.output_tokens_per_s > 0
    assert capacity.requests_per_s == pytest.approx(capacity.output_tokens_per_s / 300)
    too_small = replica_capacity_named(
        "llama-3.1-405b",
        "h100",
        tp=1,
        precision="bf16",
        engine="vllm",
        input_len=100,
        output_len=100,
        ttft_p99_ms=1000,
        tpot_p99_ms=100,
    )
    assert not too_small.fits and too_small.reason and "does not fit" in too_small.reason


def test_measured_value_replaces_the_model_for_a_matching_configuration() -> None:
    measured = Measurement(
        label="mine.csv line 1",
        model="llama-3.1-8b",
        gpu="h100-sxm",
        num_gpus=1,
        tp=1,
        precision="bf16",
        engine="vllm",
        scenario="offline",
        input_len=1050,
        output_len=190,
        output_tokens_per_s=4321.0,
    )
    hit = _predict("llama-3.1-8b", "h100-sxm", measurements=(measured,))
    assert hit.source == "measured"
    assert hit.output_tokens_per_s == 4321.0
    assert hit.requests_per_s == pytest.approx(4321.0 / 200)
    assert any("mine.csv line 1" in note for note in hit.notes)
    # another engine, or lengths more than 10% away, keep the model
    assert _predict("llama-3.1-8b", "h100-sxm", engine="sglang", measurements=(measured,)).source == "model"
    assert _predict("llama-3.1-8b", "h100-sxm", input_len=2000, measurements=(measured,)).source == "model"


def test_measurement_rescues_a_configuration_the_model_says_does_not_fit() -> None:
    measured = Measurement(
        label="lab",
        model="llama-3.1-405b",
        gpu="h100-sxm",
        num_gpus=1,
        tp=1,
        precision="bf16",
        engine="vllm",
        scenario="offline",
        input_len=1000,
        output_len=200,
        output_tokens_per_s=10.0,
    )
    prediction = _predict("llama-3.1-405b", "h100-sxm", measurements=(measured,))
    assert prediction.source == "measured" and prediction.output_tokens_per_s == 10.0


def test_cost_uses_the_given_price_or_the_catalog() -> None:
    given = predict_named(
        model="llama-3.1-8b",
        gpu="h100",
        input_len=500,
        output_len=500,
        scenario=ScenarioSpec(kind="offline"),
        gpu_hourly_usd=3.6,
    )
    p = given.prediction
    assert given.price_source == "given"
    assert p.cost is not None and p.output_tokens_per_s
    assert p.cost.per_million_output_tokens_usd == pytest.approx(3.6 / (p.output_tokens_per_s * 3600) * 1e6)
    catalog = predict_named(
        model="llama-3.1-8b", gpu="h100", input_len=500, output_len=500, scenario=ScenarioSpec(kind="offline")
    )
    assert catalog.gpu_hourly_usd is not None and catalog.price_source and "on-demand" in catalog.price_source
    unpriced = predict_named(
        model="llama-3.1-8b", gpu="a10g", input_len=500, output_len=100, scenario=ScenarioSpec(kind="offline")
    )
    assert unpriced.gpu_hourly_usd is None and unpriced.prediction.cost is None
    assert any("no on-demand price" in n for n in unpriced.prediction.notes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_gpus": 3, "tp": 2}, "divide"),
        ({"num_gpus": 0, "tp": None}, "at least 1"),
        ({"num_gpus": 1, "tp": 1, "precision": "fp3"}, "unknown precision"),
    ],
)
def test_bad_deployments_are_usage_errors(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"precision": "bf16", "kv_precision": None, "engine": "vllm", **kwargs}
    with pytest.raises(UsageError, match=message):
        make_deployment(**arguments)  # type: ignore[arg-type]


def test_default_kv_precision_follows_weight_bits() -> None:
    assert (
        make_deployment(num_gpus=1, tp=1, precision="fp8", kv_precision=None, engine="vllm").kv_precision
        == "fp8"
    )
    assert (
        make_deployment(num_gpus=1, tp=1, precision="int4", kv_precision=None, engine="vllm").kv_precision
        == "fp8"
    )
    assert (
        make_deployment(num_gpus=1, tp=1, precision="bf16", kv_precision=None, engine="vllm").kv_precision
        == "bf16"
    )
    assert (
        make_deployment(num_gpus=1, tp=1, precision="fp8", kv_precision="bf16", engine="vllm").kv_precision
        == "bf16"
    )


def test_public_api_is_sorted_and_complete() -> None:
    import llm_tco.capacity as capacity

    assert capacity.__all__ == sorted(capacity.__all__)
    for name in capacity.__all__:
        assert hasattr(capacity, name), name
