"""The TCO engine: options per workload, costed over the horizon, ranked, with break-even and payback.

The names below are imported on first use (PEP 562): the engine pulls in SciPy (about 0.7 s), and
commands that only need the plan's document type (``audit``, ``report``) must not pay for it at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llm_tco.plan.doc import PlanDocument
    from llm_tco.plan.engine import build_plan
    from llm_tco.plan.inputs import PlanInputs
    from llm_tco.plan.policy import FailOn, evaluate_policies, parse_fail_on
    from llm_tco.plan.workload import plan_start, to_usd

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

_MODULES = {
    "PlanDocument": "llm_tco.plan.doc",
    "build_plan": "llm_tco.plan.engine",
    "plan_start": "llm_tco.plan.workload",
    "to_usd": "llm_tco.plan.workload",
    "PlanInputs": "llm_tco.plan.inputs",
    "FailOn": "llm_tco.plan.policy",
    "evaluate_policies": "llm_tco.plan.policy",
    "parse_fail_on": "llm_tco.plan.policy",
}


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
