"""Assigning series keys: one ``usage_series`` row per distinct combination of a row's attributes.

Provider ids are normalised to genai-prices' ids here, and a missing provider is inferred from the model,
once per distinct (provider, model) pair rather than per row. The resolved price-catalog model id is kept
with the series (``model``); pricing re-resolves at audit time, so a later user price file still applies.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from llm_tco.ingest.base import ATTRIBUTE_COLUMNS
from llm_tco.pricing.providers import normalize_provider
from llm_tco.pricing.resolve import resolve_model

__all__ = ["assign_series"]

_SEP = "\x1f"  # unit separator: cannot appear in normal attribute text, so joins of values stay unambiguous


def assign_series(con: duckdb.DuckDBPyConnection, table: str, source_format: str) -> None:
    """Create ``_series_map`` (raw provider/model -> normalised provider, resolved model) for the rows in
    ``table`` and insert the series combinations the store does not have yet."""
    pairs = con.execute(f'SELECT DISTINCT provider, model_raw FROM {table}').fetchall()
    provider_raw: list[str | None] = []
    model_raw: list[str] = []
    provider: list[str | None] = []
    model: list[str | None] = []
    for p_raw, m_raw in pairs:
        resolution = resolve_model(normalize_provider(p_raw), str(m_raw))
        provider_raw.append(p_raw)
        model_raw.append(str(m_raw))
        provider.append(resolution.provider)
        model.append(resolution.model)
    _series_map = pa.table(
        {
            "provider_raw": pa.array(provider_raw, pa.string()),
            "model_raw": pa.array(model_raw, pa.string()),
            "provider": pa.array(provider, pa.string()),
            "model": pa.array(model, pa.string()),
        }
    )
    con.register("_series_map_arrow", _series_map)
    con.execute("CREATE OR REPLACE TEMP TABLE _series_map AS SELECT * FROM _series_map_arrow")
    con.unregister("_series_map_arrow")

    others = [a for a in ATTRIBUTE_COLUMNS if a not in ("provider", "model_raw")]
    select_attrs = ", ".join(f'f."{a}"' for a in others)
    id_parts = " || ".join(
        [f"coalesce(CAST(\"{a}\" AS VARCHAR), '␀')" + f" || '{_SEP}'" for a in (*ATTRIBUTE_COLUMNS, "model")]
    )
    con.execute(
        f"""
        INSERT INTO usage_series
        SELECT (SELECT coalesce(max(series_key), 0) FROM usage_series) + row_number() OVER (ORDER BY series_id),
               series_id, ?, provider, model_raw, model, {", ".join(f'"{a}"' for a in others)}
        FROM (
            SELECT DISTINCT md5_number(? || '{_SEP}' || {id_parts}) AS series_id, *
            FROM (
                SELECT DISTINCT m.provider, f.model_raw, m.model, {select_attrs}
                FROM {table} f
                JOIN _series_map m ON m.provider_raw IS NOT DISTINCT FROM f.provider AND m.model_raw = f.model_raw
            )
        ) n
        WHERE NOT EXISTS (SELECT 1 FROM usage_series s WHERE s.series_id = n.series_id)
        """,
        [source_format, source_format],
    )
