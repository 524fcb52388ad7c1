"""The SLO search's latencies at every batch size at once (NumPy), to answer ``ReplicaModel.slo`` fast.

``ReplicaModel.slo`` looks for the largest number of sequences in flight whose p99 TTFT and TPOT meet the
targets, by bisection over ``1 … b_max``; each probe costs four iteration-time evaluations in Python.
A planner asks this for thousands of replica shapes, so here the iteration time
(``compute.iteration_time``) and the latencies (``ReplicaModel.slo_latencies``) are evaluated for every
``b`` in one pass of array arithmetic, written in the same order of operations as the scalar code.

The scalar code stays the reference: the bisection runs over these arrays, and any probe whose latency
lies so close to its target (or to a branch of the queueing formula) that a last-digit difference
between NumPy's and the C library's ``log`` or ``pow`` could flip it is re-evaluated with the scalar
function. The search therefore lands on exactly the batch size the scalar bisection finds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from llm_tco.capacity.compute import attention_flops_decode, attention_flops_prefill
from llm_tco.capacity.kv import kv_bytes_for_context, kv_share_per_gpu
from llm_tco.capacity.memory import attention_weight_bytes, weight_breakdown
from llm_tco.capacity.parallel import (
    ACTIVATION_BYTES,
    link_bytes_per_s,
    pipeline_efficiency,
)
from llm_tco.capacity.precision import compute_precision
from llm_tco.capacity.specs import Deployment, EfficiencyParams, GpuSpec, ModelSpec, Workload

__all__ = ["SloCurves", "slo_curves", "slo_search"]

FloatArray = npt.NDArray[np.float64]

_CLOSE = 1e-6
"""Relative distance to a threshold within which a probe is re-checked with the scalar code (NumPy's
``log``/``pow`` may differ from the C library's in the last digit; errors stay far below this)."""


@dataclass(frozen=True, slots=True)
class _Constants:
    """Everything in an iteration's time that does not depend on the batch (per model, GPU, shape)."""

    tp: int
    pp: int
    prompt_tokens: float
    core_params: float
    head_params: float
    dense_bytes: float
    replicated_bytes: float
    bandwidth: float
    linear_rate: float
    attention_rate: float
    moe_experts: float
    moe_k: float
    bytes_per_expert: float
    moe_layers: float
    routed_params: float
    kv_bytes_per_seq: float
    kv_share: float
    attention_flops_decode: float
    attention_flops_prefill: float
    hidden_size: float
    comm_calls: float
    comm_latency_s: float
    comm_bandwidth: float
    hop_bandwidth: float
    fixed_overhead_s: float
    sequence_overhead_s: float
    engine_factor: float
    gemm_tile_rows: float
    is_moe: bool


def _constants(
    model: ModelSpec,
    gpu: GpuSpec,
    params: EfficiencyParams,
    deployment: Deployment,
    workload: Workload,
    attention_dp: bool,
) -> _Constants:
    d = deployment
    weights = weight_breakdown(model, d.precision)
    linear_peak = gpu.dense_flops_per_s.get(compute_precision(d.precision, gpu)) or 0.0
    moe = model.moe
    decode_context = workload.input_len + workload.output_len / 2.0
    link = gpu.internode_link_bytes_per_s or gpu.pcie_link_bytes_per_s
    return _Constants(
        tp=d.tp,
        pp=d.pp,
        prompt_tokens=workload.input_len,
        core_params=weights.core_params,
        head_params=weights.lm_head_params if weights.lm_head_params else weights.embedding_params,
        dense_bytes=weights.core_bytes + (weights.lm_head_bytes or weights.embedding_bytes),
        replicated_bytes=attention_weight_bytes(model, d.precision) * (d.tp - 1) if attention_dp else 0.0,
        bandwidth=gpu.hbm_bandwidth_bytes_per_s * params.bandwidth_efficiency,
        linear_rate=linear_peak * params.compute_efficiency,
        attention_rate=(gpu.dense_flops_per_s.get("bf16") or linear_peak) * params.compute_efficiency,
        moe_experts=float(moe.experts) if moe else 0.0,
        moe_k=float(moe.experts_per_token) if moe else 0.0,
        bytes_per_expert=weights.bytes_per_expert,
        moe_layers=float(moe.moe_layers) if moe else 0.0,
        routed_params=(moe.experts_per_token * weights.params_per_expert * moe.moe_layers) if moe else 0.0,
        kv_bytes_per_seq=kv_bytes_for_context(model, d.kv_precision, decode_context),
        kv_share=kv_share_per_gpu(model, d.tp, attention_dp=attention_dp),
        attention_flops_decode=attention_flops_decode(model, decode_context),
        attention_flops_prefill=attention_flops_prefill(model, workload.input_len),
        hidden_size=float(model.hidden_size),
        comm_calls=2.0 * model.layers,
        comm_latency_s=params.allreduce_latency_s,
        comm_bandwidth=link_bytes_per_s(gpu, d.tp) * params.link_efficiency,
        hop_bandwidth=min(link, gpu.pcie_link_bytes_per_s) * params.link_efficiency,
        fixed_overhead_s=model.layers * params.layer_overhead_s
        + (moe.moe_layers if moe else 0) * params.moe_layer_overhead_s,
        sequence_overhead_s=params.sequence_overhead(d.engine),
        engine_factor=params.engine_factor(d.engine)
        * (params.moe_engine_factor(d.engine) if moe is not None else 1.0),
        gemm_tile_rows=params.gemm_tile_rows,
        is_moe=moe is not None,
    )


def _gemm_efficiency(rows: FloatArray, tile: float) -> FloatArray:
    """``compute.gemm_shape_efficiency`` element-wise."""
    return np.where(rows <= 0, 1.0, np.minimum(1.0, rows / tile))


def _iteration_s(c: _Constants, decode_seqs: FloatArray, prefill_prompts: FloatArray) -> FloatArray:
    """``compute.iteration_time(...).total_s`` element-wise, in the scalar code's order of operations."""
    if c.pp > 1:
        decode_seqs = decode_seqs / c.pp
        prefill_prompts = prefill_prompts / c.pp
    tokens = decode_seqs + prefill_prompts * c.prompt_tokens
    sampled = decode_seqs + prefill_prompts
    dense_flops = 2.0 * c.core_params * tokens + 2.0 * c.head_params * sampled
    dense_memory = (c.dense_bytes + c.replicated_bytes) / c.tp / c.bandwidth
    dense_compute = dense_flops / c.tp / (c.linear_rate * _gemm_efficiency(tokens, c.gemm_tile_rows))
    roofline = np.maximum(dense_memory, dense_compute)
    if c.is_moe:
        miss = (1.0 - c.moe_k / c.moe_experts) ** tokens
        touched = np.where(tokens <= 0, 0.0, c.moe_experts * (1.0 - miss))
        expert_bytes = touched * c.bytes_per_expert * c.moe_layers
        expert_flops = 2.0 * c.routed_params * tokens
        safe_touched = np.where(touched != 0, touched, 1.0)
        expert_rows = np.where(touched != 0, tokens * c.moe_k / safe_touched, 0.0)
        expert_memory = expert_bytes / c.tp / c.bandwidth
        expert_compute = (
            expert_flops / c.tp / (c.linear_rate * _gemm_efficiency(expert_rows, c.gemm_tile_rows))
        )
        roofline = roofline + np.maximum(expert_memory, expert_compute)
    kv_bytes = decode_seqs * c.kv_bytes_per_seq * c.kv_share
    attention_flops = decode_seqs * c.attention_flops_decode
    attention_flops = attention_flops + prefill_prompts * c.attention_flops_prefill
    roofline = roofline + np.maximum(kv_bytes / c.bandwidth, attention_flops / c.tp / c.attention_rate)
    if c.tp > 1:
        wire_bytes = 2.0 * (c.tp - 1) / c.tp * (tokens * c.hidden_size * ACTIVATION_BYTES)
        comm = c.comm_calls * (c.comm_latency_s + wire_bytes / c.comm_bandwidth)
    else:
        comm = np.zeros_like(tokens)
    overhead = c.fixed_overhead_s + sampled * c.sequence_overhead_s
    busy = c.engine_factor * (roofline + comm + overhead)
    if c.pp > 1:
        message_bytes = tokens * c.hidden_size * ACTIVATION_BYTES
        busy = busy + (c.pp - 1) * (c.comm_latency_s + message_bytes / c.hop_bandwidth)
    result: FloatArray = busy / pipeline_efficiency(c.pp)
    return result


@dataclass(frozen=True, slots=True)
class SloCurves:
    """p99 TTFT and TPOT (seconds) and the arrival load ``rho`` at ``b = 1 … len``, index ``b − 1``."""

    ttft_s: FloatArray
    tpot_s: FloatArray
    rho: FloatArray


def slo_curves(
    model: ModelSpec,
    gpu: GpuSpec,
    params: EfficiencyParams,
    deployment: Deployment,
    workload: Workload,
    *,
    attention_dp: bool,
    max_batched_tokens: int,
    b_max: int,
) -> SloCurves | None:
    """``ReplicaModel.slo_latencies`` at every ``b`` from 1 to ``b_max``; None when a rate is zero (the
    scalar code's own behaviour, a division by zero, is then left to it)."""
    c = _constants(model, gpu, params, deployment, workload, attention_dp)
    if c.linear_rate <= 0 or c.attention_rate <= 0 or c.bandwidth <= 0 or b_max < 1:
        return None
    input_len, output_len = workload.input_len, workload.output_len
    b = np.arange(1, b_max + 1, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        prompt_tokens = b * input_len / output_len
        chunk = np.maximum(np.minimum(input_len, float(max_batched_tokens) - b), 1.0)
        # the four iterations the latencies need, at every b, in one pass (each element is computed
        # alone, so the values are those of four separate passes): decode only, the whole steady-state
        # prefill, one chunk, one prompt
        decode, full, with_chunk, with_prompt = _iteration_s(
            c,
            np.tile(b, 4),
            np.concatenate((np.zeros_like(b), prompt_tokens / input_len, chunk / input_len, np.ones_like(b))),
        ).reshape(4, b_max)
        whole = prompt_tokens >= chunk
        share = prompt_tokens / chunk
        mean_s = np.where(whole, full, (1.0 - share) * decode + share * with_chunk)
        throughput = b / mean_s
        service = np.maximum(with_prompt - decode, 0.0)
        mean = np.maximum(b - 1.0, 0.0)
        interfering = np.where(mean <= 0, 0.0, np.ceil(mean + 2.326 * np.sqrt(mean) + 0.5))
        tpot = decode + interfering * service / output_len
        rho = throughput / output_len * service
        wait = np.where(rho > 0.01, service * np.log(100.0 * rho) / (1.0 - rho), 0.0)
        ttft = np.where(rho >= 1.0, np.inf, with_prompt + mean_s + wait)
    return SloCurves(ttft_s=ttft, tpot_s=tpot, rho=rho)


def _close(value: float, target: float) -> bool:
    return abs(value - target) <= _CLOSE * max(abs(target), 1e-300)


def slo_search(
    curves: SloCurves,
    ttft_ms: float,
    tpot_ms: float,
    scalar: Callable[[int], tuple[float, float]],
) -> int:
    """The bisection of ``ReplicaModel.slo`` (largest ``b`` in ``1 … b_max`` meeting both targets, given
    that ``b = 1`` does) over the curves; ``scalar(b)`` gives the scalar code's (p99 TTFT s, p99 TPOT s)
    for the probes too close to call."""

    def meets(b: int) -> bool:
        i = b - 1
        ttft, tpot, rho = float(curves.ttft_s[i]), float(curves.tpot_s[i]), float(curves.rho[i])
        doubtful = (
            not np.isfinite(tpot)
            or _close(tpot * 1e3, tpot_ms)
            or _close(rho, 1.0)
            or _close(rho, 0.01)
            or (np.isfinite(ttft) and _close(ttft * 1e3, ttft_ms))
        )
        if doubtful:
            ttft, tpot = scalar(b)
        return ttft * 1e3 <= ttft_ms and tpot * 1e3 <= tpot_ms

    lo, hi = 1, len(curves.ttft_s)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if meets(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo
