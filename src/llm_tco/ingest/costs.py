"""Cost-only records: checking them and storing them in ``reported_costs``, inside the file's transaction.

Cost-only records (OpenAI Costs API and cost CSV, Anthropic cost report, FOCUS rows without token
quantities) are the provider's own figure for a period, not usage: they never become usage rows and are
counted apart (``reported.records``). Reconciliation (``llm_tco.audit.reconcile``) compares them with the
computed cost. The same guarantees as for usage hold: a bad record is quarantined with a reason (prefixed
``reported cost:``), a record already stored with the same figures is a duplicate and one with other
figures an id conflict (quarantined), and ``read = records + quarantined + duplicates``, each counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from llm_tco.catalog.providers import normalize_provider
from llm_tco.config.attribution import AttributionRule
from llm_tco.ingest.attribution import workload_expression
from llm_tco.ingest.identity import classify_cost_repeats
from llm_tco.ingest.value_sql import FUTURE_SKEW_S, number_sql, staged_columns, timestamp_sql
from llm_tco.store.temp_tables import create_temp_table

__all__ = ["ReportedCounts", "cost_validation_sql", "load_costs"]


@dataclass(frozen=True)
class ReportedCounts:
    """A file's cost-only records: ``read = records + quarantined + duplicates``."""

    read: int = 0
    records: int = 0
    """Accepted (stored) cost records."""
    quarantined: int = 0
    duplicates: int = 0

    def __add__(self, other: ReportedCounts) -> ReportedCounts:
        return ReportedCounts(
            self.read + other.read,
            self.records + other.records,
            self.quarantined + other.quarantined,
            self.duplicates + other.duplicates,
        )


def cost_validation_sql(
    con: duckdb.DuckDBPyConnection,
    staged_sql: str,
    staged_params: list[object],
    *,
    fingerprint: str,
    now: datetime,
    rules: tuple[AttributionRule, ...] = (),
    id_namespace: str,
    after_record: int = 0,
) -> tuple[str, list[object]]:
    """The query turning staged cost records (``REPORTED_COST_COLUMNS``) into checked ones plus a reason.

    A record's id is ``cost:<namespace>:<source id>`` (``llm_tco.ingest.validate`` for namespaces), else
    ``costfp:<fingerprint>:<record_no>`` with ``fingerprint`` the one that keys the file's records (its
    first version's, for a file that grew). ``after_record``: only records after this position (the ones
    appended since the file was last read)."""
    staged = staged_columns(con, staged_sql, staged_params)
    col, text = staged.col, staged.text
    params: list[object] = list(staged_params)
    ts_raw, ts_val = timestamp_sql(*col("ts_start"))
    te_raw, te_val = timestamp_sql(*col("ts_end"))
    parsed = [
        "s.record_no",
        f"{text('source_record_id')} AS _src_id",
        f"{ts_raw} AS _ts_raw",
        f"{ts_val} AS _ts",
        f"{te_raw} AS _te_raw",
        f"{te_val} AS _te",
    ]
    for name in ("amount_usd", "billed_usd", "list_usd"):
        raw, dbl, _ = number_sql(*col(name))
        parsed += [f"{raw} AS _{name}_raw", f"{dbl} AS _{name}_dbl"]
    texts = (
        "provider",
        "model_raw",
        "project",
        "api_key_id",
        "service_tier",
        "line_item",
        "currency",
        "charge_category",
    )
    parsed += [f'{text(n)} AS "{n}"' for n in texts]
    null_text = "NULL::VARCHAR"
    columns = {
        "provider": text("provider"),
        "model_raw": text("model_raw"),
        "project": text("project"),
        "api_key_id": text("api_key_id"),
        "service_tier": text("service_tier"),
        "team": null_text,
        "user": null_text,
        "region": null_text,
        "service_name": null_text,
        "tags": "NULL::VARCHAR[]",
        "metadata": "NULL::JSON",
    }
    workload, workload_params = workload_expression(
        columns, natural=text("workload"), rules=rules, workload_from=None
    )
    # A cost record without any workload key keeps NULL (not the model) unless a rule names one.
    parsed.append(f"{workload if rules else text('workload')} AS workload")
    parsed.append(f"{text('workload')} AS natural_workload")  # kept for re-attribution
    params += workload_params if rules else []
    parsed.append(f"CAST({col('reject_reason')[0]} AS VARCHAR) AS _reject")
    reasons = [
        "WHEN _reject IS NOT NULL THEN 'reported cost: ' || _reject",
        "WHEN _ts_raw IS NULL THEN 'reported cost: missing timestamp'",
        "WHEN _ts IS NULL THEN 'reported cost: unparseable timestamp ''' || left(_ts_raw, 40) || ''''",
        f"WHEN _ts > CAST(? AS TIMESTAMP) + INTERVAL {FUTURE_SKEW_S} SECOND "
        "THEN 'reported cost: timestamp ' || CAST(_ts AS VARCHAR) || ' is in the future'",
        "WHEN _te_raw IS NOT NULL AND _te IS NULL THEN 'reported cost: unparseable end timestamp ''' || "
        "left(_te_raw, 40) || ''''",
        "WHEN _te < _ts THEN 'reported cost: end timestamp before start timestamp'",
        "WHEN _amount_usd_raw IS NULL THEN 'reported cost: missing amount'",
    ]
    for name, label in (("amount_usd", "amount"), ("billed_usd", "billed cost"), ("list_usd", "list cost")):
        raw, dbl = f"_{name}_raw", f"_{name}_dbl"
        reasons.append(
            f"WHEN {raw} IS NOT NULL AND ({dbl} IS NULL OR isnan({dbl}) OR isinf({dbl})) "
            f"THEN 'reported cost: non-numeric {label} ''' || left({raw}, 40) || ''''"
        )
    reasons.append(
        "WHEN currency IS NOT NULL AND upper(currency) <> 'USD' THEN 'reported cost: currency ''' || "
        "currency "
        "|| ''' is not USD (only US-dollar costs can be reconciled)'"
    )
    reasons.append(
        "WHEN abs(_amount_usd_dbl) >= 1e9 THEN 'reported cost: amount ' || _amount_usd_raw || ' beyond $1e9'"
    )
    params.append(now.replace(tzinfo=None))
    params += [id_namespace, fingerprint, after_record]
    ok = "reason IS NULL"
    sql = f"""
    WITH s AS ({staged_sql}),
    p AS (SELECT {", ".join(parsed)} FROM s),
    r AS (SELECT *, CASE {" ".join(reasons)} ELSE NULL END AS reason FROM p),
    i AS (SELECT *, coalesce('cost:' || ? || ':' || _src_id, 'costfp:' || ? || ':' || record_no) AS record_id
          FROM r)
    SELECT record_no, record_id, reason, md5_number(record_id) AS record_key,
        CASE WHEN {ok} THEN _ts END AS ts_start,
        CASE WHEN {ok} THEN coalesce(_te, _ts) END AS ts_end,
        provider, model_raw, workload, natural_workload, project, api_key_id, service_tier, line_item,
        charge_category,
        CASE WHEN {ok} THEN {_decimal("amount_usd")} END AS amount_usd,
        CASE WHEN {ok} THEN {_decimal("billed_usd")} END AS billed_usd,
        CASE WHEN {ok} THEN {_decimal("list_usd")} END AS list_usd
    FROM i WHERE record_no > ?
    """
    return sql, params


def _decimal(name: str) -> str:
    """Exact DECIMAL from the text when it is plain decimal notation, else from the DOUBLE."""
    return f"coalesce(TRY_CAST(_{name}_raw AS DECIMAL(18, 9)), CAST(_{name}_dbl AS DECIMAL(18, 9)))"


def load_costs(
    con: duckdb.DuckDBPyConnection,
    *,
    file_id: int,
    source_file: str,
    source_format: str,
    validated_sql: str,
    validated_params: list[object],
) -> ReportedCounts:
    """Store a file's checked cost records; must run inside the caller's transaction."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _cost_validated AS {validated_sql}", validated_params)
    try:
        con.execute(
            "INSERT INTO quarantine SELECT ?, ?, record_no, reason FROM _cost_validated WHERE reason IS NOT "
            "NULL",
            [file_id, source_file],
        )
        # A record whose key was seen (earlier in the file, or stored) is a duplicate when its figures
        # are the same, else an id conflict (``llm_tco.ingest.identity``).
        classify_cost_repeats(con, source_file)
        con.execute(
            "INSERT INTO quarantine SELECT ?, ?, record_no, conflict FROM _cost_repeats "
            "WHERE conflict IS NOT NULL",
            [file_id, source_file],
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _cost_fresh AS SELECT * FROM _cost_validated "
            "WHERE reason IS NULL AND record_no NOT IN (SELECT record_no FROM _cost_repeats)"
        )
        raw = [r[0] for r in con.execute("SELECT DISTINCT provider FROM _cost_fresh").fetchall()]
        create_temp_table(
            con,
            "_cost_providers",
            [("provider_raw", "VARCHAR"), ("provider", "VARCHAR")],
            [(p, normalize_provider(p)) for p in raw],
        )
        con.execute(
            """
                INSERT INTO reported_costs (file_id, record_no, record_key, source_format, provider,
                model_raw,
                    workload, line_item, ts_start, ts_end, amount_usd, billed_usd, source_record_id, project,
                    api_key_id, service_tier, list_usd, charge_category, natural_workload, raw_inputs)
                SELECT ?, f.record_no, f.record_key, ?, p.provider, f.model_raw, f.workload, f.line_item,
                    f.ts_start, f.ts_end, f.amount_usd, f.billed_usd, f.record_id, f.project, f.api_key_id,
                    f.service_tier, f.list_usd, f.charge_category, f.natural_workload, true
                FROM _cost_fresh f JOIN _cost_providers p ON p.provider_raw IS NOT DISTINCT FROM f.provider
                """,
            [file_id, source_format],
        )
        # Each count from the records themselves: stored ones from the store, quarantined ones (bad or in
        # conflict) and duplicates from their own lists.
        row = con.execute(
            """
            SELECT count(*),
                count(*) FILTER (WHERE reason IS NOT NULL)
                    + (SELECT count(*) FROM _cost_repeats WHERE conflict IS NOT NULL),
                (SELECT count(*) FROM reported_costs WHERE file_id = ?),
                (SELECT count(*) FROM _cost_repeats WHERE conflict IS NULL)
            FROM _cost_validated
            """,
            [file_id],
        ).fetchone()
    finally:
        con.execute("DROP TABLE IF EXISTS _cost_validated")
        con.execute("DROP TABLE IF EXISTS _cost_fresh")
        con.execute("DROP TABLE IF EXISTS _cost_repeats")
        con.execute("DROP TABLE IF EXISTS _cost_providers")
    read, quarantined, records, duplicates = tuple(int(v) for v in row) if row else (0, 0, 0, 0)
    return ReportedCounts(read, records, quarantined, duplicates)
