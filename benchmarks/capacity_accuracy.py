"""Accuracy of the serving capacity model on published measurements, by leave-one-source-out validation.

Run from the repository root::

    python benchmarks/capacity_accuracy.py [CALIBRATION_CSV] [--output FILE]

(``--output`` defaults to ``benchmarks/results/capacity_accuracy.json``.)

``CALIBRATION_CSV`` defaults to ``../shared/data/throughput_calibration.csv``. For every source document
(the calibration CSV's ``source`` column up to its commit or first parenthesis, so that two descriptions of
one document form one group), the global efficiencies are fitted on all *other* sources, starting from the
documented priors in ``capacity_calibration.json``, and the held-out rows are predicted. Reported: the
median and 90th-percentile absolute percentage error of the predicted system output tokens/s, and the worst
ratio (max of predicted/measured and its inverse), per source and pooled over every held-out prediction.
The pooled figures are the ones to quote: they are what a user sees on hardware, engines and publishers the
fit never saw. The in-sample error of the shipped calibration is printed for comparison.

Takes well under a minute on a laptop (one least-squares fit per source).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from llm_tco import __version__
from llm_tco.capacity.fitting import CalibrationCase, leave_one_group_out, predict_case
from llm_tco.catalog.calibration import calibration_params, file_sha256, load_calibration_cases, prior_params

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "throughput_calibration.csv"
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "capacity_accuracy.json"
TARGETS = {"median_ape": 0.15, "p90_ape": 0.35, "worst_ratio": 2.0}


def _summary(ratios: list[float]) -> dict[str, float | int]:
    """Median / p90 absolute percentage error and worst ratio of predicted/measured ratios (a prediction
    of 0 or a configuration that does not fit counts as an infinite ratio)."""
    ape = np.array([abs(r - 1.0) if r > 0 else math.inf for r in ratios])
    worst = max((max(r, 1.0 / r) if r > 0 else math.inf) for r in ratios)
    return {
        "n": len(ratios),
        "median_ape": float(np.median(ape)),
        "p90_ape": float(np.percentile(ape, 90)),
        "worst_ratio": float(worst),
        "within_2x": sum(1 for r in ratios if 0.5 <= r <= 2.0),
    }


def _ratio(case: CalibrationCase, predicted: float | None) -> float:
    return (predicted or 0.0) / case.measured


def run(data: Path) -> dict[str, object]:
    """Compute the report."""
    cases, skipped = load_calibration_cases(data)
    by_id = {c.id: c for c in cases}
    groups = sorted({c.group for c in cases})
    print(
        f"{len(cases)} rows in {len(groups)} source groups; fitting {len(groups)} times ...", file=sys.stderr
    )
    held_out = leave_one_group_out(cases, prior_params())
    per_group: dict[str, list[float]] = defaultdict(list)
    rows = []
    for case_id, (group, predicted) in held_out.items():
        case = by_id[case_id]
        ratio = _ratio(case, predicted)
        per_group[group].append(ratio)
        rows.append(
            {
                "id": case_id,
                "source": group,
                "model": case.model.id,
                "gpu": case.gpu.id,
                "num_gpus": case.deployment.num_gpus,
                "engine": case.deployment.engine,
                "scenario": case.scenario.kind,
                "measured_output_tokens_per_s": case.measured,
                "predicted_output_tokens_per_s": predicted,
                "ratio": ratio,
            }
        )
    shipped = calibration_params()
    in_sample = [_ratio(c, predict_case(c, shipped)) for c in cases]
    pooled = _summary([r["ratio"] for r in rows])  # type: ignore[misc]
    return {
        "benchmark": "capacity_accuracy",
        "llm_tco_version": __version__,
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "data_file": data.name,
        "data_sha256": file_sha256(data),
        "method": (
            "leave-one-source-out: fit on all other sources from the documented priors, "
            "predict the held-out rows"
        ),
        "targets": TARGETS,
        "pooled_held_out": pooled,
        "meets_targets": bool(
            pooled["median_ape"] <= TARGETS["median_ape"]
            and pooled["p90_ape"] <= TARGETS["p90_ape"]
            and pooled["worst_ratio"] <= TARGETS["worst_ratio"]
        ),
        "per_source": {g: _summary(per_group[g]) for g in groups},
        "in_sample_shipped_calibration": _summary(in_sample),
        "skipped_rows": skipped,
        "predictions": sorted(rows, key=lambda r: str(r["id"])),
    }


def _print_table(report: dict[str, object]) -> None:
    per_source = report["per_source"]
    assert isinstance(per_source, dict)
    print(f"{'source (held out)':62s} {'n':>3s} {'median':>7s} {'p90':>7s} {'worst':>6s}")
    for group, s in per_source.items():
        print(
            f"{group[:62]:62s} {s['n']:3d} {s['median_ape']:7.1%} {s['p90_ape']:7.1%} {s['worst_ratio']:6.2f}"
        )
    for label, key in (
        ("POOLED held-out (quote this)", "pooled_held_out"),
        ("in-sample, shipped fit", "in_sample_shipped_calibration"),
    ):
        s = report[key]
        assert isinstance(s, dict)
        print(
            f"{label:62s} {s['n']:3d} {s['median_ape']:7.1%} {s['p90_ape']:7.1%} {s['worst_ratio']:6.2f}"
            f"   ({s['within_2x']}/{s['n']} within 2x)"
        )
    targets = report["targets"]
    assert isinstance(targets, dict)
    print(
        f"targets: median <= {targets['median_ape']:.0%}, p90 <= {targets['p90_ape']:.0%}, "
        f"worst <= {targets['worst_ratio']:.0f}x; met: {report['meets_targets']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Leave-one-source-out accuracy of the capacity model.")
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        parser.error(f"{args.data}: no such file")
    report = run(args.data)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    _print_table(report)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
