"""Assigning series keys: one ``usage_series`` row per distinct combination of a row's attributes.

Provider ids are normalised to genai-prices' ids here, and a missing provider is inferred from the model,
once per distinct (provider, model) pair rather than per row. The resolved price-catalog model id is kept
with the series (``model``); pricing re-resolves at audit time, so a later user price file still applies.

A series is identified by its raw inputs — the attributes and what attribution reads (the adapter's
natural workload, service name, tags, the metadata keys the rules read) — never by its workload, which is
derived from them and can be re-derived when the rules change (``llm_tco.ingest.reattribute``).

Rows find their series through ``attr_hash`` (a 64-bit hash of the raw staged values the attributes are
made from, computed during validation): the distinct combinations of a file are few, so they are resolved
and keyed once, and the row-level join is on one integer instead of eleven nullable text columns.
"""

from __future__ import annotations

import duckdb

from llm_tco.catalog.model_names import resolve_model
from llm_tco.catalog.providers import normalize_provider
from llm_tco.ingest.base import ATTRIBUTE_COLUMNS
from llm_tco.ingest.reattribute import (
    GENERIC_FORMAT,
    AttributionSettings,
    series_workload_sql,
    stored_settings,
)
from llm_tco.store.temp_tables import create_temp_table

__all__ = ["RAW_INPUT_COLUMNS", "assign_series"]

_SEP = "\x1f"  # unit separator: cannot appear in normal attribute text, so joins of values stay unambiguous
_IDENTITY_VERSION = "raw-inputs-1"
"""Prefix of the hashed identity: series of stores written before the raw inputs were kept were
identified by their workload too, and must never share an id with a series identified by raw inputs."""


RAW_INPUT_COLUMNS: tuple[str, ...] = ("service_name", "tags", "metadata")
"""Raw inputs of attribution kept with a series besides the attributes (``natural_workload`` is the
validated ``workload``): what ``[[attribution]]`` rules and ``--workload-from`` read."""


def assign_series(
    con: duckdb.DuckDBPyConnection, table: str, source_format: str, params: list[object] | None = None
) -> None:
    """Create ``_series_keys`` (``attr_hash`` -> ``series_key``) for the rows of ``table`` (a relation,
    with its ``params``, that has the attribute columns, the raw inputs and ``attr_hash``), inserting the
    series the store does not have yet.

    A series is identified by its raw inputs (the validated ``workload`` column is the adapter's natural
    workload); its ``workload`` is derived from them with the store's attribution settings
    (``llm_tco.ingest.reattribute``), so that changed rules can be re-applied to it later."""
    inputs = (*ATTRIBUTE_COLUMNS, *RAW_INPUT_COLUMNS)
    others = [a for a in inputs if a not in ("provider", "model_raw", "workload")]
    picks = ", ".join(f'any_value("{a}") AS "{a}"' for a in inputs)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _combos AS SELECT attr_hash, {picks} FROM {table} GROUP BY attr_hash",
        params or [],
    )
    pairs = con.execute("SELECT DISTINCT provider, model_raw FROM _combos").fetchall()
    rows = []
    for p_raw, m_raw in pairs:
        resolution = resolve_model(normalize_provider(p_raw), str(m_raw))
        rows.append((p_raw, str(m_raw), resolution.provider, resolution.model))
    create_temp_table(
        con,
        "_series_map",
        [
            ("provider_raw", "VARCHAR"),
            ("model_raw", "VARCHAR"),
            ("provider", "VARCHAR"),
            ("model", "VARCHAR"),
        ],
        rows,
    )

    def qualified(attr: str) -> str:
        return f"m.{attr}" if attr in ("provider", "model") else f'c."{attr}"'

    identity = (*ATTRIBUTE_COLUMNS, *RAW_INPUT_COLUMNS, "model")  # "workload": the natural one
    id_parts = " || ".join(f"coalesce(CAST({qualified(a)} AS VARCHAR), '␀') || '{_SEP}'" for a in identity)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _combo_ids AS
        SELECT c.attr_hash,
               md5_number('{_IDENTITY_VERSION}{_SEP}' || ? || '{_SEP}' || {id_parts}) AS series_id,
               CAST(? AS VARCHAR) AS source_format, m.provider, c.model_raw, m.model,
               c."workload" AS natural_workload,
               {", ".join(f'c."{a}"' for a in others)}
        FROM _combos c
        JOIN _series_map m ON m.provider_raw IS NOT DISTINCT FROM c.provider AND m.model_raw = c.model_raw
        """,
        [source_format, source_format],
    )
    settings = stored_settings(con) or AttributionSettings()
    workload, workload_params = series_workload_sql(settings, "n")
    column_list = ", ".join(f'"{a}"' for a in ("natural_workload", *others))
    con.execute(
        f"""
        INSERT INTO usage_series (series_key, series_id, source_format, provider, model_raw, model, workload,
                                  {column_list}, workload_column, raw_inputs)
        SELECT (SELECT coalesce(max(series_key), 0) FROM usage_series) + row_number() OVER (ORDER BY
        series_id),
               series_id, source_format, provider, model_raw, model, {workload}, {column_list},
               CASE WHEN source_format = ? THEN CAST(? AS VARCHAR) END, true
        FROM (SELECT DISTINCT * EXCLUDE (attr_hash) FROM _combo_ids) n
        WHERE NOT EXISTS (SELECT 1 FROM usage_series s WHERE s.series_id = n.series_id)
        """,
        [*workload_params, GENERIC_FORMAT, settings.workload_from],
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _series_keys AS "
        "SELECT c.attr_hash, s.series_key FROM _combo_ids c JOIN usage_series s ON s.series_id = c.series_id"
    )
