"""The public entry of the capacity model: ``predict`` one configuration, or ask what one replica sustains.

Pure: every input is a value (specs built by ``llm_tco.catalog``; efficiencies loaded from the calibration
file by ``llm_tco.catalog.calibration``). A model that does not fit raises ``DoesNotFitError`` naming the
smallest configuration that would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from llm_tco.capacity.cost import TokenCost, cost_per_million_tokens
from llm_tco.capacity.measured import Measurement, apply_measurement, find_measurement
from llm_tco.capacity.memory import MemoryBreakdown, memory_breakdown, weight_breakdown
from llm_tco.capacity.precision import BYTES_PER_PARAM, WEIGHT_PRECISIONS, default_kv_precision
from llm_tco.capacity.scenarios import DEFAULT_ENGINE, ReplicaModel, ReplicaResult
from llm_tco.capacity.specs import (
    Deployment,
    EfficiencyParams,
    EngineDefaults,
    GpuSpec,
    ModelSpec,
    ScenarioSpec,
    Workload,
)
from llm_tco.errors import DoesNotFitError, UsageError

__all__ = [
    "Prediction",
    "ReplicaCapacity",
    "check_fit",
    "make_deployment",
    "predict",
    "replica_capacity",
    "smallest_fitting",
]

_TP_CHOICES = (1, 2, 4, 8)


@dataclass(frozen=True, slots=True)
class Prediction:
    """One scenario's prediction for the whole system (all replicas). Times in ms, rates per second."""

    id: str
    model: str
    gpu: str
    num_gpus: int
    tp: int
    replicas: int
    precision: str
    kv_precision: str
    engine: str
    scenario: str
    input_len: float
    output_len: float
    fits: bool
    output_tokens_per_s: float | None
    output_tokens_per_s_per_gpu: float | None
    requests_per_s: float | None
    concurrency: float | None
    ttft_ms: float | None
    tpot_ms: float | None
    limited_by: str | None
    memory: MemoryBreakdown | None
    source: str = "model"
    """``model`` (the calibrated model) or ``measured`` (a user measurement replaced it)."""
    error: str | None = None
    notes: tuple[str, ...] = field(default=())
    cost: TokenCost | None = None
    pp: int = 1
    """Pipeline stages per replica (each of ``tp`` GPUs)."""

    def with_cost(self, gpu_hourly_usd: float | None, utilisation: float = 1.0) -> Prediction:
        """This prediction with its cost per million tokens at ``gpu_hourly_usd`` per GPU-hour."""
        if gpu_hourly_usd is None or not self.output_tokens_per_s:
            return self
        cost = cost_per_million_tokens(
            gpu_hourly_usd=gpu_hourly_usd,
            num_gpus=self.num_gpus,
            output_tokens_per_s=self.output_tokens_per_s,
            input_len=self.input_len,
            output_len=self.output_len,
            utilisation=utilisation,
        )
        return replace(self, cost=cost)


def make_deployment(
    *,
    num_gpus: int,
    tp: int | None,
    precision: str,
    kv_precision: str | None,
    engine: str,
    pp: int = 1,
) -> Deployment:
    """Validate and complete a deployment: ``tp`` defaults to all GPUs (over ``pp`` stages), the KV
    precision to the rule in ``precision.default_kv_precision``."""
    if num_gpus < 1:
        raise UsageError("--gpus must be at least 1")
    if pp < 1 or num_gpus % pp:
        raise UsageError(f"pipeline stages {pp} must be at least 1 and divide --gpus {num_gpus}")
    tp = num_gpus // pp if tp is None else tp
    if tp < 1 or num_gpus % (tp * pp):
        raise UsageError(f"--tp {tp} must be at least 1 and divide --gpus {num_gpus}")
    if precision not in WEIGHT_PRECISIONS:
        raise UsageError(f"unknown precision {precision!r}; choose one of {', '.join(WEIGHT_PRECISIONS)}")
    kv = kv_precision or default_kv_precision(precision)
    return Deployment(num_gpus=num_gpus, tp=tp, precision=precision, kv_precision=kv, engine=engine, pp=pp)


def _engine(params: EfficiencyParams, engine: str) -> EngineDefaults:
    return params.engine_defaults.get(engine, DEFAULT_ENGINE)


def check_fit(
    model: ModelSpec, gpu: GpuSpec, params: EfficiencyParams, deployment: Deployment, workload: Workload
) -> MemoryBreakdown:
    """Per-GPU memory of the deployment (``fits`` tells whether one full-length sequence fits)."""
    engine = _engine(params, deployment.engine)
    return memory_breakdown(
        model,
        gpu,
        params,
        tp=deployment.tp,
        precision=deployment.precision,
        kv_precision=deployment.kv_precision,
        input_len=workload.input_len,
        output_len=workload.output_len,
        batched_tokens=engine.max_batched_tokens,
        max_seqs=engine.max_num_seqs(gpu),
        attention_dp=engine.attention_dp(model),
        kv_fraction_of_free=engine.kv_fraction_of_free,
        pp=deployment.pp,
    )


def smallest_fitting(
    model: ModelSpec, gpu: GpuSpec, params: EfficiencyParams, deployment: Deployment, workload: Workload
) -> str:
    """Describe the smallest configuration on this GPU that fits: fewest GPUs at the asked precision, else
    fewest at a smaller precision."""
    options = [
        deployment.precision,
        *sorted(
            (p for p in WEIGHT_PRECISIONS if BYTES_PER_PARAM[p] < BYTES_PER_PARAM[deployment.precision]),
            key=lambda p: -BYTES_PER_PARAM[p],
        ),
    ]
    for precision in options:
        for tp in _TP_CHOICES:
            trial = make_deployment(
                num_gpus=tp, tp=tp, precision=precision, kv_precision=None, engine=deployment.engine
            )
            if check_fit(model, gpu, params, trial, workload).fits:
                return f"{tp}× {gpu.id} at {precision} (tp {tp})"
    return f"none with up to {_TP_CHOICES[-1]}× {gpu.id} at any precision; use a GPU with more memory"


def _does_not_fit_message(
    model: ModelSpec, gpu: GpuSpec, params: EfficiencyParams, deployment: Deployment, workload: Workload
) -> str:
    weights_gb = weight_breakdown(model, deployment.precision).total_bytes / 1e9
    usable_gb = gpu.memory_bytes * params.gpu_memory_utilization / 1e9
    return (
        f"{model.id} at {deployment.precision} does not fit {deployment.tp}× {gpu.id} per replica "
        f"({weights_gb:.1f} GB of weights plus KV cache and activations, {usable_gb:.1f} GB usable per GPU); "
        f"smallest that fits: {smallest_fitting(model, gpu, params, deployment, workload)}"
    )


def predict(
    model: ModelSpec,
    gpu: GpuSpec,
    params: EfficiencyParams,
    *,
    deployment: Deployment,
    workload: Workload,
    scenario: ScenarioSpec,
    prediction_id: str = "cli",
    measurements: Sequence[Measurement] = (),
    explain_misfit: bool = True,
) -> Prediction:
    """Predict throughput and latency of ``deployment`` under ``scenario``.

    A matching entry of ``measurements`` (see ``capacity.measured``) replaces the model's figures. Raises
    ``DoesNotFitError`` when the weights, reserve and one full-length sequence's cache do not fit (and no
    measurement says otherwise); its message names the smallest configuration that would, unless
    ``explain_misfit`` is False (a search over many shapes that discards the message skips that search).
    """
    if workload.input_len <= 0 or workload.output_len <= 0:
        raise UsageError("input and output lengths must be positive")
    memory = check_fit(model, gpu, params, deployment, workload)
    notes = [f"unverified {gpu.id} spec: {field_name}" for field_name in gpu.unverified]
    skeleton = Prediction(
        id=prediction_id,
        model=model.id,
        gpu=gpu.id,
        num_gpus=deployment.num_gpus,
        tp=deployment.tp,
        replicas=deployment.replicas,
        precision=deployment.precision,
        kv_precision=deployment.kv_precision,
        engine=deployment.engine,
        scenario=scenario.kind,
        input_len=workload.input_len,
        output_len=workload.output_len,
        fits=memory.fits,
        output_tokens_per_s=None,
        output_tokens_per_s_per_gpu=None,
        requests_per_s=None,
        concurrency=None,
        ttft_ms=None,
        tpot_ms=None,
        limited_by=None,
        memory=memory,
        notes=tuple(notes),
        pp=deployment.pp,
    )
    measurement = find_measurement(
        measurements,
        skeleton,
        concurrency=scenario.concurrency,
        ttft_target_ms=scenario.ttft_ms,
        tpot_target_ms=scenario.tpot_ms,
    )
    if not memory.fits:
        if measurement is None:
            raise DoesNotFitError(
                _does_not_fit_message(model, gpu, params, deployment, workload)
                if explain_misfit
                else f"{model.id} at {deployment.precision} does not fit {deployment.tp}× {gpu.id}"
            )
        fitted = replace(skeleton, fits=True, notes=(*skeleton.notes, "the model predicts this does not fit"))
        return apply_measurement(fitted, measurement)
    replica = ReplicaModel(model, gpu, params, deployment, workload, memory)
    replicas = deployment.replicas
    result = _run_scenario(replica, scenario, replicas)
    system_tps = result.output_tokens_per_s * replicas
    if result.note:
        notes.append(result.note)
    modelled = replace(
        skeleton,
        fits=True,
        output_tokens_per_s=system_tps,
        output_tokens_per_s_per_gpu=system_tps / deployment.num_gpus,
        requests_per_s=system_tps / workload.output_len,
        concurrency=result.concurrency * replicas,
        ttft_ms=result.ttft_s * 1e3,
        tpot_ms=result.tpot_s * 1e3,
        limited_by=result.limited_by,
        notes=tuple(notes),
    )
    return apply_measurement(modelled, measurement) if measurement is not None else modelled


def _run_scenario(replica: ReplicaModel, scenario: ScenarioSpec, replicas: int) -> ReplicaResult:
    if scenario.kind == "offline":
        return replica.offline()
    if scenario.kind in ("concurrency", "batch"):
        if not scenario.concurrency or scenario.concurrency < 1:
            raise UsageError(f"scenario {scenario.kind!r} needs a concurrency of at least 1")
        per_replica = scenario.concurrency / replicas
        if scenario.kind == "batch":
            return replica.batch(per_replica)
        return replica.concurrency(per_replica)
    if scenario.ttft_ms is None or scenario.tpot_ms is None or scenario.ttft_ms <= 0 or scenario.tpot_ms <= 0:
        raise UsageError("scenario 'slo' needs positive --ttft-ms and --tpot-ms targets")
    return replica.slo(scenario.ttft_ms, scenario.tpot_ms)


@dataclass(frozen=True, slots=True)
class ReplicaCapacity:
    """What one replica (``tp × pp`` GPUs) sustains under p99 latency targets; ``fits`` False with a
    reason."""

    fits: bool
    output_tokens_per_s: float
    requests_per_s: float
    concurrency: float
    gpus_per_replica: int
    ttft_p99_ms: float | None
    tpot_p99_ms: float | None
    limited_by: str | None
    reason: str | None = None
    source: str = "model"
    """``model`` or ``measured`` (a user measurement of this configuration was used)."""


def replica_capacity(
    model: ModelSpec,
    gpu: GpuSpec,
    params: EfficiencyParams,
    *,
    tp: int,
    precision: str,
    engine: str,
    input_len: float,
    output_len: float,
    ttft_p99_ms: float,
    tpot_p99_ms: float,
    kv_precision: str | None = None,
    measurements: Sequence[Measurement] = (),
    pp: int = 1,
    explain_misfit: bool = True,
) -> ReplicaCapacity:
    """Sustainable output tokens/s and requests/s of one ``tp × pp``-GPU replica (``pp`` pipeline stages
    of ``tp`` GPUs) under p99 TTFT/TPOT targets. Measurements describe tensor-parallel replicas only, so
    they are not consulted for a pipelined one. ``explain_misfit`` as for ``predict``.

    Never raises for a configuration that does not fit or cannot meet the targets: ``fits`` is False (or
    the rates are 0) and ``reason`` says why, so a planner can scan many options.
    """
    deployment = make_deployment(
        num_gpus=tp * pp, tp=tp, precision=precision, kv_precision=kv_precision, engine=engine, pp=pp
    )
    workload = Workload(input_len=input_len, output_len=output_len)
    try:
        prediction = predict(
            model,
            gpu,
            params,
            deployment=deployment,
            workload=workload,
            scenario=ScenarioSpec(kind="slo", ttft_ms=ttft_p99_ms, tpot_ms=tpot_p99_ms),
            measurements=measurements if pp == 1 else (),
            explain_misfit=explain_misfit,
        )
    except DoesNotFitError as exc:
        return ReplicaCapacity(False, 0.0, 0.0, 0.0, tp * pp, None, None, None, str(exc))
    tps = prediction.output_tokens_per_s or 0.0
    return ReplicaCapacity(
        fits=True,
        output_tokens_per_s=tps,
        requests_per_s=prediction.requests_per_s or 0.0,
        concurrency=prediction.concurrency or 0.0,
        gpus_per_replica=tp * pp,
        ttft_p99_ms=prediction.ttft_ms,
        tpot_p99_ms=prediction.tpot_ms,
        limited_by=prediction.limited_by,
        reason=prediction.notes[-1] if tps == 0.0 and prediction.notes else None,
        source=prediction.source,
    )
