"""``llm-tco report``: re-render a saved ``--json`` report in another format, without recomputing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, cast, get_args

import typer

from llm_tco.cli.common import OutputClosed, out_console
from llm_tco.cli.outputs import CompareOption, write_output
from llm_tco.errors import UsageError
from llm_tco.report.audit_terminal import GroupBy
from llm_tco.report.document import load_document
from llm_tco.report.render import Format, check_comparable, render_table, render_text

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command()
    def report(
        file: Annotated[Path, typer.Argument(help="A report saved from `audit --json` or `plan --json`.")],
        format_: Annotated[
            str, typer.Option("--format", help="table, html, md or csv.", show_default=True)
        ] = "table",
        output: Annotated[
            Path | None,
            typer.Option("--output", help="Write to this file instead of stdout.", show_default=False),
        ] = None,
        compare: CompareOption = None,
        by: Annotated[
            GroupBy, typer.Option(help="Main breakdown of an audit's table (as `audit --by`).")
        ] = "workload",
    ) -> None:
        """Render a saved report document as a table, HTML, Markdown or CSV."""
        formats = get_args(Format)
        if format_ not in formats:
            raise UsageError(f"--format {format_!r}: expected one of {', '.join(formats)}")
        fmt = cast(Format, format_)
        if compare is not None and fmt != "md":
            raise UsageError("--compare applies to --format md (the Markdown summary)")
        document = load_document(file)
        previous = load_document(compare) if compare is not None else None
        if previous is not None and compare is not None:
            check_comparable(document.kind, previous, str(compare))
        if fmt == "table" and output is None:
            render_table(document, out_console, by)  # the terminal's own width, as `audit`/`plan` print it
            return
        text = render_text(
            document,
            fmt,
            previous=previous,
            previous_label=compare.name if compare else "the previous report",
        )
        if output is None:
            try:
                sys.stdout.write(text)
                sys.stdout.flush()
            except BrokenPipeError as exc:
                raise OutputClosed from exc
        else:
            write_output(output, text)
