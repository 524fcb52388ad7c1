"""One document, every format: the dispatch behind ``llm-tco report`` and the ``--md``/``--csv``/``--html``
outputs of ``audit`` and ``plan``. Renderers read only the document, so a saved report renders exactly as
it did when it was computed."""

from __future__ import annotations

import io
from typing import Literal

from rich.console import Console

from llm_tco.errors import InputFileError
from llm_tco.report.audit_terminal import GroupBy, render_audit
from llm_tco.report.csv_table import render_csv
from llm_tco.report.document import AuditReport, PlanReport
from llm_tco.report.markdown import render_markdown
from llm_tco.report.plan_terminal import render_plan

__all__ = ["Format", "check_comparable", "render_html_text", "render_table", "render_text"]

Format = Literal["table", "html", "md", "csv"]

TABLE_WIDTH = 150
"""Columns of a table written to a file (as on a redirected stdout)."""


def render_table(document: AuditReport | PlanReport, console: Console, by: GroupBy = "workload") -> None:
    """The terminal tables, as ``audit`` (``--by``) and ``plan`` print them."""
    if isinstance(document, PlanReport):
        render_plan(document, console)
    else:
        render_audit(document, console, by)


def render_html_text(document: AuditReport | PlanReport) -> str:
    """The self-contained HTML report of a saved document (``llm_tco.report.html.render_html``): a plan
    carries its audit part, an audit is rendered alone."""
    from llm_tco.report.html import render_html

    if isinstance(document, PlanReport):
        return render_html(document.audit, document)
    return render_html(document, None)


def check_comparable(kind: str, previous: AuditReport | PlanReport, previous_file: str) -> None:
    """``--compare`` needs a previous report of the same ``kind`` (an audit's spend is not a plan's)."""
    if previous.kind != kind:
        raise InputFileError(
            previous_file, f"field kind: {previous.kind}, but this report is {kind}: compare like with like"
        )


def render_text(
    document: AuditReport | PlanReport,
    fmt: Format,
    *,
    previous: AuditReport | PlanReport | None = None,
    previous_label: str = "the previous report",
    by: GroupBy = "workload",
) -> str:
    """The document in ``fmt`` as text (the table as a console of ``TABLE_WIDTH`` columns prints it)."""
    if fmt == "md":
        return render_markdown(document, previous, previous_label=previous_label)
    if fmt == "csv":
        return render_csv(document)
    if fmt == "html":
        return render_html_text(document)
    out = io.StringIO()
    render_table(
        document, Console(file=out, width=TABLE_WIDTH, markup=False, emoji=False, soft_wrap=False), by
    )
    return out.getvalue()
