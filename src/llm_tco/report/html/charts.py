"""The report's charts as Plotly figure specifications (plain dicts, drawn in the browser by plotly.js).

Every name placed in a figure goes through ``chart_text`` (Plotly reads some HTML-like tags in labels); money
is in US dollars as floats (display only: the documents keep the exact amounts). A chart is built only when
the document has the data it needs, so a page never shows an empty frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from llm_tco.plan.doc import CostLines, PlanDocument
from llm_tco.report.html.markup import chart_text
from llm_tco.report.html.view import (
    PLACEMENT_LABELS,
    PLACEMENTS,
    WorkloadView,
    as_float,
    month_labels,
    npv_range,
    workload_views,
)

__all__ = [
    "COST_LINE_LABELS",
    "CUMULATIVE_CHARTS_MAX",
    "Chart",
    "breakdown_chart",
    "chart_layout",
    "cost_per_million_chart",
    "cumulative_charts",
    "npv_range_chart",
    "spend_over_time_chart",
    "unique_labels",
    "usd_axis",
]

CUMULATIVE_CHARTS_MAX = 6
"""Cumulative-cost charts drawn (one per workload, the largest first): enough for the decisions that
matter, few enough for the page to stay readable and printable."""

COST_LINE_LABELS = {
    "tokens_usd": "API tokens",
    "gpus_usd": "GPUs",
    "power_and_hosting_usd": "power and hosting",
    "staff_usd": "platform staff",
    "on_call_usd": "on-call",
    "monitoring_usd": "monitoring",
    "governance_usd": "governance",
    "fine_tuning_usd": "fine-tuning",
    "migration_usd": "migration",
    "residual_credit_usd": "residual value (credit)",
}

_FONT = {"family": 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif', "size": 12}
_PLACEMENT_COLOURS = {
    "stay": "#5b6473",
    "closed-api": "#2458a6",
    "open-api": "#1f7a3a",
    "self-hosted": "#b5651d",
}


@dataclass(frozen=True)
class Chart:
    """One figure: the id of its element, its title and caption (escaped HTML) and the Plotly spec."""

    id: str
    title: str
    caption: str
    data: list[dict[str, Any]]
    layout: dict[str, Any] = field(default_factory=dict)

    def spec(self) -> dict[str, Any]:
        return {"id": self.id, "data": self.data, "layout": self.layout}


def chart_layout(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "font": _FONT,
        "margin": {"l": 70, "r": 20, "t": 20, "b": 60},
        "height": 380,
        "legend": {"orientation": "h", "y": -0.2},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
    }
    base.update(extra)
    return base


def unique_labels(names: list[str]) -> list[str]:
    """Chart labels for ``names``, made unique when shortening makes two the same (a category axis would
    otherwise merge them)."""
    labels: list[str] = []
    seen: dict[str, int] = {}
    for name in names:
        label = chart_text(name)
        count = seen.get(label, 0) + 1
        seen[label] = count
        labels.append(label if count == 1 else f"{label} ({count})")
    return labels


def usd_axis(title: str, **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title}, "tickprefix": "$", "separatethousands": True, "zeroline": True, **extra}


def spend_over_time_chart(doc: PlanDocument) -> Chart | None:
    """Planned spend by month over the horizon, stacked by workload (each at what it will do: the
    recommendation, else staying). Months with a negative amount (an owned fleet's residual value credited
    in the last month) stack below zero."""
    views = [v for v in workload_views(doc) if v.chosen is not None and v.chosen.monthly_costs_usd]
    if not views:
        return None
    months = month_labels(doc.start_month, doc.horizon_months)
    labels = unique_labels([v.name for v in views])
    data = []
    for view, label in zip(views, labels, strict=True):
        chosen = view.chosen
        assert chosen is not None
        costs = [float(c) for c in chosen.monthly_costs_usd][: len(months)]
        data.append(
            {
                "type": "bar",
                "name": label,
                "x": months[: len(costs)],
                "y": costs,
                "hovertemplate": "%{x}: $%{y:,.0f}<extra>%{fullData.name}</extra>",
            }
        )
    return Chart(
        id="chart-spend-over-time",
        title="Spend over time by workload",
        caption="Month by month over the horizon, each workload at its recommended option (staying where no "
        "option meets its constraints); one-off costs fall in the month they are paid.",
        data=data,
        layout=chart_layout(barmode="relative", yaxis=usd_axis("USD per month"), xaxis={"type": "category"}),
    )


def cost_per_million_chart(doc: PlanDocument) -> Chart | None:
    """Levelised cost per million tokens of staying and of the best option of each placement, per
    workload (grouped bars; a log axis when the costs span more than two orders of magnitude)."""
    views = workload_views(doc)
    if not views:
        return None
    labels = unique_labels([v.name for v in views])
    roles: list[tuple[str, str]] = [
        ("stay", "today"),
        *((p, f"best {PLACEMENT_LABELS[p]}") for p in PLACEMENTS),
    ]
    data = []
    values: list[float] = []
    for role, name in roles:
        ys: list[float | None] = []
        texts: list[str] = []
        for view in views:
            option = view.stay if role == "stay" else view.best.get(role)
            cost = as_float(option.cost_per_million_tokens_usd) if option else None
            ys.append(cost)
            texts.append(chart_text(option.model) if option else "")
            if cost is not None and cost > 0:
                values.append(cost)
        if all(y is None for y in ys):
            continue
        data.append(
            {
                "type": "bar",
                "name": name,
                "x": labels,
                "y": ys,
                "hovertext": texts,
                "marker": {"color": _PLACEMENT_COLOURS[role]},
                "hovertemplate": "%{x}<br>%{hovertext}: $%{y:,.2f} per 1M tokens"
                "<extra>%{fullData.name}</extra>",
            }
        )
    if not data:
        return None
    log = bool(values) and max(values) / min(values) > 100
    return Chart(
        id="chart-cost-per-million",
        title="Cost per 1M tokens by option",
        caption="Everything included over the horizon (tokens, GPUs, staff, one-off costs), divided by the "
        "horizon's tokens: today's setup and the cheapest feasible option of each placement.",
        data=data,
        layout=chart_layout(
            barmode="group",
            yaxis=usd_axis("USD per 1M tokens", type="log" if log else "linear"),
            xaxis={"type": "category", "automargin": True},
        ),
    )


def _ranked(doc: PlanDocument) -> list[WorkloadView]:
    """Workloads, the largest (horizon cost of what they will do) first."""

    def size(view: WorkloadView) -> float:
        chosen = view.chosen
        return float(chosen.horizon_cost_usd or 0) if chosen else 0.0

    return sorted(workload_views(doc), key=size, reverse=True)


def cumulative_charts(doc: PlanDocument) -> list[Chart]:
    """For the largest workloads: cumulative cost month by month of staying and of the best option of
    each placement, with the break-even month (the best self-hosted option's payback against the best
    API option) marked."""
    charts = []
    for index, view in enumerate(_ranked(doc)[:CUMULATIVE_CHARTS_MAX]):
        lines: list[tuple[str, str, Any]] = []
        if view.stay is not None:
            lines.append(("stay", "today", view.stay))
        lines.extend((p, f"best {PLACEMENT_LABELS[p]}", view.best[p]) for p in PLACEMENTS if p in view.best)
        data = []
        for role, name, option in lines:
            if not option.monthly_costs_usd:
                continue
            cumulative = list(accumulate(float(c) for c in option.monthly_costs_usd))
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{name}: {chart_text(option.model, 32)}",
                    "x": list(range(1, len(cumulative) + 1)),
                    "y": cumulative,
                    "line": {"color": _PLACEMENT_COLOURS[role], "width": 2},
                    "hovertemplate": "month %{x}: $%{y:,.0f}<extra>%{fullData.name}</extra>",
                }
            )
        if not data:
            continue
        shapes: list[dict[str, Any]] = []
        annotations: list[dict[str, Any]] = []
        breakeven = view.plan.breakeven
        payback = breakeven.payback_month if breakeven else None
        if payback is not None:
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": payback,
                    "x1": payback,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#a3361f", "dash": "dash", "width": 2},
                }
            )
            annotations.append(
                {
                    "x": payback,
                    "y": 1,
                    "xref": "x",
                    "yref": "paper",
                    "text": f"break-even: month {payback}",
                    "showarrow": False,
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "font": {"color": "#a3361f"},
                }
            )
        when = (
            f"Self-hosting pays back by month {payback} (marked)."
            if payback is not None
            else "Self-hosting does not pay back within the horizon."
        )
        charts.append(
            Chart(
                id=f"chart-cumulative-{index}",
                title=f"Cumulative cost: {view.name}",
                caption=f"Cumulative cost over {doc.horizon_months} months, one-off costs included. {when}",
                data=data,
                layout=chart_layout(
                    height=360,
                    margin={"l": 80, "r": 20, "t": 30, "b": 90},
                    legend={"orientation": "h", "y": -0.3},
                    xaxis={"title": {"text": "month"}, "dtick": 6},
                    yaxis=usd_axis("cumulative USD"),
                    shapes=shapes,
                    annotations=annotations,
                ),
            )
        )
    return charts


def breakdown_chart(doc: PlanDocument) -> Chart | None:
    """Horizon cost by line of each workload's recommended option and, where it is not the same one, its
    best self-hosted option (horizontal stacked bars; the residual-value credit stacks below zero)."""
    rows: list[tuple[str, CostLines]] = []
    for view in workload_views(doc):
        rec = view.recommended
        if rec is not None and rec.breakdown is not None:
            rows.append((f"{view.name} · recommended", rec.breakdown.horizon))
        hosted = view.best.get("self-hosted")
        if hosted is not None and hosted.breakdown is not None and (rec is None or hosted.id != rec.id):
            rows.append((f"{view.name} · best self-hosted", hosted.breakdown.horizon))
    if not rows:
        return None
    labels = unique_labels([name for name, _ in rows])
    data = []
    for key, label in COST_LINE_LABELS.items():
        amounts = [float(getattr(lines, key)) for _, lines in rows]
        if not any(amounts):
            continue
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": label,
                "y": labels,
                "x": amounts,
                "hovertemplate": "%{y}: $%{x:,.0f}<extra>%{fullData.name}</extra>",
            }
        )
    return Chart(
        id="chart-breakdown",
        title="Where the money goes",
        caption=f"Cost over the {doc.horizon_months}-month horizon by line: the recommended option of each "
        "workload and, where different, its best self-hosted option.",
        data=data,
        layout=chart_layout(
            barmode="relative",
            height=max(260, 60 + 34 * len(rows)),
            margin={"l": 20, "r": 20, "t": 20, "b": 60},
            xaxis=usd_axis("USD over the horizon"),
            yaxis={"type": "category", "automargin": True, "autorange": "reversed"},
        ),
    )


def npv_range_chart(doc: PlanDocument) -> Chart | None:
    """P10–P90 of NPV (bar) with the P50 (marker) of staying and of the recommendation, per workload; drawn
    only when the document carries Monte Carlo percentiles."""
    names: list[str] = []
    lows: list[float] = []
    spans: list[float] = []
    mids: list[float] = []
    for view in workload_views(doc):
        for role, option in (("today", view.stay), ("recommended", view.recommended)):
            found = npv_range(option) if option is not None else None
            if found is None:
                continue
            p10, p50, p90 = found
            names.append(f"{view.name} · {role}")
            lows.append(p10)
            spans.append(p90 - p10)
            mids.append(p50)
    if not names:
        return None
    labels = unique_labels(names)
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": "P10–P90",
            "y": labels,
            "x": spans,
            "base": lows,
            "marker": {"color": "#9db4d9"},
            "hovertemplate": "%{y}: $%{base:,.0f} to $%{x:,.0f} wide<extra>P10–P90</extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": "P50",
            "y": labels,
            "x": mids,
            "marker": {"color": "#1d2430", "symbol": "line-ns-open", "size": 16, "line": {"width": 3}},
            "hovertemplate": "%{y}: P50 $%{x:,.0f}<extra></extra>",
        },
    ]
    return Chart(
        id="chart-npv-range",
        title="NPV distribution",
        caption="Net present value of the horizon's costs under the uncertain assumptions: the bar spans P10 "
        "to P90, the mark is the median.",
        data=data,
        layout=chart_layout(
            height=max(260, 60 + 30 * len(labels)),
            margin={"l": 20, "r": 20, "t": 20, "b": 60},
            xaxis=usd_axis("NPV (USD)"),
            yaxis={"type": "category", "automargin": True, "autorange": "reversed"},
        ),
    )
