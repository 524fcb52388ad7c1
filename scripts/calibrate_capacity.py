"""Fit the capacity model's global efficiencies to the public calibration set and write them.

Usage (from the repository root)::

    python scripts/calibrate_capacity.py [CALIBRATION_CSV] [--output FILE] [--check]

``CALIBRATION_CSV`` defaults to ``../shared/data/throughput_calibration.csv`` (the shared folder beside the
repository). The fitted parameters, the CSV's SHA-256 and the in-sample error are written to
``src/llm_tco/data/capacity_calibration.json``; the documented priors and defaults already in that file are
kept. ``--check`` refits and exits 1 if the file would change (for CI), without writing.

Only the global parameters listed in ``llm_tco.capacity.fitting.FITTED_PARAMETERS`` are fitted; the method
is in that module's docstring.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from llm_tco.capacity.fitting import FITTED_PARAMETERS, fit_parameters
from llm_tco.catalog.calibration import (
    CALIBRATION_FILE,
    file_sha256,
    load_calibration_cases,
    prior_params,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "throughput_calibration.csv"
DEFAULT_OUTPUT = REPO_ROOT / "src" / "llm_tco" / "data" / CALIBRATION_FILE


def _round(value: float) -> float:
    """Six significant digits: stable diffs, far below the model's accuracy."""
    return float(f"{value:.6g}")


def build_document(data_path: Path, output: Path) -> dict[str, object]:
    """The calibration document after fitting to ``data_path`` (priors and defaults taken from ``output``)."""
    document: dict[str, object] = json.loads(output.read_text(encoding="utf-8"))
    cases, skipped = load_calibration_cases(data_path)
    for message in skipped:
        print(f"skipped {message}", file=sys.stderr)
    if not cases:
        raise SystemExit(f"{data_path}: no usable calibration rows")
    result = fit_parameters(cases, prior_params())
    params = result.params
    fitted = {
        "bandwidth_efficiency": _round(params.bandwidth_efficiency),
        "compute_efficiency": _round(params.compute_efficiency),
        "layer_overhead_s": _round(params.layer_overhead_s),
        "moe_layer_overhead_s": _round(params.moe_layer_overhead_s),
        "sequence_overhead_s": _round(params.sequence_overhead_s),
        "allreduce_latency_s": _round(params.allreduce_latency_s),
        "link_efficiency": _round(params.link_efficiency),
        "engine_factors": {k: _round(v) for k, v in sorted(params.engine_factors.items())},
        "moe_engine_factors": {k: _round(v) for k, v in sorted(params.moe_engine_factors.items())},
    }
    ape = np.array([abs(math.exp(e) - 1.0) for e in result.log_errors.values()])
    document["fitted"] = fitted
    document["fit"] = {
        "data_file": data_path.name,
        "data_sha256": file_sha256(data_path),
        "rows_used": len(cases),
        "script": "scripts/calibrate_capacity.py",
        "method": (
            "scipy.optimize.least_squares on log(predicted/measured) output tokens/s, soft-L1 loss, "
            "weak log-space prior towards 'prior'; fitted: " + ", ".join(FITTED_PARAMETERS)
        ),
        "in_sample_median_ape": _round(float(np.median(ape))),
        "in_sample_p90_ape": _round(float(np.percentile(ape, 90))),
    }
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA, help="calibration CSV")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="calibration JSON to write")
    parser.add_argument("--check", action="store_true", help="exit 1 if the output would change")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        parser.error(f"{args.data}: no such file")
    document = build_document(args.data, args.output)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.check:
        if args.output.read_text(encoding="utf-8") != text:
            print(f"{args.output} is stale: run scripts/calibrate_capacity.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    fit = document["fit"]
    assert isinstance(fit, dict)
    print(
        f"wrote {args.output} ({fit['rows_used']} rows; in-sample median APE "
        f"{fit['in_sample_median_ape']:.1%}, p90 {fit['in_sample_p90_ape']:.1%})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
