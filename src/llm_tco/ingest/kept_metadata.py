"""The metadata a series keeps: which keys, their values' hash per record, and the object stored.

A record's staged ``metadata`` is one of two shapes (``llm_tco.ingest.value_sql`` kinds):

- ``json`` / ``text``: a JSON object (LiteLLM's ``metadata``, Bedrock's ``requestMetadata``…);
- ``pairs``: the keys and their values as text, two lists (OTel span and resource attributes), the first
  of a key given twice being its value. Writing every span's attributes out as a JSON object only to
  parse it again on each pass was half of an OTel export's read; as pairs, only the kept keys are looked
  up, and only in the passes that need them.

Both give the same kept keys and the same stored object (``metadata_projection``'s JSON, byte for byte:
a pair's text value is the JSON string the object held), so a series has the same identity whichever
way its file was staged. A dotted key (``spend_logs_metadata.app``) is read flat, then as a path into
nested objects; a pair's value is text, never an object, so pairs answer the flat key only.
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.attribution import json_path, metadata_projection
from llm_tco.ingest.value_sql import PAIRS_TYPE

__all__ = [
    "METADATA_SAMPLE",
    "METADATA_VALUES_MAX",
    "few_valued_keys",
    "kept_pairs_sql",
    "kept_values_sql",
    "projection_sql",
]

METADATA_VALUES_MAX = 100
"""A top-level metadata key with at most this many distinct values in the first ``METADATA_SAMPLE``
records of a file is kept with the series (besides the keys the attribution rules read), so that rules
written later can still be applied to the file's records. A key with more is per-request data (span ids,
timestamps, token details): keeping it would make one series per request, and a rule on it can only
apply at ingest."""

METADATA_SAMPLE = 20_000
"""Records whose metadata keys are counted (the first of the file): enough to tell per-request keys from
few-valued ones, and a bounded cost whatever the file's size (counting every record's keys cost as much
as validating them)."""


def _quoted(value: str) -> str:
    """A SQL string literal of a key (keys come from the user's rules and the file: quoted)."""
    return "'" + value.replace("'", "''") + "'"


def _json_of(metadata: str, kind: str) -> str:
    """The metadata as JSON, NULL where the text is not JSON (kind ``json``: valid already)."""
    if kind == "json":
        return metadata
    return f"(CASE WHEN json_valid(CAST({metadata} AS VARCHAR)) THEN CAST({metadata} AS JSON) END)"


def _pair(metadata: str, key_sql: str) -> str:
    """The text value of a key of pairs: the first position of the key (NULL when absent)."""
    return f"{metadata}.v[list_position({metadata}.k, {key_sql})]"


def few_valued_keys(
    con: duckdb.DuckDBPyConnection, staged_sql: str, staged_params: list[object], metadata: str, kind: str
) -> set[str]:
    """The top-level metadata keys with at most ``METADATA_VALUES_MAX`` distinct values in the first
    ``METADATA_SAMPLE`` records of the staged query (``metadata``: its column in the relation ``s``)."""
    path = "'$.\"' || replace(replace(key, '\\', '\\\\'), '\"', '\\\"') || '\"'"
    if kind == "pairs":
        # each key's first value, as the JSON text an object of them would hold (JSON null when NULL)
        keyed = f"""
            SELECT m.k[i] AS key, coalesce(CAST(to_json(m.v[i]) AS VARCHAR), 'null') AS value
            FROM (SELECT m, unnest(generate_series(1, len(m.k))) AS i
                  FROM (SELECT {metadata} AS m FROM (SELECT * FROM ({staged_sql}) LIMIT ?) s)
                  WHERE m IS NOT NULL)
            WHERE m.k[i] IS NOT NULL AND list_position(m.k, m.k[i]) = i"""
    else:
        keyed = f"""
            SELECT key, CAST(json_extract(j, {path}) AS VARCHAR) AS value
            FROM (SELECT j, unnest(json_keys(j)) AS key
                  FROM (SELECT {_json_of(metadata, kind)} AS j FROM (SELECT * FROM ({staged_sql}) LIMIT ?) s)
                  WHERE json_type(j) = 'OBJECT')"""
    rows = con.execute(
        f"SELECT key FROM ({keyed}) GROUP BY key HAVING count(DISTINCT value) <= ?",
        [*staged_params, METADATA_SAMPLE, METADATA_VALUES_MAX],
    ).fetchall()
    return {str(r[0]) for r in rows}


def kept_values_sql(metadata: str, kind: str, keys: list[str]) -> str:
    """One value per record that is equal for two records exactly when their kept keys' values are (hashed
    into the record's series, ``llm_tco.ingest.validate``); ``keys`` sorted."""
    if kind == "pairs":
        return "[" + ", ".join(_pair(metadata, _quoted(key)) for key in keys) + "]"
    paths: list[str] = []
    for key in keys:
        paths.append(json_path(key))
        if "." in key:
            paths.append("$." + ".".join(json_path(part)[2:] for part in key.split(".")))
    return f"json_extract({_json_of(metadata, kind)}, [{', '.join(_quoted(p) for p in paths)}])"


def kept_pairs_sql(metadata: str, kind: str, keys: list[str]) -> str | None:
    """Pairs metadata reduced to the kept ``keys`` (sorted): the same keys' values, and the same object
    stored with the series (:func:`projection_sql`), from lists of a few entries instead of all of a
    span's attributes. What a staged table holds in place of the whole lists, which only the kept keys
    are ever read from once it is written: writing every attribute of a million OTel spans cost ~0.4
    CPU-seconds more. None for a JSON object, kept whole (building a smaller object per record costs what
    its shorter text saves)."""
    if kind != "pairs":
        return None
    if not keys:
        return f"CAST(NULL AS {PAIRS_TYPE})"
    names = "[" + ", ".join(_quoted(key) for key in keys) + "]"
    values = kept_values_sql(metadata, kind, keys)
    return f"CASE WHEN {metadata} IS NOT NULL THEN {{'k': {names}, 'v': {values}}} END"


def projection_sql(metadata: str, kind: str, keys: list[str], params: list[object]) -> str:
    """The JSON object of the kept ``keys`` stored with the series (``metadata_projection``), NULL::JSON
    for a format without metadata."""
    if kind == "null":
        return "NULL::JSON"
    if kind != "pairs":
        return metadata_projection(_json_of(metadata, kind), keys, params)
    if not keys:
        return "json_object()"
    parts: list[str] = []
    for key in keys:
        params += [key, key]
        parts.append(f"?, to_json({_pair(metadata, '?')})")
    return f"json_object({', '.join(parts)})"
