"""``llm-tco init``: write a commented ``llm-tco.toml``: every assumption, its default, unit and source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llm_tco.cli.common import err_console
from llm_tco.config import DEFAULT_CONFIG_FILE, render_template
from llm_tco.errors import UsageError
from llm_tco.report.text import line

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command()
    def init(
        path: Annotated[
            Path, typer.Option("--config", help="Where to write the file.", show_default=True)
        ] = Path(DEFAULT_CONFIG_FILE),
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
        demo: Annotated[
            bool, typer.Option("--demo", help="Write the demo's assumptions (workload tables included).")
        ] = False,
    ) -> None:
        """Write a commented llm-tco.toml holding every planning assumption with its default and source."""
        if path.exists() and not force:
            raise UsageError(f"{path} already exists; use --force to overwrite it")
        if demo:
            from llm_tco.plan.demo_config import DEMO_CONFIG_TOML

            text = DEMO_CONFIG_TOML
        else:
            text = render_template()
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
        err_console.print(line("wrote ", path, ": edit the assumptions, then run `llm-tco plan`"))
