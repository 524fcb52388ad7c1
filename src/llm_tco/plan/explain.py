"""Break-even per self-hosted option, and the words that explain a recommendation."""

from __future__ import annotations

from llm_tco.cost.breakeven import breakeven_monthly_tokens, months_to_reach, payback_month
from llm_tco.plan.candidate import HARD, Candidate
from llm_tco.plan.context import WorkloadContext
from llm_tco.plan.doc import Breakeven

__all__ = ["breakeven_for", "breakeven_text", "reasons_for"]


def _short(count: float) -> str:
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(count) >= size:
            return f"{count / size:.3g}{unit}"
    return f"{count:.3g}"


def breakeven_text(
    volume: float | None, today: float, growth: float, payback: int | None, horizon: int, against: str
) -> tuple[float | None, float | None, str]:
    """(volume multiple, months to reach it, sentence)."""
    if volume is None:
        sentence = f"never cheaper than {against} at any volume at today's prices"
        multiple = reach = None
    elif today <= 0:
        multiple, reach = None, None
        sentence = f"becomes cheaper than {against} at {_short(volume)} tokens/month (no usage today)"
    else:
        multiple = volume / today
        reach = months_to_reach(multiple, growth)
        if multiple <= 1.0:
            sentence = (
                f"already cheaper than {against} at today's volume (break-even at {multiple:.2f}× today's)"
            )
        elif reach is None:
            sentence = (
                f"becomes cheaper than {against} at {multiple:.1f}× today's volume — not reached at the "
                f"current {growth:+.0%}/month growth"
            )
        else:
            sentence = (
                f"becomes cheaper than {against} at {multiple:.1f}× today's volume — in about {reach:.0f} "
                f"months at the current {growth:.0%}/month growth"
            )
    sentence += f"; pays back in month {payback}" if payback else f"; no payback within {horizon} months"
    return multiple, reach, sentence


def breakeven_for(candidate: Candidate, api: Candidate | None, context: WorkloadContext) -> Breakeven | None:
    """A self-hosted option's break-even volume and payback month against ``api``."""
    if candidate.economics is None or not candidate.priced:
        return None
    if api is None or api.usd_per_token_today is None or not api.priced:
        return Breakeven(monthly_tokens=None, payback_month=None, text="no priced API option to compare with")
    volume = breakeven_monthly_tokens(
        api_usd_per_token=api.usd_per_token_today,
        fixed_monthly_usd=candidate.fixed_monthly_usd,
        economics=candidate.economics,
    )
    payback = payback_month(candidate.cash_flows_usd, api.cash_flows_usd)
    multiple, reach, text = breakeven_text(
        volume, context.today_tokens, context.growth.monthly_rate, payback, context.months, api.model
    )
    return Breakeven(
        monthly_tokens=volume,
        payback_month=payback,
        against_model=api.model,
        volume_multiple=multiple,
        months_to_reach=reach,
        text=text,
    )


def reasons_for(
    chosen: Candidate,
    stay: Candidate,
    feasible_count: int,
    context: WorkloadContext,
    runner_up: Candidate | None,
) -> list[str]:
    """Why ``chosen`` is recommended: cost, quality, sovereignty, latency — and what it does not meet."""
    rate = context.config.planning.discount_rate_per_year
    months = context.months
    npv = chosen.npv(rate) or 0.0
    reasons = []
    if chosen.feasible:
        plural = "option meets" if feasible_count == 1 else f"of the {feasible_count} options meeting"
        scope = (
            "the only option meeting every constraint"
            if feasible_count == 1
            else f"lowest NPV {plural} every constraint"
        )
    else:
        scope = (
            "no option meets every constraint; lowest NPV among those meeting the hard ones "
            "(sovereignty, context window, model lifecycle, [candidates] lists)"
        )
    if chosen is stay:
        other = f"; next best {runner_up.model} (NPV ${runner_up.npv(rate) or 0:,.0f})" if runner_up else ""
        reasons.append(f"cost: {scope} — stay on {stay.model}, NPV ${npv:,.0f} over {months} months{other}")
    elif stay.priced:
        stay_npv = stay.npv(rate) or 0.0
        saving = stay_npv - npv
        effect = f"saves ${saving:,.0f}" if saving >= 0 else f"costs ${-saving:,.0f} more"
        allowed = "" if stay.feasible else f"; staying is not an option: {'; '.join(stay.unmet.values())}"
        reasons.append(
            f"cost: {scope} — NPV ${npv:,.0f} over {months} months vs ${stay_npv:,.0f} to stay on "
            f"{stay.model} ({effect}, one-off costs included{allowed})"
        )
    else:
        reasons.append(f"cost: {scope} — NPV ${npv:,.0f} over {months} months (today's spend is unpriced)")
    quality = chosen.quality
    if quality.basis == "same-model":
        reasons.append("quality: the current model")
    elif quality.ratio is not None:
        basis = {
            "benchmark": f"on {quality.benchmark}",
            "override": "from your override",
            "eval": f"on your eval ({quality.note})",
        }.get(quality.basis, quality.note or "")
        shown = "≥ 1.0" if quality.ratio > 1.0 else f"{quality.ratio:.2f}"
        reasons.append(
            f"quality: {shown} × {context.current_model} {basis} (floor {context.quality_floor:.2f})"
        )
    reasons.append(f"sovereignty: {context.sovereignty} met")
    if chosen.placement == "self-hosted":
        split = (
            f" (tp {chosen.tensor_parallel} × pp {chosen.pipeline_parallel})"
            if chosen.pipeline_parallel and chosen.pipeline_parallel > 1
            else ""
        )
        reasons.append(
            f"latency: {chosen.replicas} replica(s) of {chosen.gpus_per_replica}× {chosen.gpu}{split} sized "
            f"for the peak hour at p99 TTFT {context.ttft_p99_ms:g} ms / TPOT {context.tpot_p99_ms:g} ms"
        )
    elif not any(reason.startswith("latency:") for reason in chosen.reasons):  # measured: said there
        reasons.append("latency: not checked for API options (no latency data)")
    for kind, why in chosen.unmet.items():
        if kind not in HARD:
            reasons.append(f"unmet {kind}: {why}")
    return reasons
