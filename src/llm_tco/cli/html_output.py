"""``--html FILE`` for ``audit`` and ``plan``, and the demo's report: render the documents as one HTML page
and write it whole (a temporary file renamed into place, so an interrupted run leaves no half-written
report)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from llm_tco.errors import UsageError

if TYPE_CHECKING:
    from llm_tco.plan.doc import PlanDocument
    from llm_tco.report.audit_doc import AuditDocument

__all__ = ["HtmlOption", "write_html_report"]

HtmlOption = Annotated[
    Path | None,
    typer.Option(
        "--html",
        help="Also write a self-contained HTML report (charts included; opens offline, prints to PDF).",
        show_default=False,
    ),
]


def write_html_report(
    path: Path, audit: AuditDocument | None, plan: PlanDocument | None, *, option: str = "--html"
) -> None:
    """Write the report of ``audit`` and/or ``plan`` to ``path``. A path that cannot be written (no such
    folder, no permission, a directory) is bad input: one line naming it (exit 2).

    The renderer is imported here, not with the module: it loads the plan's document models, which an
    audit without ``--html`` does not need at start-up."""
    from llm_tco.report.html import render_html

    text = render_html(audit, plan)
    if path.is_dir():
        raise UsageError(
            f"{option} {path}: is a directory; name the report file (e.g. {path / 'report.html'})"
        )
    # beside the target (same file system, so the rename is atomic); created like any new file, so the
    # report gets the user's usual permissions
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        out = temporary.open("x", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write there: {exc.strerror or exc}") from None
    try:
        with out:
            out.write(text)
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise UsageError(f"{option} {path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
