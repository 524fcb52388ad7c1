"""Rendering the plan's portfolio for people: which option each workload takes, the pools of shared
replicas, the platform paid once, and the total today vs recommended beside the baselines.

Names from the user's logs and configs are shown literally (``report.text``)."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.table import Table

from llm_tco.plan.portfolio.doc import Portfolio, PortfolioAssignment
from llm_tco.report.text import cell, line

__all__ = ["render_portfolio"]

_BASELINE_LABELS = {
    "all-stay": "everything stays",
    "per-workload": "each workload decided alone",
    "all-self-hosted": "everything self-hosted where possible",
}


def _usd(value: Decimal | float | None) -> str:
    if value is None:
        return "infeasible"
    v = float(value)
    for unit, size in (("M", 1e6), ("k", 1e3)):
        if abs(v) >= size:
            return f"${v / size:,.2f}{unit}"
    return f"${v:,.2f}"


def _where(a: PortfolioAssignment) -> str:
    if a.option_id == "stay":
        return f"{a.model} (today)"
    return f"{a.model} via {a.provider}" if a.provider else a.model


def _assignments(portfolio: Portfolio) -> Table:
    table = Table(show_edge=False, pad_edge=False, box=None)
    for header in ("workload", "placement", "model", "pool"):
        table.add_column(header)
    for a in portfolio.assignments:
        table.add_row(cell(a.workload), cell(a.placement), cell(_where(a)), cell(a.pool_id or "—"))
    return table


def render_portfolio(portfolio: Portfolio, console: Console, *, current_is_lower_bound: bool = False) -> None:
    """Print the portfolio section (nothing for a plan without workloads); ``current_is_lower_bound``:
    part of today's usage has no price, so today's NPV is a lower bound."""
    if not portfolio.assignments:
        return
    status = portfolio.solver_status
    gap = f", gap {status.mip_gap:.2%}" if status.mip_gap is not None else ""
    risk = f", risk aversion {status.risk_aversion:g} (CVaR)" if status.risk_aversion else ""
    console.print(
        line(
            ("Portfolio", "bold"),
            f" (decided together: solver {status.status}{gap}{risk}; "
            f"{status.candidate_pools} candidate pools)",
        )
    )
    console.print(_assignments(portfolio))
    for pool in portfolio.pools:
        split = (
            f"tp {pool.tensor_parallel} × pp {pool.pipeline_parallel}, " if pool.pipeline_parallel > 1 else ""
        )
        console.print(
            line(
                "  ",
                (pool.id, "bold"),
                ": ",
                pool.open_model,
                f" on {pool.replicas} × {pool.gpus_per_replica} ",
                pool.gpu,
                f" ({split}{pool.precision}, {pool.deployment}) = {pool.gpus} GPUs in month 1, "
                f"{pool.sovereignty}; serves ",
                ", ".join(pool.workloads),
                f" (summed load peaks at {pool.peak_to_mean_ratio:.2f}× its mean)",
            )
        )
    platform = portfolio.platform
    if platform.monthly_cost_usd > 0:
        staffed = " (team already staffed: staff not counted)" if platform.already_staffed else ""
        console.print(
            cell(
                f"  platform, paid once: {_usd(platform.monthly_cost_usd)}/month "
                f"({platform.fte:g} FTE + {platform.on_call_fte:g} on-call FTE, monitoring, governance)"
                f"{staffed}; NPV {_usd(platform.npv_usd)}"
            )
        )
    else:
        console.print(cell("  platform: nothing is self-hosted, so no platform is paid for"))
    saving = portfolio.current_npv_usd - portfolio.total_npv_usd
    spread = ""
    if portfolio.npv_usd_p10 is not None and portfolio.npv_usd_p90 is not None:
        spread = f" (P10–P90 {_usd(portfolio.npv_usd_p10)}–{_usd(portfolio.npv_usd_p90)})"
    change = f"saving {_usd(saving)}" if saving >= 0 else f"{_usd(-saving)} more"
    console.print(
        cell(
            f"  total NPV: today {'≥ ' if current_is_lower_bound else ''}{_usd(portfolio.current_npv_usd)} → "
            "recommended "
            f"{_usd(portfolio.total_npv_usd)}{spread}, {change}"
        )
    )
    baselines = "; ".join(
        f"{_BASELINE_LABELS.get(b.name, b.name)} {_usd(b.total_npv_usd)}" for b in portfolio.baselines
    )
    if baselines:
        console.print(cell(f"  baselines (NPV): {baselines}"))
    for note in portfolio.notes:
        console.print(line("  ", ("note: ", "dim"), (note, "dim")))
    console.print()
