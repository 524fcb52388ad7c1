"""Computing the audit from the store: price once per (series, month), then aggregate the small result.

The heavy step — reading every usage row — happens once, inside the pricing query, which already groups by
series and month; every breakdown here (by model, workload, provider, team, month) is an aggregate of that
table of a few thousand rows joined to ``usage_series``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from llm_tco.audit.focus import export_focus
from llm_tco.audit.reconcile import reconcile
from llm_tco.canonical import TOKEN_COLUMNS
from llm_tco.ingest.identity import CONFLICT_PREFIX
from llm_tco.ingest.outcome import IngestReport
from llm_tco.pricing.overrides import PriceOverrides
from llm_tco.pricing.query import prepare_pricing, priced_usage_sql
from llm_tco.report.audit_doc import (
    AuditDocument,
    ChangedFileRow,
    Counters,
    ExplainedPartRow,
    FileRow,
    FocusExportInfo,
    GroupRow,
    ModelRow,
    MonthRow,
    QuarantineRow,
    ReconciliationEntry,
    RejectedFileRow,
    RowAccounting,
    UnpricedRow,
    WorkloadRow,
)

__all__ = ["QUARANTINE_SHOWN", "build_audit"]

QUARANTINE_SHOWN = 100
"""How many quarantined records the document lists (all are counted)."""

_COUNTER_FIELDS = ("requests", *TOKEN_COLUMNS, "cost_usd")
_SUMS = ",\n".join(
    [
        "CASE WHEN count(p.requests) = 0 THEN NULL ELSE sum(p.requests) END AS requests",
        *(f"coalesce(sum(p.{c}), 0) AS {c}" for c in TOKEN_COLUMNS),
        "sum(p.cost_usd) AS cost_usd",
    ]
)
"""Sums of the priced groups: a request total only where some row has a count; token totals 0 when empty;
cost over priced groups only (NULL when none is priced)."""


def _counters(row: Sequence[Any], offset: int) -> dict[str, Any]:
    values = dict(zip(_COUNTER_FIELDS, row[offset : offset + len(_COUNTER_FIELDS)], strict=True))
    for key in _COUNTER_FIELDS[:-1]:
        if values[key] is not None:
            values[key] = int(values[key])
    if values["cost_usd"] is not None:
        values["cost_usd"] = Decimal(values["cost_usd"])
    return values


def _grouped(
    con: duckdb.DuckDBPyConnection, key_sql: str, order_by_cost: bool = True
) -> list[tuple[Any, ...]]:
    order = "cost_usd DESC NULLS LAST, input_tokens + output_tokens DESC" if order_by_cost else "1"
    return con.execute(
        f"SELECT * FROM (SELECT {key_sql}, {_SUMS} FROM _audit_priced p "
        f"JOIN usage_series s USING (series_key) GROUP BY ALL) ORDER BY {order}"
    ).fetchall()


def _growth_pct(current: float, previous: float | None) -> float | None:
    if previous is None or previous == 0:
        return None
    return (current / previous - 1.0) * 100.0


def build_audit(
    con: duckdb.DuckDBPyConnection,
    *,
    store_label: str,
    since: datetime | None,
    until: datetime | None,
    ingest: IngestReport | None = None,
    first_new_file_id: int | None = None,
    overrides: PriceOverrides | None = None,
    reconcile_costs: bool = False,
    focus_path: Path | None = None,
    rows_kept: bool = True,
) -> AuditDocument:
    """Audit what the store holds in ``[since, until)`` (by ``ts_start``); ``ingest`` is this command's
    file accounting, if it ingested files; ``overrides`` a user price file's entries. ``reconcile_costs``
    adds the comparison with the sources' reported cost; ``focus_path`` writes the priced usage as FOCUS.
    ``rows_kept`` False: the ingest kept usage only in the rollup (``IngestOptions.keep_rows``)."""
    pricing = prepare_pricing(con, overrides=overrides)
    if not rows_kept and not pricing.rollup_ready:  # the caller promised the rollup prices everything
        raise RuntimeError("usage kept only as rollup sums, but the rollup cannot price it")
    sql, params = priced_usage_sql("usage", grain="month", since=since, until=until, pricing=pricing)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _audit_priced AS {sql}", params)

    total_row = con.execute(f"SELECT {_SUMS} FROM _audit_priced p").fetchone()
    totals = Counters(**_counters(total_row or (None,) * 8, 0))

    by_model = [
        ModelRow(provider=r[0], model=r[1], model_raw=r[2], priced=bool(r[3]), **_counters(r, 4))
        for r in _grouped(
            con, "s.provider, coalesce(s.model, s.model_raw), min(s.model_raw), bool_and(p.priced)"
        )
    ]
    by_workload = [
        WorkloadRow(workload=r[0], unpriced_requests=int(r[1] or 0), **_counters(r, 2))
        for r in _grouped(con, "s.workload, sum(p.requests) FILTER (WHERE NOT p.priced)")
    ]
    by_provider = [GroupRow(key=r[0], **_counters(r, 1)) for r in _grouped(con, "s.provider")]
    by_team = [GroupRow(key=r[0], **_counters(r, 1)) for r in _grouped(con, "s.team")]

    by_month: list[MonthRow] = []
    prev_cost: float | None = None
    prev_tokens: float | None = None
    for r in _grouped(con, "strftime(p.period, '%Y-%m')", order_by_cost=False):
        counters = _counters(r, 1)
        cost = float(counters["cost_usd"]) if counters["cost_usd"] is not None else 0.0
        tokens = float(counters["input_tokens"] + counters["output_tokens"])
        by_month.append(
            MonthRow(
                month=r[0],
                cost_growth_pct=_growth_pct(cost, prev_cost),
                token_growth_pct=_growth_pct(tokens, prev_tokens),
                **counters,
            )
        )
        prev_cost, prev_tokens = cost, tokens

    unpriced_rows = con.execute(
        "SELECT s.provider, s.model_raw, CASE WHEN count(p.requests) = 0 THEN NULL ELSE sum(p.requests) END, "
        "sum(p.input_tokens), sum(p.output_tokens) FROM _audit_priced p "
        "JOIN usage_series s USING (series_key) WHERE NOT p.priced GROUP BY ALL ORDER BY 4 DESC"
    ).fetchall()
    suggestions = {(u.provider, u.model_raw): list(u.suggestions) for u in pricing.unpriced}
    unpriced = [
        UnpricedRow(
            provider=r[0],
            model_raw=r[1],
            requests=None if r[2] is None else int(r[2]),
            input_tokens=int(r[3] or 0),
            output_tokens=int(r[4] or 0),
            suggestions=suggestions.get((r[0], r[1]), []),
        )
        for r in unpriced_rows
    ]

    quarantine_filter = "WHERE file_id >= ?" if first_new_file_id is not None else ""
    q_params: list[object] = [first_new_file_id] if first_new_file_id is not None else []
    quarantine = [
        QuarantineRow(file=r[0], record=int(r[1]), reason=r[2])
        for r in con.execute(
            f"SELECT source_file, record_no, reason FROM quarantine {quarantine_filter} "
            f"ORDER BY file_id, record_no LIMIT {QUARANTINE_SHOWN}",
            q_params,
        ).fetchall()
    ]
    q_total_row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE starts_with(reason, ?)) "
        f"FROM quarantine {quarantine_filter}",
        [CONFLICT_PREFIX, *q_params],
    ).fetchone()
    id_conflicts = int(q_total_row[1]) if q_total_row else 0

    notes: list[str] = []
    null_requests = con.execute("SELECT count(*) FROM _audit_priced WHERE requests IS NULL").fetchone()
    if null_requests and null_requests[0]:
        notes.append(
            "some sources give no request count (e.g. Anthropic usage reports): request totals cover only "
            "the rows that have one, and their long-context tier follows the source's context-window group"
        )
    if unpriced:
        notes.append(
            f"{len(unpriced)} model(s) could not be priced: their cost is null and not in the totals"
        )

    files = [
        FileRow(
            file=f.file,
            format=f.format,
            read=f.counts.read,
            accepted=f.counts.accepted,
            quarantined=f.counts.quarantined,
            duplicates=f.counts.duplicates,
            reported_records=f.counts.reported,
        )
        for f in (ingest.files if ingest else [])
    ]
    if id_conflicts:
        notes.append(
            f"{id_conflicts:,} record(s) quarantined as id conflicts: their id is already used by a record "
            "with other usage (timestamp, model or counts). If they come from another source whose ids "
            "overlap, keep both by reading that source in its own namespace: "
            "audit --replace --id-namespace NAME FILE"
        )
    changed_files = [
        ChangedFileRow(
            path=c.file,
            ingested_at=c.ingested_at.replace(tzinfo=None).isoformat() + "Z",
            records_kept=c.records,
            hint="audit --replace FILE to replace its earlier records with the new content",
        )
        for c in (ingest.changed if ingest else [])
    ]
    if ingest:
        notes.extend(ingest.warnings)
        for f in ingest.files:
            notes.extend(f"{f.file}: {n}" for n in f.notes)
    rows = RowAccounting(
        read=ingest.read if ingest else 0,
        accepted=ingest.accepted if ingest else 0,
        quarantined=ingest.quarantined if ingest else 0,
        duplicates=ingest.duplicates if ingest else 0,
    )
    reported_row = con.execute("SELECT count(*) FROM reported_costs").fetchone()
    cache_hit_rate = totals.cache_read_tokens / totals.input_tokens if totals.input_tokens else None
    reconciliation = (
        [
            ReconciliationEntry(
                provider=r.provider,
                month=r.month,
                model=r.model,
                computed_cost_usd=r.computed_cost_usd,
                reported_cost_usd=r.reported_cost_usd,
                difference_usd=r.difference_usd,
                explained=[ExplainedPartRow(part=e.part, amount_usd=e.amount_usd) for e in r.explained],
                reported_records=r.reported_records,
            )
            for r in reconcile(con, pricing=pricing, since=since, until=until, by_model=True)
        ]
        if reconcile_costs
        else None
    )
    focus_export = None
    if focus_path is not None:
        written = export_focus(con, focus_path, pricing=pricing, since=since, until=until)
        focus_export = FocusExportInfo(
            path=str(written.path), rows=written.rows, unpriced_groups=written.unpriced_groups
        )
    return AuditDocument(
        store=store_label,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        price_data=pricing.price_data.label,
        rows=rows,
        files=files,
        reported={"records": int(reported_row[0]) if reported_row else 0},
        totals=totals,
        cache_hit_rate=cache_hit_rate,
        by_model=by_model,
        by_workload=by_workload,
        by_provider=by_provider,
        by_team=by_team,
        by_month=by_month,
        unpriced=unpriced,
        rejected_files=[
            RejectedFileRow(file=r.file, reason=r.reason) for r in (ingest.rejected if ingest else [])
        ],
        quarantine=quarantine,
        quarantine_total=int(q_total_row[0]) if q_total_row else 0,
        id_conflicts=id_conflicts,
        changed_files=changed_files,
        reconciliation=reconciliation,
        focus_export=focus_export,
        notes=notes,
    )
