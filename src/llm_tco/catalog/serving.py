"""Name-level entry points to the capacity model: resolve a model and a GPU from the catalogs, load the
calibration, predict, and price the result.

This is what the CLI and the planner call; ``llm_tco.capacity`` itself stays pure (values in, values out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from llm_tco.capacity.measured import Measurement
from llm_tco.capacity.precision import ENGINES
from llm_tco.capacity.predict import Prediction, ReplicaCapacity, make_deployment, predict, replica_capacity
from llm_tco.capacity.specs import GpuSpec, ModelSpec, ScenarioSpec, Workload
from llm_tco.catalog.calibration import calibration_params
from llm_tco.catalog.gpus import Deployment, get_gpu, gpu_spec, hourly_price
from llm_tco.catalog.open_models import get_open_model, model_spec
from llm_tco.errors import UsageError

__all__ = [
    "PricedPrediction",
    "check_engine",
    "predict_named",
    "replica_capacity_named",
    "resolve_gpu_spec",
    "resolve_model_spec",
]


def resolve_model_spec(name: str) -> ModelSpec:
    """Architecture of the open model ``name`` (id, HF repo id, alias or chat/instruct variant)."""
    return model_spec(get_open_model(name))


def resolve_gpu_spec(name: str) -> GpuSpec:
    """Specification of the GPU ``name`` (id or alias)."""
    return gpu_spec(get_gpu(name))


def check_engine(engine: str) -> str:
    """``engine`` lower-cased if it is one the model knows, else ``UsageError``."""
    key = engine.strip().lower()
    if key not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    return key


@dataclass(frozen=True, slots=True)
class PricedPrediction:
    """A prediction with the GPU-hour price used for its cost (``price_source`` says where it came from;
    both None when no price is known, and then there is no cost)."""

    prediction: Prediction
    gpu_hourly_usd: float | None
    price_source: str | None


def predict_named(
    *,
    model: str,
    gpu: str,
    input_len: float,
    output_len: float,
    scenario: ScenarioSpec,
    gpus: int = 1,
    tp: int | None = None,
    precision: str = "bf16",
    kv_precision: str | None = None,
    engine: str = "vllm",
    prediction_id: str = "cli",
    measurements: Sequence[Measurement] = (),
    gpu_hourly_usd: float | None = None,
    deployment: Deployment = "on-demand",
    utilisation: float = 1.0,
) -> PricedPrediction:
    """Resolve names, predict, and cost the result at ``gpu_hourly_usd`` (else the catalog's median
    ``deployment`` price for the GPU, when one is published). Raises ``LookupFailedError``,
    ``DoesNotFitError`` or ``UsageError``."""
    gpu_entry = get_gpu(gpu)
    prediction = predict(
        resolve_model_spec(model),
        gpu_spec(gpu_entry),
        calibration_params(),
        deployment=make_deployment(
            num_gpus=gpus, tp=tp, precision=precision, kv_precision=kv_precision, engine=check_engine(engine)
        ),
        workload=Workload(input_len=input_len, output_len=output_len),
        scenario=scenario,
        prediction_id=prediction_id,
        measurements=measurements,
    )
    price_source: str | None = None
    price = gpu_hourly_usd
    if price is not None:
        price_source = "given"
    else:
        price = hourly_price(gpu_entry, deployment)
        if price is not None:
            providers = sorted({p.provider for p in gpu_entry.prices(deployment)})
            price_source = f"catalog {deployment} median ({', '.join(providers)})"
        else:
            prediction = replace(
                prediction,
                notes=(*prediction.notes, f"no {deployment} price for {gpu_entry.id} in the catalog"),
            )
    return PricedPrediction(prediction.with_cost(price, utilisation), price, price_source)


def replica_capacity_named(
    model: str,
    gpu: str,
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
) -> ReplicaCapacity:
    """Sustainable output tokens/s and requests/s of one ``tp``-GPU replica of ``model`` on ``gpu`` under
    p99 TTFT/TPOT targets (``fits`` False with a reason when it does not fit)."""
    return replica_capacity(
        resolve_model_spec(model),
        resolve_gpu_spec(gpu),
        calibration_params(),
        tp=tp,
        precision=precision,
        engine=check_engine(engine),
        input_len=input_len,
        output_len=output_len,
        ttft_p99_ms=ttft_p99_ms,
        tpot_p99_ms=tpot_p99_ms,
        kv_precision=kv_precision,
        measurements=measurements,
    )
