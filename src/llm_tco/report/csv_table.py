"""The spreadsheet export (``--csv FILE``): the plan's per-workload option table, one row per option, or
for an audit the spend by workload.

Money is written as the JSON report writes it (a number with every decimal a float keeps, not rounded to
cents), so the CSV of a saved report equals the one written when it was computed; an unpriced amount is
an empty cell, never 0. Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return: a workload named ``=HYPERLINK(…)``) are prefixed with ``'``,
which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from llm_tco.report.document import AuditReport, PlanReport

__all__ = ["AUDIT_COLUMNS", "PLAN_COLUMNS", "render_csv"]

PLAN_COLUMNS = (
    "workload",
    "option_id",
    "recommended",
    "placement",
    "provider",
    "model",
    "gpu",
    "gpus",
    "deployment",
    "feasible",
    "unmet",
    "monthly_cost_usd",
    "one_off_cost_usd",
    "horizon_cost_usd",
    "npv_usd",
    "cost_per_million_tokens_usd",
    "quality_ratio",
    "payback_month",
    "breakeven_monthly_tokens",
    "cost_is_lower_bound",
)
AUDIT_COLUMNS = (
    "workload",
    "requests",
    "input_tokens",
    "cache_read_tokens",
    "output_tokens",
    "cost_usd",
    "unpriced_requests",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return repr(float(value))  # as the JSON report writes it, so a saved report's CSV is the same
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(document: AuditReport | PlanReport) -> str:
    """The CSV text (header row first, ``\\r\\n`` line ends as RFC 4180 has them)."""
    out = io.StringIO()
    writer = csv.writer(out)
    if isinstance(document, PlanReport):
        writer.writerow(PLAN_COLUMNS)
        for plan in document.workloads:
            chosen = plan.recommendation.id if plan.recommendation else None
            for o in plan.options:
                be = o.breakeven
                writer.writerow(
                    _cell(v)
                    for v in (
                        plan.workload,
                        o.id,
                        o.id == chosen,
                        o.placement,
                        o.provider,
                        o.model,
                        o.gpu,
                        o.gpus,
                        o.deployment,
                        o.feasible,
                        " ".join(o.unmet),
                        o.monthly_cost_usd,
                        o.one_off_cost_usd,
                        o.horizon_cost_usd,
                        o.npv_usd,
                        o.cost_per_million_tokens_usd,
                        o.quality_ratio,
                        be.payback_month if be else None,
                        be.monthly_tokens if be else None,
                        o.cost_is_lower_bound,
                    )
                )
    else:
        writer.writerow(AUDIT_COLUMNS)
        for w in document.by_workload:
            writer.writerow(
                _cell(v)
                for v in (
                    w.workload,
                    w.requests,
                    w.input_tokens,
                    w.cache_read_tokens,
                    w.output_tokens,
                    w.cost_usd,
                    w.unpriced_requests,
                )
            )
    return out.getvalue()
