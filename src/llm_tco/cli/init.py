"""``llm-tco init``: write a commented ``llm-tco.toml``: every assumption, its default, unit and source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llm_tco.cli.common import DbOption, err_console
from llm_tco.config import DEFAULT_CONFIG_FILE, Config, render_template
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
        from_audit: Annotated[
            bool,
            typer.Option(
                "--from-audit",
                help="Add a [workloads.<name>] table for every audited workload in the store, with its "
                "profile (volume, lengths, peak ratio, current model, regions seen) as comments.",
            ),
        ] = False,
        db: DbOption = None,
    ) -> None:
        """Write a commented llm-tco.toml holding every planning assumption with its default and source."""
        if demo and from_audit:
            raise UsageError("--demo and --from-audit cannot be combined")
        if path.exists() and not force:
            raise UsageError(f"{path} already exists; use --force to overwrite it")
        if from_audit:
            text = _from_audit(db)
        elif demo:
            from llm_tco.plan.demo_config import DEMO_CONFIG_TOML

            text = DEMO_CONFIG_TOML
        else:
            text = render_template()
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
        err_console.print(line("wrote ", path, ": edit the assumptions, then run `llm-tco plan`"))


def _from_audit(db: str | None) -> str:
    """The template with a table per workload profiled from the store (read-only)."""
    from llm_tco.config.audit_template import render_from_audit
    from llm_tco.profile import build_profiles
    from llm_tco.profile.regions import workload_regions
    from llm_tco.store import open_store

    defaults = Config()
    con = open_store(db, read_only=True)
    try:
        profiles = build_profiles(
            con,
            assumed_peak_to_mean_ratio=defaults.capacity.peak_to_mean_ratio,
            min_fit_months=defaults.growth.min_fit_months,
            max_fitted_monthly_rate=defaults.growth.max_fitted_monthly_rate,
        )
        regions = workload_regions(con)
    finally:
        con.close()
    if not profiles:
        raise UsageError("no usage in the store: run `llm-tco audit FILES…` first")
    profiles.sort(key=lambda p: p.workload)
    return render_from_audit(profiles, regions)
