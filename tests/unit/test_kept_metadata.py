"""Metadata staged as key/value pairs (OTel attributes) keeps the same keys and stores the same object, byte
for byte, as the same metadata staged as a JSON object: a series' identity must not depend on how its
file was staged. Expected values are written out by hand (or built with Python's ``json``)."""

from __future__ import annotations

import json

import duckdb
import pytest

from llm_tco.ingest.kept_metadata import (
    METADATA_VALUES_MAX,
    few_valued_keys,
    kept_values_sql,
    projection_sql,
)
from llm_tco.ingest.value_sql import column_kinds

# records: (keys, values); a key given twice is read at its first position
RECORDS = [
    (["team", "feature", "team", "note"], ["red", "faq", "blue", 'qu"o\\te é\n']),
    (["feature", "team"], ["docs", None]),
    (["team", "x.y"], ["red", "dotted"]),
]
FIRST: list[dict[str, str | None]] = [
    {"team": "red", "feature": "faq", "note": 'qu"o\\te é\n'},
    {"feature": "docs", "team": None},
    {"team": "red", "x.y": "dotted"},
]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE pairs (n INTEGER, metadata STRUCT(k VARCHAR[], v VARCHAR[]))")
    con.execute("CREATE TABLE objects (n INTEGER, metadata JSON)")
    for n, ((keys, values), first) in enumerate(zip(RECORDS, FIRST, strict=True)):
        con.execute("INSERT INTO pairs VALUES (?, {'k': ?, 'v': ?})", [n, keys, values])
        con.execute("INSERT INTO objects VALUES (?, ?)", [n, json.dumps(first)])
    return con


def test_pairs_are_their_own_kind(con: duckdb.DuckDBPyConnection) -> None:
    assert column_kinds(con, "SELECT * FROM pairs", [])["metadata"] == "pairs"
    assert column_kinds(con, "SELECT * FROM objects", [])["metadata"] == "json"


def test_the_same_keys_are_kept(con: duckdb.DuckDBPyConnection) -> None:
    expected = {"team", "feature", "note", "x.y"}  # every key has few values in three records
    assert few_valued_keys(con, "SELECT * FROM pairs", [], 's."metadata"', "pairs") == expected
    assert few_valued_keys(con, "SELECT * FROM objects", [], 's."metadata"', "json") == expected


def test_a_key_with_many_values_is_not_kept() -> None:
    con = duckdb.connect()
    many = METADATA_VALUES_MAX + 1
    con.execute(
        "CREATE TABLE pairs AS SELECT {'k': ['id', 'team'], 'v': [CAST(i AS VARCHAR), 'red']} AS metadata "
        f"FROM range({many}) t(i)"
    )
    assert few_valued_keys(con, "SELECT * FROM pairs", [], 's."metadata"', "pairs") == {"team"}


@pytest.mark.parametrize("keys", [["feature", "note", "team", "x.y"], ["missing", "team"], []])
def test_the_same_object_is_stored(con: duckdb.DuckDBPyConnection, keys: list[str]) -> None:
    def stored(table: str, kind: str) -> list[str]:
        params: list[object] = []
        sql = projection_sql('s."metadata"', kind, keys, params)
        return [str(r[0]) for r in con.execute(f"SELECT {sql} FROM {table} s ORDER BY n", params).fetchall()]

    # the object of exactly the kept keys, JSON null where a record lacks one, as DuckDB writes it
    expected = [
        json.dumps({k: first.get(k) for k in keys}, separators=(",", ":"), ensure_ascii=False)
        for first in FIRST
    ]
    assert stored("pairs", "pairs") == expected
    assert stored("objects", "json") == expected


def test_records_group_by_their_kept_values(con: duckdb.DuckDBPyConnection) -> None:
    # records 0 and 2 share team = red; with "feature" kept too, every record differs
    def groups(keys: list[str]) -> list[int]:
        value = kept_values_sql('s."metadata"', "pairs", keys)
        rows = con.execute(f"SELECT hash({value}) FROM pairs s ORDER BY n").fetchall()
        return [sorted({r[0] for r in rows}).index(r[0]) for r in rows]

    by_team = groups(["team"])
    assert by_team[0] == by_team[2] != by_team[1]
    assert len(set(groups(["feature", "team"]))) == 3
