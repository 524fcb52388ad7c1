"""Rendering the plan document for people: per workload, today's cost, the best option of each placement,
the recommendation and its reasons, break-even and payback; then the organisation total.

Workload, model, provider and GPU names come from the user's logs and configs and are shown literally
(``report.text``): the lines and cells are ``Text`` built from parts, never markup strings."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.table import Table

from llm_tco.plan.doc import Option, PlanDocument, PlanTotals, WorkloadPlan
from llm_tco.plan.uncertainty.document import Sensitivity
from llm_tco.report.plan_uncertainty import render_organisation_uncertainty, workload_range_text
from llm_tco.report.portfolio_terminal import render_portfolio
from llm_tco.report.text import cell, line

__all__ = ["render_plan"]


def _usd(value: Decimal | float | None) -> str:
    if value is None:
        return "unpriced"
    v = float(value)
    return f"${v:,.0f}" if abs(v) >= 100 else f"${v:,.2f}"


def _bound(value: Decimal | float | None, lower_bound: bool) -> str:
    """A cost, as "≥ $x" when it prices only part of the usage."""
    return ("≥ " if lower_bound and value is not None else "") + _usd(value)


def _tokens(value: float | None) -> str:
    if value is None:
        return "—"
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:,.1f}{unit}"
    return f"{value:,.0f}"


def _split(option: Option) -> str:
    """``tp 8 × pp 2, `` for a pipelined replica; nothing for a tensor-parallel-only one."""
    if option.pipeline_parallel and option.pipeline_parallel > 1:
        return f"tp {option.tensor_parallel} × pp {option.pipeline_parallel}, "
    return ""


def _describe(option: Option) -> str:
    if option.placement == "self-hosted":
        return (
            f"{option.model} on {option.replicas} × {option.gpus_per_replica} {option.gpu} "
            f"({_split(option)}{option.precision}, {option.deployment})"
        )
    where = f" via {option.provider}" if option.provider else ""
    lever = {"batch": " (Batch API)", "prompt-caching": " (prompt caching)"}.get(option.lever or "", "")
    return f"{option.model}{where}" + (" (today)" if option.id == "stay" else lever)


_LINE_LABELS = {
    "tokens_usd": "tokens",
    "gpus_usd": "GPUs",
    "power_and_hosting_usd": "power and hosting",
    "staff_usd": "staff",
    "on_call_usd": "on-call",
    "monitoring_usd": "monitoring",
    "governance_usd": "governance",
    "fine_tuning_usd": "fine-tuning",
    "migration_usd": "migration",
    "residual_credit_usd": "residual credit",
}
_TOP_LINES = 3


def _short_usd(value: float) -> str:
    for unit, size in (("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"${value / size:,.1f}{unit}"
    return f"${value:,.0f}"


def cost_lines_text(option: Option, assumptions: dict[str, float | int | str | None]) -> str | None:
    """The option's largest cost lines: average month and share of the gross horizon cost, e.g.
    "staff 1.25 FTE $20.8k/mo — 97%"; None without a breakdown, a positive horizon cost or two lines.

    Shares are of the costs before the residual credit of owned hardware (a negative line): against the
    net total, the lines of an owned fleet would add up to more than 100%."""
    breakdown = option.breakdown
    if breakdown is None or not option.horizon_cost_usd or option.horizon_cost_usd <= 0:
        return None
    horizon = breakdown.horizon.model_dump()
    average = breakdown.average_month.model_dump()
    top = sorted((k for k, v in horizon.items() if v > 0), key=lambda k: -horizon[k])[:_TOP_LINES]
    if len(top) < 2:  # one line is all of it: nothing to break down
        return None
    gross = sum(v for v in horizon.values() if v > 0)
    fte = {"staff_usd": "platform.fte", "on_call_usd": "platform.on_call_fte"}
    parts = []
    for key in top:
        count = assumptions.get(fte.get(key, ""))
        label = _LINE_LABELS[key] + (f" {count:g} FTE" if isinstance(count, int | float) else "")
        share = horizon[key] / gross
        amount = (
            f"{_short_usd(float(horizon[key]))} one-off"
            if key == "migration_usd"
            else f"{_short_usd(float(average[key]))}/mo"
        )
        parts.append(f"{label} {amount} — {share:.0%}")
    return ", ".join(parts) or None


def _options_table(plan: WorkloadPlan) -> Table:
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    table.add_column("placement", no_wrap=True)
    table.add_column("best option", overflow="fold", ratio=1)
    for header in ("month 1", "one-off", "NPV", "$/1M tok", "quality"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    by_id = {o.id: o for o in plan.options}
    chosen = plan.recommendation.id if plan.recommendation else None
    for placement, option_id in plan.best_by_placement.items():
        option = by_id.get(option_id) if option_id else None
        if option is None:
            table.add_row(*(cell(v) for v in (placement, "—", "", "", "", "", "", "none priced")))
            continue
        status = "ok" if option.feasible else "✗ " + ", ".join(option.unmet)
        marker = ("★ ", "bold green") if option.id == chosen else ""
        table.add_row(
            cell(placement),
            line(marker, _describe(option)),
            *(
                cell(v)
                for v in (
                    _bound(option.monthly_cost_usd, option.cost_is_lower_bound),
                    _usd(option.one_off_cost_usd),
                    _bound(option.npv_usd, option.cost_is_lower_bound),
                    _bound(option.cost_per_million_tokens_usd, option.cost_is_lower_bound),
                    quality_text(option.quality_ratio),
                    status,
                )
            ),
        )
    return table


def quality_text(ratio: float | None) -> str:
    """A quality ratio for people: above 1.0 only "≥ 1.0" (a benchmark says the candidate is at least as
    good; 1.99 would read as "twice as good", which no benchmark ratio means). JSON keeps the raw ratio."""
    if ratio is None:
        return "—"
    return "≥ 1.0" if ratio > 1.0 else f"{ratio:.2f}"


def _cost_lines(
    plan: WorkloadPlan, console: Console, assumptions: dict[str, float | int | str | None]
) -> None:
    """Top cost lines of the recommendation and of the best self-hosted option."""
    by_id = {o.id: o for o in plan.options}
    shown: list[tuple[str, Option]] = []
    if plan.recommendation is not None:
        shown.append(("recommended", plan.recommendation))
    best_self = by_id.get(plan.best_by_placement.get("self-hosted") or "")
    if best_self is not None and (plan.recommendation is None or best_self.id != plan.recommendation.id):
        shown.append(("best self-hosted", best_self))
    for label, option in shown:
        text = cost_lines_text(option, assumptions)
        if text:
            console.print(line(f"  cost lines, {label} (", _describe(option), "): ", text))


def _workload(
    plan: WorkloadPlan,
    console: Console,
    assumptions: dict[str, float | int | str | None] | None = None,
    sensitivity: list[Sensitivity] | None = None,
) -> None:
    growth = plan.growth
    fit = f", R² {growth.r_squared:.2f}" if growth.r_squared is not None and growth.source == "fitted" else ""
    console.print(
        line(
            (plan.workload, "bold"),
            f" — today {_bound(plan.current_monthly_cost_usd, plan.current_cost_is_lower_bound)}/month"
            + (
                f" ({plan.unpriced_share:.0%} of tokens unpriced)"
                if plan.unpriced_share > 0 and plan.current_monthly_cost_usd is not None
                else ""
            )
            + " on ",
            plan.current_model or "unknown",
            f", {_tokens(plan.monthly_tokens)} tokens/month, growth "
            f"{growth.monthly_rate:+.1%}/month ({growth.source}{fit}); sovereignty {plan.sovereignty}, "
            f"quality floor {plan.quality_floor:.2f}",
        )
    )
    console.print(_options_table(plan))
    rec = plan.recommendation
    if rec is None:
        console.print(line("  ", ("no option meets the hard constraints (sovereignty)", "red")))
    else:
        headline = (
            ("recommend", "")
            if plan.all_constraints_met
            else ("recommend (not every constraint met)", "yellow")
        )
        console.print(line("  ", headline, ": ", (_describe(rec), "bold")))
        for reason in rec.reasons:
            style = "yellow" if reason.startswith("unmet") else ""
            console.print(line("    • ", reason), style=style)
        ranged = workload_range_text(plan, sensitivity or [])
        if ranged:
            console.print(line("    under uncertainty: ", ranged))
    _cost_lines(plan, console, assumptions or {})
    if plan.serving_hours_per_month < 730.0:
        console.print(
            line(
                "  ",
                ("serving hours: ", "dim"),
                (f"{plan.serving_hours_per_month:.0f} h/month (cloud GPUs paid only then)", "dim"),
            )
        )
    if plan.breakeven is not None:
        console.print(line("  self-hosting (", plan.breakeven.option_id, "): ", plan.breakeven.text))
    for assumed in plan.assumed:
        console.print(line("  ", ("assumed: ", "dim"), (assumed, "dim")))
    if plan.growth.note:
        console.print(line("  ", ("growth: ", "dim"), (plan.growth.note, "dim")))
    console.print()


def _signed_usd(value: Decimal) -> str:
    return ("+" if value >= 0 else "−") + _usd(abs(value))


def _forced_and_optional(totals: PlanTotals, console: Console) -> None:
    """What the hard constraints force, apart from what is optional, and who stays for want of an option."""
    if totals.workloads_without_option:
        console.print(
            cell(
                "no option meets the hard constraints (counted at today's cost): "
                + ", ".join(totals.workloads_without_option),
                "yellow",
            )
        )
    if not totals.forced:
        return
    forced = "; ".join(f"{f.workload}: {f.reason}" for f in totals.forced)
    console.print(
        cell(
            f"over the horizon: {_signed_usd(totals.forced_horizon_cost_usd)} forced by {forced}; "
            f"{_signed_usd(totals.optional_horizon_cost_usd)} optional"
        )
    )


def render_plan(document: PlanDocument, console: Console) -> None:
    """Print the plan for people."""
    console.print(
        line(
            ("Plan", "bold"),
            f" from {document.start_month}, {document.horizon_months} months, discount "
            f"{document.discount_rate_per_year:.0%}/year; prices: ",
            document.price_data,
            *(("; config: ", document.config_file) if document.config_file else ("; default assumptions",)),
        )
    )
    console.print()
    if not document.workloads:
        console.print(cell("no usage in the store: run `llm-tco audit FILES…` first"))
        return
    for plan in document.workloads:
        _workload(plan, console, document.assumptions, document.sensitivity)
    render_portfolio(
        document.portfolio, console, current_is_lower_bound=document.totals.current_cost_is_lower_bound
    )
    totals = document.totals
    partial = totals.current_cost_is_lower_bound
    console.print(
        line(
            ("Organisation", "bold"),
            f": today {_bound(totals.current_monthly_cost_usd, partial)}/month → recommended "
            f"{_usd(totals.recommended_monthly_cost_usd)}/month in month 1; over the horizon "
            f"{_bound(totals.current_horizon_cost_usd, partial)} staying vs "
            f"{_usd(totals.recommended_horizon_cost_usd)} "
            f"recommended (one-off costs {_usd(totals.recommended_one_off_cost_usd)} included)",
        )
    )
    if totals.workloads_unpriced:
        console.print(
            cell(
                f"unpriced usage (costs shown are lower bounds): {', '.join(totals.workloads_unpriced)}",
                "yellow",
            )
        )
    _forced_and_optional(totals, console)
    render_organisation_uncertainty(document, console)
    for policy in document.policies:
        if policy.tripped:
            console.print(cell(f"--fail-on {policy.policy}: {', '.join(policy.tripped)}", "red"))
    for note in document.notes:
        console.print(line(("note: ", "dim"), (note, "dim")))
