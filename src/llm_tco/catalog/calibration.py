"""The capacity model's calibration file (``llm_tco/data/capacity_calibration.json``) and the calibration
set's resolution into ``CalibrationCase`` values.

The file holds the fitted global efficiencies, the documented (unfitted) defaults with their sources, and
the provenance of the fit: the data file's SHA-256, its row count and the script that wrote it
(``scripts/calibrate_capacity.py``). It is generated; do not edit the fitted values by hand.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import date
from pathlib import Path

from pydantic import Field

from llm_tco.capacity.fitting import CalibrationCase
from llm_tco.capacity.precision import default_kv_precision
from llm_tco.capacity.predict import make_deployment
from llm_tco.capacity.specs import EfficiencyParams, EngineDefaults, ScenarioSpec, Workload
from llm_tco.catalog._load import StrictModel, load_bundled
from llm_tco.catalog.gpus import get_gpu, gpu_spec
from llm_tco.catalog.open_models import get_open_model, model_spec
from llm_tco.catalog.scenario_file import ScenarioRow, read_scenario_file
from llm_tco.errors import LlmTcoError

__all__ = [
    "CALIBRATION_FILE",
    "CalibrationFile",
    "EngineDefaultsEntry",
    "FitProvenance",
    "FittedParams",
    "calibration_params",
    "file_sha256",
    "load_calibration_cases",
    "load_calibration_file",
    "measured_kv_precision",
    "prior_params",
    "row_to_case",
    "source_group",
]

CALIBRATION_FILE = "capacity_calibration.json"


class FittedParams(StrictModel):
    """The fitted global efficiencies (see ``capacity.specs.EfficiencyParams``)."""

    bandwidth_efficiency: float = Field(gt=0, le=1)
    compute_efficiency: float = Field(gt=0, le=1)
    layer_overhead_s: float = Field(ge=0)
    allreduce_latency_s: float = Field(ge=0)
    link_efficiency: float = Field(gt=0, le=1)
    engine_factors: dict[str, float]
    moe_engine_factors: dict[str, float]
    moe_layer_overhead_s: float = Field(ge=0)
    sequence_overhead_s: float = Field(ge=0)
    sequence_overheads: dict[str, float] = Field(default_factory=dict)


class EngineDefaultsEntry(StrictModel):
    """An engine's documented scheduler defaults."""

    max_num_seqs_large_gpu: int = Field(ge=1)
    max_num_seqs_small_gpu: int = Field(ge=1)
    max_batched_tokens: int = Field(ge=1)
    kv_cache_dtype: str
    large_gpu_min_memory_gb: float = Field(gt=0)
    small_gpu_ids: list[str] = Field(default_factory=list)
    moe_attention_dp: bool = False
    kv_fraction_of_free: bool = False
    source: str


class Defaults(StrictModel):
    """Unfitted, documented assumptions."""

    gpu_memory_utilization: float = Field(gt=0, le=1)
    runtime_reserve_bytes: float = Field(ge=0)
    activation_hidden_multiple: float = Field(ge=0)
    gemm_tile_rows: float = Field(gt=0)
    engines: dict[str, EngineDefaultsEntry]
    source: str


class FitProvenance(StrictModel):
    """Where the fitted values came from."""

    data_file: str
    data_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    rows_used: int = Field(ge=1)
    script: str
    method: str
    in_sample_median_ape: float
    in_sample_p90_ape: float


class CalibrationFile(StrictModel):
    """The whole file."""

    schema_version: int
    note: str
    prior: FittedParams
    fitted: FittedParams
    defaults: Defaults
    fit: FitProvenance
    source: str
    as_of: date


@functools.cache
def load_calibration_file() -> CalibrationFile:
    """The bundled calibration file (validated once)."""
    return load_bundled(CALIBRATION_FILE, CalibrationFile)


def _params(fitted: FittedParams, defaults: Defaults) -> EfficiencyParams:
    engines = {
        name: EngineDefaults(
            max_num_seqs_large_gpu=e.max_num_seqs_large_gpu,
            max_num_seqs_small_gpu=e.max_num_seqs_small_gpu,
            max_batched_tokens=e.max_batched_tokens,
            large_gpu_min_memory_bytes=e.large_gpu_min_memory_gb * 1e9,
            small_gpu_ids=tuple(e.small_gpu_ids),
            moe_attention_dp=e.moe_attention_dp,
            kv_fraction_of_free=e.kv_fraction_of_free,
        )
        for name, e in defaults.engines.items()
    }
    return EfficiencyParams(
        bandwidth_efficiency=fitted.bandwidth_efficiency,
        compute_efficiency=fitted.compute_efficiency,
        layer_overhead_s=fitted.layer_overhead_s,
        allreduce_latency_s=fitted.allreduce_latency_s,
        link_efficiency=fitted.link_efficiency,
        engine_factors=dict(fitted.engine_factors),
        moe_engine_factors=dict(fitted.moe_engine_factors),
        moe_layer_overhead_s=fitted.moe_layer_overhead_s,
        sequence_overhead_s=fitted.sequence_overhead_s,
        sequence_overheads=dict(fitted.sequence_overheads),
        engine_defaults=engines,
        gpu_memory_utilization=defaults.gpu_memory_utilization,
        runtime_reserve_bytes=defaults.runtime_reserve_bytes,
        activation_hidden_multiple=defaults.activation_hidden_multiple,
        gemm_tile_rows=defaults.gemm_tile_rows,
    )


def calibration_params() -> EfficiencyParams:
    """The calibrated efficiencies the capacity model uses by default."""
    document = load_calibration_file()
    return _params(document.fitted, document.defaults)


def prior_params() -> EfficiencyParams:
    """The documented starting values the fit begins from and is weakly pulled towards."""
    document = load_calibration_file()
    return _params(document.prior, document.defaults)


_COMMIT = re.compile(r"\s*@\s*[0-9a-f]{6,40}\b.*$")


def source_group(source: str) -> str:
    """The document a calibration row comes from: its ``source`` text up to the commit or the first
    parenthesis, so that rows of one document published under two slightly different descriptions fall in
    one group for leave-one-source-out validation. In the shared set this merges exactly one pair: the two
    descriptions of ``NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md @00f37686`` (same file,
    same commit), so that document is held out whole — stricter than grouping by the raw column."""
    text = source.split("(", 1)[0]
    text = _COMMIT.sub("", text).strip()
    return text or source.strip()


def measured_kv_precision(engine: str, precision: str) -> str:
    """The KV-cache precision a published run used when it set none: the engine's documented default.

    vLLM and SGLang default to ``kv-cache-dtype auto`` (the 16-bit activation type, whatever the weights);
    TensorRT-LLM's quantised (ModelOpt) checkpoints quantise the cache with the weights. Calibration rows
    are predicted with what was measured; the command line's own default is ``default_kv_precision``.
    """
    entry = load_calibration_file().defaults.engines.get(engine)
    if entry is not None and entry.kv_cache_dtype == "auto":
        return "bf16"
    return default_kv_precision(precision)


def row_to_case(row: ScenarioRow) -> CalibrationCase:
    """Resolve a measurement row to a calibration case (``LlmTcoError`` if it cannot be resolved); the KV
    precision is the engine's default at measurement time (``measured_kv_precision``)."""
    if row.error:
        raise LlmTcoError(row.error)
    if row.value_system is None:
        raise LlmTcoError(f"line {row.line}: no value_system to calibrate against")
    model = model_spec(get_open_model(row.model))
    gpu = gpu_spec(get_gpu(row.gpu))
    deployment = make_deployment(
        num_gpus=row.num_gpus,
        tp=row.tp,
        precision=row.precision,
        kv_precision=measured_kv_precision(row.engine, row.precision),
        engine=row.engine,
    )
    scenario = ScenarioSpec(
        kind=row.scenario,  # type: ignore[arg-type]
        concurrency=row.concurrency,
        ttft_ms=row.ttft_ms,
        tpot_ms=row.tpot_ms,
    )
    return CalibrationCase(
        id=row.id,
        group=source_group(row.source),
        model=model,
        gpu=gpu,
        deployment=deployment,
        workload=Workload(input_len=row.input_len, output_len=row.output_len),
        scenario=scenario,
        measured=row.value_system,
    )


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (recorded with the fit so a stale calibration is detectable)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_calibration_cases(path: Path) -> tuple[list[CalibrationCase], list[str]]:
    """Every usable measurement row of ``path`` as a case, and one message per row left out (unknown
    model or GPU, no measured value, ...)."""
    cases: list[CalibrationCase] = []
    skipped: list[str] = []
    for row in read_scenario_file(path):
        try:
            cases.append(row_to_case(row))
        except LlmTcoError as exc:
            skipped.append(f"{row.id}: {exc}")
    return cases, skipped
