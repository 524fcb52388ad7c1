"""The executive summary in plain words: what the organisation spends today, what the recommended plan
costs, the saving (with its P10–P90 range when the document has one), which part of the change hard
constraints force and which is optional, the three decisions that move the most money and the
assumptions that drive them.

Every sentence is built from escaped parts: names from logs reach the page only through ``esc``.
"""

from __future__ import annotations

from decimal import Decimal

from llm_tco.plan.doc import Option, PlanDocument
from llm_tco.report.audit_doc import AuditDocument
from llm_tco.report.html.assumptions import COST_LINE_DRIVERS, assumption_rows, format_value
from llm_tco.report.html.charts import COST_LINE_LABELS
from llm_tco.report.html.markup import esc, pct, usd, usd_short
from llm_tco.report.html.view import WorkloadView, describe, workload_views

__all__ = ["DECISIONS_SHOWN", "audit_summary", "plan_summary"]

DECISIONS_SHOWN = 3


def _figure(label: str, value: str, css: str = "") -> str:
    klass = f"value {css}".strip()
    return (
        f'<div class="figure"><div class="label">{esc(label)}</div><div class="{klass}">{value}</div></div>'
    )


def _range_sentence(doc: PlanDocument) -> str | None:
    """The P10–P90 sentence when the plan ran its Monte Carlo: the range of the saving in present value."""
    summary = doc.uncertainty
    if summary is None:
        return None
    low, high = float(summary.savings_npv_usd_p10), float(summary.savings_npv_usd_p90)
    return (
        f"Under the uncertain assumptions ({summary.draws:,} scenarios, seed {summary.seed}) the saving in "
        f"present value lies between {esc(usd(low))} (P10) and {esc(usd(high))} (P90); the recommendations "
        f"beat staying in {summary.probability_recommended_beats_current:.0%} of the scenarios."
    )


def _drivers(doc: PlanDocument, option: Option) -> list[str]:
    """The assumptions behind the largest cost lines of ``option`` over the horizon, as "key = value unit"
    (escaped), at most three, only those the plan lists."""
    if option.breakdown is None:
        return []
    lines = option.breakdown.horizon.model_dump()
    ranked = sorted(lines.items(), key=lambda item: abs(float(item[1])), reverse=True)
    rows = {r.key: r for r in assumption_rows(doc.assumptions, doc.config_file)}
    named: list[str] = []
    for line_key, amount in ranked:
        if float(amount) == 0:
            break
        for key in COST_LINE_DRIVERS.get(line_key, ()):
            row = rows.get(key)
            if row is None or key in named or row.value in (None, 0, 0.0):
                continue
            if _irrelevant(key, option):
                continue
            named.append(key)
            break
        if len(named) == 3:
            break
    return [
        f"<code>{esc(key)}</code> = {esc(format_value(rows[key].value, rows[key].unit))}" for key in named
    ]


def _irrelevant(key: str, option: Option) -> bool:
    """A driver that does not apply to this option (an owned fleet has no reserved-instance discount)."""
    deployment = option.deployment
    by_deployment = {
        "gpu.reserved_1y_discount": "reserved-1y",
        "gpu.reserved_3y_discount": "reserved-3y",
        "gpu.spot_discount": "spot",
    }
    if key in by_deployment:
        return deployment != by_deployment[key]
    if key.startswith("owned."):
        return deployment != "owned"
    if key.startswith("prices."):
        return not key.startswith("prices.closed" if option.placement == "closed-api" else "prices.open")
    return False


def _line_text(option: Option) -> str:
    """The option's two largest cost lines over the horizon (``GPUs $1.2M, staff $600k``)."""
    if option.breakdown is None:
        return ""
    lines = option.breakdown.horizon.model_dump()
    ranked = sorted(lines.items(), key=lambda item: float(item[1]), reverse=True)
    parts = [f"{COST_LINE_LABELS[k]} {usd_short(v)}" for k, v in ranked[:2] if float(v) > 0]
    return ", ".join(parts)


def _decision(doc: PlanDocument, view: WorkloadView, forced: dict[str, str]) -> str:
    stay, chosen = view.stay, view.chosen
    name = f'<span class="name">{esc(view.name)}</span>'
    if chosen is None:
        return f"{name}: no priced option."
    change = view.horizon_change_usd
    horizon = f"over {doc.horizon_months} months"
    if stay is not None and chosen.id == stay.id:
        what = f"stay on {esc(describe(stay))}"
    elif stay is not None:
        what = f"move from {esc(describe(stay))} to {esc(describe(chosen))}"
    else:
        what = f"use {esc(describe(chosen))}"
    if change is None or change == 0:
        effect = "no change in cost"
    elif change < 0:
        effect = f'<span class="saving">saves {esc(usd_short(-change))}</span> {horizon}'
    else:
        effect = f'<span class="cost">costs {esc(usd_short(change))} more</span> {horizon}'
    if view.name in forced:
        effect += f" — forced: {esc(forced[view.name])}"
    elif view.recommended is None:
        effect += " — no option meets its hard constraints, so it stays"
    text = f"{name}: {what}; {effect}."
    if view.recommended is not None and (stay is None or chosen.id != stay.id):
        lines = _line_text(chosen)
        drivers = _drivers(doc, chosen)
        if lines:
            text += f" Its largest costs: {esc(lines)}."
        if drivers:
            text += " Driven by " + ", ".join(drivers) + "."
    return text


def plan_summary(doc: PlanDocument) -> str:
    """The summary of a plan: key figures, then the story in sentences, then the three decisions."""
    totals = doc.totals
    lower = totals.current_cost_is_lower_bound
    views = workload_views(doc)
    change = totals.recommended_horizon_cost_usd - totals.current_horizon_cost_usd
    horizon = f"{doc.horizon_months} months"
    figures = [
        _figure("today, per month", esc(usd(totals.current_monthly_cost_usd, lower_bound=lower))),
        _figure("recommended, first month", esc(usd(totals.recommended_monthly_cost_usd))),
        _figure(
            f"saving over {horizon}"
            if change < 0
            else f"extra cost over {horizon}"
            if change > 0
            else f"change over {horizon}",
            esc(usd(abs(change))),
            "saving" if change < 0 else "cost" if change > 0 else "",
        ),
    ]
    sentences = [
        f"Today the {len(views)} workload{'s' if len(views) != 1 else ''} cost "
        f"{esc(usd(totals.current_monthly_cost_usd, lower_bound=lower))} a month"
        + (" (priced usage only: some usage has no price)" if lower else "")
        + f"; staying as they are costs {esc(usd(totals.current_horizon_cost_usd))} over {horizon}.",
        f"The recommended plan costs {esc(usd(totals.recommended_horizon_cost_usd))} over the same "
        f"{horizon}, one-off costs of {esc(usd(totals.recommended_one_off_cost_usd))} included: "
        + (
            f'<strong class="saving">a saving of {esc(usd(-change))}</strong>'
            if change < 0
            else f'<strong class="cost">{esc(usd(change))} more than staying</strong>'
            if change > 0
            else "the same as staying"
        )
        + (
            f" ({pct(float(-change / totals.current_horizon_cost_usd))})"
            if change < 0 and totals.current_horizon_cost_usd
            else ""
        )
        + ".",
    ]
    range_sentence = _range_sentence(doc)
    if range_sentence is not None:
        sentences.append(range_sentence)
    else:
        sentences.append("No uncertainty range was computed: the figures are point estimates.")
    forced = {f.workload: f.reason for f in totals.forced}
    if totals.forced:
        names = "; ".join(
            f'<span class="name">{esc(f.workload)}</span> ({esc(f.reason)})' for f in totals.forced
        )
        sentences.append(
            f"Of the change, {esc(usd(totals.forced_horizon_cost_usd))} is forced by hard constraints that "
            f"today's setup breaks: {names}. " + _optional_sentence(totals.optional_horizon_cost_usd)
        )
    else:
        sentences.append(
            "No workload is forced to move. " + _optional_sentence(totals.optional_horizon_cost_usd)
        )
    if totals.workloads_without_option:
        sentences.append(
            f"{len(totals.workloads_without_option)} workload(s) have no option meeting their hard "
            "constraints and are counted at today's cost."
        )
    ranked = sorted(
        (v for v in views if v.chosen is not None),
        key=lambda v: abs(float(v.horizon_change_usd or 0)),
        reverse=True,
    )[:DECISIONS_SHOWN]
    decisions = "".join(f"<li>{_decision(doc, v, forced)}</li>" for v in ranked)
    return (
        f'<div class="figures">{"".join(figures)}</div>'
        + "".join(f'<p class="lead">{s}</p>' for s in sentences)
        + (
            f'<h3>The decisions that matter most</h3><ol class="decisions">{decisions}</ol>'
            if decisions
            else ""
        )
    )


def _optional_sentence(optional_usd: Decimal) -> str:
    if optional_usd < 0:
        return f"The optional changes save {esc(usd(-optional_usd))}."
    if optional_usd > 0:
        return f"The optional changes cost {esc(usd(optional_usd))} more."
    return "The optional changes leave the cost unchanged."


def audit_summary(doc: AuditDocument) -> str:
    """The summary of an audit alone: spend, volume, the largest workload and what could not be priced."""
    totals = doc.totals
    months = [m.month for m in doc.by_month]
    window = f"{months[0]} to {months[-1]}" if months else "the audited window"
    unpriced = len(doc.unpriced)
    figures = [
        _figure("priced spend", esc(usd(totals.cost_usd))),
        _figure("requests", esc("—" if totals.requests is None else f"{totals.requests:,}")),
        _figure("quarantined", esc(f"{doc.quarantine_total:,}"), "cost" if doc.quarantine_total else ""),
    ]
    sentences = [
        f"From {esc(window)} the usage cost {esc(usd(totals.cost_usd))}"
        + (" for the priced part" if unpriced else "")
        + (f", over {totals.requests:,} requests" if totals.requests is not None else "")
        + f" in {len(doc.by_workload)} workload(s).",
    ]
    priced = [w for w in doc.by_workload if w.cost_usd is not None]
    if priced:
        top = max(priced, key=lambda w: float(w.cost_usd or 0))
        share = float(top.cost_usd or 0) / float(totals.cost_usd) if totals.cost_usd else None
        sentences.append(
            f'The largest workload is <span class="name">{esc(top.workload)}</span> at '
            f"{esc(usd(top.cost_usd))}" + (f" ({pct(share)} of the total)." if share is not None else ".")
        )
    if unpriced:
        sentences.append(
            f"{unpriced} model(s) have no price: their usage is counted in tokens but not in cost "
            "(listed under data quality)."
        )
    if doc.quarantine_total:
        sentences.append(
            f"{doc.quarantine_total:,} record(s) were quarantined as unusable and are left out of every "
            "figure (listed under data quality)."
        )
    return f'<div class="figures">{"".join(figures)}</div>' + "".join(
        f'<p class="lead">{s}</p>' for s in sentences
    )
