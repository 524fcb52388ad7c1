"""``llm-tco warehouse-sql``: print the audit's pricing-and-aggregation query for a SQL engine."""

from __future__ import annotations

from typing import Annotated

import typer

from llm_tco.errors import UsageError

__all__ = ["register", "warehouse_sql_command"]


def warehouse_sql_command(
    dialect: Annotated[
        str,
        typer.Option(
            "--dialect", help="spark, databricks, snowflake, bigquery, trino or duckdb.", show_default=False
        ),
    ],
    usage_table: Annotated[
        str,
        typer.Option(
            "--usage-table",
            help="Usage table with the generic file's columns (provider, model, workload, requests and the "
            "token columns; NULL tokens count as 0, a NULL requests as 1).",
            show_default=False,
        ),
    ],
    prices_table: Annotated[
        str,
        typer.Option(
            "--prices-table", help="The table loaded from catalog export-prices.", show_default=False
        ),
    ],
    rules_table: Annotated[
        str | None,
        typer.Option(
            "--rules-table",
            help="The matching-rules table from catalog export-prices (default: <prices-table>_rules).",
            show_default=False,
        ),
    ] = None,
    time_column: Annotated[
        str, typer.Option("--time-column", help="The usage time column: ts_start or timestamp.")
    ] = "ts_start",
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="Comma-separated usage columns the table has, when it lacks some (those read as 0 tokens, "
            "one request, no provider or workload).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print SQL that prices a usage table and sums it per month, workload, provider and model.

    The query is generated from one definition for the chosen engine; it returns requests, every token
    column and cost_usd (NULL where a model cannot be priced), as llm-tco audit prices the same rows.
    """
    from llm_tco.warehouse.query import QueryTables, warehouse_sql

    present = None
    if columns is not None:
        present = tuple(c.strip() for c in columns.split(",") if c.strip())
        if not present:
            raise UsageError("--columns: no column named")
    tables = QueryTables(
        usage_table,
        prices_table,
        rules_table if rules_table is not None else f"{prices_table}_rules",
        time_column,
        present,
    )
    typer.echo(warehouse_sql(tables, dialect), nl=False)


def register(app: typer.Typer) -> None:
    """Add the ``warehouse-sql`` command to the main app."""
    app.command("warehouse-sql")(warehouse_sql_command)
