"""``llm-tco audit``: ingest files (if any) into the store, then audit what the store holds."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from llm_tco.audit.compute import build_audit
from llm_tco.audit.inputs import input_fingerprints
from llm_tco.cli.audit_store import (
    attribution_info,
    given_attribution,
    open_for_reaudit,
    say_reattributed,
)
from llm_tco.cli.common import (
    DbOption,
    JsonOption,
    check_store_exists,
    emit_json,
    err_console,
    out_console,
    warn,
)
from llm_tco.cli.html_output import HtmlOption, write_html_report
from llm_tco.cli.interrupt import raise_if_interrupted
from llm_tco.cli.outputs import CompareOption, CsvOption, MdOption, prepare_outputs, write_outputs
from llm_tco.config import Config, load_config
from llm_tco.errors import UsageError
from llm_tco.ingest.base import DEFAULT_MAX_TOKENS_PER_REQUEST, IngestOptions
from llm_tco.ingest.columns import parse_map_options
from llm_tco.ingest.pipeline import IngestReport, ingest_files, now_utc
from llm_tco.ingest.reattribute import (
    AttributionSettings,
    settle_attribution,
)
from llm_tco.pricing.overrides import PriceOverrides, load_price_overrides
from llm_tco.report.audit_report import AuditReport
from llm_tco.report.audit_terminal import GroupBy, render_audit
from llm_tco.report.provenance import document_header
from llm_tco.report.text import line, literal
from llm_tco.store import open_store, resolve_db_path
from llm_tco.store.connection import MEMORY

__all__ = ["check_window", "parse_when", "register", "run_audit"]


def parse_when(value: str | None, option: str) -> datetime | None:
    """``--since``/``--until`` values: a date (``2026-09-01``), a month (``2026-09``) or an ISO timestamp;
    no zone means UTC. Returned as naive UTC, the store's convention."""
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 7 and text[4] == "-":
            parsed = datetime.strptime(text, "%Y-%m")
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(
            f"{option} {value!r}: expected YYYY-MM, YYYY-MM-DD or an ISO 8601 timestamp"
        ) from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def check_window(
    since: datetime | None, until: datetime | None, since_text: str | None, until_text: str | None
) -> tuple[datetime | None, datetime | None]:
    """The ``--since``/``--until`` window, refused when it is empty (``--until`` is exclusive): an empty
    window would print an empty audit that reads as "no usage"."""
    if since is not None and until is not None and since >= until:
        relation = "after" if since > until else "the same as"
        raise UsageError(
            f"--since {since_text} is {relation} --until {until_text}: the window is empty "
            "(--since is inclusive, --until exclusive)"
        )
    return since, until


def run_audit(
    files: list[str],
    *,
    db: str | None,
    options: IngestOptions,
    since: datetime | None,
    until: datetime | None,
    show_progress: bool,
    overrides: PriceOverrides | None = None,
    reconcile_costs: bool = False,
    focus_path: Path | None = None,
    attribution: AttributionSettings | None = None,
    config: Config | None = None,
    config_file: str | None = None,
    engine: object | None = None,
) -> tuple[AuditReport, IngestReport | None]:
    """Ingest then audit; returns the audit report and the ingest report (None when no files).
    ``config``/``config_file``: the configuration in force, reported in the document's header.

    ``attribution``: the attribution settings given to this run (None: none given, keep the store's).
    Stored records are re-attributed first when they differ from the store's, and new files are
    attributed with the settings in force (``llm_tco.ingest.reattribute``).

    A one-shot audit (``--db :memory:``) keeps the usage only as rollup sums by month segment when
    nothing it prints needs the rows (no window, reconciliation or FOCUS export; the bundled or updated
    price data), so that it streams files of any size in bounded memory.

    ``engine``: a Spark session to ingest the files with (``llm_tco.spark``), None for DuckDB. Spark
    always stores its usage aggregated: by the hour, or by month segment in such a one-shot audit
    (``llm_tco.spark.aggregate``)."""
    one_shot = resolve_db_path(db) == MEMORY
    rows_needed = reconcile_costs or focus_path is not None or overrides is not None
    keep_rows = not one_shot or rows_needed or since is not None or until is not None
    if files:
        con = open_store(db)
        settled = settle_attribution(con, attribution)
    else:
        con, settled = open_for_reaudit(db, attribution)
    options = dataclasses.replace(
        options,
        keep_rows=keep_rows,
        attribution=settled.settings.rules,
        workload_from=settled.settings.workload_from,
    )
    say_reattributed(settled)
    try:
        report: IngestReport | None = None
        first_new: int | None = None
        if files:
            row = con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM ingested_files").fetchone()
            first_new = int(row[0]) if row else 1
            if engine is not None:
                from llm_tco.spark.api import spark_ingest

                report = spark_ingest(engine, con, files, options)  # type: ignore[arg-type]
            else:
                report = _ingest_with_progress(con, files, options, show_progress)
        doc = build_audit(
            con,
            store_label=resolve_db_path(db),
            since=since,
            until=until,
            ingest=report,
            first_new_file_id=first_new,
            overrides=overrides,
            reconcile_costs=reconcile_costs,
            focus_path=focus_path,
            rows_kept=keep_rows,
        )
        inputs = input_fingerprints(con)
    finally:
        con.close()
    header = document_header(config or Config(), config_file, inputs)
    audit = AuditReport(**{**dict(doc), **header, "attribution": attribution_info(settled)})
    return audit, report


def _ingest_with_progress(
    con: duckdb.DuckDBPyConnection, files: list[str], options: IngestOptions, show: bool
) -> IngestReport:
    if not show or not err_console.is_terminal:
        # a progress bar only means something on a terminal; elsewhere (CI logs, a file) it would leave
        # an empty line on stderr
        report = ingest_files(con, files, options, on_file=lambda _path: raise_if_interrupted())
        raise_if_interrupted()  # an interrupted file was reported as rejected: stop instead
        return report
    with Progress(
        # the description holds a file name: shown literally, never parsed as markup
        TextColumn("{task.description}", style="progress.description", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("ingesting", total=None)

        def on_file(path: Path) -> None:
            raise_if_interrupted()
            progress.update(task, description=f"ingesting {literal(path.name)}", advance=1)

        report = ingest_files(con, files, options, on_file=on_file)
        raise_if_interrupted()
        return report


def register(app: typer.Typer) -> None:
    @app.command()
    def audit(
        files: Annotated[
            list[str] | None,
            typer.Argument(
                help="Usage files, globs or directories to ingest first (CSV, JSON/JSONL, Parquet, .gz)."
            ),
        ] = None,
        db: DbOption = None,
        since: Annotated[
            str | None, typer.Option(help="Start of the window (inclusive): YYYY-MM[-DD] or ISO.")
        ] = None,
        until: Annotated[str | None, typer.Option(help="End of the window (exclusive).")] = None,
        by: Annotated[GroupBy, typer.Option(help="Main breakdown in the terminal.")] = "workload",
        format: Annotated[str | None, typer.Option("--format", help="Force the input format.")] = None,
        map_: Annotated[
            list[str] | None,
            typer.Option("--map", help="FIELD=COLUMN: take a canonical field from this column."),
        ] = None,
        input_includes_cache: Annotated[
            str,
            typer.Option(help="yes|no: does the source's input count include cached tokens? (OpenAI: yes)"),
        ] = "yes",
        workload_from: Annotated[
            str | None,
            typer.Option(
                help="Where the workload name comes from: a column of a generic file, or for provider "
                "exports an attribute (project, team, user, service_name, model, tag) or metadata.KEY. "
                "Kept by the store: an audit given neither this nor a config keeps the store's attribution."
            ),
        ] = None,
        max_tokens_per_request: Annotated[
            int, typer.Option(help="Token counts above this per request are quarantined as absurd.")
        ] = DEFAULT_MAX_TOKENS_PER_REQUEST,
        config_path: Annotated[
            Path | None,
            typer.Option(
                "--config",
                help="llm-tco.toml with [[attribution]] rules (default: ./llm-tco.toml if present). Rules "
                "that differ from the store's re-attribute the stored records.",
                show_default=False,
            ),
        ] = None,
        prices: Annotated[
            Path | None,
            typer.Option(
                "--prices",
                help="Your own prices (YAML/TOML): negotiated discounts or private models, with dates.",
                show_default=False,
            ),
        ] = None,
        reconcile: Annotated[
            bool,
            typer.Option(
                "--reconcile",
                help="Compare computed cost with the sources' reported cost, explained in parts.",
            ),
        ] = False,
        export_focus: Annotated[
            Path | None,
            typer.Option(
                "--export-focus", help="Write the priced usage as FOCUS 1.2 rows (CSV).", show_default=False
            ),
        ] = None,
        pg_connect_timeout: Annotated[
            float | None,
            typer.Option(
                "--pg-connect-timeout",
                help="Seconds to wait for a postgresql:// server to answer (default: the URL's "
                "connect_timeout, else 10).",
                show_default=False,
            ),
        ] = None,
        id_namespace: Annotated[
            str | None,
            typer.Option(
                "--id-namespace",
                help="Namespace of the files' record ids (default: their format): sources whose ids overlap "
                "but name different records are kept apart by giving each its own.",
                show_default=False,
            ),
        ] = None,
        replace: Annotated[
            bool,
            typer.Option(
                "--replace",
                help="The files replace the records stored from their paths, in one transaction (a file "
                "whose content changed since it was ingested is otherwise left out and reported).",
            ),
        ] = False,
        engine: Annotated[
            str,
            typer.Option(
                help="duckdb (this machine) or spark: validate, de-duplicate, price and aggregate the files "
                "as a PySpark job (generic usage tables; needs pip install 'llm-tco[spark]').",
            ),
        ] = "duckdb",
        spark_master: Annotated[
            str, typer.Option(help="Spark master URL for --engine spark (local[*], spark://…, yarn).")
        ] = "local[*]",
        spark_conf: Annotated[
            list[str] | None,
            typer.Option("--spark-conf", help="KEY=VALUE: a Spark setting for --engine spark (repeatable)."),
        ] = None,
        json_: JsonOption = False,
        md: MdOption = None,
        csv: CsvOption = None,
        compare: CompareOption = None,
        html: HtmlOption = None,
    ) -> None:
        """Audit token spend: by workload, model, provider, team and month, with unpriced usage listed."""
        if input_includes_cache not in ("yes", "no"):
            raise UsageError(f"--input-includes-cache {input_includes_cache!r}: expected yes or no")
        if pg_connect_timeout is not None and not (0 < pg_connect_timeout < math.inf):
            raise UsageError(
                f"--pg-connect-timeout {pg_connect_timeout}: expected a number of seconds above 0"
            )
        if max_tokens_per_request < 1:
            raise UsageError(
                f"--max-tokens-per-request {max_tokens_per_request}: must be at least 1 "
                "(the most tokens one request can plausibly use)"
            )
        window = check_window(parse_when(since, "--since"), parse_when(until, "--until"), since, until)
        if files:
            now_utc()  # a bad LLM_TCO_NOW is refused before the store is opened
        config, config_file = load_config(config_path)
        previous = prepare_outputs(md, csv, compare, kind="llm-tco.audit")
        if id_namespace is not None and (not id_namespace.strip() or ":" in id_namespace):
            raise UsageError(f"--id-namespace {id_namespace!r}: expected a non-empty name without ':'")
        options = IngestOptions(
            format=format,
            column_map=parse_map_options(map_ or []),
            input_includes_cache=input_includes_cache == "yes",
            workload_from=workload_from,
            max_tokens_per_request=max_tokens_per_request,
            attribution=tuple(config.attribution),
            pg_connect_timeout_s=pg_connect_timeout,
            id_namespace=id_namespace.strip() if id_namespace else None,
            replace=replace,
        )
        if not files:
            check_store_exists(db)
        session = _spark_session(engine, files, spark_master, spark_conf or [])
        doc, report = run_audit(
            files or [],
            db=db,
            options=options,
            since=window[0],
            until=window[1],
            show_progress=not json_,
            overrides=load_price_overrides(prices) if prices else None,
            reconcile_costs=reconcile,
            focus_path=export_focus,
            attribution=given_attribution(config.attribution, config_file, workload_from),
            config=config,
            config_file=str(config_file) if config_file else None,
            engine=session,
        )
        if json_:
            emit_json(doc.model_dump(mode="python"))
        else:
            render_audit(doc, out_console, by)
        write_outputs(doc, md=md, csv=csv, previous=previous, previous_file=compare)
        if html is not None:
            write_html_report(html, doc, None)
            err_console.print(line("audit: wrote the HTML report to ", html))
        for changed in report.changed if report else []:
            when = changed.ingested_at.strftime("%Y-%m-%d %H:%M UTC")
            warn(
                f"{changed.file} changed since it was ingested on {when}: its earlier records are kept; "
                "audit --replace FILE to replace them with the new content"
            )
        if report and report.rejected:
            for rejected in report.rejected:
                warn(f"rejected {rejected.file}: {rejected.reason}")
            raise typer.Exit(2)


def _spark_session(engine: str, files: list[str] | None, master: str, conf: list[str]) -> object | None:
    """The Spark session for ``--engine spark`` (None for DuckDB); exits 2 with the install command when
    PySpark is missing."""
    if engine not in ("duckdb", "spark"):
        raise UsageError(f"--engine {engine!r}: expected duckdb or spark")
    if engine == "duckdb":
        return None
    if not files:
        raise UsageError(
            "--engine spark audits files or a table: name them (a re-audit of a store is DuckDB's)"
        )
    from llm_tco.spark.session import get_session, parse_spark_conf, require_pyspark

    settings = parse_spark_conf(conf)  # a typo is reported whether or not PySpark is installed
    require_pyspark()
    return get_session(master, settings)
