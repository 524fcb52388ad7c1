"""The report files ``audit`` and ``plan`` write beside their terminal or JSON output: ``--md`` (a
pull-request summary, optionally ``--compare``d with a previous JSON report) and ``--csv``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from llm_tco.errors import InputFileError, UsageError

if TYPE_CHECKING:
    from llm_tco.report.audit_report import AuditReport
    from llm_tco.report.document import PlanReport
    from llm_tco.report.render import Format

__all__ = ["CompareOption", "CsvOption", "MdOption", "prepare_outputs", "write_output", "write_outputs"]

MdOption = Annotated[
    Path | None,
    typer.Option(
        "--md",
        help="Also write a Markdown summary (totals, decisions) sized for a GitHub comment.",
        show_default=False,
    ),
]
CsvOption = Annotated[
    Path | None,
    typer.Option(
        "--csv",
        help="Also write a CSV for spreadsheets (plan: every option of every workload; audit: by workload).",
        show_default=False,
    ),
]
CompareOption = Annotated[
    Path | None,
    typer.Option(
        "--compare",
        help="A previous --json report: the Markdown summary says what changed since (spend, decisions, "
        "break-even).",
        show_default=False,
    ),
]


def prepare_outputs(
    md: Path | None, csv: Path | None, compare: Path | None, *, kind: str
) -> AuditReport | PlanReport | None:
    """Check the output files' folders and read the ``--compare`` report (of the command's ``kind``)
    before any work, so that a typo fails in a second instead of after the audit; returns the previous
    report (None without one)."""
    for path in (md, csv):
        if path is not None and not path.parent.is_dir():
            raise InputFileError(str(path), f"cannot write: no folder {path.parent}")
    if compare is None:
        return None
    if md is None:
        raise UsageError("--compare needs --md FILE: the comparison is part of the Markdown summary")
    # imported only when used, as the renderers below: reading either kind of document (and rendering
    # one) loads the plan's document models, ~0.1 s of an audit's start-up otherwise
    from llm_tco.report.document import load_document
    from llm_tco.report.render import check_comparable

    previous = load_document(compare)
    check_comparable(kind, previous, str(compare))
    return previous


def write_output(path: Path, text: str) -> None:
    """Write one report file; a path that cannot be written is bad input naming the file (exit 2)."""
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise InputFileError(str(path), f"cannot write: {exc.strerror or type(exc).__name__}") from exc


def write_outputs(
    document: AuditReport | PlanReport,
    *,
    md: Path | None,
    csv: Path | None,
    previous: AuditReport | PlanReport | None = None,
    previous_file: Path | None = None,
) -> None:
    """Write the ``--md`` and ``--csv`` files the user asked for (``previous``: from ``prepare_outputs``)."""
    wanted: list[tuple[Path | None, Format]] = [(md, "md"), (csv, "csv")]
    outputs = [(path, fmt) for path, fmt in wanted if path is not None]
    if not outputs:
        return
    from llm_tco.report.render import render_text

    for path, fmt in outputs:
        label = previous_file.name if previous_file is not None else "the previous report"
        write_output(path, render_text(document, fmt, previous=previous, previous_label=label))
