"""Replica shapes: how many GPUs in tensor parallel, at which precision, and what one replica sustains.

For an open model on a GPU, the shape kept is the one with the lowest GPU-hours per token among those the
capacity model says fit and meet the workload's p99 TTFT/TPOT targets; a shape that fits but cannot meet
them is kept only when none can, sized at relaxed targets and flagged (``meets_latency`` False). The
user's own measurements replace the model's figures where they cover the configuration.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from llm_tco.capacity.parallel import spans_servers
from llm_tco.capacity.predict import ReplicaCapacity, replica_capacity
from llm_tco.plan.context import WorkloadContext
from llm_tco.plan.inputs import GpuOffer, PlanInputs

__all__ = ["ReplicaShape", "best_shape", "fixed_shape"]

_TP_CHOICES = (1, 2, 4, 8, 16, 32, 64)
"""Tensor-parallel sizes considered, up to ``[gpu] max_gpus_per_replica``; past one server only for GPUs
whose catalog entry gives an inter-node bandwidth."""
_RELAXED_TTFT_MS = 60_000.0
_RELAXED_TPOT_MS = 1_000.0


@dataclass(frozen=True)
class ReplicaShape:
    """One replica: GPUs in tensor parallel, precision, and what it sustains (prompt + output tokens/s)."""

    gpus_per_replica: int
    precision: str
    tokens_per_s: float
    meets_latency: bool
    measured: bool = False
    """The throughput is the user's measurement, not the capacity model's."""


def _total_tokens_per_s(capacity: ReplicaCapacity, input_len: float, output_len: float) -> float:
    return capacity.output_tokens_per_s * (input_len + output_len) / output_len


def best_shape(
    context: WorkloadContext, inputs: PlanInputs, model: str, gpu: GpuOffer
) -> ReplicaShape | None:
    """The cheapest replica shape per token for ``model`` on ``gpu`` (see the module docstring).

    Per precision, the smallest tensor-parallel size that fits and the next one up are tried (a larger
    replica leaves more memory for the KV cache, which pays off for long prompts; beyond that, the
    communication cost of tensor parallelism makes more GPUs per replica dearer per token).
    """
    input_len = context.profile.input_length.mean
    output_len = context.profile.output_length.mean
    if not input_len or not output_len:
        return None
    best: ReplicaShape | None = None
    limit = context.config.gpu.max_gpus_per_replica
    for precision in context.config.capacity.precisions:
        tried = 0
        for tp in (t for t in _TP_CHOICES if t <= limit and _reachable(gpu, t)):
            if tried == 2:
                break
            shape = _shape(context, inputs, model, gpu, precision, tp, input_len, output_len)
            if shape is None:
                continue
            tried += 1
            if shape.tokens_per_s > 0 and (best is None or _better(shape, best)):
                best = shape
    return best


@functools.lru_cache(maxsize=65536)
def _capacity(
    inputs: PlanInputs,
    model: str,
    gpu: GpuOffer,
    precision: str,
    tp: int,
    lengths: tuple[float, float, float, float],
) -> ReplicaCapacity:
    """The capacity model's answer, memoised (plans re-ask the same shapes across modes and runs)."""
    input_len, output_len, ttft, tpot = lengths
    return replica_capacity(
        inputs.open_models[model],
        gpu.spec,
        inputs.efficiency,
        tp=tp,
        precision=precision,
        engine=inputs.engine,
        input_len=input_len,
        output_len=output_len,
        ttft_p99_ms=ttft,
        tpot_p99_ms=tpot,
        measurements=inputs.measurements,
    )


def _shape(
    context: WorkloadContext,
    inputs: PlanInputs,
    model: str,
    gpu: GpuOffer,
    precision: str,
    tp: int,
    input_len: float,
    output_len: float,
) -> ReplicaShape | None:
    """The replica at the workload's latency targets, else at relaxed ones (flagged); None if it does not
    fit; zero throughput if it meets neither."""
    for ttft, tpot, meets in (
        (context.ttft_p99_ms, context.tpot_p99_ms, True),
        (_RELAXED_TTFT_MS, _RELAXED_TPOT_MS, False),
    ):
        capacity = _capacity(inputs, model, gpu, precision, tp, (input_len, output_len, ttft, tpot))
        if not capacity.fits:
            return None
        if capacity.output_tokens_per_s > 0:
            total = _total_tokens_per_s(capacity, input_len, output_len)
            return ReplicaShape(tp, precision, total, meets, capacity.source == "measured")
    return ReplicaShape(tp, precision, 0.0, False)


def fixed_shape(context: WorkloadContext, inputs: PlanInputs, gpu: GpuOffer) -> ReplicaShape | None:
    """The user's fixed replica (``[workloads.x] self_hosted``): its GPUs per replica, at its precision or
    the cheapest per token of the configured ones."""
    fixed = context.fixed_shape
    assert fixed is not None
    input_len = context.profile.input_length.mean
    output_len = context.profile.output_length.mean
    if not input_len or not output_len:
        return None
    precisions = [fixed.precision] if fixed.precision else context.config.capacity.precisions
    best: ReplicaShape | None = None
    for precision in precisions:
        shape = _shape(
            context, inputs, fixed.model, gpu, precision, fixed.gpus_per_replica, input_len, output_len
        )
        if shape is not None and shape.tokens_per_s > 0 and (best is None or _better(shape, best)):
            best = shape
    return best


def _reachable(gpu: GpuOffer, tp: int) -> bool:
    """A ``tp``-GPU replica is considered within one server, or across servers with a known network."""
    return not spans_servers(gpu.spec, tp) or gpu.spec.internode_link_bytes_per_s is not None


def _better(a: ReplicaShape, b: ReplicaShape) -> bool:
    if a.meets_latency != b.meets_latency:
        return a.meets_latency
    return a.gpus_per_replica / a.tokens_per_s < b.gpus_per_replica / b.tokens_per_s
