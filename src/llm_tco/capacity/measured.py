"""Measured overrides: a user's own throughput measurements replace the model where they match.

A measurement matches a prediction when it names the same model, GPU, GPU count, tensor parallelism,
weight precision, engine and scenario (the same concurrency for ``concurrency``/``batch``, the same targets
for ``slo``), and its mean prompt and output lengths are each within ``LENGTH_TOLERANCE`` (relative) of the
asked ones. The closest match in lengths wins. The prediction then carries the measured output tokens/s (and
measured TTFT/TPOT where given), ``source = "measured"`` and a note with the model's own figure, so every
later cost calculation uses the measurement.

Several load points of one configuration (rows of the ``concurrency`` scenario at different concurrencies)
form a curve, never a first-row pick:

- asked a concurrency between two measured ones, the throughput and latencies are interpolated linearly in
  concurrency between the two neighbours (outside the measured range nothing is extrapolated);
- asked for p99 targets (``slo``) with no row measured at those targets, the curve's rows with measured
  TTFT/TPOT give the throughput at the highest concurrency whose interpolated latencies still meet both
  targets; a curve without measured latencies gives its highest measured throughput, and says so; with no
  curve, an ``offline`` row of the configuration gives its throughput (latency targets not measured).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llm_tco.capacity.predict import Prediction

__all__ = [
    "LENGTH_TOLERANCE",
    "Measurement",
    "apply_measurement",
    "find_measurement",
    "interpolate_at",
    "under_targets",
]

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


def _same_configuration(m: Measurement, p: Prediction) -> bool:
    return (
        m.model == p.model
        and m.gpu == p.gpu
        and m.num_gpus == p.num_gpus
        and m.tp == p.tp
        and m.precision == p.precision
        and m.engine == p.engine
        and _close(m.input_len, p.input_len)
        and _close(m.output_len, p.output_len)
    )


def _closest(matches: Sequence[Measurement], prediction: Prediction) -> Measurement:
    return min(
        matches,
        key=lambda m: (
            abs(m.input_len / prediction.input_len - 1) + abs(m.output_len / prediction.output_len - 1)
        ),
    )


def _load_points(measurements: Sequence[Measurement], prediction: Prediction) -> list[Measurement]:
    """The configuration's rows measured at a concurrency, one per concurrency (the closest in lengths),
    in increasing concurrency."""
    by_concurrency: dict[int, list[Measurement]] = {}
    for m in measurements:
        if m.scenario == "concurrency" and m.concurrency is not None and _same_configuration(m, prediction):
            by_concurrency.setdefault(m.concurrency, []).append(m)
    return [_closest(rows, prediction) for _, rows in sorted(by_concurrency.items())]


def _lerp(a: float | None, b: float | None, t: float) -> float | None:
    return None if a is None or b is None else a + (b - a) * t


def _between(low: Measurement, high: Measurement, concurrency: float, why: str) -> Measurement:
    """The point at ``concurrency`` on the straight line from ``low`` to ``high``."""
    assert low.concurrency is not None and high.concurrency is not None
    t = (concurrency - low.concurrency) / (high.concurrency - low.concurrency)
    return replace(
        low,
        label=f"{low.label} and {high.label}, {why}",
        output_tokens_per_s=low.output_tokens_per_s
        + (high.output_tokens_per_s - low.output_tokens_per_s) * t,
        concurrency=round(concurrency),
        ttft_ms=_lerp(low.ttft_ms, high.ttft_ms, t),
        tpot_ms=_lerp(low.tpot_ms, high.tpot_ms, t),
    )


def interpolate_at(points: Sequence[Measurement], concurrency: float) -> Measurement | None:
    """The curve at ``concurrency`` (linear between the two measured neighbours), or None outside it."""
    for low, high in itertools.pairwise(points):
        assert low.concurrency is not None and high.concurrency is not None
        if low.concurrency <= concurrency <= high.concurrency:
            return _between(low, high, concurrency, f"interpolated at concurrency {concurrency:g}")
    return None


def _crossing(a: float | None, b: float | None, target: float) -> float:
    """Where on [0, 1] the line from ``a`` to ``b`` reaches ``target`` (1 when it never does)."""
    if a is None or b is None or b <= target or b == a:
        return 1.0
    return max(0.0, min(1.0, (target - a) / (b - a)))


def under_targets(points: Sequence[Measurement], ttft_ms: float, tpot_ms: float) -> Measurement | None:
    """The throughput at the highest concurrency whose (interpolated) latencies meet both targets; None
    when even the lowest load point misses them. Without measured latencies: the highest measured
    throughput, labelled so."""
    if not points:
        return None
    if any(p.ttft_ms is None or p.tpot_ms is None for p in points):
        best = max(points, key=lambda p: p.output_tokens_per_s)
        return replace(best, label=f"{best.label} (highest measured load point; no measured p99 latencies)")

    def meets(p: Measurement) -> bool:
        return (p.ttft_ms or 0.0) <= ttft_ms and (p.tpot_ms or 0.0) <= tpot_ms

    if not meets(points[0]):
        return None
    for low, high in itertools.pairwise(points):
        if meets(high):
            continue
        assert low.concurrency is not None and high.concurrency is not None
        t = min(_crossing(low.ttft_ms, high.ttft_ms, ttft_ms), _crossing(low.tpot_ms, high.tpot_ms, tpot_ms))
        at = low.concurrency + (high.concurrency - low.concurrency) * t
        return _between(low, high, at, f"interpolated to concurrency {at:.3g} at the latency targets")
    return points[-1]


def find_measurement(
    measurements: Sequence[Measurement],
    prediction: Prediction,
    *,
    concurrency: int | None = None,
    ttft_target_ms: float | None = None,
    tpot_target_ms: float | None = None,
) -> Measurement | None:
    """The measurement matching ``prediction``'s configuration and workload, or None: a row of the same
    scenario when there is one, else the configuration's load-point curve (see the module docstring)."""
    matches = [
        m
        for m in measurements
        if _same_configuration(m, prediction)
        and _same_scenario(m, prediction, concurrency, ttft_target_ms, tpot_target_ms)
    ]
    if matches:
        return _closest(matches, prediction)
    points = _load_points(measurements, prediction)
    if prediction.scenario == "concurrency" and concurrency is not None:
        return interpolate_at(points, concurrency)
    if prediction.scenario == "slo" and ttft_target_ms is not None and tpot_target_ms is not None:
        if points:
            return under_targets(points, ttft_target_ms, tpot_target_ms)
        offline = [m for m in measurements if m.scenario == "offline" and _same_configuration(m, prediction)]
        if offline:
            best = _closest(offline, prediction)
            return replace(best, label=f"{best.label} (measured throughput; latency targets not measured)")
    return None


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
