"""Monte Carlo + sensitivity speed: 50 synthetic workloads × every option × 10,000 draws, in process.

Times only the uncertainty part (the deterministic plan is built first and not counted):
``python benchmarks/uncertainty_speed.py [--workloads 50] [--draws 10000]``. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "unit"))

from _plan_fixtures import make_profile

from llm_tco.config import parse_config
from llm_tco.plan.engine import plan_with_uncertainty
from llm_tco.plan.inputs import PlanInputs
from llm_tco.plan.uncertainty.ranges import monte_carlo
from llm_tco.plan.uncertainty.scenarios import draw_scenarios
from llm_tco.plan.uncertainty.sensitivity import plan_sensitivity

MODELS = ("gpt-4o-mini", "gpt-4o")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workloads", type=int, default=50)
    parser.add_argument("--draws", type=int, default=10_000)
    args = parser.parse_args()
    profiles = [
        make_profile(
            f"w{i:02d}",
            model=MODELS[i % 2],
            monthly_tokens=1e8 * 1.25**i,
            growth=0.01 * (i % 5 - 2),
            peak=1.5 + (i % 4) * 0.5,
        )
        for i in range(args.workloads)
    ]
    config = parse_config({"uncertainty": {"draws": 0}})
    doc, context = plan_with_uncertainty(profiles, config, PlanInputs.bundled())
    options = sum(len(w.options) for w in context.workloads)
    start = time.perf_counter()
    scenarios = draw_scenarios(context, args.draws, 12_345)
    plans, _ = monte_carlo(context, list(doc.workloads), scenarios, 12_345)
    mc_s = time.perf_counter() - start
    plan_sensitivity(context, plans)
    total_s = time.perf_counter() - start
    print(
        json.dumps(
            {
                "workloads": args.workloads,
                "priced_options": options,
                "draws": args.draws,
                "monte_carlo_s": round(mc_s, 3),
                "monte_carlo_and_sensitivity_s": round(total_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
