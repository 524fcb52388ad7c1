"""The HTML report: one self-contained page (styles, data and Plotly's JavaScript inline) that opens
offline and prints to PDF.

Sections, each rendered only when the documents have its data: executive summary; spend over time; cost
per 1M tokens by option; cumulative cost with the break-even month; where the money goes; uncertainty
(NPV distribution and tornado); the portfolio; data quality; the assumptions appendix. The output is a
function of the documents alone (no clock, no randomness), so the same documents give the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llm_tco import __version__
from llm_tco.plan.doc import PlanDocument
from llm_tco.report.audit_doc import AuditDocument
from llm_tco.report.html.assets import BOOT_SCRIPT, CONTENT_SECURITY_POLICY, STYLE, plotly_js
from llm_tco.report.html.audit_charts import audit_charts
from llm_tco.report.html.charts import (
    Chart,
    breakdown_chart,
    cost_per_million_chart,
    cumulative_charts,
    npv_range_chart,
    spend_over_time_chart,
)
from llm_tco.report.html.markup import esc, json_for_script, pct
from llm_tco.report.html.sensitivity import tornado_chart
from llm_tco.report.html.summary import audit_summary, plan_summary
from llm_tco.report.html.tables import (
    assumptions_table,
    audit_workloads_table,
    plan_notes,
    portfolio_table,
    quality_notes,
)

__all__ = ["render_html"]

_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)


@dataclass(frozen=True)
class _Section:
    id: str
    title: str
    body: str


def _figure(chart: Chart) -> str:
    return (
        f'<figure><h3>{esc(chart.title)}</h3><div class="chart" id="{esc(chart.id)}" role="img" '
        f'aria-label="{esc(chart.title)}"></div><figcaption>{esc(chart.caption)}</figcaption></figure>'
    )


def _meta(audit: AuditDocument | None, plan: PlanDocument | None) -> str:
    parts = [f"llm-tco {__version__}"]
    if plan is not None:
        parts.append(f"plan from {plan.start_month}, {plan.horizon_months} months")
        parts.append(f"discount rate {pct(plan.discount_rate_per_year, 1)} a year")
        parts.append(f"config: {plan.config_file or 'built-in defaults'}")
    if audit is not None:
        window = f"{audit.since or 'start'} to {audit.until or 'end'}"
        parts.append(f"audit of {audit.store} ({window})")
    price_data = plan.price_data if plan is not None else audit.price_data if audit is not None else ""
    if price_data:
        parts.append(f"price data: {price_data}")
    return " · ".join(esc(p) for p in parts)


def _sections(audit: AuditDocument | None, plan: PlanDocument | None) -> tuple[list[_Section], list[Chart]]:
    sections: list[_Section] = []
    charts: list[Chart] = []

    def add(section_id: str, title: str, body: str, *figures: Chart | None) -> None:
        drawn = [c for c in figures if c is not None]
        charts.extend(drawn)
        html = body + "".join(_figure(c) for c in drawn)
        if html:
            sections.append(_Section(section_id, title, html))

    summary = plan_summary(plan) if plan is not None else audit_summary(audit) if audit is not None else ""
    add("summary", "Executive summary", summary)
    if plan is not None:
        add("spend", "Spend over time", "", spend_over_time_chart(plan))
    if audit is not None:
        body = (audit_summary(audit) if plan is not None else "") + audit_workloads_table(audit)
        add("audit", "Audited usage", body, *audit_charts(audit))
    if plan is not None:
        add("per-million", "Cost per 1M tokens", "", cost_per_million_chart(plan))
        add("breakeven", "Cumulative cost and break-even", "", *cumulative_charts(plan))
        add("breakdown", "Cost breakdown", "", breakdown_chart(plan))
        add("uncertainty", "Uncertainty", "", npv_range_chart(plan), tornado_chart(plan))
        add("portfolio", "Portfolio", portfolio_table(plan))
    add("quality", "Unpriced usage and data quality", quality_notes(audit, plan))
    if plan is not None:
        notes = plan_notes(plan)
        add("notes", "How the plan was costed", notes)
        add("assumptions", "Appendix: assumptions", assumptions_table(plan))
    return sections, charts


def render_html(audit: AuditDocument | None, plan: PlanDocument | None) -> str:
    """The report of an audit, a plan or both, as one self-contained HTML page."""
    if audit is None and plan is None:
        raise ValueError("render_html needs an audit or a plan document")
    sections, charts = _sections(audit, plan)
    title = "LLM cost and hosting plan" if plan is not None else "LLM usage audit"
    toc = "".join(f'<li><a href="#{esc(s.id)}">{esc(s.title)}</a></li>' for s in sections)
    body = "".join(f'<section id="{esc(s.id)}"><h2>{esc(s.title)}</h2>{s.body}</section>' for s in sections)
    library = _SCRIPT_END.sub(r"<\\/\1", plotly_js())
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CONTENT_SECURITY_POLICY)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
        f'<header><h1>{esc(title)}</h1><p class="meta">{_meta(audit, plan)}</p>'
        f'<nav class="toc"><ol>{toc}</ol></nav></header>'
        f"<main>{body}</main>"
        f'<script type="application/json" id="llm-tco-charts">'
        f"{json_for_script([c.spec() for c in charts])}</script>"
        f"<script>{library}</script>"
        f"<script>{BOOT_SCRIPT}</script>"
        "</body></html>\n"
    )
