"""``llm-tco plan``: for each audited workload, the cost of every placement over the horizon, the
recommendation, break-even and payback; ``--fail-on`` turns it into a CI/cron alarm (exit 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llm_tco.audit.compute import build_audit
from llm_tco.audit.inputs import input_fingerprints
from llm_tco.cli.common import (
    DbOption,
    JsonOption,
    check_store_exists,
    collector_paused,
    emit_json,
    err_console,
    out_console,
    warn,
)
from llm_tco.cli.html_output import HtmlOption, write_html_report
from llm_tco.cli.outputs import CompareOption, CsvOption, MdOption, prepare_outputs, write_outputs
from llm_tco.cli.plan_export import check_namespace, export_plan
from llm_tco.config import Config, load_config
from llm_tco.config.model import deprecated_keys
from llm_tco.errors import PolicyTrippedError
from llm_tco.plan import PlanInputs, build_plan, evaluate_policies, parse_fail_on
from llm_tco.plan.config_checks import resolve_config_names, unknown_workload_warnings
from llm_tco.plan.export import DEFAULT_NAMESPACE
from llm_tco.plan.inputs import with_price_overrides, with_user_files
from llm_tco.pricing.overrides import PriceOverrides, load_price_overrides
from llm_tco.pricing.query import prepare_pricing
from llm_tco.profile import build_profiles
from llm_tco.report.document import PlanReport
from llm_tco.report.plan_terminal import render_plan
from llm_tco.report.provenance import document_header
from llm_tco.report.text import line
from llm_tco.store import open_store, resolve_db_path

__all__ = ["plan_document", "register"]


def plan_document(
    db: str | None,
    config: Config,
    *,
    config_file: str | None = None,
    prices: PriceOverrides | None = None,
    risk_aversion: float = 0.0,
    draws: int | None = None,
    seed: int | None = None,
) -> PlanReport:
    """Profile the store's workloads and plan them (the library call behind ``llm-tco plan``). ``prices``
    (the audit's price file) prices today's usage and the API options as the audit does; ``risk_aversion``
    (0-1) makes the portfolio minimise the CVaR of its NPV over sampled scenarios instead of the mean. The
    report holds the audit of the same usage under ``audit``."""
    con = open_store(db, read_only=True)
    try:
        profiles = build_profiles(
            con,
            assumed_peak_to_mean_ratio=config.capacity.peak_to_mean_ratio,
            min_fit_months=config.growth.min_fit_months,
            max_fitted_monthly_rate=config.growth.max_fitted_monthly_rate,
            pricing=prepare_pricing(con, overrides=prices) if prices is not None else None,
        )
        audit = build_audit(con, store_label=resolve_db_path(db), since=None, until=None, overrides=prices)
        inputs = input_fingerprints(con)
    finally:
        con.close()
    base_dir = Path(config_file).parent if config_file else None
    plan_inputs = with_user_files(PlanInputs.bundled(), config, base_dir)
    if prices is not None:
        plan_inputs = with_price_overrides(plan_inputs, prices)
    plan = build_plan(
        profiles,
        config,
        plan_inputs,
        config_file=config_file,
        risk_aversion=risk_aversion,
        draws=draws,
        seed=seed,
    )
    return PlanReport(**dict(plan), **document_header(config, config_file, inputs), audit=audit)


def register(app: typer.Typer) -> None:
    @app.command()
    def plan(
        config_path: Annotated[
            Path | None,
            typer.Option(
                "--config",
                help="Assumptions file (default: ./llm-tco.toml if present, else built-in defaults).",
                show_default=False,
            ),
        ] = None,
        db: DbOption = None,
        json_: JsonOption = False,
        html: HtmlOption = None,
        prices: Annotated[
            Path | None,
            typer.Option(
                "--prices",
                help="Your price file (as for `audit --prices`: negotiated discounts, private models, with "
                "validity dates): today's cost and the API options use the same prices as the audit.",
                show_default=False,
            ),
        ] = None,
        fail_on: Annotated[
            list[str] | None,
            typer.Option(
                "--fail-on",
                help="Exit 1 naming the workloads that trip: breakeven-crossed (self-hosting already "
                "cheaper at today's volume), savings-above=<usd> (the recommendation saves more than "
                "<usd> NPV over the horizon) or unpriced (usage without a price). Repeatable.",
                show_default=False,
            ),
        ] = None,
        md: MdOption = None,
        csv: CsvOption = None,
        compare: CompareOption = None,
        risk_aversion: Annotated[
            float,
            typer.Option(
                "--risk-aversion",
                min=0.0,
                max=1.0,
                help="0-1: choose the portfolio that minimises the CVaR at this level (the mean of the "
                "worst 1-A share of up to 500 sampled scenarios) instead of the expected NPV.",
            ),
        ] = 0.0,
        draws: Annotated[
            int | None,
            typer.Option(
                "--draws",
                min=0,
                help="Monte Carlo draws over the uncertain assumptions (default: [uncertainty] draws, "
                "10,000; 0: no ranges or sensitivity).",
                show_default=False,
            ),
        ] = None,
        seed: Annotated[
            int | None,
            typer.Option(
                "--seed",
                min=0,
                help="Seed of the draws (default: [uncertainty] seed); printed with the results.",
                show_default=False,
            ),
        ] = None,
        export_litellm: Annotated[
            Path | None,
            typer.Option(
                "--export-litellm",
                help="Write a LiteLLM proxy config (YAML) giving each workload one stable alias routed to "
                "the backend the plan assigns it.",
                show_default=False,
            ),
        ] = None,
        export_serving: Annotated[
            Path | None,
            typer.Option(
                "--export-serving",
                help="Write, per self-hosted pool, its vLLM launch script and a Kubernetes Deployment + "
                "Service manifest into this folder.",
                show_default=False,
            ),
        ] = None,
        export_namespace: Annotated[
            str,
            typer.Option(
                "--export-namespace",
                help="Kubernetes namespace of the exported pools (their Services' addresses in the "
                "LiteLLM config).",
            ),
        ] = DEFAULT_NAMESPACE,
    ) -> None:
        """Compare closed APIs, hosted open models and self-hosting for each workload, over the horizon."""
        policies = [parse_fail_on(value) for value in fail_on or []]
        check_namespace(export_namespace)
        config, path = load_config(config_path)
        previous = prepare_outputs(md, csv, compare, kind="llm-tco.plan")
        config = resolve_config_names(config, str(path) if path else "configuration")
        for deprecation in deprecated_keys(config):
            warn(f"{path}: {deprecation}")
        check_store_exists(db)
        overrides = load_price_overrides(prices) if prices is not None else None
        with collector_paused():  # see collector_paused: the plan's objects live until the end
            document = plan_document(
                db,
                config,
                config_file=str(path) if path else None,
                prices=overrides,
                risk_aversion=risk_aversion,
                draws=draws,
                seed=seed,
            )
        for warning in unknown_workload_warnings(config, (w.workload for w in document.workloads)):
            warn(warning)
        results = evaluate_policies(document, policies)
        document = document.model_copy(update={"policies": results})
        if not document.workloads:
            warn("no usage in the store: run `llm-tco audit FILES…` first")
        export_plan(
            document,
            config,
            config_file=str(path) if path else None,
            litellm_path=export_litellm,
            serving_dir=export_serving,
            namespace=export_namespace,
        )
        with collector_paused():
            if json_:
                emit_json(document)
            else:
                render_plan(document, out_console)
            write_outputs(document, md=md, csv=csv, previous=previous, previous_file=compare)
            if html is not None:
                write_html_report(html, document.audit, document)
                err_console.print(line("plan: wrote the HTML report to ", html))
        tripped = [r for r in results if r.tripped]
        if tripped:
            raise PolicyTrippedError(
                "; ".join(f"--fail-on {r.policy} tripped for {', '.join(r.tripped)}" for r in tripped)
            )
