"""``llm-tco demo``: generate the seeded demo usage, ingest it into a fresh demo store, audit and plan it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llm_tco.cli.audit import run_audit
from llm_tco.cli.common import JsonOption, emit_json, err_console, out_console
from llm_tco.cli.html_output import write_html_report
from llm_tco.cli.plan import plan_document
from llm_tco.demo.generate import DEMO_SEED, write_demo_files
from llm_tco.ingest.base import IngestOptions
from llm_tco.plan.demo_config import demo_config
from llm_tco.report.audit_terminal import render_audit
from llm_tco.report.plan_terminal import render_plan
from llm_tco.report.text import line

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        folder: Annotated[
            Path, typer.Option("--dir", help="Folder for the generated usage files and the demo store.")
        ] = Path("llm-tco-demo"),
        seed: Annotated[
            int, typer.Option(help="Seed of the generator (the same seed gives the same data).")
        ] = (DEMO_SEED),
        json_: JsonOption = False,
    ) -> None:
        """Run the whole job on bundled, generated sample data (offline, about 300k requests)."""
        files = write_demo_files(folder / "usage", seed=seed)
        store = folder / "demo.duckdb"
        for stale in (store, store.with_suffix(".duckdb.wal")):
            stale.unlink(missing_ok=True)  # a fresh store each run, so the demo always prints the same
        if not json_:
            err_console.print(
                line(f"demo: wrote {len(files)} usage files to ", folder / "usage", "; store ", store)
            )
        doc, _ = run_audit(
            [str(f) for f in files],
            db=str(store),
            options=IngestOptions(),
            since=None,
            until=None,
            show_progress=not json_,
        )
        plan_doc = plan_document(str(store), demo_config(), config_file="demo llm-tco.toml")
        report = folder / "report.html"
        write_html_report(report, doc, plan_doc, option="demo report")
        if json_:
            emit_json({"audit": doc.model_dump(mode="python"), "plan": plan_doc.model_dump(mode="python")})
        else:
            render_audit(doc, out_console)
            out_console.print()
            render_plan(plan_doc, out_console)
        err_console.print(
            line("demo: wrote the report to ", report, " (open it in a browser; it prints to PDF)")
        )
