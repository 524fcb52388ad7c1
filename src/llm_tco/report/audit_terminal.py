"""Rendering the audit document for people: Rich tables on a console.

Every name, path and reason comes from the user's files and is shown literally (``report.text``): the
lines and cells are ``Text`` built from parts, never markup strings."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from llm_tco.report.audit_doc import AuditDocument, Counters, GroupRow, ModelRow, MonthRow, WorkloadRow
from llm_tco.report.text import cell, line, literal

__all__ = ["GroupBy", "render_audit"]

GroupBy = Literal["workload", "model", "provider", "team", "month"]

TOP_N = 15
KEY_MAX_WIDTH = 64
"""Widest a name column grows: a longer name (a 500-character workload) ends in an ellipsis instead of
squeezing the numbers out of the table; ``--json`` has it whole."""


def usd(value: Decimal | float | None) -> str:
    """Money for people: dollars with cents (thousands separated, sign first), or 'unpriced'."""
    if value is None:
        return "unpriced"
    v = float(value)
    sign = "-" if v < 0 else ""
    v = abs(v)
    return f"{sign}${v:,.2f}" if v >= 0.01 or v == 0 else f"{sign}${v:.6f}"


def tokens(value: int | None) -> str:
    if value is None:
        return "—"
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:,.1f}{unit}"
    return f"{value:,}"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}%"


def _counter_cells(c: Counters) -> list[Text]:
    hit = f"{c.cache_read_tokens / c.input_tokens:.0%}" if c.input_tokens else "—"
    values = (tokens(c.requests), tokens(c.input_tokens), tokens(c.output_tokens), hit, usd(c.cost_usd))
    return [cell(v) for v in values]


def _table(
    title: str, key_header: str, rows: Sequence[tuple[str, Counters]], total_cost: Decimal | None
) -> Table:
    table = Table(title=cell(title), title_justify="left", show_edge=False, header_style="bold")
    longest = max((len(literal(key)) for key, _ in rows[:TOP_N]), default=len(key_header))
    table.add_column(key_header, no_wrap=True, min_width=min(longest, 48), max_width=KEY_MAX_WIDTH)
    for header in ("requests", "input tok", "output tok", "cache hit", "cost"):
        table.add_column(header, justify="right")
    table.add_column("share", justify="right")
    for key, counters in rows[:TOP_N]:
        share = (
            f"{float(counters.cost_usd) / float(total_cost):.0%}"
            if counters.cost_usd is not None and total_cost
            else "—"
        )
        table.add_row(cell(key), *_counter_cells(counters), cell(share))
    if len(rows) > TOP_N:
        table.caption = cell(f"{len(rows) - TOP_N} more not shown (use --json for all)")
    return table


def _rows_for(doc: AuditDocument, by: GroupBy) -> tuple[str, list[tuple[str, Counters]]]:
    if by == "model":
        models: list[ModelRow] = doc.by_model
        return "model", [(f"{m.provider or '?'}/{m.model}", m) for m in models]
    if by == "provider":
        providers: list[GroupRow] = doc.by_provider
        return "provider", [(p.key or "(unknown)", p) for p in providers]
    if by == "team":
        return "team", [(t.key or "(none)", t) for t in doc.by_team]
    if by == "month":
        return "month", [(m.month, m) for m in doc.by_month]
    workloads: list[WorkloadRow] = doc.by_workload
    return "workload", [(w.workload, w) for w in workloads]


def render_audit(doc: AuditDocument, console: Console, by: GroupBy = "workload") -> None:
    r = doc.rows
    window = f"{doc.since or 'beginning'} → {doc.until or 'now'}"
    console.print(
        line(
            ("llm-tco audit", "bold"),
            "  store: ",
            doc.store,
            "  window: ",
            window,
            "  prices: ",
            doc.price_data,
        )
    )
    if r.read or doc.files:
        console.print(
            cell(
                f"rows: read {r.read:,} = accepted {r.accepted:,} + quarantined {r.quarantined:,} "
                f"+ duplicates {r.duplicates:,}"
                + (
                    f"   reported-cost records: {doc.reported.get('records', 0):,}"
                    if doc.reported.get("records")
                    else ""
                )
            )
        )
    t = doc.totals
    if not doc.by_model:
        console.print(
            cell(
                "no usage in the store for this window: ingest files with `llm-tco audit FILES…` "
                "(CSV, JSON/JSONL, Parquet, provider exports)"
            )
        )
        _render_problems(doc, console)
        return
    hit = f"{doc.cache_hit_rate:.1%}" if doc.cache_hit_rate is not None else "—"
    cost = usd(t.cost_usd) if t.cost_usd is not None else "nothing priced"
    console.print(
        line(
            "total: ",
            (cost, "bold"),
            f" priced cost · {tokens(t.requests)} requests · {tokens(t.input_tokens)} input tokens "
            f"({hit} from cache) · {tokens(t.output_tokens)} output tokens",
        )
    )
    console.print()
    key_header, rows = _rows_for(doc, by)
    console.print(_table(f"Spend by {key_header}", key_header, rows, t.cost_usd))
    if by != "model":
        console.print()
        _, model_rows = _rows_for(doc, "model")
        console.print(_table("Spend by model", "model", model_rows, t.cost_usd))
    if by != "month" and doc.by_month:
        console.print()
        console.print(_month_table(doc.by_month))
    if doc.unpriced:
        console.print()
        table = Table(
            title=cell("Unpriced usage (cost unknown, not in totals)"), title_justify="left", show_edge=False
        )
        for header in ("provider", "model", "requests", "input tok", "output tok", "did you mean"):
            table.add_column(header)
        for u in doc.unpriced:
            table.add_row(
                cell(u.provider or "?"),
                cell(u.model_raw),
                cell(tokens(u.requests)),
                cell(tokens(u.input_tokens)),
                cell(tokens(u.output_tokens)),
                cell(", ".join(u.suggestions[:3])),
            )
        console.print(table)
    if doc.reconciliation is not None:
        console.print()
        console.print(_reconciliation_table(doc))
    if doc.focus_export is not None:
        export = doc.focus_export
        console.print(
            line(
                f"FOCUS export: {export.rows:,} rows written to ",
                export.path,
                f" ({export.unpriced_groups} unpriced groups left out)" if export.unpriced_groups else "",
            )
        )
    _render_problems(doc, console)


def _render_problems(doc: AuditDocument, console: Console) -> None:
    """Rejected files, quarantined records and notes: shown whether or not anything was accepted."""
    if doc.rejected_files:
        console.print()
        console.print(cell("Rejected files", "bold red"))
        for f in doc.rejected_files:
            console.print(line("  ", f.file, ": ", f.reason))
    if doc.quarantine:
        console.print()
        console.print(
            line(("Quarantined records", "bold yellow"), f" ({doc.quarantine_total:,}; first shown)")
        )
        for q in doc.quarantine[:10]:
            console.print(line("  ", q.file, ":", q.record, ": ", q.reason))
    for note in doc.notes:
        console.print(line(("note: ", "dim"), (note, "dim")))


def _month_table(months: list[MonthRow]) -> Table:
    table = Table(title=cell("Monthly trend"), title_justify="left", show_edge=False, header_style="bold")
    for header in ("month", "requests", "input tok", "output tok", "cost", "cost MoM", "tokens MoM"):
        table.add_column(header, justify="right" if header != "month" else "left")
    for m in months:
        table.add_row(
            *(
                cell(v)
                for v in (
                    m.month,
                    tokens(m.requests),
                    tokens(m.input_tokens),
                    tokens(m.output_tokens),
                    usd(m.cost_usd),
                    pct(m.cost_growth_pct),
                    pct(m.token_growth_pct),
                )
            )
        )
    return table


def _reconciliation_table(doc: AuditDocument) -> Table:
    table = Table(
        title=cell("Reconciliation: computed vs reported cost (difference = reported − computed)"),
        title_justify="left",
        show_edge=False,
        header_style="bold",
    )
    for header in ("provider", "month", "computed", "reported", "difference", "explained by"):
        table.add_column(
            header, justify="left" if header in ("provider", "month", "explained by") else "right"
        )
    rows = [r for r in doc.reconciliation or [] if r.model is None]
    for r in rows:
        parts = ", ".join(f"{p.part} {usd(p.amount_usd)}" for p in r.explained if p.amount_usd != 0)
        table.add_row(
            *(
                cell(v)
                for v in (
                    r.provider or "?",
                    r.month,
                    usd(r.computed_cost_usd),
                    usd(r.reported_cost_usd),
                    usd(r.difference_usd),
                    parts or "—",
                )
            )
        )
    if not rows:
        table.caption = cell("no source in the window reports its own cost")
    return table
