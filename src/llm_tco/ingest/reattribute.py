"""The store's attribution settings, and re-applying them to what is stored, without the files.

A usage series keeps the raw inputs attribution reads (``llm_tco.ingest.series``) and a cost-only record
its natural workload, so its ``workload`` is a derived value. The store records the settings its rows
were attributed with — the ``[[attribution]]`` rules (canonical JSON) and ``--workload-from`` — in
``attribution_state``, with their fingerprint. When an audit is given other settings, every stored series
and cost record is re-attributed in one transaction and the number of records whose workload changed is
counted from the data (usage rows per series; the rollup's ``row_count`` where only sums are kept).

"The last settings given are the store's": an audit that is given none (no config file and no
``--workload-from``) keeps the stored ones, and newly ingested files are attributed with them too.

Some stored series cannot be re-attributed, and keep their workload (counted and reported, never
silently changed):

- series written before the store kept raw inputs (a store migrated from an earlier version), unless
  the rules read only the attributes such series have (project, workspace, API key, user, team, model);
- series whose kept metadata lacks a key the new rules read. Metadata often holds per-request values
  (span and trace ids, token details), and keeping all of it would make one series per request, so a
  series keeps the keys the rules of the time read and the keys with few distinct values in its file
  (``llm_tco.ingest.validate``): a rule on a per-request key can only apply at ingest;
- without rules, series of generic files read with another ``--workload-from`` column (that column's
  value is read at ingest and is not kept), and series of provider formats when ``--workload-from``
  names no attribute.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import duckdb

from llm_tco.config.attribution import AttributionRule, parse_attribution_rules
from llm_tco.ingest.attribution import (
    is_attribute,
    metadata_kept_sql,
    metadata_keys,
    workload_expression,
)
from llm_tco.ingest.generic import GenericTableAdapter

__all__ = [
    "GENERIC_FORMAT",
    "AttributionSettings",
    "Reattribution",
    "attribution_pending",
    "series_workload_sql",
    "settle_attribution",
    "stored_settings",
]

GENERIC_FORMAT = GenericTableAdapter.name
"""Source format of the generic reader, which reads ``--workload-from`` as a column of the file."""

SettingsSource = Literal["given", "store", "default"]


@dataclass(frozen=True)
class AttributionSettings:
    """What decides a record's workload: the rules (first match wins) and ``--workload-from``."""

    rules: tuple[AttributionRule, ...] = ()
    workload_from: str | None = None

    def canonical_json(self) -> str:
        """The settings as canonical JSON (sorted keys, no spaces): what the store records."""
        document = {
            "rules": [rule.model_dump(exclude_none=True) for rule in self.rules],
            "workload_from": self.workload_from,
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def fingerprint(self) -> str:
        """sha256 of :meth:`canonical_json`."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    @classmethod
    def from_json(cls, text: str) -> AttributionSettings:
        document = json.loads(text)
        rules = parse_attribution_rules(document.get("rules") or None, "the store's attribution rules")
        return cls(rules, document.get("workload_from"))


@dataclass(frozen=True)
class Reattribution:
    """The settings in force after :func:`settle_attribution` and what re-applying them changed."""

    settings: AttributionSettings
    source: SettingsSource
    """``given`` (this run's config or ``--workload-from``), ``store`` (kept) or ``default`` (none)."""
    reattributed: bool = False
    """True when the settings differed from the store's and the stored records were re-attributed."""
    changed_series: int = 0
    changed_records: int = 0
    """Usage records whose workload changed."""
    changed_cost_records: int = 0
    """Cost-only records (``reported_costs``) whose workload changed."""
    kept_records: int = 0
    """Usage and cost records that could not be re-attributed and keep their earlier workload."""


def stored_settings(con: duckdb.DuckDBPyConnection) -> AttributionSettings | None:
    """The settings the store's rows were attributed with; None when it has never recorded any."""
    row = con.execute("SELECT rules_json FROM attribution_state LIMIT 1").fetchone()
    return AttributionSettings.from_json(str(row[0])) if row else None


def _effective(
    con: duckdb.DuckDBPyConnection, given: AttributionSettings | None
) -> tuple[AttributionSettings, SettingsSource, AttributionSettings | None]:
    stored = stored_settings(con)
    if given is not None:
        return given, "given", stored
    if stored is not None:
        return stored, "store", stored
    return AttributionSettings(), "default", stored


def attribution_pending(con: duckdb.DuckDBPyConnection, given: AttributionSettings | None) -> bool:
    """Whether :func:`settle_attribution` would write (the settings differ from the store's)."""
    settings, _, stored = _effective(con, given)
    return stored is None or stored.fingerprint != settings.fingerprint


def settle_attribution(con: duckdb.DuckDBPyConnection, given: AttributionSettings | None) -> Reattribution:
    """Make ``given`` (None: the store's, else the default) the store's settings, re-attributing the
    stored series and cost records in one transaction when they differ from the recorded ones."""
    settings, source, stored = _effective(con, given)
    if stored is not None and stored.fingerprint == settings.fingerprint:
        return Reattribution(settings, source)
    # Nothing given to a store that recorded nothing (new, or written before the settings were recorded):
    # the defaults are recorded and nothing is re-attributed — the stored workloads are what the earlier
    # runs made them, and no one asked for other ones.
    reapply = stored is not None or given is not None
    con.execute("BEGIN TRANSACTION")
    try:
        series = records = kept = costs = kept_costs = 0
        if reapply:
            series, records, kept = _reattribute_series(con, settings)
            costs, kept_costs = _reattribute_costs(con, settings)
        con.execute("DELETE FROM attribution_state")
        con.execute(
            "INSERT INTO attribution_state (rules_json, workload_from, fingerprint, applied_at) "
            "VALUES (?, ?, ?, ?)",
            [
                settings.canonical_json(),
                settings.workload_from,
                settings.fingerprint,
                datetime.now(UTC).replace(tzinfo=None),
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS _reattributed")
    # the first settings of a new store re-attribute nothing: only a store with records says it did
    had_records = reapply and (stored is not None or _has_series(con))
    return Reattribution(settings, source, had_records, series, records, costs, kept + kept_costs)


def _has_series(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT EXISTS (SELECT 1 FROM usage_series) OR EXISTS (SELECT 1 FROM reported_costs)"
    ).fetchone()
    return bool(row and row[0])


def _series_columns(alias: str) -> dict[str, str]:
    names = ("provider", "project", "team", "api_key_id", "service_name", "region", "service_tier")
    columns = {name: f"{alias}.{name}" for name in names}
    columns.update(
        model_raw=f"{alias}.model_raw",
        user=f'{alias}."user"',
        tags=f"{alias}.tags",
        metadata=f"{alias}.metadata",
    )
    return columns


def series_workload_sql(settings: AttributionSettings, alias: str) -> tuple[str, list[object]]:
    """SQL for the workload of the series row ``alias`` (its raw-input columns), and its parameters.

    With rules: the first matching rule, else ``unattributed``. Without: for a generic file, its natural
    workload (already the ``--workload-from`` column, read at ingest); for a provider format, the
    ``--workload-from`` attribute, else the natural workload, else the model."""
    columns = _series_columns(alias)
    natural = f"{alias}.natural_workload"
    if settings.rules:
        return workload_expression(columns, natural=natural, rules=settings.rules, workload_from=None)
    params: list[object] = [GENERIC_FORMAT]
    generic = f"coalesce({natural}, {alias}.model_raw)"
    if settings.workload_from is None or is_attribute(settings.workload_from):
        provider, provider_params = workload_expression(
            columns, natural=natural, rules=(), workload_from=settings.workload_from
        )
    else:
        # not an attribute: a provider format's series cannot follow it (not derivable, so kept)
        provider, provider_params = generic, []
    params += provider_params
    return f"(CASE WHEN {alias}.source_format = ? THEN {generic} ELSE {provider} END)", params


_STORED_BEFORE = ("project", "workspace", "api_key_id", "user", "team", "model")
"""Match keys a series written before the raw inputs were kept can answer: its stored attributes."""


def _rules_read_only_attributes(rules: tuple[AttributionRule, ...]) -> bool:
    """Whether rules exist and read nothing but the attributes every series has always stored: then
    they also apply to series written before the raw inputs were kept (an unmatched record is
    ``unattributed``, so its earlier, unknown natural workload is not needed)."""
    return bool(rules) and all(
        rule.tag is None and not rule.metadata and rule.service_name is None for rule in rules
    )


def _series_derivable_sql(settings: AttributionSettings, alias: str) -> tuple[str, list[object]]:
    """SQL that is true when the series row ``alias`` keeps every input ``settings`` read."""
    if _rules_read_only_attributes(settings.rules):
        return "true", []
    conditions = [f"coalesce({alias}.raw_inputs, false)"]
    params: list[object] = []
    keys = metadata_keys(settings.rules, settings.workload_from)
    if keys:
        # NULL metadata: the source has none, so a rule on it matches nothing, now as at ingest
        kept = f"json_keys({alias}.metadata)"
        conditions.append(f"({alias}.metadata IS NULL OR {metadata_kept_sql(kept, keys, params)})")
    if not settings.rules:
        conditions.append(f"({alias}.source_format <> ? OR {alias}.workload_column IS NOT DISTINCT FROM ?)")
        params += [GENERIC_FORMAT, settings.workload_from]
        if settings.workload_from is not None and not is_attribute(settings.workload_from):
            conditions.append(f"{alias}.source_format = ?")
            params.append(GENERIC_FORMAT)
    return " AND ".join(conditions), params


def _reattribute_series(
    con: duckdb.DuckDBPyConnection, settings: AttributionSettings
) -> tuple[int, int, int]:
    """Re-derive every stored series' workload; returns (series changed, records changed, records kept)."""
    workload, workload_params = series_workload_sql(settings, "s")
    derivable, derivable_params = _series_derivable_sql(settings, "s")
    # Records per series, counted from the data: the stored rows, else (a store that keeps only sums) the
    # rollup's row counts.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _reattributed AS
        WITH r AS (
            SELECT s.series_key, s.workload AS old_workload, {workload} AS new_workload,
                   {derivable} AS derivable
            FROM usage_series s
        ),
        rows_n AS (SELECT series_key, count(*) AS n FROM usage GROUP BY series_key),
        sums_n AS (SELECT series_key, sum(row_count) AS n FROM usage_rollup GROUP BY series_key)
        SELECT r.*, CAST(coalesce(rows_n.n, sums_n.n, 0) AS BIGINT) AS records
        FROM r LEFT JOIN rows_n USING (series_key) LEFT JOIN sums_n USING (series_key)
        """,
        [*workload_params, *derivable_params],
    )
    row = con.execute(
        """
        SELECT count(*) FILTER (WHERE changed), coalesce(sum(records) FILTER (WHERE changed), 0),
               coalesce(sum(records) FILTER (WHERE NOT derivable), 0)
        FROM (SELECT *, derivable AND new_workload IS DISTINCT FROM old_workload AS changed
              FROM _reattributed)
        """
    ).fetchone()
    series, records, kept = (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)
    con.execute(
        """
        UPDATE usage_series SET workload = r.new_workload FROM _reattributed r
        WHERE usage_series.series_key = r.series_key AND r.derivable
          AND r.new_workload IS DISTINCT FROM r.old_workload
        """
    )
    return series, records, kept


def _reattribute_costs(con: duckdb.DuckDBPyConnection, settings: AttributionSettings) -> tuple[int, int]:
    """Re-derive the stored cost-only records' workload (rules only; a cost record's natural workload
    otherwise, as at ingest); returns (records changed, records kept)."""
    if settings.rules:
        columns = {
            "provider": "provider",
            "model_raw": "model_raw",
            "project": "project",
            "api_key_id": "api_key_id",
            "service_tier": "service_tier",
            "team": "NULL::VARCHAR",
            "user": "NULL::VARCHAR",
            "region": "NULL::VARCHAR",
            "service_name": "NULL::VARCHAR",
            "tags": "NULL::VARCHAR[]",
            "metadata": "NULL::JSON",
        }
        workload, params = workload_expression(
            columns, natural="natural_workload", rules=settings.rules, workload_from=None
        )
    else:
        workload, params = "natural_workload", []
    # Rules read only what every cost record has always stored (a cost record has no tags, metadata,
    # team or user): they apply to all; without rules, a record written before its natural workload was
    # kept cannot be re-derived.
    derivable = "true" if settings.rules else "coalesce(raw_inputs, false)"
    changed = con.execute(
        f"UPDATE reported_costs SET workload = {workload} "
        f"WHERE {derivable} AND workload IS DISTINCT FROM {workload}",
        [*params, *params],
    ).fetchone()
    kept = con.execute(f"SELECT count(*) FROM reported_costs WHERE NOT ({derivable})").fetchone()
    return (int(changed[0]) if changed else 0), (int(kept[0]) if kept else 0)
