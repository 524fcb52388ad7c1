"""The TCO engine: options per workload, costed over the horizon, ranked, with break-even and payback."""

from __future__ import annotations

from llm_tco.plan.doc import PlanDocument
from llm_tco.plan.engine import build_plan, plan_start, to_usd
from llm_tco.plan.inputs import PlanInputs
from llm_tco.plan.policy import FailOn, evaluate_policies, parse_fail_on

__all__ = [
    "FailOn",
    "PlanDocument",
    "PlanInputs",
    "build_plan",
    "evaluate_policies",
    "parse_fail_on",
    "plan_start",
    "to_usd",
]
