"""Rendering the plan document for people: per workload, today's cost, the best option of each placement,
the recommendation and its reasons, break-even and payback; then the organisation total.

Workload, model, provider and GPU names come from the user's logs and configs and are shown literally
(``report.text``): the lines and cells are ``Text`` built from parts, never markup strings."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.table import Table

from llm_tco.plan.doc import Option, PlanDocument, PlanTotals, WorkloadPlan
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


def _describe(option: Option) -> str:
    if option.placement == "self-hosted":
        return (
            f"{option.model} on {option.replicas} × {option.gpus_per_replica} {option.gpu} "
            f"({option.precision}, {option.deployment})"
        )
    where = f" via {option.provider}" if option.provider else ""
    return f"{option.model}{where}" + (" (today)" if option.id == "stay" else "")


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
                    "—" if option.quality_ratio is None else f"{option.quality_ratio:.2f}",
                    status,
                )
            ),
        )
    return table


def _workload(plan: WorkloadPlan, console: Console) -> None:
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
        _workload(plan, console)
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
    for policy in document.policies:
        if policy.tripped:
            console.print(cell(f"--fail-on {policy.policy}: {', '.join(policy.tripped)}", "red"))
    for note in document.notes:
        console.print(line(("note: ", "dim"), (note, "dim")))
