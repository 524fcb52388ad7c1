"""Measured overrides: a user's own throughput measurements replace the model where they match.

A measurement matches a prediction when it names the same model, GPU, GPU count, tensor parallelism,
weight precision, engine and scenario (the same concurrency for ``concurrency``/``batch``, the same targets
for ``slo``), and its mean prompt and output lengths are each within ``LENGTH_TOLERANCE`` (relative) of the
asked ones. The closest match in lengths wins. The prediction then carries the measured output tokens/s (and
measured TTFT/TPOT where given), ``source = "measured"`` and a note with the model's own figure, so every
later cost calculation uses the measurement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llm_tco.capacity.predict import Prediction

__all__ = ["LENGTH_TOLERANCE", "Measurement", "apply_measurement", "find_measurement"]

LENGTH_TOLERANCE = 0.10
"""Relative difference of mean prompt/output lengths still counted as the same workload."""


@dataclass(frozen=True, slots=True)
class Measurement:
    """One measured configuration (names already resolved to catalog ids)."""

    label: str
    """Where it came from, e.g. ``mine.csv line 3``."""
    model: str
    gpu: str
    num_gpus: int
    tp: int
    precision: str
    engine: str
    scenario: str
    input_len: float
    output_len: float
    output_tokens_per_s: float
    concurrency: int | None = None
    ttft_target_ms: float | None = None
    tpot_target_ms: float | None = None
    ttft_ms: float | None = None
    tpot_ms: float | None = None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= LENGTH_TOLERANCE * max(abs(a), abs(b))


def _same_scenario(
    m: Measurement, p: Prediction, concurrency: int | None, ttft: float | None, tpot: float | None
) -> bool:
    if m.scenario != p.scenario:
        return False
    if p.scenario in ("concurrency", "batch"):
        return m.concurrency == concurrency
    if p.scenario == "slo":
        return m.ttft_target_ms == ttft and m.tpot_target_ms == tpot
    return True


def find_measurement(
    measurements: Sequence[Measurement],
    prediction: Prediction,
    *,
    concurrency: int | None = None,
    ttft_target_ms: float | None = None,
    tpot_target_ms: float | None = None,
) -> Measurement | None:
    """The measurement matching ``prediction``'s configuration and workload, or None."""
    matches = [
        m
        for m in measurements
        if m.model == prediction.model
        and m.gpu == prediction.gpu
        and m.num_gpus == prediction.num_gpus
        and m.tp == prediction.tp
        and m.precision == prediction.precision
        and m.engine == prediction.engine
        and _same_scenario(m, prediction, concurrency, ttft_target_ms, tpot_target_ms)
        and _close(m.input_len, prediction.input_len)
        and _close(m.output_len, prediction.output_len)
    ]
    if not matches:
        return None
    return min(
        matches,
        key=lambda m: (
            abs(m.input_len / prediction.input_len - 1) + abs(m.output_len / prediction.output_len - 1)
        ),
    )


def apply_measurement(prediction: Prediction, measurement: Measurement) -> Prediction:
    """``prediction`` with the measured throughput (and latencies) in place of the model's."""
    tps = measurement.output_tokens_per_s
    modelled = prediction.output_tokens_per_s
    note = f"measured value from {measurement.label} replaces the model" + (
        f" (model: {modelled:.0f} output tokens/s)" if modelled is not None else ""
    )
    concurrency = prediction.concurrency
    if measurement.concurrency is not None:
        concurrency = float(measurement.concurrency)
    return replace(
        prediction,
        output_tokens_per_s=tps,
        output_tokens_per_s_per_gpu=tps / prediction.num_gpus,
        requests_per_s=tps / prediction.output_len,
        concurrency=concurrency,
        ttft_ms=measurement.ttft_ms if measurement.ttft_ms is not None else prediction.ttft_ms,
        tpot_ms=measurement.tpot_ms if measurement.tpot_ms is not None else prediction.tpot_ms,
        source="measured",
        notes=(*prediction.notes, note),
        cost=None,
    )
