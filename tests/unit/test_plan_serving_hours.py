"""Serving hours: cloud GPUs paid only while serving, owned ones always; the schedule's syntax."""

from __future__ import annotations

from typing import Any

import pytest
from _plan_fixtures import make_profile
from rich.console import Console

from llm_tco.config import parse_config
from llm_tco.cost.serving_hours import serving_hours_per_month
from llm_tco.errors import ConfigError
from llm_tco.plan import PlanInputs, build_plan
from llm_tco.plan.doc import PlanDocument
from llm_tco.report.plan_terminal import render_plan

WEEKS_PER_MONTH = 730 / (24 * 7)


def test_schedules() -> None:
    assert serving_hours_per_month(None) == 730
    assert serving_hours_per_month("24/7") == 730
    assert serving_hours_per_month("weekdays 08-20 Europe/Berlin") == pytest.approx(12 * 5 * WEEKS_PER_MONTH)
    assert serving_hours_per_month("daily 00-24") == pytest.approx(730)
    assert serving_hours_per_month(176) == 176


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("weekdays 20-08", "start < end"),
        ("weekdays 08-20 Mars/Olympus", "unknown time zone"),
        ("sometimes", "is not"),
        (800, "not in"),
    ],
)
def test_bad_schedules_are_config_errors(value: Any, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        parse_config({"workloads": {"w": {"serving_hours": value}}})


def _option(deployment: str, serving_hours: Any) -> tuple[PlanDocument, Any]:
    """The plan document and its self-hosted option for a fixed 2 × 1 H100 fleet."""
    raw = {
        "gpu": {"deployment_modes": [deployment], "hourly_usd": {"h100-sxm": {"on-demand": 2.0}}},
        "owned": {"gpu_watts": {"h100-sxm": 1000.0}, "pue": 1.0, "electricity_usd_per_kwh": 0.1,
                  "hosting_usd_per_kw_month": 100.0, "idle_power_fraction": 1.0},
        "workloads": {"w": {
            "serving_hours": serving_hours,
            "self_hosted": {"model": "llama-3.1-8b", "gpu": "h100-sxm", "gpus_per_replica": 1, "replicas": 2,
                            "precision": "bf16"},
        }},
        "staffing": {"platform_fte": 0.0, "on_call_fte": 0.0},
        "operations": {"monitoring_usd_per_month": 0.0, "governance_hours_per_month": 0.0},
    }  # fmt: skip
    doc = build_plan([make_profile("w", monthly_tokens=1e8)], parse_config(raw), PlanInputs.bundled())
    plan = doc.workloads[0]
    return doc, next(o for o in plan.options if o.placement == "self-hosted")


def test_cloud_gpus_are_paid_only_while_serving() -> None:
    hours = 12 * 5 * WEEKS_PER_MONTH  # weekdays 08-20: about 260.7 h a month
    document, option = _option("on-demand", "weekdays 08-20 Europe/Berlin")
    assert document.workloads[0].serving_hours_per_month == pytest.approx(hours)
    assert float(option.monthly_cost_usd) == pytest.approx(2 * 2.0 * hours, rel=1e-6)
    console = Console(width=200, record=True, color_system=None)
    render_plan(document, console)
    assert "serving hours: 261 h/month (cloud GPUs paid only then)" in console.export_text()
    _, always = _option("on-demand", None)
    assert float(always.monthly_cost_usd) == pytest.approx(2 * 2.0 * 730, rel=1e-6)


def test_owned_gpus_pay_hosting_always_and_power_only_while_serving() -> None:
    # 2 GPUs of 1 kW (drawing full power whenever on): hosting 2 kW × $100 every month; power 2 kW × 176 h ×
    # $0.10/kWh only while serving.
    _, option = _option("owned", 176)
    assert float(option.monthly_cost_usd) == pytest.approx(2 * 100.0 + 2 * 176 * 0.10, rel=1e-6)


def test_unknown_gpu_in_hourly_prices_is_an_error() -> None:
    raw = {"gpu": {"hourly_usd": {"h100-sxmm": {"on-demand": 2.0}}}}
    with pytest.raises(ConfigError, match=r"gpu\.hourly_usd: 'h100-sxmm' is not a GPU of the catalog"):
        build_plan([make_profile("w")], parse_config(raw), PlanInputs.bundled())
