"""The audit's charts (spend by month and by workload), built like the plan's (``report.html.charts``)."""

from __future__ import annotations

from llm_tco.report.audit_doc import AuditDocument
from llm_tco.report.html.charts import Chart, chart_layout, unique_labels, usd_axis

__all__ = ["audit_charts"]


def audit_charts(doc: AuditDocument) -> list[Chart]:
    """The audit's spend by month and by workload (priced usage)."""
    charts = []
    months = [m for m in doc.by_month if m.cost_usd is not None]
    if months:
        charts.append(
            Chart(
                id="chart-audit-months",
                title="Audited spend by month",
                caption="Cost of the priced usage in each month of the audited window.",
                data=[
                    {
                        "type": "bar",
                        "name": "priced spend",
                        "x": [m.month for m in months],
                        "y": [float(m.cost_usd or 0) for m in months],
                        "marker": {"color": "#2458a6"},
                        "hovertemplate": "%{x}: $%{y:,.2f}<extra></extra>",
                    }
                ],
                layout=chart_layout(height=300, yaxis=usd_axis("USD"), xaxis={"type": "category"}),
            )
        )
    workloads = sorted(
        (w for w in doc.by_workload if w.cost_usd is not None), key=lambda w: float(w.cost_usd or 0)
    )
    if workloads:
        charts.append(
            Chart(
                id="chart-audit-workloads",
                title="Audited spend by workload",
                caption="Cost of each workload's priced usage over the audited window.",
                data=[
                    {
                        "type": "bar",
                        "orientation": "h",
                        "name": "priced spend",
                        "y": unique_labels([w.workload for w in workloads]),
                        "x": [float(w.cost_usd or 0) for w in workloads],
                        "marker": {"color": "#2458a6"},
                        "hovertemplate": "%{y}: $%{x:,.2f}<extra></extra>",
                    }
                ],
                layout=chart_layout(
                    height=max(240, 60 + 28 * len(workloads)),
                    margin={"l": 20, "r": 20, "t": 20, "b": 50},
                    xaxis=usd_axis("USD"),
                    yaxis={"type": "category", "automargin": True},
                ),
            )
        )
    return charts
