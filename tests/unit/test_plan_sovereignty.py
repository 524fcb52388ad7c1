"""Sovereignty filters: which placements each rule allows, and that the output says why."""

from __future__ import annotations

from typing import Any

import pytest
from _plan_fixtures import make_profile

from llm_tco.config import parse_config
from llm_tco.plan import PlanInputs, build_plan
from llm_tco.plan.doc import WorkloadPlan


@pytest.fixture(scope="module")
def inputs() -> PlanInputs:
    return PlanInputs.bundled()


def _plan(inputs: PlanInputs, sovereignty: str, **config: Any) -> WorkloadPlan:
    raw: dict[str, Any] = {"workloads": {"w": {"sovereignty": sovereignty}}, **config}
    doc = build_plan([make_profile("w", monthly_tokens=2e9)], parse_config(raw), inputs)
    return doc.workloads[0]


@pytest.mark.parametrize("rule", ["air-gapped", "on-prem"])
def test_air_gapped_and_on_prem_allow_owned_hardware_only(inputs: PlanInputs, rule: str) -> None:
    plan = _plan(inputs, rule)
    for option in plan.options:
        allowed = option.placement == "self-hosted" and option.deployment == "owned"
        assert ("sovereignty" in option.unmet) is not allowed, option.id
        if not allowed:
            assert option.infeasible_reason and rule in option.infeasible_reason
    assert plan.recommendation is not None
    assert plan.recommendation.placement == "self-hosted" and plan.recommendation.deployment == "owned"


def test_no_third_party_excludes_every_api_but_not_cloud_gpus(inputs: PlanInputs) -> None:
    plan = _plan(inputs, "no-third-party")
    apis = [o for o in plan.options if o.placement != "self-hosted"]
    assert apis and all("sovereignty" in o.unmet for o in apis)
    cloud = [o for o in plan.options if o.placement == "self-hosted" and o.deployment != "owned"]
    assert cloud and all("sovereignty" not in o.unmet for o in cloud)
    assert plan.recommendation is not None and plan.recommendation.placement == "self-hosted"


def test_region_keeps_only_providers_listing_it(inputs: PlanInputs) -> None:
    plan = _plan(inputs, "region:eu")
    for option in plan.options:
        if option.placement == "self-hosted":
            continue
        if option.provider == "aws":  # Bedrock lists eu-* regions in api_regions.yaml
            assert "sovereignty" not in option.unmet, option.id
        else:
            assert "sovereignty" in option.unmet, option.id
            assert "no region data" in (option.infeasible_reason or "")
    owned = [o for o in plan.options if o.deployment == "owned"]
    assert owned and all("sovereignty" not in o.unmet for o in owned)
    assert any("planning.region is unset" in n for o in owned for n in o.notes)


def test_region_excludes_owned_hardware_elsewhere(inputs: PlanInputs) -> None:
    plan = _plan(inputs, "region:eu", planning={"region": "us-east"})
    owned = [o for o in plan.options if o.deployment == "owned"]
    assert owned and all("sovereignty" in o.unmet for o in owned)


def test_any_allows_staying(inputs: PlanInputs) -> None:
    plan = _plan(inputs, "any")
    stay = next(o for o in plan.options if o.id == "stay")
    assert stay.feasible and stay.placement == "closed-api" and stay.deployment is None
