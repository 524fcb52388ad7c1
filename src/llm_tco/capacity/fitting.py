"""Calibration: fit the few global efficiencies to published measurements (pure; no file access).

Only global parameters are fitted — HBM bandwidth efficiency, compute efficiency, a per-layer fixed
overhead, the all-reduce latency and link efficiency, and one iteration-time factor per engine
(TensorRT-LLM is the reference, fixed at 1). Never a per-row or per-source factor.

The objective is the sum of squared log errors ``log(predicted / measured)`` over the cases, plus a weak
prior pulling each parameter (in log space) towards a documented starting value so that a parameter the
data does not inform (e.g. an engine with no rows once a source is held out) stays at its prior instead of
drifting. Bounds keep every parameter physical.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from llm_tco.capacity.predict import predict
from llm_tco.capacity.specs import Deployment, EfficiencyParams, GpuSpec, ModelSpec, ScenarioSpec, Workload
from llm_tco.errors import DoesNotFitError

__all__ = [
    "FITTED_PARAMETERS",
    "PARAMETER_BOUNDS",
    "CalibrationCase",
    "FitResult",
    "fit_parameters",
    "leave_one_group_out",
    "predict_case",
]


PARAMETER_BOUNDS: dict[str, tuple[float, float]] = {
    "bandwidth_efficiency": (0.3, 1.0),
    "compute_efficiency": (0.1, 1.0),
    "layer_overhead_s": (1e-7, 1e-3),
    "allreduce_latency_s": (1e-7, 5e-4),
    "link_efficiency": (0.1, 1.0),
    "engine:vllm": (0.3, 3.0),
    "engine:sglang": (0.3, 3.0),
    "moe_engine:vllm": (0.3, 5.0),
    "moe_engine:sglang": (0.3, 5.0),
    "moe_layer_overhead_s": (1e-7, 2e-3),
    "sequence_overhead_s": (1e-8, 2e-4),
    "seq_overhead:trtllm": (1e-8, 2e-4),
    "seq_overhead:vllm": (1e-8, 2e-4),
    "seq_overhead:sglang": (1e-8, 2e-4),
}
"""Physical bounds of each fittable parameter (efficiencies are shares of a peak; times in seconds).
``engine:E`` is engine E's iteration-time factor and ``moe_engine:E`` its extra factor on mixture-of-experts
models (``trtllm`` is the reference, fixed at 1); ``seq_overhead:E`` is engine E's own per-sequence overhead
(supported, not fitted by default: leave-one-source-out validation preferred one global value)."""

FITTED_PARAMETERS: tuple[str, ...] = (
    "bandwidth_efficiency",
    "compute_efficiency",
    "layer_overhead_s",
    "moe_layer_overhead_s",
    "sequence_overhead_s",
    "engine:vllm",
    "engine:sglang",
    "moe_engine:vllm",
    "moe_engine:sglang",
)
"""The parameters the calibration fits; the others keep their documented values."""

_ROBUST_SCALE = 0.3
"""Log error (about the 35 % accuracy target) beyond which a case's pull on the fit grows only linearly
(soft-L1 loss): a few published runs sit 3-8x below every physical bound (untuned engines, early ROCm
builds) and must not drag the efficiencies of everything else."""

_PRIOR_WEIGHT = 0.5
"""Weight of the log-space prior residual relative to one measurement's log error."""


@dataclass(frozen=True, slots=True)
class CalibrationCase:
    """One published measurement, resolved to specs: ``measured`` is the system's output tokens/s."""

    id: str
    group: str
    model: ModelSpec
    gpu: GpuSpec
    deployment: Deployment
    workload: Workload
    scenario: ScenarioSpec
    measured: float


def predict_case(case: CalibrationCase, params: EfficiencyParams) -> float | None:
    """Predicted system output tokens/s for ``case`` (None when the model does not fit)."""
    try:
        prediction = predict(
            case.model,
            case.gpu,
            params,
            deployment=case.deployment,
            workload=case.workload,
            scenario=case.scenario,
            prediction_id=case.id,
        )
    except DoesNotFitError:
        return None
    return prediction.output_tokens_per_s


def _get(params: EfficiencyParams, name: str) -> float:
    kind, _, engine = name.partition(":")
    if kind == "engine":
        return params.engine_factor(engine)
    if kind == "moe_engine":
        return params.moe_engine_factor(engine)
    if kind == "seq_overhead":
        return params.sequence_overhead(engine)
    return float(getattr(params, name))


def _with(params: EfficiencyParams, values: dict[str, float]) -> EfficiencyParams:
    engines = dict(params.engine_factors)
    engines["trtllm"] = 1.0
    moe_engines = dict(params.moe_engine_factors)
    moe_engines["trtllm"] = 1.0
    seq_overheads = dict(params.sequence_overheads)
    plain: dict[str, float] = {}
    for name, value in values.items():
        kind, _, engine = name.partition(":")
        if kind == "engine":
            engines[engine] = value
        elif kind == "moe_engine":
            moe_engines[engine] = value
        elif kind == "seq_overhead":
            seq_overheads[engine] = value
        else:
            plain[name] = value
    return replace(
        params,
        engine_factors=engines,
        moe_engine_factors=moe_engines,
        sequence_overheads=seq_overheads,
        **plain,  # type: ignore[arg-type]
    )


@dataclass(frozen=True, slots=True)
class FitResult:
    """Fitted parameters and the in-sample log errors (case id → log(predicted/measured))."""

    params: EfficiencyParams
    log_errors: dict[str, float]
    cost: float


def fit_parameters(
    cases: Sequence[CalibrationCase], prior: EfficiencyParams, names: Sequence[str] = FITTED_PARAMETERS
) -> FitResult:
    """Least-squares fit of the global parameters ``names`` to ``cases`` (log errors), starting from and
    weakly pulled towards ``prior``."""
    usable = [c for c in cases if c.measured > 0]
    x0 = np.log([_get(prior, n) for n in names])
    lower = np.log([PARAMETER_BOUNDS[n][0] for n in names])
    upper = np.log([PARAMETER_BOUNDS[n][1] for n in names])
    x0 = np.clip(x0, lower + 1e-9, upper - 1e-9)
    prior_vector = x0.copy()
    penalty = math.log(10.0)  # a case that does not fit counts as a tenfold miss

    def residuals(vector: np.ndarray) -> np.ndarray:
        params = _with(prior, dict(zip(names, np.exp(vector).tolist(), strict=True)))
        errors = []
        for case in usable:
            predicted = predict_case(case, params)
            errors.append(penalty if not predicted else math.log(predicted / case.measured))
        prior_terms = math.sqrt(_PRIOR_WEIGHT) * (vector - prior_vector)
        return np.concatenate([np.array(errors), prior_terms])

    # Imported here: SciPy's optimiser takes most of a second to import, and only calibration needs it
    # (the planner and the capacity command load this module for CalibrationCase alone).
    from scipy.optimize import least_squares

    solution = least_squares(
        residuals, x0, bounds=(lower, upper), diff_step=1e-3, loss="soft_l1", f_scale=_ROBUST_SCALE
    )
    params = _with(prior, dict(zip(names, np.exp(solution.x).tolist(), strict=True)))
    log_errors = {}
    for case in usable:
        predicted = predict_case(case, params)
        log_errors[case.id] = penalty if not predicted else math.log(predicted / case.measured)
    return FitResult(params=params, log_errors=log_errors, cost=float(solution.cost))


def leave_one_group_out(
    cases: Sequence[CalibrationCase],
    prior: EfficiencyParams,
    *,
    on_group: Callable[[str, int], None] | None = None,
    names: Sequence[str] = FITTED_PARAMETERS,
) -> dict[str, tuple[str, float | None]]:
    """For each group, fit on the other groups and predict the held-out cases.

    Returns case id → (group, predicted system output tokens/s or None if it does not fit).
    """
    groups = sorted({c.group for c in cases})
    predictions: dict[str, tuple[str, float | None]] = {}
    for group in groups:
        train = [c for c in cases if c.group != group]
        held_out = [c for c in cases if c.group == group]
        if on_group is not None:
            on_group(group, len(held_out))
        fitted = fit_parameters(train, prior, names).params
        for case in held_out:
            predictions[case.id] = (group, predict_case(case, fitted))
    return predictions
