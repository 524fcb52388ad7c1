"""The plan's uncertainty in the terminal: each recommendation's NPV range and chance of beating staying,
and for the organisation the P10–P90 savings and the three assumptions that move them most."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console

from llm_tco.plan.doc import PlanDocument, WorkloadPlan
from llm_tco.plan.uncertainty.document import Sensitivity
from llm_tco.report.text import line

__all__ = ["ASSUMPTION_LABELS", "influential_text", "render_organisation_uncertainty", "workload_range_text"]

ASSUMPTION_LABELS = {
    "demand_growth": "demand growth",
    "closed_api_price_decline": "closed API price decline",
    "open_api_price_decline": "open API price decline",
    "gpu_hourly_price": "GPU hourly price",
    "achieved_utilisation": "achieved utilisation",
    "capacity_model_error": "capacity model error",
    "staffing_cost": "staffing cost",
    "migration_effort": "migration effort",
}


def _usd(value: Decimal | float) -> str:
    v = float(value)
    sign = "-" if v < 0 else ""
    return f"{sign}${abs(v):,.0f}" if abs(v) >= 100 else f"{sign}${abs(v):,.2f}"


def influential_text(sensitivity: Sensitivity, count: int = 3) -> str:
    """The ``count`` assumptions that swing the saving most, with their swings (zero swings left out)."""
    bars = [bar for bar in sensitivity.tornado if bar.swing_usd > 0][:count]
    return ", ".join(
        f"{ASSUMPTION_LABELS.get(b.assumption, b.assumption)} ({_usd(b.swing_usd)})" for b in bars
    )


def workload_range_text(plan: WorkloadPlan, sensitivity: list[Sensitivity]) -> str | None:
    """The recommendation's NPV P10–P90, its chance of beating staying and what moves it most."""
    rec = plan.recommendation
    if rec is None or rec.npv_usd_p10 is None or rec.npv_usd_p90 is None:
        return None
    text = f"NPV P10–P90 {_usd(rec.npv_usd_p10)} – {_usd(rec.npv_usd_p90)}"
    if rec.probability_beats_current is not None:
        text += f"; beats staying in {rec.probability_beats_current:.0%} of scenarios"
    own = next((s for s in sensitivity if s.scope == "workload" and s.workload == plan.workload), None)
    if own is not None and rec.id == own.option_id:
        influential = influential_text(own)
        if influential:
            text += f"; moved most by {influential}"
    return text


def render_organisation_uncertainty(document: PlanDocument, console: Console) -> None:
    """The organisation's savings range under uncertainty and its three most influential assumptions."""
    summary = document.uncertainty
    if summary is None:
        return
    console.print(
        line(
            ("Under uncertainty", "bold"),
            f" ({summary.draws:,} draws, seed {summary.seed}): NPV saved by the recommendations vs staying "
            f"P10 {_usd(summary.savings_npv_usd_p10)}, P50 {_usd(summary.savings_npv_usd_p50)}, "
            f"P90 {_usd(summary.savings_npv_usd_p90)}; they beat staying in "
            f"{summary.probability_recommended_beats_current:.0%} of scenarios",
        )
    )
    portfolio = next((s for s in document.sensitivity if s.scope == "portfolio"), None)
    if portfolio is not None:
        influential = influential_text(portfolio)
        if influential:
            console.print(
                line("  most influential assumptions (swing of the saving, P10 to P90): ", influential)
            )
