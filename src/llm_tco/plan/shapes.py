"""Replica shapes: how many GPUs, split how (tensor × pipeline parallel), at which precision, and what one
replica sustains.

For an open model on a GPU, the shape kept is the one with the lowest GPU-hours per token among those the
capacity model says fit and meet the workload's p99 TTFT/TPOT targets; a shape that fits but cannot meet
them is kept only when none can, sized at relaxed targets and flagged (``meets_latency`` False). The
user's own measurements replace the model's figures where they cover the configuration.

A replica larger than one server is tried two ways: pure tensor parallelism across the servers (its
all-reduces on the inter-node network), and tensor parallelism over one server's GPUs with one pipeline
stage per server (one activation send per stage boundary on that network); the cheaper per token wins.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from llm_tco.capacity.parallel import SERVER_GPUS, spans_servers
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
    """One replica: its GPUs (``tensor_parallel × pipeline_parallel``), precision, and what it sustains
    (prompt + output tokens/s)."""

    gpus_per_replica: int
    precision: str
    tokens_per_s: float
    meets_latency: bool
    measured: bool = False
    """The throughput is the user's measurement, not the capacity model's."""
    pipeline_parallel: int = 1
    """Pipeline stages (one per server); 1 for a tensor-parallel-only replica."""

    @property
    def tensor_parallel(self) -> int:
        """GPUs in tensor parallel within each pipeline stage."""
        return self.gpus_per_replica // self.pipeline_parallel


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
            shape = _best_split(context, inputs, model, gpu, precision, tp, input_len, output_len)
            if shape is None:
                continue
            tried += 1
            if shape.tokens_per_s > 0 and (best is None or _better(shape, best)):
                best = shape
    return best


def _splits(gpu: GpuOffer, gpus: int) -> list[tuple[int, int]]:
    """``(tp, pp)`` ways to run a ``gpus``-GPU replica: pure tensor parallel, and, past one server on a GPU
    whose catalog entry gives an inter-node bandwidth, one server's GPUs in tensor parallel per stage."""
    splits = [(gpus, 1)]
    server = max(SERVER_GPUS, gpu.spec.scaleup_domain_gpus)
    if gpu.spec.internode_link_bytes_per_s is not None and gpus > server and gpus % server == 0:
        splits.append((server, gpus // server))
    return splits


def _best_split(
    context: WorkloadContext,
    inputs: PlanInputs,
    model: str,
    gpu: GpuOffer,
    precision: str,
    gpus: int,
    input_len: float,
    output_len: float,
) -> ReplicaShape | None:
    """The better of the ``gpus``-GPU replica's splits (``_splits``); None when none fits."""
    best: ReplicaShape | None = None
    for tp, pp in _splits(gpu, gpus):
        shape = _shape(context, inputs, model, gpu, precision, tp, input_len, output_len, pp=pp)
        if shape is not None and (best is None or _better_or_viable(shape, best)):
            best = shape
    return best


def _better_or_viable(a: ReplicaShape, b: ReplicaShape) -> bool:
    if b.tokens_per_s <= 0:
        return a.tokens_per_s > 0
    return a.tokens_per_s > 0 and _better(a, b)


@functools.lru_cache(maxsize=65536)
def _capacity(
    inputs: PlanInputs,
    model: str,
    gpu: GpuOffer,
    precision: str,
    tp: int,
    lengths: tuple[float, float, float, float],
    pp: int = 1,
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
        pp=pp,
        explain_misfit=False,
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
    *,
    pp: int = 1,
) -> ReplicaShape | None:
    """The ``tp × pp`` replica at the workload's latency targets, else at relaxed ones (flagged); None if
    it does not fit; zero throughput if it meets neither."""
    for ttft, tpot, meets in (
        (context.ttft_p99_ms, context.tpot_p99_ms, True),
        (_RELAXED_TTFT_MS, _RELAXED_TPOT_MS, False),
    ):
        capacity = _capacity(inputs, model, gpu, precision, tp, (input_len, output_len, ttft, tpot), pp)
        if not capacity.fits:
            return None
        if capacity.output_tokens_per_s > 0:
            total = _total_tokens_per_s(capacity, input_len, output_len)
            return ReplicaShape(tp * pp, precision, total, meets, capacity.source == "measured", pp)
    return ReplicaShape(tp * pp, precision, 0.0, False, pipeline_parallel=pp)


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
        shape = _best_split(
            context, inputs, fixed.model, gpu, precision, fixed.gpus_per_replica, input_len, output_len
        )
        if shape is not None and shape.tokens_per_s > 0 and (best is None or _better(shape, best)):
            best = shape
    return best


def _reachable(gpu: GpuOffer, tp: int) -> bool:
    """A ``tp``-GPU replica is considered within one server, or across servers with a known network (for
    tensor or pipeline parallelism)."""
    return not spans_servers(gpu.spec, tp) or gpu.spec.internode_link_bytes_per_s is not None


def _better(a: ReplicaShape, b: ReplicaShape) -> bool:
    if a.meets_latency != b.meets_latency:
        return a.meets_latency
    return a.gpus_per_replica / a.tokens_per_s < b.gpus_per_replica / b.tokens_per_s
