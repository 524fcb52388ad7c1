"""Monotonicity properties of the capacity model (Hypothesis, derandomised).

More GPUs or more bandwidth never lower throughput; a tighter TPOT target never raises it; a longer prompt
never raises offline output throughput.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from llm_tco.capacity.predict import make_deployment, predict
from llm_tco.capacity.specs import EfficiencyParams, ScenarioSpec, Workload
from llm_tco.catalog.calibration import calibration_params
from llm_tco.catalog.serving import resolve_gpu_spec, resolve_model_spec
from llm_tco.errors import DoesNotFitError

PARAMS: EfficiencyParams = calibration_params()
PROPERTY = settings(deadline=None, derandomize=True, max_examples=30)

# (model, precision, GPU, tensor-parallel size) combinations that fit for the lengths drawn below
CONFIGS = [
    ("llama-3.1-8b", "bf16", "h100-sxm", 1),
    ("llama-3.1-8b", "fp8", "l40s", 1),
    ("llama-3.1-70b", "fp8", "h200", 2),
    ("qwen3-30b-a3b", "fp8", "h100-sxm", 1),
    ("mixtral-8x7b", "bf16", "a100-sxm-80gb", 2),
    ("gpt-oss-120b", "mxfp4", "h100-sxm", 2),
    ("deepseek-r1", "fp8", "h200", 8),
    ("gemma-3-27b", "bf16", "h100-sxm", 1),
]
ENGINES = ["vllm", "sglang", "trtllm"]


def _offline(
    config: tuple[str, str, str, int], engine: str, input_len: int, output_len: int, **kw: object
) -> float:
    model, precision, gpu, tp = config
    gpu_spec = kw.pop("gpu_spec", None) or resolve_gpu_spec(gpu)
    replicas = int(kw.pop("replicas", 1))  # type: ignore[call-overload]
    prediction = predict(
        resolve_model_spec(model),
        gpu_spec,  # type: ignore[arg-type]
        PARAMS,
        deployment=make_deployment(
            num_gpus=tp * replicas, tp=tp, precision=precision, kv_precision=None, engine=engine
        ),
        workload=Workload(input_len=input_len, output_len=output_len),
        scenario=ScenarioSpec(kind="offline"),
    )
    assert prediction.output_tokens_per_s is not None
    return prediction.output_tokens_per_s


@PROPERTY
@given(
    config=st.sampled_from(CONFIGS),
    engine=st.sampled_from(ENGINES),
    input_len=st.integers(16, 4096),
    output_len=st.integers(16, 2048),
    replicas=st.integers(1, 4),
)
def test_more_gpus_never_lower_throughput(
    config: tuple[str, str, str, int], engine: str, input_len: int, output_len: int, replicas: int
) -> None:
    fewer = _offline(config, engine, input_len, output_len, replicas=replicas)
    more = _offline(config, engine, input_len, output_len, replicas=replicas + 1)
    assert more >= fewer


@PROPERTY
@given(
    config=st.sampled_from(CONFIGS),
    engine=st.sampled_from(ENGINES),
    input_len=st.integers(16, 4096),
    output_len=st.integers(16, 2048),
    factor=st.floats(1.0, 3.0),
)
def test_more_bandwidth_never_lowers_throughput(
    config: tuple[str, str, str, int], engine: str, input_len: int, output_len: int, factor: float
) -> None:
    gpu = resolve_gpu_spec(config[2])
    faster = replace(gpu, hbm_bandwidth_bytes_per_s=gpu.hbm_bandwidth_bytes_per_s * factor)
    assert _offline(config, engine, input_len, output_len, gpu_spec=faster) >= _offline(
        config, engine, input_len, output_len
    )


@PROPERTY
@given(
    config=st.sampled_from(CONFIGS),
    engine=st.sampled_from(ENGINES),
    input_len=st.integers(16, 4096),
    extra=st.integers(1, 8192),
    output_len=st.integers(16, 2048),
)
def test_longer_prompts_never_raise_offline_output_throughput(
    config: tuple[str, str, str, int], engine: str, input_len: int, extra: int, output_len: int
) -> None:
    try:
        longer = _offline(config, engine, input_len + extra, output_len)
    except DoesNotFitError:
        return  # a prompt too long to fit cannot be faster
    assert longer <= _offline(config, engine, input_len, output_len)


@PROPERTY
@given(
    config=st.sampled_from(CONFIGS),
    engine=st.sampled_from(ENGINES),
    input_len=st.integers(16, 2048),
    output_len=st.integers(16, 1024),
    tpot_ms=st.floats(5.0, 300.0),
    tighter=st.floats(0.1, 1.0),
)
def test_tighter_tpot_never_raises_throughput(
    config: tuple[str, str, str, int],
    engine: str,
    input_len: int,
    output_len: int,
    tpot_ms: float,
    tighter: float,
) -> None:
    model, precision, gpu, tp = config

    def slo(target: float) -> float:
        prediction = predict(
            resolve_model_spec(model),
            resolve_gpu_spec(gpu),
            PARAMS,
            deployment=make_deployment(
                num_gpus=tp, tp=tp, precision=precision, kv_precision=None, engine=engine
            ),
            workload=Workload(input_len=input_len, output_len=output_len),
            scenario=ScenarioSpec(kind="slo", ttft_ms=5_000.0, tpot_ms=target),
        )
        assert prediction.output_tokens_per_s is not None
        return prediction.output_tokens_per_s

    assert slo(tpot_ms * tighter) <= slo(tpot_ms)
