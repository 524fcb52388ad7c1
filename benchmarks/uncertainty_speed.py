"""Monte Carlo + optimiser speed: 50 synthetic workloads × every option × 10,000 draws, in process.

Times what issue 12 asks to fit in 2 s, after the per-workload options are costed (not counted): the
portfolio optimiser (candidate pools, the MILP, its three baselines, and the CVaR scenarios when
``--risk-aversion`` > 0), then the Monte Carlo (drawing the scenarios, every option's P10/P50/P90 and its
chance of beating staying) and the sensitivity (tornado and break-even surface of every decision). Each
part is timed in wall and CPU seconds; the best of ``--runs`` is kept::

    python benchmarks/uncertainty_speed.py [--workloads 50] [--draws 10000] [--risk-aversion 0.5]
    python benchmarks/uncertainty_speed.py --store /tmp/x/plan.duckdb   # plan_speed.py's workloads

The cyclic garbage collector is paused while timed, as ``llm-tco plan`` pauses it (``--collector`` leaves
it running). It prints one JSON object and writes it to ``benchmarks/results/uncertainty_speed.json``.
OpenBLAS gets one thread unless ``OPENBLAS_NUM_THREADS`` is set, as in the ``llm-tco`` command
(``llm_tco.cli``).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads, as the command does

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "unit"))

from _plan_fixtures import make_profile

from llm_tco.cli.common import collector_paused
from llm_tco.config import Config, parse_config
from llm_tco.plan.engine import RISK_SCENARIOS
from llm_tco.plan.inputs import PlanInputs
from llm_tco.plan.portfolio.build import build_portfolio
from llm_tco.plan.uncertainty.build import workload_costs
from llm_tco.plan.uncertainty.costs import OptionKey
from llm_tco.plan.uncertainty.ranges import monte_carlo
from llm_tco.plan.uncertainty.scenarios import (
    UncertaintyContext,
    draw_scenarios,
    option_npv_draws,
)
from llm_tco.plan.uncertainty.sensitivity import plan_sensitivity
from llm_tco.plan.workload import option_doc, plan_start, plan_workload
from llm_tco.profile import build_profiles
from llm_tco.profile.model import WorkloadProfile
from llm_tco.store import open_store

RESULTS = Path(__file__).resolve().parent / "results" / "uncertainty_speed.json"
MODELS = ("gpt-4o-mini", "gpt-4o")
SEED = 12_345
TARGET_S = 2.0


def _timed(call: Callable[[], Any]) -> tuple[Any, float, float]:
    """The call's result, its wall seconds and its CPU seconds (this process, all threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _profiles(workloads: int, store: Path | None) -> list[WorkloadProfile]:
    """The synthetic workloads, or those of a store (e.g. ``plan_speed.py --store``'s)."""
    if store is not None:
        con = open_store(str(store), read_only=True)
        try:
            return build_profiles(con, assumed_peak_to_mean_ratio=Config().capacity.peak_to_mean_ratio)
        finally:
            con.close()
    return [
        make_profile(
            f"w{i:02d}",
            model=MODELS[i % 2],
            monthly_tokens=1e8 * 1.25**i,
            growth=0.01 * (i % 5 - 2),
            peak=1.5 + (i % 4) * 0.5,
        )
        for i in range(workloads)
    ]


def run_once(
    workloads: int, draws: int, risk_aversion: float, store: Path | None = None, collector: bool = False
) -> dict[str, Any]:
    """One timed run: the parts' wall and CPU seconds, and the sizes. The cyclic garbage collector is
    paused as ``llm-tco plan`` pauses it while it plans (``cli.common.collector_paused``), unless
    ``collector``."""
    with nullcontext() if collector else collector_paused():
        return _run_once(workloads, draws, risk_aversion, store)


def _run_once(workloads: int, draws: int, risk_aversion: float, store: Path | None) -> dict[str, Any]:
    profiles = _profiles(workloads, store)
    config = parse_config({"uncertainty": {"draws": draws, "seed": SEED}})
    inputs = PlanInputs.bundled()
    start = plan_start(profiles, config)
    planned = [plan_workload(p, config, inputs, start) for p in profiles]  # not timed
    context = UncertaintyContext.build(config, [workload_costs(p.context, p.candidates) for p in planned])

    def scenarios(keys: Sequence[tuple[str, str]]) -> NDArray[np.float64]:
        sampled = min(RISK_SCENARIOS, draws)
        return option_npv_draws(context, [OptionKey(w, o) for w, o in keys], sampled, SEED)

    (portfolio, plans), optimiser_wall, optimiser_cpu = _timed(
        lambda: build_portfolio(
            planned,
            config,
            option_doc,
            risk_aversion=risk_aversion,
            scenarios=scenarios if risk_aversion > 0 else None,
        )
    )
    (ranged, _), mc_wall, mc_cpu = _timed(
        lambda: monte_carlo(context, plans, draw_scenarios(context, draws, SEED), SEED)
    )
    _, sensitivity_wall, sensitivity_cpu = _timed(lambda: plan_sensitivity(context, ranged))
    return {
        "workloads": len(profiles),
        "priced_options": sum(len(w.options) for w in context.workloads),
        "solver_status": portfolio.solver_status.status,
        "optimiser_s": optimiser_wall,
        "optimiser_cpu_s": optimiser_cpu,
        "monte_carlo_s": mc_wall,
        "monte_carlo_cpu_s": mc_cpu,
        "sensitivity_s": sensitivity_wall,
        "sensitivity_cpu_s": sensitivity_cpu,
        "monte_carlo_and_optimiser_s": optimiser_wall + mc_wall + sensitivity_wall,
        "monte_carlo_and_optimiser_cpu_s": optimiser_cpu + mc_cpu + sensitivity_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", type=int, default=50)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--risk-aversion", type=float, default=0.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", type=Path, help="plan the workloads of this store instead (not written)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave the results file")
    parser.add_argument(
        "--collector", action="store_true", help="leave the garbage collector running (the command pauses it)"
    )
    args = parser.parse_args()
    load_before = os.getloadavg()
    runs = [
        run_once(args.workloads, args.draws, args.risk_aversion, args.store, args.collector)
        for _ in range(args.runs)
    ]
    best = min(runs, key=lambda r: r["monte_carlo_and_optimiser_s"])
    result: dict[str, Any] = {
        "benchmark": "uncertainty_speed",
        "command": "python benchmarks/uncertainty_speed.py "
        + (f"--store {args.store}" if args.store else f"--workloads {args.workloads}")
        + f" --draws {args.draws} --risk-aversion {args.risk_aversion}",
        "draws": args.draws,
        "risk_aversion": args.risk_aversion,
        "runs": len(runs),
        **{k: round(v, 3) if isinstance(v, float) else v for k, v in best.items()},
        "all_runs_s": [round(r["monte_carlo_and_optimiser_s"], 3) for r in runs],
        "target_s": TARGET_S,
        "meets_target": best["monte_carlo_and_optimiser_s"] <= TARGET_S,
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "garbage_collector": "running" if args.collector else "paused, as in the command",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if args.store is not None:
        result["store"] = str(args.store)
    if not args.no_write and args.store is None:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
