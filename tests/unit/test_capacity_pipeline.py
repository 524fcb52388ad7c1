"""Pipeline parallelism across servers: ``tp`` GPUs of one server per stage, one stage per server.

Expected values are derived here by hand from published architecture numbers (Llama 3.1 405B config.json:
126 layers, hidden 16384, about 405.9e9 parameters) and the GPU catalog's H100 SXM entry (80 GB, NVLink 450
GB/s and a 400 Gb/s NIC = 50 GB/s per direction per GPU).
"""

from __future__ import annotations

import pytest

from llm_tco.capacity.compute import iteration_time
from llm_tco.capacity.parallel import (
    PIPELINE_BUBBLE_STAGES,
    allreduce_time_s,
    pipeline_efficiency,
    pipeline_hop_s,
)
from llm_tco.capacity.predict import ReplicaCapacity, check_fit, make_deployment, replica_capacity
from llm_tco.capacity.specs import EfficiencyParams, Workload
from llm_tco.catalog.serving import resolve_gpu_spec, resolve_model_spec
from llm_tco.errors import UsageError
from llm_tco.plan import PlanInputs

LLAMA405_PARAMS = 405.9e9
LAYERS = 126
HIDDEN = 16384
H100_MEMORY = 80e9
NETWORK = 50e9  # bytes/s per direction per GPU across servers
NVLINK = 450e9


def _params(latency_s: float = 10e-6) -> EfficiencyParams:
    return EfficiencyParams(
        bandwidth_efficiency=1.0,
        compute_efficiency=1.0,
        layer_overhead_s=0.0,
        allreduce_latency_s=latency_s,
        link_efficiency=1.0,
        engine_factors={"vllm": 1.0},
        runtime_reserve_bytes=0.0,
        activation_hidden_multiple=0.0,
    )


def test_two_pipelined_servers_hold_a_model_too_large_for_one() -> None:
    model = resolve_model_spec("llama-3.1-405b")
    gpu = resolve_gpu_spec("h100-sxm")
    workload = Workload(input_len=1000, output_len=200)
    one_server = make_deployment(num_gpus=8, tp=8, precision="bf16", kv_precision=None, engine="vllm")
    two_stages = make_deployment(num_gpus=16, tp=8, precision="bf16", kv_precision=None, engine="vllm", pp=2)
    # bf16: 405.9e9 × 2 bytes = 811.8 GB; over 8 GPUs 101 GB each (> 80 GB), over 8 × 2 stages 50.7 GB each.
    assert not check_fit(model, gpu, _params(), one_server, workload).fits
    memory = check_fit(model, gpu, _params(), two_stages, workload)
    assert memory.fits
    assert memory.weights_bytes == pytest.approx(LLAMA405_PARAMS * 2 / 16, rel=0.01)
    assert memory.weights_bytes < H100_MEMORY
    assert two_stages.gpus_per_replica == 16 and two_stages.replicas == 1


def test_a_pipeline_must_divide_the_gpus() -> None:
    with pytest.raises(UsageError, match="pipeline stages 3"):
        make_deployment(num_gpus=16, tp=8, precision="bf16", kv_precision=None, engine="vllm", pp=3)


def test_decode_latency_includes_the_inter_node_hop() -> None:
    model = resolve_model_spec("llama-3.1-405b")
    gpu = resolve_gpu_spec("h100-sxm")
    params = _params()
    # One stage boundary: 10 µs per message + one token's activations, 16384 × 2 bytes, at 50 GB/s.
    hop = 10e-6 + HIDDEN * 2 / NETWORK
    assert pipeline_hop_s(model, gpu, params, pp=2, tokens=1) == pytest.approx(hop)
    assert pipeline_hop_s(model, gpu, params, pp=1, tokens=1) == 0.0
    # Four stages: three boundaries.
    assert pipeline_hop_s(model, gpu, params, pp=4, tokens=1) == pytest.approx(3 * hop)

    def step(pp: int, seqs: float) -> float:
        return iteration_time(
            model,
            gpu,
            params,
            tp=8,
            precision="bf16",
            kv_precision="bf16",
            engine="vllm",
            decode_seqs=seqs,
            decode_context=500,
            pp=pp,
        ).total_s

    # Two sequences on two stages: one micro-batch of one sequence per stage. A round (each sequence gains a
    # token) is the whole model's time for one sequence on 8 GPUs (the stages in turn), plus the hop, over
    # the pipeline efficiency 2 / (2 + bubbles).
    efficiency = 2 / (2 + PIPELINE_BUBBLE_STAGES)
    assert pipeline_efficiency(2) == pytest.approx(efficiency)
    assert step(2, 2.0) == pytest.approx((step(1, 1.0) + hop) / efficiency)
    assert step(2, 2.0) > step(1, 1.0) + hop  # the hop (and the bubbles) lengthen every token


def test_pipelining_beats_tensor_parallel_across_servers_for_a_large_dense_model() -> None:
    model = resolve_model_spec("llama-3.1-405b")
    gpu = resolve_gpu_spec("h100-sxm")
    params = _params()
    # Prefilling one 1000-token prompt: tensor parallel over 16 GPUs all-reduces twice per layer (252 calls)
    # and the ring moves 2 × 15/16 of the 1000 × 16384 × 2 bytes = 32.8 MB of activations per call over the
    # 50 GB/s network: 252 × (10 µs + 61.4 MB / 50 GB/s) ≈ 0.312 s.
    message = 1000 * HIDDEN * 2
    tp16 = 2 * LAYERS * (10e-6 + 2 * 15 / 16 * message / NETWORK)
    assert allreduce_time_s(model, gpu, params, tp=16, tokens=1000) == pytest.approx(tp16)
    # Two stages of 8: the same all-reduces ride NVLink (2 × 7/8 of the message at 450 GB/s) and one send of
    # the 32.8 MB of activations crosses the network: 252 × (10 µs + 57.3 MB / 450 GB/s) + 0.67 ms ≈ 0.035 s.
    pp2 = 2 * LAYERS * (10e-6 + 2 * 7 / 8 * message / NVLINK) + (10e-6 + message / NETWORK)
    comm_pp2 = allreduce_time_s(model, gpu, params, tp=8, tokens=1000)
    comm_pp2 += pipeline_hop_s(model, gpu, params, pp=2, tokens=1000)
    assert comm_pp2 == pytest.approx(pp2)
    assert tp16 > 8 * pp2

    # End to end with the bundled calibration, 16 GPUs either way (so GPU-hours per token ∝ 1 / tokens/s):
    # the network all-reduces make each cross-server tensor-parallel iteration slow enough that far fewer
    # requests meet the latency targets, while the pipeline keeps them on NVLink.
    calibrated = PlanInputs.bundled().efficiency

    def capacity(tp: int, pp: int) -> ReplicaCapacity:
        return replica_capacity(
            model,
            gpu,
            calibrated,
            tp=tp,
            pp=pp,
            precision="bf16",
            engine="vllm",
            input_len=1000.0,
            output_len=300.0,
            ttft_p99_ms=5000.0,
            tpot_p99_ms=100.0,
        )

    across, pipelined = capacity(16, 1), capacity(8, 2)
    assert across.fits and pipelined.fits
    assert across.gpus_per_replica == pipelined.gpus_per_replica == 16
    assert pipelined.output_tokens_per_s > 2 * across.output_tokens_per_s
    assert pipelined.tpot_p99_ms is not None and pipelined.tpot_p99_ms <= 100.0
