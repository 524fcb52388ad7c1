"""``llm-tco catalog``: look into the catalogs llm-tco prices and plans with.

One Typer sub-app; each sub-command is one function decorated with ``@catalog_app.command(...)`` in this
module (``prices``, ``update-prices``, ``export-prices``, ``gpus``, ``models`` and ``sources``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from llm_tco.catalog.price_data import current_snapshot, price_data_version, update_prices
from llm_tco.catalog.providers import normalize_provider
from llm_tco.cli.audit import parse_when
from llm_tco.cli.common import JsonOption, emit_json, err_console, out_console
from llm_tco.errors import UsageError
from llm_tco.pricing.quote import PriceQuote, price_one, quote_to_dict
from llm_tco.report.text import cell, line

__all__ = ["catalog_app", "register"]

catalog_app = typer.Typer(
    name="catalog",
    help="Look into the catalogs: token prices (genai-prices) and their explicit update, GPUs, open "
    "models, and the published sources behind every default.",
    no_args_is_help=True,
    rich_markup_mode=None,  # as the main app: help text is shown as written
)


def register(app: typer.Typer) -> None:
    """Add the ``catalog`` sub-app to the main app."""
    app.add_typer(catalog_app, name="catalog")


@catalog_app.command("prices")
def prices_command(
    models: Annotated[
        list[str] | None,
        typer.Argument(
            help="Model names as logged (e.g. gpt-4o-2024-08-06, openai/gpt-4o, claude-sonnet-4-5)."
        ),
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider", "-p", help="Provider (genai-prices id or a source spelling such as bedrock)."
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Price date or UTC timestamp (default: now).", show_default=False),
    ] = None,
    batch: Annotated[bool, typer.Option("--batch", help="Batch prices.")] = False,
    service_tier: Annotated[
        str | None, typer.Option("--service-tier", help="Service tier, e.g. flex or priority.")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Resolved token prices in USD per 1M tokens (and per request), as genai-prices applies them.

    With no MODEL, every model of --provider is listed.
    """
    when = parse_when(at, "--at") or datetime.now().replace(microsecond=0)
    names = list(models or [])
    if not names:
        if provider is None:
            raise UsageError("name at least one MODEL, or a --provider to list its models")
        wanted = normalize_provider(provider)
        own = [p for p in current_snapshot().providers if p.id == wanted]
        if not own:
            price_one("-", provider=provider)  # raises "unknown provider" with suggestions
        names = [m.id for m in own[0].models]
    quotes = [price_one(n, provider=provider, at=when, batch=batch, service_tier=service_tier) for n in names]
    version = price_data_version()
    if json_output:
        emit_json({"price_data": version.label, "at": when, "prices": [quote_to_dict(q) for q in quotes]})
        return
    out_console.print(_prices_table(quotes, when))
    out_console.print(
        cell(
            f"{version.label}; USD per 1M tokens; long-context rates apply to every token of a "
            "request whose input exceeds the threshold",
            "dim",
        )
    )


_RATE_COLUMNS = (
    ("input", "uncached_input_mtok"),
    ("cached", "cache_read_mtok"),
    ("write 5m", "cache_write_5m_mtok"),
    ("write 1h", "cache_write_1h_mtok"),
    ("output", "output_mtok"),
    ("reasoning", "reasoning_output_mtok"),
    ("per req", "request_usd"),
)


def _prices_table(quotes: list[PriceQuote], when: datetime) -> Table:
    """One row per model (plus one per long-context tier); columns no model uses are left out."""
    rows = [
        (q, label, r)
        for q in quotes
        for label, r in [("", q.rates), *((f">{t // 1000}k in", r) for t, r in q.long_context)]
    ]
    shown = [
        (header, attr)
        for header, attr in _RATE_COLUMNS
        if not (
            attr == "reasoning_output_mtok"
            and all(r.reasoning_output_mtok == r.output_mtok for _, _, r in rows)
        )
        and not (attr == "request_usd" and all(r.request_usd == 0 for _, _, r in rows))
    ]
    table = Table(title=f"Token prices at {when:%Y-%m-%d %H:%M} UTC (USD per 1M tokens)")
    table.add_column("model", overflow="fold")
    for header, _ in shown:
        table.add_column(header, justify="right")
    table.add_column("when")
    previous: PriceQuote | None = None
    for quote, label, r in rows:
        name = ""
        if quote is not previous:
            name = f"{quote.provider}/{quote.model}"
            if quote.model_ref.lower() != quote.model.lower():
                name += f" ({quote.model_ref})"
        previous = quote
        context = " + ".join((quote.price_context or {}).values())  # "batch", "flex", "batch + priority"
        table.add_row(
            cell(name), *(cell(_money(getattr(r, attr))) for _, attr in shown), cell(label or context)
        )
    return table


def _money(value: Decimal) -> str:
    return "-" if value == 0 else f"{value.normalize():f}"


@catalog_app.command("update-prices")
def update_prices_command(json_output: JsonOption = False) -> None:
    """Fetch the latest genai-prices data over the network, once, and use it from now on (offline).

    This is the only llm-tco command that uses the network. Delete the saved file to go back to the
    prices bundled with the installed genai-prices.
    """
    err_console.print("fetching the latest genai-prices data (network) ...")
    version = update_prices()
    if json_output:
        emit_json(
            {
                "price_data": version.label,
                "fetched_at": version.fetched_at,
                "url": version.url,
                "path": version.path,
                "providers": version.providers,
                "models": version.models,
            }
        )
        return
    out_console.print(
        line(f"updated prices: {version.providers} providers, {version.models} models from ", version.url)
    )
    out_console.print(line("saved to ", version.path, "; later runs use it without the network"))


@catalog_app.command("export-prices")
def export_prices_command(
    file: Annotated[Path, typer.Argument(help="Where to write the dated price table.")],
    file_format: Annotated[
        str, typer.Option("--format", help="parquet or csv.", show_default=True)
    ] = "parquet",
    rules_file: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            help="Where to write the model-matching rules (default: beside FILE, named <stem>_rules).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write the dated price table and genai-prices' model-matching rules as data, for warehouse-sql.

    One price row per provider, model, price period, time-of-day window and long-context band, with
    every rate as an exact decimal; the rules say which model a logged name prices as.
    """
    from llm_tco.warehouse.prices import build_price_export, rules_path_for, write_price_export

    if file_format not in ("parquet", "csv"):
        raise UsageError(f"--format: {file_format!r} is not one of parquet, csv")
    chosen: Literal["parquet", "csv"] = "parquet" if file_format == "parquet" else "csv"
    rules_path = rules_file if rules_file is not None else rules_path_for(file)
    export = build_price_export()
    write_price_export(export, file, rules_path, chosen)
    out_console.print(line(f"wrote {len(export.price_rows)} price rows to ", str(file)))
    out_console.print(line(f"wrote {len(export.rule_rows)} matching-rule rows to ", str(rules_path)))


@catalog_app.command("gpus")
def gpus_command(json_output: JsonOption = False) -> None:
    """GPUs: memory, bandwidth, dense TFLOPS, TDP, purchase price and cloud prices (with sources)."""
    from llm_tco.catalog.gpus import hourly_price, list_gpus

    gpus = list_gpus()
    if json_output:
        emit_json({"gpus": [g.model_dump(mode="python") for g in gpus]})
        return
    table = Table(title="GPU catalog", title_justify="left", show_edge=False, header_style="bold")
    for header in ("id", "memory GB", "HBM TB/s", "BF16 TFLOPS", "TDP W", "purchase $", "on-demand $/h"):
        table.add_column(header, justify="left" if header == "id" else "right")
    for g in gpus:
        on_demand = hourly_price(g, "on-demand")
        table.add_row(
            cell(g.id),
            f"{g.memory_gb:g}",
            f"{g.hbm_bandwidth_tb_per_s:g}",
            f"{g.dense_tflops.bf16:g}" if g.dense_tflops.bf16 else "—",
            f"{g.tdp_w:g}" if g.tdp_w else "—",
            f"{g.purchase_price_usd.value:,.0f}" if g.purchase_price_usd.value else "unpublished",
            f"{on_demand:.2f} (median of {len(g.prices('on-demand'))})" if on_demand else "unpublished",
        )
    out_console.print(table)


@catalog_app.command("models")
def models_command(json_output: JsonOption = False) -> None:
    """Open-weight models: parameters (total/active), attention, context length, licence (with sources)."""
    from llm_tco.catalog.open_models import list_open_models

    models = list_open_models()
    if json_output:
        emit_json({"models": [m.model_dump(mode="python") for m in models]})
        return
    table = Table(
        title="Open-weight model catalog", title_justify="left", show_edge=False, header_style="bold"
    )
    for header in ("id", "Hugging Face id", "params B", "active B", "attention", "context", "licence"):
        table.add_column(header, justify="right" if header in ("params B", "active B", "context") else "left")
    for m in models:
        table.add_row(
            cell(m.id),
            cell(m.hf_id),
            f"{m.total_params_b:g}",
            f"{m.active_params_b:g}",
            m.attention + (" + sliding window" if m.sliding_window else ""),
            f"{m.context_length:,}",
            m.licence,
        )
    out_console.print(table)


@catalog_app.command("sources")
def sources_command(
    source_id: Annotated[
        str | None, typer.Argument(help="Show one source (an id cited in a default or a catalog entry).")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """The published sources behind the defaults and catalogs: URL, date and what each says."""
    from llm_tco.catalog.sources import load_sources

    sources = load_sources()
    if source_id is not None:
        if source_id not in sources:
            raise UsageError(f"unknown source id {source_id!r}: `llm-tco catalog sources` lists them")
        chosen = [sources[source_id]]
    else:
        chosen = list(sources.values())
    if json_output:
        emit_json({"sources": [s.model_dump(mode="python") for s in chosen]})
        return
    table = Table(title="Sources", title_justify="left", show_edge=False, header_style="bold")
    for header in ("id", "title", "date", "url", "says"):
        table.add_column(header, overflow="fold")
    for s in chosen:
        table.add_row(
            cell(s.id),
            cell(s.title),
            str(s.published) if s.published else "undated",
            cell(s.url or "(no single address)"),
            cell(s.says),
        )
    out_console.print(table)
