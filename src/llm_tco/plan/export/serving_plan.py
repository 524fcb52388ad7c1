"""What the exports put into effect: each workload's assigned backend, and the self-hosted pools with the
replica shape and engine limits each runs.

``serving_plan_from_document`` is the one place that reads a plan document for the exports. Each
workload is routed to its recommendation (staying on today's model when it has none); each self-hosted
recommendation is a pool of its own, holding that one workload.

A pool's engine limits come from the capacity model, as the plan sized it: ``max_num_seqs`` is the number
of sequences one replica keeps in flight while meeting the workload's p99 TTFT/TPOT targets at its mean
lengths (more would break the targets; fewer would need more replicas than the plan pays for), and
``max_model_len`` the longest request the pool must take: the p99 prompt plus the p99 output, rounded up
to a multiple of 1,024 tokens and capped at the model's context window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from llm_tco.capacity.precision import default_kv_precision
from llm_tco.capacity.predict import replica_capacity
from llm_tco.catalog.open_models import get_open_model
from llm_tco.errors import LookupFailedError
from llm_tco.plan.doc import PlanDocument, WorkloadPlan
from llm_tco.plan.inputs import PlanInputs
from llm_tco.plan.portfolio.doc import Pool as PortfolioPool

__all__ = [
    "Assignment",
    "Pool",
    "ServingPlan",
    "serving_plan_from_document",
]

MODEL_LEN_STEP_TOKENS = 1024
"""``max_model_len`` is rounded up to a multiple of this (a request a few tokens past the p99 fits)."""

SERVING_ENGINE = "vllm"
"""The engine the serving files launch."""


@dataclass(frozen=True)
class Assignment:
    """One workload's backend: an API model (``provider``/``model``) or a self-hosted pool."""

    workload: str
    option_id: str | None
    """The plan option chosen; None when the workload stays on today's model for want of any option."""
    placement: str
    """``closed-api``, ``open-api`` or ``self-hosted``."""
    provider: str | None
    """genai-prices provider id (API placements)."""
    model: str
    """genai-prices model id (API placements) or open-model catalog id (self-hosted)."""
    pool_id: str | None = None


@dataclass(frozen=True)
class Pool:
    """Replicas of one open model on one GPU type serving one or more workloads."""

    id: str
    open_model: str
    """Open-model catalog id (also the name the engine serves the model under)."""
    hf_id: str
    precision: str
    kv_cache_dtype: str
    """KV-cache precision the capacity model assumed (``bf16``/``fp16``: the model's own dtype)."""
    gpu: str
    deployment: str
    gpus_per_replica: int
    tensor_parallel: int
    pipeline_parallel: int
    replicas: int
    gpus: int
    workloads: tuple[str, ...]
    sovereignty: str
    max_num_seqs: int
    max_model_len: int


@dataclass(frozen=True)
class ServingPlan:
    """The assignments (one per workload, in document order) and the pools they use."""

    assignments: tuple[Assignment, ...]
    pools: tuple[Pool, ...]


def serving_plan_from_document(doc: PlanDocument, inputs: PlanInputs | None = None) -> ServingPlan:
    """The plan's assignments and pools (see the module docstring); ``inputs`` gives the model
    architectures and efficiencies (default: the bundled catalogs)."""
    inputs = inputs or PlanInputs.bundled()
    assignments: list[Assignment] = []
    pools: list[Pool] = []
    shared = {pool.id: pool for pool in doc.portfolio.pools}
    pooled = {a.workload: a.pool_id for a in doc.portfolio.assignments if a.pool_id in shared}
    by_name = {w.workload: w for w in doc.workloads}
    for shared_pool in shared.values():
        members = [by_name[name] for name in shared_pool.workloads if name in by_name]
        if members:
            pools.append(_shared_pool(shared_pool, members, inputs))
    for workload in doc.workloads:
        rec = workload.recommendation
        if workload.workload in pooled and rec is not None:
            pool_id = pooled[workload.workload]
            model = shared[pool_id].open_model
            assignments.append(
                Assignment(workload.workload, rec.id, "self-hosted", None, model, pool_id=pool_id)
            )
            continue
        if rec is None:
            assignments.append(
                Assignment(
                    workload.workload,
                    None,
                    "closed-api",
                    workload.current_provider,
                    workload.current_model or "",
                )
            )
            continue
        if rec.placement != "self-hosted":
            assignments.append(Assignment(workload.workload, rec.id, rec.placement, rec.provider, rec.model))
            continue
        pool = _pool_for(workload, inputs)
        pools.append(pool)
        assignments.append(
            Assignment(workload.workload, rec.id, rec.placement, None, pool.open_model, pool_id=pool.id)
        )
    return ServingPlan(tuple(assignments), tuple(pools))


def _pool_for(workload: WorkloadPlan, inputs: PlanInputs) -> Pool:
    rec = workload.recommendation
    assert rec is not None and rec.open_model and rec.gpu and rec.precision
    model = rec.open_model
    tp = rec.tensor_parallel or rec.gpus_per_replica or 1
    pp = rec.pipeline_parallel or 1
    input_len = workload.mean_input_tokens or 1.0
    output_len = workload.mean_output_tokens or 1.0
    gpu = next(g for g in inputs.gpus if g.id == rec.gpu)
    capacity = replica_capacity(
        inputs.open_models[model],
        gpu.spec,
        inputs.efficiency,
        tp=tp,
        precision=rec.precision,
        engine=SERVING_ENGINE,
        input_len=input_len,
        output_len=output_len,
        ttft_p99_ms=workload.ttft_p99_ms,
        tpot_p99_ms=workload.tpot_p99_ms,
        pp=pp,
        measurements=inputs.measurements,
    )
    facts = inputs.open_model_facts.get(model)
    return Pool(
        id=f"{workload.workload}-{model}",
        open_model=model,
        hf_id=_hf_id(model),
        precision=rec.precision,
        kv_cache_dtype=default_kv_precision(rec.precision),
        gpu=rec.gpu,
        deployment=rec.deployment or "on-demand",
        gpus_per_replica=rec.gpus_per_replica or tp * pp,
        tensor_parallel=tp,
        pipeline_parallel=pp,
        replicas=rec.replicas or 1,
        gpus=rec.gpus or (rec.replicas or 1) * tp * pp,
        workloads=(workload.workload,),
        sovereignty=workload.sovereignty,
        max_num_seqs=max(1, math.floor(capacity.concurrency)),
        max_model_len=_max_model_len(workload, facts.context_tokens if facts else None),
    )


def _shared_pool(pool: PortfolioPool, members: list[WorkloadPlan], inputs: PlanInputs) -> Pool:
    """A pool the portfolio shares between workloads: its own shape and replicas; the engine limits that
    every member needs (the fewest concurrent sequences any member's latency allows, the longest request)."""
    singles = [_pool_for(member, inputs) for member in members]
    return Pool(
        id=pool.id,
        open_model=pool.open_model,
        hf_id=pool.hf_id or _hf_id(pool.open_model),
        precision=pool.precision,
        kv_cache_dtype=pool.kv_cache_dtype or default_kv_precision(pool.precision),
        gpu=pool.gpu,
        deployment=pool.deployment,
        gpus_per_replica=pool.gpus_per_replica,
        tensor_parallel=pool.tensor_parallel,
        pipeline_parallel=pool.pipeline_parallel,
        replicas=pool.replicas,
        gpus=pool.gpus,
        workloads=tuple(pool.workloads),
        sovereignty=pool.sovereignty,
        max_num_seqs=pool.max_num_seqs or min(p.max_num_seqs for p in singles),
        max_model_len=max(p.max_model_len for p in singles),
    )


def _max_model_len(workload: WorkloadPlan, context_tokens: int | None) -> int:
    prompt = workload.p99_input_tokens or workload.mean_input_tokens or 0.0
    output = workload.p99_output_tokens or workload.mean_output_tokens or 0.0
    needed = max(math.ceil(prompt + output), 1)
    rounded = -(-needed // MODEL_LEN_STEP_TOKENS) * MODEL_LEN_STEP_TOKENS
    return min(rounded, context_tokens) if context_tokens else rounded


def _hf_id(model: str) -> str:
    """The model's Hugging Face repository (the catalog id itself for a model the catalog lacks)."""
    try:
        return get_open_model(model).hf_id
    except LookupFailedError:
        return model
